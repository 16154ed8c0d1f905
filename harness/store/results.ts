/**
 * The results format: one JSON record per cell, one per line (JSONL). Records are plain
 * data keyed by (suite, task, extractor, length, seed), carry their full config, seed and
 * environment, and are a union on `status`: only completed cells carry metrics.
 */
import { z } from 'zod';
import { appendJsonl, readJsonl } from '../../core/jsonl.js';
import { envSchema, type Environment } from './env.js';
import { cellSchema, type Cell } from '../suite/suite.js';

/**
 * 2 (2026-12): the fair-training protocol — `train` has evalSamples (replacing
 * evalBatches), warmup, schedule, valEvery, valSamples; records carry `data` (the split
 * and stream each stage read), `validation` (curve, stepsToSolve), and metrics the
 * empirical chance and the score. Version-1 lines are reported and skipped by every
 * reader (`readResultLines`), and `--resume` refuses a file that holds them.
 */
export const SCHEMA_VERSION = 2;

/** Mean score of the evaluation samples whose meta[key] == value. */
const binSchema = z.object({ value: z.number(), n: z.number().int().positive(), score: z.number() });

/** Every record starts with its cell (../suite/suite.ts cellSchema; `id` as `cellId`), the extractor's facts as built, and where it ran. */
const common = {
  schemaVersion: z.literal(SCHEMA_VERSION),
  cellId: cellSchema.shape.id,
  ...cellSchema.omit({ id: true }).shape,
  extractor: cellSchema.shape.extractor.extend({
    /** Extractor parameters (embedding and head excluded). */
    params: z.number().int().nonnegative().optional(),
    outputDim: z.number().int().positive().optional(),
    info: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
    /** State carried per sequence at inference after `length` positions, float32 bytes (the definition's `state`; Zoology's state size). */
    stateBytes: z.number().nonnegative().optional(),
    /** The option that sets the extractor's width (its definition's `width.option`): reports join widths into one line by it. */
    widthOption: z.string().optional(),
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
  /** Population chance at that length. */
  chance: z.number().optional(),
  /** The training data's constant predictor on the same samples, and the score against it. */
  empiricalChance: z.number().optional(),
  score: z.number().optional(),
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
  /**
   * Peak bytes of the extractors' own WebAssembly memory in the same step (the kernels'
   * arena, extractors/kernels/runtime.ts): where the kernel-backed ops (Transformer,
   * recurrent layers, TCN) keep their activations instead of tfjs tensors. The step's
   * peak is at most the sum of the two.
   */
  peakKernelBytes: z.number().nonnegative().optional(),
  /** Process resident set size at the end of training (bytes). */
  rssBytes: z.number().nonnegative(),
});

const curves = z.object({
  /** Training loss at every step. */
  loss: z.array(z.number()),
  /** Global gradient norm before clipping, at every step. */
  gradNorm: z.array(z.number()),
});

/** The validation checks of training (early stopping): every `train.valEvery` steps and at the last step. */
const validationSchema = z.object({
  /** Samples of the fixed validation set. */
  samples: z.number().int().positive(),
  /** The score at or above which the task counts as solved (the task's, or its metric's default). */
  solvedScore: z.number(),
  /** The empirical chance on the validation set (the training data's constant predictor). */
  empiricalChance: z.number(),
  /** One point per check: the step (1-based) and the validation value and score. */
  curve: z.array(z.object({ step: z.number().int().positive(), value: z.number(), score: z.number() })),
  /** The step of the first of two consecutive solved checks (training stopped at the second); null: censored at the budget. */
  stepsToSolve: z.number().int().positive().nullable(),
});

export const completedSchema = z.object({
  ...common,
  status: z.literal('completed'),
  metrics: z.object({
    /** The task's metric (accuracy, mse or cross-entropy) on held-out data: `split`'s samples (test; a tuning trial: validation). */
    metric: z.enum(['accuracy', 'mse', 'cross-entropy']),
    value: z.number(),
    /** Which stage's data `value` was measured on. */
    split: z.enum(['test', 'validation']),
    /** How many samples it was measured on. */
    samples: z.number().int().positive(),
    /** The population chance baseline in the same metric (the task's `chance`). */
    chance: z.number(),
    /** The empirical chance: the constant predictor fit to training data (its majority class, or its mean target for MSE) scored on the same samples as `value`. */
    empiricalChance: z.number(),
    /** (value - empiricalChance) / (perfect - empiricalChance): 0 at chance, 1 perfect (tasks/types.ts scoreOf). */
    score: z.number(),
    higherIsBetter: z.boolean(),
    /** Held-out loss (the training objective). */
    evalLoss: z.number(),
    /** Held-out accuracy, for class tasks (equals `value` when the metric is accuracy). */
    accuracy: z.number().optional(),
    /** Mean training step time (ms), forward + backward + update. */
    msPerStep: z.number().nonnegative(),
    /** Final-step training loss. */
    finalLoss: z.number(),
    /** Tasks with splits: the same measurement on training-split samples (the gap to `value` is overfitting). */
    trainValue: z.number().optional(),
    trainScore: z.number().optional(),
  }),
  validation: validationSchema,
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

/** A number that may be NaN or infinite, which JSON cannot hold: those are written as strings. */
const maybeFinite = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);

/** `x` as JSON can hold it: finite numbers as they are, NaN and infinities as strings. */
export function jsonNumber(x: number): z.infer<typeof maybeFinite> {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

export const divergedSchema = z.object({
  ...common,
  status: z.literal('diverged'),
  /** Training step (1-based, like `curves` index + 1) whose loss or gradient norm was NaN or infinite. */
  divergedAtStep: z.number().int().nonnegative(),
  message: z.string(),
  /** Loss and global gradient norm of every step before the diverging one (all finite). */
  curves,
  /** The diverging step: loss, global gradient norm and per-group norms (NaN and infinities as strings). */
  atDivergence: z.object({ loss: maybeFinite, gradNorm: maybeFinite, groups: z.record(z.string(), maybeFinite) }).optional(),
  /** The last step whose loss and gradient norm were finite; absent when the first step diverged. */
  lastFinite: z.object({ step: z.number().int().positive(), loss: z.number(), gradNorm: z.number() }).optional(),
  /** Validation checks before divergence. */
  validation: z.object({ curve: validationSchema.shape.curve }).optional(),
  /** Per-group gradient norms at the steps logged before divergence (as `gradients.groups` of a completed record). */
  groups: z.array(z.object({ step: z.number().int().positive(), norms: z.record(z.string(), z.number()) })).optional(),
});

export const erroredSchema = z.object({
  ...common,
  status: z.literal('errored'),
  message: z.string(),
  /** Set when the cell was refused before allocating: its estimated peak memory (bytes), over the heap budget. */
  estimatedPeakBytes: z.number().nonnegative().optional(),
});

export const resultSchema = z.discriminatedUnion('status', [completedSchema, divergedSchema, erroredSchema]);
export type ResultRecord = z.infer<typeof resultSchema>;
export type CompletedRecord = z.infer<typeof completedSchema>;

/** The fields every record of a cell starts with: who it is, its full config, and where it ran. */
export function recordHead(cell: Cell, env: Environment) {
  return {
    schemaVersion: SCHEMA_VERSION,
    cellId: cell.id,
    suite: cell.suite,
    task: cell.task,
    extractor: { ...cell.extractor },
    length: cell.length,
    ...(cell.range ? { range: cell.range } : {}),
    seed: cell.seed,
    train: cell.train,
    data: cell.data,
    ...(cell.trial ? { trial: cell.trial } : {}),
    ...(cell.tuning ? { tuning: cell.tuning } : {}),
    ...(cell.registration ? { registration: cell.registration } : {}),
    env,
    startedAt: new Date().toISOString(),
  } satisfies Partial<ResultRecord>;
}

/**
 * Append one record as a line and fsync, so a killed run keeps every finished cell (a torn
 * line left by an earlier kill stays on a line of its own: ../../core/jsonl.ts).
 */
export function appendResult(file: string, record: ResultRecord): void {
  appendJsonl(file, record);
}

/** A line that is not a readable record. */
export interface SkippedLine {
  file: string;
  /** 1-based line number. */
  line: number;
  reason: string;
  /** The file's last line, cut short (no newline, not valid JSON): a run killed mid-write. */
  torn: boolean;
  /** Set when the line is a record of another schemaVersion. */
  version?: number;
}

export interface ReadResults {
  records: ResultRecord[];
  /** Lines that could not be read (e.g. a torn last line after a crash), with why. */
  skipped: SkippedLine[];
}

/** A record with where it was read from. */
export interface LocatedRecord {
  record: ResultRecord;
  file: string;
  line: number;
}

/** Every readable record of the files, with its file and line; unreadable lines are reported, not thrown. */
export function readResultLines(files: string[]): { entries: LocatedRecord[]; skipped: SkippedLine[] } {
  const read = readJsonl(files);
  const entries: LocatedRecord[] = [];
  const skipped: SkippedLine[] = read.skipped.map(({ file, line, torn }) =>
    torn
      ? { file, line, torn, reason: 'torn last line (the run was killed while writing it): ignored, that cell counts as not run' }
      : { file, line, torn, reason: 'not valid JSON' },
  );
  for (const { file, line, value } of read.lines) {
    const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
    if (typeof version === 'number' && version !== SCHEMA_VERSION) {
      skipped.push({
        file,
        line,
        torn: false,
        version,
        reason: `a results record of schemaVersion ${version}; this fxbench reads ${SCHEMA_VERSION}${version < SCHEMA_VERSION ? ' (written before the fair-training protocol: rerun the suite, or read it with the fxbench that wrote it)' : ' (written by a newer fxbench)'}: ignored`,
      });
      continue;
    }
    const parsed = resultSchema.safeParse(value);
    if (parsed.success) entries.push({ record: parsed.data, file, line });
    else
      skipped.push({ file, line, torn: false, reason: `not a results record: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` });
  }
  // In file and line order, as the lines were read.
  skipped.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line);
  return { entries, skipped };
}

export function readResults(files: string[]): ReadResults {
  const { entries, skipped } = readResultLines(files);
  return { records: entries.map((e) => e.record), skipped };
}
