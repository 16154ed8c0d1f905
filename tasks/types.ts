/**
 * The task plugin interface. A task is a pure function of a seeded RNG:
 * `sample(rng, batchSize, length)` returns the same batch for the same RNG state.
 * The task declares what goes in (tokens or real-valued features), what comes out
 * (classes or a regression value, per sequence or per step), and its chance baseline.
 */
import type { z } from 'zod';
import type { Rng } from '../core/rng.js';
import { UsageError } from '../core/errors.js';

/** What the task feeds the model at each position. */
export type InputSpec =
  /** Token ids in [0, vocab); `tokens[i]` is how id i is printed. */
  | { kind: 'tokens'; vocab: number; tokens: readonly string[] }
  /** Real-valued features, `dim` per position; `names[i]` describes feature i. */
  | { kind: 'features'; dim: number; names: readonly string[] };

/** What the model must predict: one answer per sequence (after the readout) or one per step. */
export type OutputSpec =
  | { kind: 'classes'; classes: number; labels: readonly string[]; per: 'sequence' | 'step' }
  | { kind: 'regression'; per: 'sequence' | 'step' };

export type MetricName = 'accuracy' | 'mse' | 'cross-entropy';

/** A metric's facts in one place. */
export interface MetricInfo {
  name: MetricName;
  higherIsBetter: boolean;
  unit: string;
  /** The value of a perfect model (the score's 1). */
  perfect: number;
  /** The score at or above which a task judged by this metric counts as solved, unless the task says otherwise (`Task.solvedScore`). */
  solvedScore: number;
}

export const METRICS: Record<MetricName, MetricInfo> = {
  // Solved: 95% of the way from chance to perfect. With 4 classes that is accuracy 0.9625;
  // for the adding task (chance MSE 1/6) an MSE below 0.0083.
  accuracy: { name: 'accuracy', higherIsBetter: true, unit: 'fraction correct', perfect: 1, solvedScore: 0.95 },
  mse: { name: 'mse', higherIsBetter: false, unit: 'mean squared error', perfect: 0, solvedScore: 0.95 },
  'cross-entropy': { name: 'cross-entropy', higherIsBetter: false, unit: 'nats per step (mean over counted steps)', perfect: 0, solvedScore: 0.95 },
};

/**
 * The score: how far a value lies from chance toward perfect, 0 at chance and 1 perfect,
 * negative below chance, whatever the metric: (value - chance) / (perfect - chance), and 0
 * when chance is already perfect.
 * Accuracy: (acc - c) / (1 - c); losses (perfect 0): (c - v) / c.
 */
export function scoreOf(metric: MetricName, value: number, chance: number): number {
  const room = METRICS[metric].perfect - chance;
  // Chance already perfect (e.g. samples that all share the training majority class): nothing to score above it.
  return room === 0 ? 0 : (value - chance) / room;
}

/** The score of a model that ignores its input, in the task's metric. */
export interface Chance {
  value: number;
  metric: MetricName;
  /** How the value was derived, e.g. "1/k for k uniform classes". */
  why: string;
}

/** Per-sample facts the harness can bin accuracy by (dependency distance, attractors...). */
export type SampleMeta = Record<string, number>;

/**
 * Per-step facts of a per-step task, one array [B*T] per key (e.g. MQAR: each query's
 * distance to its pair, at the query's position). Read only at steps whose `mask` is 1; NaN
 * where a step has no such fact. The harness bins the held-out score of single steps by it,
 * so its `byMeta` bins count steps, not samples. A key must not also be a `SampleMeta` key.
 */
export type StepMeta = Record<string, Float64Array>;

/**
 * One batch in flat row-major arrays, so tasks need no tensors and stay pure.
 * Shapes in brackets; B = batchSize, T = length, F = features per position.
 */
export interface Batch {
  batchSize: number;
  length: number;
  /** tokens: Int32Array [B*T]; features: Float32Array [B*T*F]. */
  inputs: Int32Array | Float32Array;
  /** classes: Int32Array [B] or [B*T]; regression: Float32Array [B] or [B*T]. */
  targets: Int32Array | Float32Array;
  /** Per-step outputs only: 1 where a step's target counts, 0 where it does not. [B*T] */
  mask?: Float32Array;
  /**
   * Key-padding mask [B*T]: 1 where the position holds a real token, 0 where it is padding
   * (left padding with id 0). Absent when no sample of the batch is padded.
   */
  keyMask?: Float32Array;
  /** One entry per sample. */
  meta: SampleMeta[];
  /** Per-step tasks whose facts differ from step to step: one [B*T] array per key. */
  stepMeta?: StepMeta;
}

export interface Task {
  input: InputSpec;
  output: OutputSpec;
  /** The metric the task is judged by, and its chance value at a given length. */
  chance(length: number): Chance;
  /** Shortest length at which the task is defined. */
  minLength: number;
  /**
   * Which lengths (the sequence the model reads, output steps included) the task is defined
   * at, when not every length from `minLength` up is: reverse string with n symbols then n
   * output steps accepts even lengths. `rule` says which in words, for messages ("even
   * lengths: n symbols, then n output steps"). Absent: every length from `minLength`. A
   * length range draws its training lengths among the accepted ones only.
   */
  lengths?: { accepts(length: number): boolean; rule: string };
  /**
   * The score (0 at chance, 1 perfect: `scoreOf`) at or above which a model has solved the
   * task, for early stopping and tuning. Absent: the metric's default (`METRICS[m].solvedScore`).
   */
  solvedScore?: number;
  /**
   * Whether samples at this length can be left-padded, i.e. whether its batches can carry
   * `keyMask`. Absent: never. An extractor whose definition says `padding: 'refuses'` is
   * refused such a task before any work.
   */
  pads?(length: number): boolean;
  sample(rng: Rng, batchSize: number, length: number): Batch;
  /** Human-readable rendering of sample `i` of a batch (for `fxbench sample`). */
  decode(batch: Batch, i: number): { input: string; target: string };
}

export interface TaskDefinition<S extends z.ZodObject = z.ZodObject> {
  /** Registry key: lowercase, digits, dashes. */
  name: string;
  /** What the task measures, in one or two sentences. */
  description: string;
  /** A worked example: input -> target, with the reason. */
  example: string;
  /** The paper or corpus the task comes from. */
  source: string;
  /** Options with defaults; validated before any work starts. */
  options: S;
  create(options: z.output<S>): Task;
}

/**
 * A task definition whose tasks check `sample`'s arguments before sampling, for every task
 * alike: the batch size a positive integer, the length an integer of at least `minLength`
 * (a UsageError naming the task otherwise).
 */
export function defineTask<S extends z.ZodObject>(def: TaskDefinition<S>): TaskDefinition {
  const create = def.create;
  return { ...def, create: (options: z.output<S>) => checkedSample(def.name, create(options)) } as unknown as TaskDefinition;
}

function checkedSample(name: string, task: Task): Task {
  const sample = task.sample;
  task.sample = function (rng, batchSize, length) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`task "${name}" needs a positive integer batch size, got ${batchSize}`);
    if (!Number.isInteger(length) || length < task.minLength)
      throw new UsageError(`task "${name}" needs an integer length >= ${task.minLength}, got ${length}`);
    if (task.lengths && !task.lengths.accepts(length)) throw new UsageError(`task "${name}" is defined at ${task.lengths.rule}; got length ${length}`);
    return sample.call(this, rng, batchSize, length);
  };
  return task;
}
