/**
 * Memory check before allocation: an estimate of a cell's peak memory, so a cell that
 * cannot fit the WASM heap is refused with a clear message (an `errored` record) instead
 * of aborting the WASM instance mid-run.
 *
 * tfjs's WASM backend is wasm32: one linear memory of at most 4 GiB per tfjs instance
 * (per worker thread). The estimate counts float32 tensors alive at the peak:
 *
 * - a training step: the activations kept for the backward pass plus the gradients in
 *   flight (about 2x the forward activations), plus weights, gradients, clipped gradients
 *   and Adam's two moments (5x the parameters);
 * - evaluation at a generalisation length (2L, 4L): forward only, but every intermediate
 *   lives until the end of its `tidy`. A length that would not fit is skipped (reported
 *   `not-applicable` with the reason); the cell itself is refused only when training does
 *   not fit.
 *
 * Forward activations per layer (N = B*T positions):
 * - transformer: attention scores and probabilities, 2*B*heads*T^2 (kept for backward:
 *   the O(T^2) term), and about N*(14 d + 2 ffDim) for projections, residuals and norms;
 * - rnn/lstm/gru: N*(G*H + 2H + D_in) per layer for gate pre-activations, states and the
 *   input, in the kernel arena and again as host copies for backward: the O(T*B*G*H) term;
 * - tcn: the im2col taps, (1 + 2k) N C_in + 3 N C per convolution (and their padded
 *   gradients when training).
 *
 * Plugin extractors have no estimate (their cost is unknown to the harness): they are
 * never refused. The estimate is deliberately rough (within about 2x of tf.memory's peak
 * on the built-ins, on the safe side); the margin absorbs its error and the heap's
 * fragmentation.
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

/**
 * Floats of the built-in extractors' tensors at batch B and length T, by term: `forward`
 * is what a forward pass inside a tidy holds (evaluation); `train` what a training step
 * holds at its peak (forward activations kept for backward, plus the gradients in flight).
 */
function extractorFloats(name: string, o: Record<string, number | string | boolean>, B: number, T: number, D: number): { forward: Term[]; train: Term[] } | undefined {
  const N = B * T;
  const num = (k: string) => o[k] as number;
  const twice = (terms: Term[]) => terms.map((t) => ({ ...t, floats: 2 * t.floats }));
  switch (name) {
    case 'transformer': {
      const [d, h, ff, L] = [num('dModel'), num('heads'), num('ffDim'), num('layers')];
      const forward = [
        { floats: L * 2 * B * h * T * T, what: `attention scores and probabilities B*heads*T^2 = ${B}*${h}*${T}^2 floats per layer (x${L} layers, kept for backward)` },
        { floats: N * (2 * d + D) + L * N * (14 * d + 2 * ff), what: `activations B*T*width*layers = ${B}*${T}*${14 * d + 2 * ff}*${L} floats` },
      ];
      return { forward, train: twice(forward) };
    }
    case 'rnn':
    case 'lstm':
    case 'gru': {
      const G = { rnn: 1, lstm: 4, gru: 3 }[name];
      const [H, L] = [num('hidden'), num('layers')];
      let floats = 0;
      for (let l = 0; l < L; l++) floats += 2 * N * (G * H + 2 * H + (l === 0 ? D : H)) + N * H;
      const forward = [{ floats, what: `recurrent gates and states T*B*G*H = ${T}*${B}*${G}*${H} floats per layer (x${L} layers, kept for backpropagation through time)` }];
      return { forward, train: twice(forward) };
    }
    case 'tcn': {
      // Per convolution (im2col over k taps): forward (1 + 2k) N Cin + 3 N C (padded input,
      // taps, their concatenation; product, bias, relu); backward about (3k + 1) N Cin + 2 N C
      // (each tap's gradient is padded back to the full input). Calibrated x1.6 on tf.memory peaks.
      const [C, k, levels] = [num('channels'), num('kernel'), num('levels')];
      let forward = 0;
      let train = 0;
      const conv = (cin: number, width: number) => {
        forward += N * ((1 + 2 * width) * cin + 3 * C);
        train += 1.6 * N * ((5 * width + 2) * cin + 5 * C);
      };
      for (let i = 0; i < levels; i++) {
        const cin = i === 0 ? D : C;
        conv(cin, k);
        conv(C, k);
        if (cin !== C) conv(cin, 1);
        forward += 2 * N * C;
        train += 4 * N * C;
      }
      const what = `convolution activations B*T*k*C*levels = ${B}*${T}*${k}*${C}*${levels} floats (im2col taps, kept for backward)`;
      return { forward: [{ floats: forward, what }], train: [{ floats: train, what }] };
    }
    default:
      return undefined;
  }
}

/** Embedding output and head: about 2 N E floats. */
const harnessActivations = (B: number, T: number, E: number): Term => ({ floats: 2 * B * T * E, what: `embedding B*T*E = ${B}*${T}*${E} floats` });

const harnessParamsCache = new WeakMap<object, number>();

/** Embedding and head parameters of a cell's task (cached per task use: creating a corpus task can be slow). */
function harnessParams(cell: Cell): number {
  const cached = harnessParamsCache.get(cell.task);
  if (cached !== undefined) return cached;
  const E = cell.train.embedDim;
  let n = 0;
  try {
    const task = tasks.get(cell.task.name).create(cell.task.options);
    const classes = task.output.kind === 'classes' ? task.output.classes : 1;
    n = (task.input.kind === 'tokens' ? task.input.vocab * E : task.input.dim * E + E) + classes * 1024;
  } catch {
    /* a task that cannot be created fails the cell anyway, with its own message */
  }
  harnessParamsCache.set(cell.task, n);
  return n;
}

const sum = (terms: Term[]) => terms.reduce((s, t) => s + t.floats, 0);
const largest = (terms: Term[]) => terms.reduce((a, b) => (b.floats > a.floats ? b : a));

/**
 * Estimated peak bytes of a cell's training (its build, training steps, and evaluation at
 * the training length), or undefined when the extractor is a plugin the harness cannot
 * estimate. Pure arithmetic: nothing is allocated.
 */
export function estimateCellMemory(cell: Cell): MemoryEstimate | undefined {
  const def = extractors.get(cell.extractor.name);
  const { batch: B, embedDim: E } = cell.train;
  const o = cell.extractor.options as Record<string, number | string | boolean>;
  const floats = extractorFloats(cell.extractor.name, o, B, cell.length, E);
  if (!floats || !def.width) return undefined;
  // Weights, gradients, clipped gradients, Adam's m and v.
  const params = 5 * (def.width.params(def.options.parse(o), E) + harnessParams(cell));
  const terms = [...floats.train, harnessActivations(B, cell.length, E)];
  return { bytes: FLOAT * (sum(terms) + params), dominant: largest(terms).what };
}

/**
 * Estimated peak bytes of evaluating a cell's trained model at `length` (forward only; a
 * tidy holds every intermediate until it ends), or undefined for plugin extractors.
 */
export function estimateEvalMemory(cell: Cell, length: number): MemoryEstimate | undefined {
  const def = extractors.get(cell.extractor.name);
  const { batch: B, embedDim: E } = cell.train;
  const o = cell.extractor.options as Record<string, number | string | boolean>;
  const floats = extractorFloats(cell.extractor.name, o, B, length, E);
  if (!floats || !def.width) return undefined;
  const params = 5 * (def.width.params(def.options.parse(o), E) + harnessParams(cell));
  const terms = [...floats.forward, harnessActivations(B, length, E)];
  return { bytes: FLOAT * (sum(terms) + params), dominant: largest(terms).what };
}

export const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 1)} GiB`;

/**
 * Why a cell would not fit, or undefined when it fits (or cannot be estimated). The
 * message is one line: the estimate, its dominant term, the budget, and what to lower.
 */
export function memoryRefusal(cell: Cell): { message: string; estimatedPeakBytes: number } | undefined {
  const estimate = estimateCellMemory(cell);
  return estimate && refusal(cell, estimate);
}

/**
 * Why evaluating at a generalisation length would not fit, or undefined when it fits: that
 * length is then reported `not-applicable` with this reason, and the cell still completes.
 */
export function evalMemoryRefusal(cell: Cell, length: number): string | undefined {
  const estimate = estimateEvalMemory(cell, length);
  return estimate && refusal(cell, estimate)?.message;
}

function refusal(cell: Cell, estimate: MemoryEstimate): { message: string; estimatedPeakBytes: number } | undefined {
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
