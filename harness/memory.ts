/**
 * Memory check before allocation: an estimate of a cell's peak memory, so a cell that
 * cannot fit the WASM heap is refused with a clear message (an `errored` record) instead
 * of aborting the WASM instance mid-run.
 *
 * tfjs's WASM backend is wasm32: one linear memory of at most 4 GiB per tfjs instance
 * (per worker thread). The estimate counts float32 tensors alive at the peak:
 *
 * - training step: activations kept for the backward pass plus the gradients in flight
 *   (taken as 2x the forward activations), plus weights, gradients and Adam's two moments
 *   (5x the parameters);
 * - evaluation at the generalisation lengths (2L, 4L): forward only, but every
 *   intermediate lives until the end of the `tidy`, so it is the forward activations at
 *   that length.
 *
 * Forward activations per layer (N = B*T positions):
 * - transformer: attention probabilities and scores, 2*B*heads*T^2 (stored for backward:
 *   the O(T^2) term), and about N*(14 d + 2 ffDim) for projections, residuals and norms;
 * - rnn/lstm/gru: N*(G*H + 2H + D_in) per layer for gate pre-activations, states and the
 *   input, in the kernel arena and again as host copies for backward: the O(T*B*G*H) term;
 * - tcn: im2col copies k*N*C_in and k*N*C plus ~6 N*C per level.
 *
 * Plugin extractors have no estimate (their cost is unknown to the harness): they are
 * never refused. The estimate is deliberately rough; the margin absorbs its error and the
 * heap's fragmentation.
 */
import os from 'node:os';
import { extractors, tasks } from './plugins.js';
import type { Cell } from './suite.js';

/** wasm32's limit: the most one WebAssembly memory (one tfjs WASM instance) can grow to. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;
/** Fraction of the heap a cell may plan to use; the rest is the safety margin. */
export const HEAP_FRACTION = 0.75;

const FLOAT = 4;

export interface MemoryEstimate {
  /** Estimated peak bytes of the cell. */
  bytes: number;
  /** The largest contribution, in words, e.g. "attention scores B*heads*T^2 = 32*4*4096^2 floats per layer". */
  dominant: string;
}

/** Bytes a cell may use on a backend: 75% of the 4 GiB WASM heap, or of the machine's memory on `cpu`. */
export function memoryBudget(backend: 'wasm' | 'cpu'): number {
  return HEAP_FRACTION * (backend === 'wasm' ? WASM_HEAP_BYTES : os.totalmem());
}

interface Term {
  floats: number;
  what: string;
}

/** Forward activations of the built-in extractors at batch B and length T (floats), by term. */
function extractorActivations(name: string, o: Record<string, number | string | boolean>, B: number, T: number, D: number): Term[] | undefined {
  const N = B * T;
  const num = (k: string) => o[k] as number;
  switch (name) {
    case 'transformer': {
      const [d, h, ff, L] = [num('dModel'), num('heads'), num('ffDim'), num('layers')];
      return [
        { floats: L * 2 * B * h * T * T, what: `attention scores and probabilities B*heads*T^2 = ${B}*${h}*${T}^2 floats per layer (x${L} layers, kept for backward)` },
        { floats: N * (2 * d + D) + L * N * (14 * d + 2 * ff), what: `activations B*T*width*layers = ${B}*${T}*${14 * d + 2 * ff}*${L} floats` },
      ];
    }
    case 'rnn':
    case 'lstm':
    case 'gru': {
      const G = { rnn: 1, lstm: 4, gru: 3 }[name];
      const [H, L] = [num('hidden'), num('layers')];
      let floats = 0;
      for (let l = 0; l < L; l++) floats += 2 * N * (G * H + 2 * H + (l === 0 ? D : H)) + N * H;
      return [{ floats, what: `recurrent gates and states T*B*G*H = ${T}*${B}*${G}*${H} floats per layer (x${L} layers, kept for backpropagation through time)` }];
    }
    case 'tcn': {
      const [C, k, levels] = [num('channels'), num('kernel'), num('levels')];
      let floats = 0;
      for (let i = 0; i < levels; i++) floats += N * (k * (i === 0 ? D : C) + k * C + 6 * C);
      return [{ floats, what: `convolution activations B*T*k*C*levels = ${B}*${T}*${k}*${C}*${levels} floats` }];
    }
    default:
      return undefined;
  }
}

/** Embedding output and head: about 2 N E floats. */
const harnessActivations = (B: number, T: number, E: number): Term => ({ floats: 2 * B * T * E, what: `embedding B*T*E = ${B}*${T}*${E} floats` });

/**
 * Estimated peak bytes of a cell, or undefined when the extractor is a plugin the harness
 * cannot estimate. Pure arithmetic: nothing is allocated.
 */
export function estimateCellMemory(cell: Cell): MemoryEstimate | undefined {
  const def = extractors.get(cell.extractor.name);
  const { batch: B, embedDim: E } = cell.train;
  const o = cell.extractor.options as Record<string, number | string | boolean>;
  const train = extractorActivations(cell.extractor.name, o, B, cell.length, E);
  if (!train || !def.width) return undefined;
  const params = def.width.params(def.options.parse(o), E);
  let harnessParams = 0;
  try {
    const task = tasks.get(cell.task.name).create(cell.task.options);
    const inputs = task.input.kind === 'tokens' ? task.input.vocab * E : task.input.dim * E + E;
    harnessParams = inputs + 1024 * E; // head: at most ~1k classes
  } catch {
    /* a task that cannot be created fails the cell anyway, with its own message */
  }
  const candidates: { floats: number; terms: Term[] }[] = [];
  const trainTerms = [...train.map((t) => ({ ...t, floats: 2 * t.floats })), harnessActivations(B, cell.length, E)];
  candidates.push({ floats: trainTerms.reduce((s, t) => s + t.floats, 0), terms: trainTerms });
  // Forward-only evaluation at the generalisation lengths the extractor can read.
  const maxLen = cell.extractor.name === 'transformer' && o.positional === 'learned' ? (o.maxLen as number) : Infinity;
  for (const factor of cell.train.generalize) {
    const T = Math.round(cell.length * factor);
    if (factor === 1 || T > maxLen) continue;
    const terms = [...extractorActivations(cell.extractor.name, o, B, T, E)!.map((t) => ({ ...t, what: `${t.what}, evaluating at ${factor}x length` })), harnessActivations(B, T, E)];
    candidates.push({ floats: terms.reduce((s, t) => s + t.floats, 0), terms });
  }
  const peak = candidates.reduce((a, b) => (b.floats > a.floats ? b : a));
  const paramFloats = 5 * (params + harnessParams); // weights, gradients, clipped gradients, Adam m and v
  const dominant = peak.terms.reduce((a, b) => (b.floats > a.floats ? b : a));
  return { bytes: FLOAT * (peak.floats + paramFloats), dominant: dominant.what };
}

export const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 1)} GiB`;

/**
 * Why a cell would not fit, or undefined when it fits (or cannot be estimated). The
 * message is one line: the estimate, its dominant term, the budget, and what to lower.
 */
export function memoryRefusal(cell: Cell): { message: string; estimatedPeakBytes: number } | undefined {
  const estimate = estimateCellMemory(cell);
  if (!estimate) return undefined;
  const budget = memoryBudget(cell.train.backend);
  if (estimate.bytes <= budget) return undefined;
  const heap =
    cell.train.backend === 'wasm'
      ? `the ${gib(budget)} budget (the 4 GiB WASM heap less a ${Math.round((1 - HEAP_FRACTION) * 100)}% safety margin)`
      : `the ${gib(budget)} budget (${Math.round(HEAP_FRACTION * 100)}% of this machine's memory)`;
  const fix = cell.extractor.name === 'transformer' ? 'lower --batch, the length, heads or layers' : 'lower --batch, the length or the width';
  return {
    message: `not run: estimated peak memory ${gib(estimate.bytes)} exceeds ${heap}; dominant term: ${estimate.dominant}. To fit, ${fix}`,
    estimatedPeakBytes: Math.round(estimate.bytes),
  };
}
