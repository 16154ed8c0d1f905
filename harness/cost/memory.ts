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
 * The activation terms belong to each extractor's definition (`memory`, next to `width.params`
 * and `flops`); this module adds the harness's parts (embedding, head, optimiser state) and
 * compares the total with the heap.
 *
 * Extractors without a `memory` (plugins that do not declare one) have no estimate: they
 * are never refused. The estimate is deliberately rough (within about 2x of tf.memory's peak
 * on the built-ins, on the safe side); the margin absorbs its error and the heap's
 * fragmentation.
 */
import os from 'node:os';
import { extractors, tasks } from '../plugins/registries.js';
import type { Cell } from '../suite/suite.js';
import type { MemoryTerm } from '../../extractors/types.js';

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

/** Embedding output and head: about 2 N E floats. */
const harnessActivations = (B: number, T: number, E: number): MemoryTerm => ({ floats: 2 * B * T * E, what: `embedding B*T*E = ${B}*${T}*${E} floats` });

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

const sum = (terms: MemoryTerm[]) => terms.reduce((s, t) => s + t.floats, 0);
const largest = (terms: MemoryTerm[]) => terms.reduce((a, b) => (b.floats > a.floats ? b : a));

/**
 * Estimated peak bytes of a cell's training (its build, training steps, and evaluation at
 * the training length), or undefined when the extractor is a plugin the harness cannot
 * estimate. Pure arithmetic: nothing is allocated.
 */
export function estimateCellMemory(cell: Cell): MemoryEstimate | undefined {
  const def = extractors.get(cell.extractor.name);
  const { batch: B, embedDim: E } = cell.train;
  const o = cell.extractor.options; // resolved when the cell was built
  if (!def.memory || !def.width) return undefined;
  const floats = def.memory(o, { batch: B, length: cell.length, inputDim: E });
  // Weights, gradients, clipped gradients, Adam's m and v.
  const params = 5 * (def.width.params(o, E) + harnessParams(cell));
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
  const o = cell.extractor.options;
  if (!def.memory || !def.width) return undefined;
  const floats = def.memory(o, { batch: B, length, inputDim: E });
  const params = 5 * (def.width.params(o, E) + harnessParams(cell));
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

/** What to lower when an extractor's cell does not fit, unless its definition says (`memoryAdvice`). */
export const DEFAULT_MEMORY_ADVICE = 'lower --batch, the length or the width';

function refusal(cell: Cell, estimate: MemoryEstimate): { message: string; estimatedPeakBytes: number } | undefined {
  const budget = memoryBudget(cell.train.backend);
  if (estimate.bytes <= budget) return undefined;
  const heap =
    cell.train.backend === 'wasm'
      ? `the ${gib(budget)} budget (the 4 GiB WASM heap less a ${Math.round((1 - HEAP_FRACTION) * 100)}% safety margin)`
      : `the ${gib(budget)} budget (${Math.round(HEAP_FRACTION * 100)}% of this machine's memory)`;
  const fix = extractors.get(cell.extractor.name).memoryAdvice ?? DEFAULT_MEMORY_ADVICE;
  return {
    message: `not run: estimated peak memory ${gib(estimate.bytes)} exceeds ${heap}; dominant term: ${estimate.dominant}. To fit, ${fix}`,
    estimatedPeakBytes: Math.round(estimate.bytes),
  };
}
