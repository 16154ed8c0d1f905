/**
 * The layout shared by the tasks of Delétang et al. (ICLR 2023), "Neural Networks and the Chomsky
 * Hierarchy" (google-deepmind/neural_networks_chomsky_hierarchy): even-pairs, modular-arithmetic,
 * parity-check, cycle-navigation, reverse-string, stack-manipulation, duplicate-string,
 * odds-first, binary-addition.
 *
 * The paper's model reads the input string followed by `output_length(n)` blank output steps
 * and is read only at those steps (`training/utils.py`, `make_model_with_empty_targets`:
 * `final_input = [x, output_tokens]`, `output = output[:, -output_length:]`; no computation
 * steps, `computation_steps_mult = 0` in `training/example.py`). fxbench's `length` T is that
 * whole sequence: n input symbols, then the output steps, each holding the blank `_`, which is
 * one more input token id (the wrapper's extra one-hot dimension).
 *
 * Accuracy there (`training/example.py`, `accuracy_fn`) is the fraction of correct argmaxes over
 * the output steps that `task.accuracy_mask` keeps: all of them, except for stack manipulation
 * and binary addition, which stop at the termination token. Here `mask` is 1 exactly on those
 * steps. Two differences the harness (not the tasks) makes: it averages accuracy per sample and
 * then over samples, where the paper pools the steps of a batch (the same number when every
 * sample counts equally many steps, so only stack manipulation and binary addition differ); and
 * its loss uses the same `mask`, where the paper's loss also covers the zero padding after the
 * termination token.
 */
import type { Rng } from '../../core/rng.js';
import type { Batch, Chance, SampleMeta, Task } from '../types.js';
import { renderTokens } from './common.js';

/** The blank that fills the output steps of the input (printed form). */
export const BLANK = '_';

/** How a task's input length n and sequence length T relate. */
export interface LengthMap {
  /** T for n input symbols: n plus the output steps. */
  lengthOf(n: number): number;
  /**
   * n at length T: exact at accepted lengths; at others the n of the longest accepted length
   * below T (only `chance` and messages use it: `defineTask` refuses such a T before sampling).
   */
  symbolsAt(T: number): number;
  /** Every T from `lengthOf(1)` up is accepted when absent. */
  lengths?: { accepts(T: number): boolean; rule: string };
}

/** The checked map's facts: minLength = lengthOf(1). */
function taskLengths(map: LengthMap): Pick<Task, 'minLength' | 'lengths'> {
  return map.lengths ? { minLength: map.lengthOf(1), lengths: map.lengths } : { minLength: map.lengthOf(1) };
}

/** Whole multiples: the lengths of a map T = k·n (reverse string k = 2, duplicate string k = 3). */
export function multipleMap(k: number, what: string): LengthMap {
  return {
    lengthOf: (n) => k * n,
    symbolsAt: (T) => Math.max(1, Math.floor(T / k)),
    lengths: { accepts: (T) => T % k === 0, rule: `lengths divisible by ${k}: ${what}` },
  };
}

/** One answer after n symbols: T = n + 1 (the paper's `output_length` 1), every T >= 2. */
export const ONE_ANSWER_MAP: LengthMap = { lengthOf: (n) => n + 1, symbolsAt: (T) => Math.max(1, T - 1) };

/**
 * A one-answer task: n symbols (ids 0..k-1), then the blank (id k) at the last position, where
 * the answer is read (per-sequence classes; the harness's default `last` readout reads exactly
 * the paper's single output step, `output[:, -1]`).
 */
export function oneAnswerTask(spec: {
  symbols: readonly string[];
  labels: readonly string[];
  map: LengthMap;
  chance(n: number): Chance;
  /** Writes the n symbols into `row` ([n]) and returns the class and the sample's meta. */
  draw(rng: Rng, row: Int32Array, n: number): { label: number; meta: SampleMeta };
}): Task {
  const tokens = [...spec.symbols, BLANK];
  const blank = spec.symbols.length;
  return {
    input: { kind: 'tokens', vocab: tokens.length, tokens },
    output: { kind: 'classes', classes: spec.labels.length, labels: spec.labels, per: 'sequence' },
    ...taskLengths(spec.map),
    chance: (T) => spec.chance(spec.map.symbolsAt(T)),
    sample(rng: Rng, batchSize: number, length: number): Batch {
      const T = length;
      const n = spec.map.symbolsAt(T);
      const inputs = new Int32Array(batchSize * T).fill(blank); // [B*T]; positions n..T-1 stay blank
      const targets = new Int32Array(batchSize); // [B]
      const meta: SampleMeta[] = [];
      for (let b = 0; b < batchSize; b++) {
        const { label, meta: m } = spec.draw(rng, inputs.subarray(b * T, b * T + n), n);
        targets[b] = label;
        meta.push(m);
      }
      return { batchSize, length, inputs, targets, meta };
    },
    decode(batch, i) {
      const T = batch.length;
      return { input: renderTokens(tokens, batch.inputs, i * T, (i + 1) * T), target: spec.labels[batch.targets[i]] };
    },
  };
}

/**
 * A string-output task: n symbols (ids 0..k-1), then `lengthOf(n) - n` blanks (id k); the
 * targets of the output steps are classes, counted (mask 1) on the first `counted` of them.
 */
export function stringOutputTask(spec: {
  symbols: readonly string[];
  labels: readonly string[];
  map: LengthMap;
  chance(n: number): Chance;
  /**
   * Writes the n symbols into `input` ([n]) and the output steps' classes into `output`
   * ([lengthOf(n) - n], zero-filled); returns how many leading output steps count, and the meta.
   */
  draw(rng: Rng, input: Int32Array, output: Int32Array, n: number): { counted: number; meta: SampleMeta };
}): Task {
  const tokens = [...spec.symbols, BLANK];
  const blank = spec.symbols.length;
  return {
    input: { kind: 'tokens', vocab: tokens.length, tokens },
    output: { kind: 'classes', classes: spec.labels.length, labels: spec.labels, per: 'step' },
    ...taskLengths(spec.map),
    chance: (T) => spec.chance(spec.map.symbolsAt(T)),
    sample(rng: Rng, batchSize: number, length: number): Batch {
      const T = length;
      const n = spec.map.symbolsAt(T);
      const out = T - n; // output steps: lengthOf(n) - n, as `defineTask` lets only accepted lengths through
      const inputs = new Int32Array(batchSize * T).fill(blank); // [B*T]; the output steps stay blank
      const targets = new Int32Array(batchSize * T); // [B*T]; 0 on the input steps (not counted)
      const mask = new Float32Array(batchSize * T); // [B*T]; 1 on counted output steps only
      const meta: SampleMeta[] = [];
      for (let b = 0; b < batchSize; b++) {
        const base = b * T;
        const { counted, meta: m } = spec.draw(rng, inputs.subarray(base, base + n), targets.subarray(base + n, base + T), n);
        mask.fill(1, base + n, base + n + Math.min(counted, out));
        meta.push(m);
      }
      return { batchSize, length, inputs, targets, mask, meta };
    },
    decode(batch, i) {
      // The output steps' targets, `·` where a step is not counted (the padding after a termination token).
      const T = batch.length;
      const n = spec.map.symbolsAt(T);
      const out: string[] = [];
      for (let t = n; t < T; t++) out.push(batch.mask?.[i * T + t] ? spec.labels[batch.targets[i * T + t]] : '·');
      return { input: renderTokens(tokens, batch.inputs, i * T, (i + 1) * T), target: out.join(' ') };
    },
  };
}

/** n fair bits (ids 0 and 1) into `row`; returns the number of 1s. */
export function fairBits(rng: Rng, row: Int32Array, n: number): number {
  let ones = 0;
  for (let t = 0; t < n; t++) ones += row[t] = rng.int(2);
  return ones;
}

/** Chance 1/2 per output step for outputs that are fair, independent bits. */
export function fairBitsChance(what: string): Chance {
  return { value: 0.5, metric: 'accuracy', why: `every output step is a fair bit (${what}), so no input-blind guess beats 1/2` };
}
