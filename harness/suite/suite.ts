/**
 * Stage 1 (config): a suite — which tasks, extractors, lengths and seeds, and the shared
 * training budget — validated with zod and expanded into cells, one per
 * task x extractor x length x seed. Every cell gets the same embedding, readout, head,
 * loss, optimiser and budget; only the extractor differs.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import {
  ADAM,
  defaultValEvery,
  TUNABLE_FIELDS,
  untunedValue,
  type TunableField,
  RETIRED_FIELDS,
  flagExample,
  infoOf,
  jsonText,
  suiteFields,
  TRAIN_FIELD_NAMES,
  type PluginRef,
  type TrainConfig,
  trainRecordSchema,
} from './fields.js';
import { extractors, tasks } from '../plugins/registries.js';
import { didYouMean } from '../../core/registry.js';
import { dataSchema, dataSources, hasSplits, missingSplits } from './stageData.js';
import type { Task, TaskDefinition } from '../../tasks/types.js';
import { acceptedLengths, lengthEntryText, lengthRangeSchema, rangeRefusal } from './lengthRange.js';
import { tuningSchema } from './tuneRecord.js';
import { paddingOf, PADDING_TREATMENTS, type ExtractorDefinition } from '../../extractors/types.js';

export const suiteSchema = z.object(suiteFields).strict();

export type SuiteInput = z.input<typeof suiteSchema>;
export type Suite = z.output<typeof suiteSchema>;
export type { TrainConfig } from './fields.js';

/** A resolved plugin reference: name, label and options with every default filled in. */
export const pluginUseSchema = z.object({
  name: z.string(),
  label: z.string(),
  options: z.record(z.string(), z.unknown()),
  /** Set when --match-params chose the width: the target, the count reached and the width chosen. */
  matched: z.object({ target: z.number(), params: z.number(), option: z.string(), value: z.number() }).optional(),
  /** Extractors only: what the extractor does with padding (its definition's `padding`), recorded with every result; absent in records older than it. */
  padding: z.enum(PADDING_TREATMENTS).optional(),
});
export type PluginUse = z.infer<typeof pluginUseSchema>;

/** A tuning trial's place: the group's cache key, the successive-halving rung (0-based) and the grid point. */
export const trialSchema = z.object({ key: z.string(), rung: z.number().int().nonnegative(), config: z.record(z.string(), z.unknown()) });
export type Trial = z.infer<typeof trialSchema>;

/** Everything one cell needs; plain data, so it can go to a worker or into a results file (whose records start with these fields: ../store/results.ts). */
export const cellSchema = z.object({
  id: z.string(),
  suite: z.string(),
  task: pluginUseSchema,
  extractor: pluginUseSchema,
  /** The length the cell trains at; with `range`, the longest accepted length of its train range. */
  length: z.number().int().positive(),
  /** Set on a length-generalisation cell (./lengthRange.ts): the train and test ranges it reads. */
  range: lengthRangeSchema.optional(),
  seed: z.number().int().nonnegative(),
  train: trainRecordSchema,
  /** The split (tasks with splits) and seed stream each stage reads: train, validation, and test (null for a tuning trial) (./stageData.ts). */
  data: dataSchema,
  /** Set on a tuning trial (../run/tune.ts): which tuning group, rung and grid point it measures. Trials run from their own seed stream, read no test data, and are written to the tuning file beside the results, never to the results. */
  trial: trialSchema.optional(),
  /** Set on a tuned main cell once its group is tuned (../run/tune.ts applyTuning): the grid, budget, rungs and choice that set its training fields and options. */
  tuning: tuningSchema.optional(),
  /** Set on a cell run for pre-registered rules (an audit): the commit that registered them and its time, so every record names what it was decided by. */
  registration: z.object({ commit: z.string(), at: z.string() }).optional(),
});
export type Cell = z.infer<typeof cellSchema>;

/** A cell's id, `task/extractor/T<length>/s<seed>` by labels (`T1-40:41-500` for a range): unique in a suite, and what records and progress lines name it by. */
export const cellId = (task: string, extractor: string, length: number | string, seed: number): string => `${task}/${extractor}/T${length}/s${seed}`;

/**
 * Where a suite's input came from, so an error names the input the user typed: the flag
 * (`--steps 0: ...`), or the suite file and the path inside it
 * (`suite file s.json: lengths[1]: ...`).
 */
export interface SuiteOrigin {
  /** The suite file, when there is one. */
  file?: string;
  /** Top-level fields set by flags, each with its flag: e.g. steps -> --steps. */
  flags?: Record<string, string>;
  /** `NAME.KEY` of every plugin option set by `-o NAME.KEY=VALUE`. */
  optionFlags?: Set<string>;
}

/** Validate raw suite data; a zod error becomes one line naming the input, what was expected and what was given. */
export function parseSuite(raw: unknown, source = 'suite', origin: SuiteOrigin = {}): Suite {
  const where = origin.file ? `suite file ${origin.file}` : source;
  const result = suiteSchema.safeParse(raw);
  if (!result.success) throw new UsageError(describeSuiteError(result.error, raw, where, origin));
  const suite = result.data;
  if (suite.valEvery !== undefined && suite.valEvery > suite.steps) {
    const name = (f: 'valEvery' | 'steps') => origin.flags?.[f] ?? `"${f}"`;
    throw new UsageError(
      `${origin.flags?.valEvery ? '' : `${where}: `}${name('valEvery')} ${suite.valEvery} is larger than the budget ${name('steps')} ${suite.steps}: validation would never run; lower ${name('valEvery')} or raise ${name('steps')}`,
    );
  }
  return suite;
}

/** `lengths[1]`, `extractors[0].options.heads`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

const show = (v: unknown): string => {
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'not a number' : String(v);
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 60 ? text.slice(0, 57) + '...' : text;
};

const KIND_NAMES: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
};

/** "expected X, got Y" for one zod issue, whatever the schema (plugin options included). */
export function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const got = value === undefined ? 'nothing' : show(value);
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined
        ? `missing: expected ${KIND_NAMES[issue.expected] ?? issue.expected}`
        : `expected ${KIND_NAMES[issue.expected] ?? issue.expected}, got ${got}`;
    case 'too_small':
    case 'too_big': {
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      if (issue.origin === 'array')
        return `expected ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} entries, got ${Array.isArray(value) ? value.length : got}`;
      if (issue.origin === 'string') return `expected ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} characters, got ${got}`;
      if (issue.code === 'too_small' && bound === 0 && !issue.inclusive) return `expected a positive number, got ${got}`;
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      return `expected a number ${op} ${bound}, got ${got}`;
    }
    case 'invalid_value':
      return `expected ${issue.values.map((x) => JSON.stringify(x)).join(' or ')}, got ${got}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    default:
      return issue.message;
  }
}

/** Did-you-mean for an unknown key, and the allowed keys. */
function unknownKeyHint(key: string, allowed: string[]): string {
  const close = didYouMean(key, allowed);
  return `${close ? `did you mean "${close}"? ` : ''}(allowed: ${allowed.join(', ')})`;
}

function describeSuiteError(error: z.ZodError, raw: unknown, where: string, origin: SuiteOrigin): string {
  const issue = error.issues[0];
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  const path = issue.path;
  const field = typeof path[0] === 'string' ? path[0] : undefined;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const allowed = path.length === 0 ? Object.keys(suiteSchema.shape) : ['name', 'label', 'options'];
    const at = path.length === 0 ? 'at the top level' : `in ${jsonPath(path)}`;
    if (path.length === 0 && key in RETIRED_FIELDS) return `${where}: "${key}" is no longer a suite field: ${RETIRED_FIELDS[key]}${more}`;
    return `${where}: unknown key "${key}" ${at}: ${unknownKeyHint(key, allowed)}${more}`;
  }
  if (field === 'tune' && origin.flags?.tune && path.length > 1) {
    const key = String(path[1]);
    const flag = ['steps', 'seeds', 'halving'].includes(key) ? `--tune-${key}` : `--tune ${key}=...`;
    return `${flag}: ${describeIssue(issue, valueAt(raw, path))}${more}`;
  }
  // Field metadata describes a field or its list entries; deeper paths (inside "tune") get zod's own issue.
  const fieldInfo = field ? infoOf(field) : undefined;
  const info = fieldInfo && (path.length === 1 || fieldInfo.each) ? fieldInfo : undefined;
  const value = valueAt(raw, path);
  const flag = field ? origin.flags?.[field] : undefined;
  if (info && flag) {
    // The value came from a flag: name the flag and show what was typed.
    const typed = valueAt(raw, [field!]);
    const text = Array.isArray(typed) ? typed.map(show).join(',') : show(typed);
    const expected = path.length > 1 && info.each ? `${info.each} in each entry` : info.expected;
    return `${flag} ${text}: expected ${expected}${path.length > 1 ? `, got ${show(value)}` : ''} (e.g. ${flagExample(info) ?? `${flag} ${jsonText(info.example)}`})${more}`;
  }
  if (info) {
    const expected = path.length > 1 && info.each ? info.each : info.expected;
    const flagged = flagExample(info);
    if (value === undefined)
      return `${where}: "${field}" is missing: give ${expected}, e.g. "${field}": ${jsonText(info.example)}${flagged ? ` (or ${flagged})` : ''}${more}`;
    return `${where}: ${jsonPath(path)}: expected ${expected}, got ${show(value)} (e.g. "${field}": ${jsonText(info.example)})${more}`;
  }
  return `${where}: ${jsonPath(path) || '(top level)'}: ${describeIssue(issue, value)}${more}`;
}

/**
 * A suite file as data: JSON syntax errors give the line and column, schema errors the
 * path inside the file. Fields the command line may supply (tasks, extractors, lengths)
 * may be absent; everything present is checked, unknown keys included.
 */
export function loadSuiteFile(file: string): SuiteInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `suite file ${file} cannot be read (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? 'error')}): check the path`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    let where = '';
    if (pos && !/line \d+/.test(message)) {
      const before = text.slice(0, Number(pos[1])).split('\n');
      where = ` at line ${before.length} column ${before[before.length - 1].length + 1}`;
    }
    throw new UsageError(`suite file ${file} is not valid JSON${where} (${message}): fix the syntax`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new UsageError(`suite file ${file}: expected a JSON object such as {"tasks": ["recall"], "extractors": ["lstm"], "lengths": [16]}, got ${show(raw)}`);
  const partial = suiteSchema.partial({ tasks: true, extractors: true, lengths: true }).strict();
  const result = partial.safeParse(raw);
  if (!result.success) throw new UsageError(describeSuiteError(result.error, raw, `suite file ${file}`, {}));
  return raw as SuiteInput;
}

export function formatZodIssue(error: z.ZodError, raw?: unknown): string {
  const issue = error.issues[0];
  const where = issue.path.length ? jsonPath(issue.path) : '(top level)';
  return `${where}: ${raw === undefined ? issue.message : describeIssue(issue, valueAt(raw, issue.path))}`;
}

/** `suite file F: tasks[i]: ` when the entry came from a suite file, else nothing. */
function at0(origin: SuiteOrigin, kind: 'task' | 'extractor', index: number): string {
  return origin.file && !origin.flags?.[`${kind}s`] ? `suite file ${origin.file}: ${kind}s[${index}]: ` : '';
}

function resolve(kind: 'task' | 'extractor', ref: PluginRef, index: number, origin: SuiteOrigin): PluginUse {
  const name = typeof ref === 'string' ? ref : ref.name;
  const fromFile = origin.file && !origin.flags?.[`${kind}s`];
  const at = fromFile ? `suite file ${origin.file}: ${kind}s[${index}]: ` : '';
  let def: ReturnType<typeof tasks.get> | ReturnType<typeof extractors.get>;
  try {
    def = kind === 'task' ? tasks.get(name) : extractors.get(name);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(at + e.message);
    throw e;
  }
  const given = typeof ref === 'string' ? {} : ref.options;
  const parsed = def.options.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
    // Name the input: the -o flag that set the option, or the place in the suite file.
    const flagged = key !== undefined && origin.optionFlags?.has(`${name}.${key}`);
    const where = flagged
      ? `-o ${name}.${key}=${show((given as Record<string, unknown>)[key!])}: `
      : origin.file
        ? `suite file ${origin.file}: ${kind}s[${index}].options${key && issue.code !== 'unrecognized_keys' ? `.${key}` : ''}: `
        : '';
    const allowed = Object.keys((def.options as unknown as { shape?: Record<string, unknown> }).shape ?? {});
    const list = '`fxbench list` describes them';
    if (issue.code === 'unrecognized_keys') {
      const close = didYouMean(key!, allowed);
      throw new UsageError(
        `${where}${kind} ${name} has no option "${key}"${close ? `: did you mean "${close}"?` : ''} (its options: ${allowed.join(', ') || 'none'}; ${list})`,
      );
    }
    const what = key ? `${kind} ${name} option ${key}` : `${kind} ${name} options`;
    throw new UsageError(`${where}${what}: ${describeIssue(issue, key ? (given as Record<string, unknown>)[key] : given)} (${list})`);
  }
  const label = typeof ref === 'string' ? name : (ref.label ?? name);
  const options = parsed.data as Record<string, unknown>;
  if (kind === 'task' && hasSplits(def as TaskDefinition)) {
    // The harness picks the split of each stage (splits.ts): it is not an option of the suite.
    const at = origin.optionFlags?.has(`${name}.split`) ? `-o ${name}.split=${show((given as Record<string, unknown>).split)}: ` : at0(origin, kind, index);
    if ((given as Record<string, unknown>).split !== undefined) {
      throw new UsageError(
        `${at}task ${name}: "split" is chosen by the harness (train for training, validation for tuning and early stopping, test for the reported score): remove it`,
      );
    }
    const missing = missingSplits(def as TaskDefinition, options);
    if (missing.length) {
      throw new UsageError(
        `${at}task ${name} has no ${missing.map((m) => `"${m}"`).join(' or ')} split: the harness trains on "train", tunes and stops early on "validation" and reports "test", so a task with a split option must accept all three`,
      );
    }
    delete options.split;
  }
  const use: PluginUse = { name, label, options };
  if (kind === 'extractor') use.padding = paddingOf(def as ReturnType<typeof extractors.get>);
  return use;
}

/**
 * Parameter matching: the width (hidden / dModel / channels) whose extractor parameter
 * count is closest to `target`, which must land within 10% of it. Parameter counts grow
 * with width, so a binary search over allowed widths finds the closest.
 */
export function matchWidth(use: PluginUse, ref: PluginRef, target: number, inputDim: number): PluginUse {
  const def = extractors.get(use.name);
  if (!def.width)
    throw new UsageError(
      `extractor ${use.name} does not declare a width option, so --match-params cannot size it: drop it from this run or set its size by hand`,
    );
  const { option, params } = def.width;
  if (typeof ref !== 'string' && ref.options[option] !== undefined) {
    throw new UsageError(`extractor ${use.label} sets ${option} explicitly while --match-params chooses it: drop one of the two`);
  }
  const step = def.width.multipleOf?.(use.options) ?? 1;
  const count = (k: number) => params({ ...use.options, [option]: k * step }, inputDim);
  let lo = 1;
  let hi = Math.ceil(16384 / step);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (count(mid) < target) lo = mid + 1;
    else hi = mid;
  }
  const k = lo > 1 && Math.abs(count(lo - 1) - target) <= Math.abs(count(lo) - target) ? lo - 1 : lo;
  const reached = count(k);
  if (Math.abs(reached - target) > 0.1 * target) {
    throw new UsageError(
      `--match-params ${target}: ${use.label} cannot get within 10% (closest: ${reached} parameters at ${option}=${k * step}); choose another target`,
    );
  }
  return { ...use, options: { ...use.options, [option]: k * step }, matched: { target, params: reached, option, value: k * step } };
}

/** Stage 1 output: the cells of a suite in a stable order, each validated against its plugins. */
export function expandSuite(suite: Suite, origin: SuiteOrigin = {}): Cell[] {
  const taskUses = suite.tasks.map((t, i) => resolve('task', t, i, origin));
  let extractorUses = suite.extractors.map((e, i) => resolve('extractor', e, i, origin));
  if (suite.matchParams !== undefined) {
    const target = suite.matchParams;
    extractorUses = extractorUses.map((use, i) => matchWidth(use, suite.extractors[i], target, suite.embedDim));
  }
  const labels = new Set<string>();
  for (const e of extractorUses) {
    if (labels.has(e.label)) throw new UsageError(`extractor label "${e.label}" is used twice: give each entry a distinct "label"`);
    labels.add(e.label);
  }
  for (const t of taskUses) {
    const task = tasks.get(t.name).create(t.options);
    for (const entry of suite.lengths) {
      if (typeof entry === 'number') {
        if (entry < task.minLength) throw new UsageError(`task ${t.name} needs length >= ${task.minLength}, got ${entry}: raise --lengths`);
        if (task.lengths && !task.lengths.accepts(entry)) throw new UsageError(`task ${t.name} is defined at ${task.lengths.rule}; --lengths has ${entry}`);
      } else {
        const refusal = rangeRefusal(task, t.name, entry);
        if (refusal) throw new UsageError(refusal);
      }
      // Padding depends on the length: check every length a range can read.
      const every = typeof entry === 'number' ? [entry] : [...acceptedLengths(task, entry.train), ...acceptedLengths(task, entry.test)];
      for (const e of extractorUses)
        for (const L of every) {
          const refusal = paddingRefusal(extractors.get(e.name), task, t.label, L);
          if (refusal) throw new UsageError(refusal);
        }
    }
  }
  const train = {
    ...(Object.fromEntries(TRAIN_FIELD_NAMES.map((k) => [k, suite[k]])) as Omit<TrainConfig, 'optimizer'>),
    generalize: suite.generalize.includes(1) ? suite.generalize : [1, ...suite.generalize],
    ...(Object.fromEntries(TUNABLE_FIELDS.map((k) => [k, suite[k] ?? untunedValue(k)])) as Pick<TrainConfig, TunableField>),
    valEvery: suite.valEvery ?? defaultValEvery(suite.steps),
    optimizer: { ...ADAM },
  } satisfies TrainConfig;
  const cells: Cell[] = [];
  for (const task of taskUses)
    for (const entry of suite.lengths) {
      // A range cell trains up to the longest accepted length of its train range.
      const made = tasks.get(task.name).create(task.options);
      const length = typeof entry === 'number' ? entry : acceptedLengths(made, entry.train).at(-1)!;
      const range = typeof entry === 'number' ? {} : { range: entry };
      for (const extractor of extractorUses)
        for (const seed of suite.seeds)
          cells.push({
            id: cellId(task.label, extractor.label, lengthEntryText(entry), seed),
            suite: suite.name,
            task,
            extractor,
            length,
            ...range,
            seed,
            train,
            data: dataSources(tasks.get(task.name)),
          });
    }
  return cells;
}

/**
 * The refusal of a padded task by an extractor that declares `padding: 'refuses'`, as one
 * line (undefined when there is nothing to refuse).
 */
export function paddingRefusal(def: ExtractorDefinition, task: Task, taskName: string, length: number): string | undefined {
  if (paddingOf(def) !== 'refuses' || !task.pads?.(length)) return undefined;
  return `extractor ${def.name} declares padding 'refuses' (it cannot take a key-padding mask), but task ${taskName} left-pads its samples at length ${length}: use another task or length, or let the extractor take the mask (padding 'masked' or 'reads')`;
}
