/**
 * Every suite field, declared once: its zod schema (type, range, default), its
 * description (`.describe()`) and its metadata in `fieldInfo` — what a valid value is in
 * words, an example, and the command-line flag that sets it. Everything else is derived:
 * the suite schema and its error messages (suite.ts), the training configuration every
 * cell and record carries (`TrainConfig`, `trainRecordSchema`), and the run command's
 * flags and their parsing (flags.ts). Adding a training field is one entry here.
 *
 * As tinybench derives `ResolvedBenchOptions` from `BenchOptions`: the suite's input type
 * has optional fields with defaults, the resolved type (a cell's `train`) has every field
 * set, and both come from the same schemas.
 */
import { z } from 'zod';
import { lengthEntrySchema } from './lengthRange.js';

/** What a suite field's messages and flag need to know about it. */
export interface FieldInfo {
  /** What a valid value is, in words: "a positive integer". */
  expected: string;
  /** For list fields: what each entry must be. */
  each?: string;
  /** An example value, shown in messages as JSON (`"steps": 200`). */
  example: unknown;
  /** The flag of `fxbench run` that sets the field, without dashes (`steps`, `match-params`). */
  flag?: string;
  /** The example as typed after the flag, when it is not the example's plain form (`recall,adding`). */
  flagExample?: string;
  /** The flag's --help text, when it is not the field's description. */
  flagDescribe?: string;
  /** Tunable training fields: the value a cell trains with when neither the suite nor tuning sets it. */
  untuned?: unknown;
}

/** The metadata of every suite field, keyed by the field's schema. */
export const fieldInfo = z.registry<FieldInfo>();

/** A field: its schema with a description, registered with its metadata. */
function field<T extends z.ZodType>(schema: T, description: string, info: FieldInfo): T {
  const described = schema.describe(description) as T;
  (described as z.ZodType).register(fieldInfo, info);
  return described;
}

/**
 * A tunable training field: optional in a suite, so "not given" is visible to tuning; the
 * cell's value is `untuned` unless tuning chooses one.
 */
function tunable<T extends z.ZodType>(schema: T, untuned: z.output<T>, description: string, info: FieldInfo): z.ZodOptional<T> {
  return field(schema.optional(), description, { ...info, untuned });
}

const pluginRef = z.union([
  z.string(),
  z
    .object({
      name: z.string(),
      /** Distinguishes two entries of the same extractor with different options (ablations). */
      label: z.string().optional(),
      options: z.record(z.string(), z.unknown()).default({}),
    })
    .strict(),
]);
export type PluginRef = z.output<typeof pluginRef>;

/**
 * The `tune` field: grid lists (training fields and extractor options, any key: the suite
 * decides which are known, tune.ts) and the tuning budget.
 */
export const tuneSchema = z
  .object({
    /** Tuning budget per trial at the last rung (steps); default: the suite's `steps`. */
    steps: z.number().int().positive().optional(),
    /** Seeds every grid point is trained with (from their own stream, never a main cell's); default [1, 2] (tune.ts DEFAULT_TUNE_SEEDS). */
    seeds: z.array(z.number().int().nonnegative()).min(1).optional(),
    /** Successive halving's factor: each rung keeps the best 1/halving (at least one) for a budget `halving` times larger; false: every grid point at the full budget. Default 2. */
    halving: z.union([z.number().int().min(2), z.literal(false)]).optional(),
  })
  // Grid keys: lists of values, checked against the suite's extractors by tune.ts planTuning.
  .catchall(z.unknown());
export type TuneInput = z.output<typeof tuneSchema>;

/**
 * The training fields: the budget, optimiser settings, evaluation sizes and backend every
 * cell of a suite shares, copied into each cell's (and record's) `train`.
 */
export const trainFields = {
  steps: field(z.number().int().positive().default(2000), 'training budget per cell (steps); a cell solved on validation stops earlier', {
    expected: 'a positive integer',
    example: 200,
    flag: 'steps',
  }),
  batch: field(z.number().int().positive().default(32), 'sequences per training step', { expected: 'a positive integer', example: 32, flag: 'batch' }),
  // Tunable fields: optional in a suite (tuning may choose them, tune.ts), resolved to their default otherwise.
  lr: tunable(z.number().positive().max(1), 3e-3, 'Adam learning rate after warmup (default 0.003; chosen by tuning when not given)', {
    expected: 'a number in (0, 1]',
    example: 0.003,
    flag: 'lr',
  }),
  warmup: tunable(z.number().int().nonnegative(), 100, 'steps of linear learning-rate warmup, from lr/warmup to lr (default 100)', {
    expected: 'a non-negative integer (steps)',
    example: 100,
    flag: 'warmup',
  }),
  schedule: tunable(
    z.enum(['constant', 'cosine']),
    'constant',
    'learning rate after warmup: constant, or cosine decay toward 0 over the budget (default constant)',
    { expected: '"constant" or "cosine"', example: 'constant', flag: 'schedule' },
  ),
  clip: tunable(z.number().positive(), 1, 'clip gradients to this global norm (default 1)', { expected: 'a positive number', example: 1 }),
  weightDecay: tunable(
    z.number().nonnegative().max(1),
    0,
    'decoupled weight decay (AdamW, Loshchilov & Hutter 2019, as torch.optim.AdamW): each step multiplies every weight by 1 - lr x this (default 0: Adam)',
    { expected: 'a number in [0, 1]', example: 0.01, flag: 'weight-decay' },
  ),
  embedDim: field(z.number().int().positive().default(64), 'embedding width fed to every extractor', { expected: 'a positive integer', example: 64 }),
  readout: field(z.enum(['last', 'mean']).default('last'), 'per-sequence readout of the features', { expected: '"last" or "mean"', example: 'last' }),
  valEvery: field(
    z.number().int().positive().optional(),
    'check the validation score every this many steps (default 100, or the budget when smaller); two solved checks in a row stop the cell',
    {
      expected: 'a positive integer (steps), at most the budget',
      example: 100,
      flag: 'val-every',
    },
  ),
  valSamples: field(z.number().int().positive().default(512), 'validation samples per check (a fixed set drawn once)', {
    expected: 'a positive integer',
    example: 512,
    flag: 'val-samples',
  }),
  evalSamples: field(z.number().int().positive().default(2048), 'test samples the reported score is computed on', {
    expected: 'a positive integer',
    example: 2048,
    flag: 'eval-samples',
  }),
  generalize: field(z.array(z.number().positive()).default([1, 2, 4]), 'evaluate the trained model at these multiples of the training length', {
    expected: 'a list of positive numbers (multiples of the training length)',
    each: 'a positive number',
    example: [1, 2, 4],
  }),
  backend: field(z.enum(['wasm', 'cpu']).default('wasm'), 'tfjs backend (wasm is ~40x faster)', {
    expected: '"wasm" or "cpu"',
    example: 'wasm',
    flag: 'backend',
  }),
};

/** Fields suite files may still carry from older versions, and what replaced them. */
export const RETIRED_FIELDS: Record<string, string> = {
  evalBatches: 'the test set is now "evalSamples" (samples, default 2048; the old evalBatches x batch gives the same count)',
};

/** The validation interval when none is given: every 100 steps, or once at the end of a shorter budget. */
export const defaultValEvery = (steps: number) => Math.min(100, steps);

/** Every field of a suite (the training fields among them), in the order messages list them. */
export const suiteFields = {
  name: field(z.string().min(1).default('custom'), 'suite name, recorded in every record', { expected: 'a non-empty string', example: 'heads' }),
  tasks: field(z.array(pluginRef).min(1), 'task names or {name, label?, options?} objects (see `fxbench list`)', {
    expected: 'a non-empty list of task names or {name, label?, options?} objects',
    each: 'a task name or a {name, label?, options?} object',
    example: ['recall', { name: 'adding', options: {} }],
    flag: 'tasks',
    flagExample: 'recall,adding',
    flagDescribe: 'comma-separated task names (see `fxbench list`)',
  }),
  extractors: field(z.array(pluginRef).min(1), 'extractor names or {name, label?, options?} objects', {
    expected: 'a non-empty list of extractor names or {name, label?, options?} objects',
    each: 'an extractor name or a {name, label?, options?} object',
    example: ['rnn', { name: 'transformer', label: 'tf-8', options: { heads: 8 } }],
    flag: 'extractors',
    flagExample: 'rnn,lstm',
    flagDescribe: 'comma-separated extractor names',
  }),
  lengths: field(z.array(lengthEntrySchema).min(1), 'sequence lengths: a fixed length, or a train and a test range (length generalisation: ./lengthRange.ts)', {
    expected: 'a non-empty list of positive integers or {"train": [lo, hi], "test": [lo, hi]} ranges',
    each: 'a positive integer (or a {"train": [lo, hi], "test": [lo, hi]} range)',
    example: [16, 64],
    flag: 'lengths',
    flagDescribe: 'comma-separated sequence lengths, e.g. 16,64; or train:test ranges, e.g. 1-40:41-500 (train on lengths drawn from 1-40, test on 41-500)',
  }),
  seeds: field(z.array(z.number().int().nonnegative()).min(1).default([1]), 'seeds, one cell each', {
    expected: 'a non-empty list of non-negative integers',
    each: 'a non-negative integer',
    example: [1, 2, 3],
    flag: 'seeds',
    flagDescribe: 'comma-separated seeds, e.g. 1,2,3',
  }),
  ...trainFields,
  matchParams: field(
    z.number().int().positive().optional(),
    "choose each extractor's width so its parameter count is within 10% of this (Long Range Arena's rule)",
    {
      expected: 'a positive integer (a parameter count)',
      example: 200000,
      flag: 'match-params',
    },
  ),
  tune: field(
    z.union([z.literal(false), tuneSchema]).optional(),
    'equal-budget tuning on validation for every extractor (tune.ts): a grid of lr, warmup, schedule, clip and extractor options, and its budget (steps, seeds, halving); false: off',
    {
      expected: 'false, or an object of grid lists (lr, warmup, schedule, clip, extractor options) and budget (steps, seeds, halving)',
      example: { lr: [0.001, 0.003, 0.01], steps: 1000 },
    },
  ),
};

export type SuiteFieldName = keyof typeof suiteFields;
/** The training fields tuning may choose (the grid's training keys). */
export const TUNABLE_FIELDS = ['lr', 'warmup', 'schedule', 'clip', 'weightDecay'] as const;
export type TunableField = (typeof TUNABLE_FIELDS)[number];
/** The value a tunable field trains with when neither the suite nor tuning sets it. */
export const untunedValue = (k: TunableField) => fieldInfo.get(trainFields[k])!.untuned as TrainConfig[TunableField];
export type TrainFieldName = keyof typeof trainFields;
export const TRAIN_FIELD_NAMES = Object.keys(trainFields) as TrainFieldName[];

/** A field's metadata; every suite field has some. */
export function infoOf(name: string): FieldInfo | undefined {
  const schema = (suiteFields as Record<string, z.ZodType>)[name];
  return schema ? fieldInfo.get(schema) : undefined;
}

/** JSON written as people write it: `[16, 64]`, `{"name": "adding"}`. */
export function jsonText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(jsonText).join(', ')}]`;
  if (v && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${jsonText(x)}`)
      .join(', ')}}`;
  return JSON.stringify(v);
}

/** The field's example as a flag: `--lengths 16,64`. */
export function flagExample(info: FieldInfo): string | undefined {
  if (!info.flag) return undefined;
  const value = info.flagExample ?? (Array.isArray(info.example) ? info.example.join(',') : String(info.example));
  return `--${info.flag} ${value}`;
}

/** The schema under `.default()` and `.optional()`: what a given value must be. */
function bare(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

/** Schemas as records hold them: every field present, no defaults (a record states what ran). */
type Resolved<S extends Record<string, z.ZodType>> = {
  [K in keyof S]: S[K] extends z.ZodDefault<infer I> ? I : S[K] extends z.ZodOptional<infer I> ? (K extends TunableField ? I : S[K]) : S[K];
};

function resolvedShape<S extends Record<string, z.ZodType>>(shape: S): Resolved<S> {
  return Object.fromEntries(
    Object.entries(shape).map(([k, s]) => [
      k,
      s instanceof z.ZodDefault || (s instanceof z.ZodOptional && fieldInfo.get(s)?.untuned !== undefined) ? s.unwrap() : s,
    ]),
  ) as Resolved<S>;
}

/** The optimiser every cell trains with (not a suite field: it is the same for everyone). */
export const optimizerSchema = z.object({ name: z.literal('adam'), beta1: z.number(), beta2: z.number(), epsilon: z.number() });
export const ADAM = { name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const satisfies z.input<typeof optimizerSchema>;

/** A cell's (and a record's) `train`: every training field resolved, and the optimiser. */
export const trainRecordSchema = z.object({
  ...resolvedShape(trainFields),
  // Records from before weight decay existed trained without it.
  weightDecay: z.number().nonnegative().max(1).default(0),
  valEvery: z.number().int().positive(),
  optimizer: optimizerSchema,
});
export type TrainConfig = z.output<typeof trainRecordSchema>;

/** How a field's flag is parsed, from its schema: a number, one of a few words, or a comma-separated list of numbers. */
export type FlagKind = { kind: 'number' } | { kind: 'choice'; choices: string[] } | { kind: 'numbers' } | { kind: 'lengths' } | { kind: 'names' };

export function flagKind(name: SuiteFieldName): FlagKind {
  const s = bare(suiteFields[name]);
  if (s instanceof z.ZodNumber) return { kind: 'number' };
  if (s instanceof z.ZodEnum) return { kind: 'choice', choices: s.options.map(String) };
  if (s instanceof z.ZodArray && bare(s.element as z.ZodType) instanceof z.ZodNumber) return { kind: 'numbers' };
  if (s instanceof z.ZodArray && s.element === lengthEntrySchema) return { kind: 'lengths' };
  return { kind: 'names' };
}

/** The fields that have a flag, with the flag's name and kind. */
export function flaggedFields(): { field: SuiteFieldName; flag: string; kind: FlagKind; describe: string }[] {
  return (Object.keys(suiteFields) as SuiteFieldName[]).flatMap((field) => {
    const schema = suiteFields[field];
    const info = fieldInfo.get(schema);
    return info?.flag ? [{ field, flag: info.flag, kind: flagKind(field), describe: info.flagDescribe ?? schema.description ?? '' }] : [];
  });
}
