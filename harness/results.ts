/**
 * The results format: one JSON record per cell, one per line (JSONL). Records are plain
 * data keyed by (suite, task, extractor, length, seed), carry their full config, seed and
 * environment, and are a union on `status`: only completed cells carry metrics.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const SCHEMA_VERSION = 1;

const pluginUse = z.object({
  name: z.string(),
  label: z.string(),
  options: z.record(z.string(), z.unknown()),
  /** Parameter matching: target count, count reached, and the width option chosen. */
  matched: z.object({ target: z.number(), params: z.number(), option: z.string(), value: z.number() }).optional(),
});

const envSchema = z.object({
  fxbench: z.string(),
  gitCommit: z.string().optional(),
  node: z.string(),
  tfjs: z.string(),
  backend: z.string(),
  cpu: z.string(),
  cores: z.number().int().positive(),
  memoryGiB: z.number(),
  platform: z.string(),
  arch: z.string(),
});

/** Mean score of the evaluation samples whose meta[key] == value. */
const binSchema = z.object({ value: z.number(), n: z.number().int().positive(), score: z.number() });

const common = {
  schemaVersion: z.literal(SCHEMA_VERSION),
  cellId: z.string(),
  suite: z.string(),
  task: pluginUse,
  extractor: pluginUse.extend({
    /** Extractor parameters (embedding and head excluded). */
    params: z.number().int().nonnegative().optional(),
    outputDim: z.number().int().positive().optional(),
    info: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
  }),
  length: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  train: z.object({
    steps: z.number().int().positive(),
    batch: z.number().int().positive(),
    lr: z.number().positive(),
    clip: z.number().positive(),
    embedDim: z.number().int().positive(),
    readout: z.enum(['last', 'mean']),
    evalBatches: z.number().int().positive(),
    generalize: z.array(z.number().positive()),
    backend: z.enum(['wasm', 'cpu']),
    optimizer: z.object({ name: z.literal('adam'), beta1: z.number(), beta2: z.number(), epsilon: z.number() }),
  }),
  env: envSchema,
  /** ISO time the cell started. */
  startedAt: z.string(),
  /** Wall time of the whole cell (ms). */
  wallMs: z.number().nonnegative(),
};

/**
 * Gradient evidence (Pascanu, Mikolov & Bengio 2013). Distances count positions from the
 * readout position (the last one), so distance 0 is the readout itself.
 */
const gradientsSchema = z.object({
  /** Per variable group (embedding, each extractor layer or block, head): gradient norm before clipping, at logged steps. */
  groups: z.array(z.object({ step: z.number().int().positive(), norms: z.record(z.string(), z.number()) })),
  /** ||dL/dx_t|| for t = 0..T-1 (x = the extractor's input), mean over an evaluation batch, at initialisation. */
  profileInit: z.array(z.number()),
  /** The same after training. */
  profileTrained: z.array(z.number()),
  /** Least-squares slope of log10 ||dL/dx_t|| against distance from the readout (per position); null if undefined. Negative: decays with distance. */
  slopeInit: z.number().nullable(),
  slopeTrained: z.number().nullable(),
  /** Some step's global norm exceeded 1000x the running median of the steps before it. */
  exploding: z.boolean(),
  explodingStep: z.number().int().positive().optional(),
  /** After training, ||dL/dx|| at the far end is below 1e-6 of its value at the readout. */
  vanishing: z.boolean(),
});

/** One evaluation length of the trained model; `not-applicable` when the extractor cannot read that length. */
const lengthEvalSchema = z.object({
  length: z.number().int().positive(),
  /** Length multiple of the training length (1, 2, 4). */
  factor: z.number().positive(),
  status: z.enum(['completed', 'not-applicable']),
  value: z.number().optional(),
  chance: z.number().optional(),
  reason: z.string().optional(),
});

const costSchema = z.object({
  /** Analytic FLOPs of the extractor's forward pass for one batch. */
  forwardFlops: z.number().nonnegative(),
  /** Training step FLOPs of the extractor: forward + backward taken as 3x forward. */
  trainFlopsPerStep: z.number().nonnegative(),
  /** trainFlopsPerStep / msPerStep, in GFLOP/s (extractor only; embedding and head excluded). */
  gflops: z.number().nonnegative(),
  /** Peak bytes held by tfjs tensors during a training step (tf.memory). */
  peakTensorBytes: z.number().nonnegative(),
  /** Process resident set size at the end of training (bytes). */
  rssBytes: z.number().nonnegative(),
});

const curves = z.object({
  /** Training loss at every step. */
  loss: z.array(z.number()),
  /** Global gradient norm before clipping, at every step. */
  gradNorm: z.array(z.number()),
});

export const completedSchema = z.object({
  ...common,
  status: z.literal('completed'),
  metrics: z.object({
    /** The task's metric (accuracy, mse or cross-entropy) on held-out data. */
    metric: z.enum(['accuracy', 'mse', 'cross-entropy']),
    value: z.number(),
    /** The chance baseline in the same metric. */
    chance: z.number(),
    higherIsBetter: z.boolean(),
    /** Held-out loss (the training objective). */
    evalLoss: z.number(),
    /** Held-out accuracy, for class tasks (equals `value` when the metric is accuracy). */
    accuracy: z.number().optional(),
    /** Mean training step time (ms), forward + backward + update. */
    msPerStep: z.number().nonnegative(),
    /** Final-step training loss. */
    finalLoss: z.number(),
  }),
  curves,
  /** Held-out score binned by each per-sample meta key (e.g. distance). */
  byMeta: z.record(z.string(), z.array(binSchema)),
  gradients: gradientsSchema,
  /** Length generalisation: the trained model evaluated at L, 2L and 4L. */
  lengths: z.array(lengthEvalSchema),
  cost: costSchema,
  /** Steps until the smoothed training loss closed 90% of the gap from its start to its minimum (null: never). */
  stepsToThreshold: z.number().int().positive().nullable(),
});

export const divergedSchema = z.object({
  ...common,
  status: z.literal('diverged'),
  divergedAtStep: z.number().int().nonnegative(),
  message: z.string(),
  curves,
});

export const erroredSchema = z.object({
  ...common,
  status: z.literal('errored'),
  message: z.string(),
});

export const resultSchema = z.discriminatedUnion('status', [completedSchema, divergedSchema, erroredSchema]);
export type ResultRecord = z.infer<typeof resultSchema>;
export type CompletedRecord = z.infer<typeof completedSchema>;

/** Append one record as a line and fsync, so a killed run keeps every finished cell. */
export function appendResult(file: string, record: ResultRecord): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, JSON.stringify(record) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface ReadResults {
  records: ResultRecord[];
  /** Lines that could not be read (e.g. a torn last line after a crash), with why. */
  skipped: { file: string; line: number; reason: string }[];
}

export function readResults(files: string[]): ReadResults {
  const records: ResultRecord[] = [];
  const skipped: ReadResults['skipped'] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        skipped.push({ file, line: i + 1, reason: 'not valid JSON (torn write?)' });
        return;
      }
      const parsed = resultSchema.safeParse(raw);
      if (parsed.success) records.push(parsed.data);
      else skipped.push({ file, line: i + 1, reason: `not a results record: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` });
    });
  }
  return { records, skipped };
}
