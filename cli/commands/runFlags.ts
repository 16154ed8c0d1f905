/**
 * The run flags, in one place: the flags `run` and `quick` accept (`runFlags`), their
 * parsed shape (`RunArgs`), and how they override a suite file (`suiteFromArgs`). The
 * run controls (--out, --resume, --shard, --workers) are applied by ./controls.ts.
 */
import type { Argv, Options } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { PARALLEL_FLAGS } from '../../harness/run/parallelism.js';
import { didYouMean } from '../../core/registry.js';
import { flaggedFields, flagExample, infoOf } from '../../harness/suite/fields.js';
import { parseLengthEntry } from '../../harness/suite/lengthRange.js';
import type { SuiteInput, SuiteOrigin } from '../../harness/suite/suite.js';
import { csv, csvNumbers, numberFlag, parseOptionFlags } from './flags.js';

/**
 * The flags of `run` and `quick` that are not suite fields. The suite fields' flags
 * (`--steps`, `--match-params`, ...) come from fields.ts and are read by name.
 */
/** Flags for runs started by a scheduler (sharding, waiting for a predecessor's lock), shared by `run`, `quick` and `audit`. */
export const SCHEDULER_FLAGS = {
  shard: {
    type: 'string',
    requiresArg: true,
    describe: 'run shard I of N (0-based): the cells whose index mod N is I, e.g. --shard 0/4; auto: from the Slurm array task or Kubernetes completion index',
  },
  shards: {
    type: 'number',
    requiresArg: true,
    describe: 'the number of shards for --shard auto in a Kubernetes Indexed Job (its completions); under Slurm, a check of the array size',
  },
  'lock-wait': {
    type: 'number',
    requiresArg: true,
    describe: 'seconds to wait for another run writing to --out to finish or go stale, instead of stopping at once (a requeued job)',
  },
} as const satisfies Record<string, Options>;

/** How the kernels compute, shared by `run`, `quick`, `audit` and `bench`. */
export const KERNEL_FLAGS = {
  'flush-subnormals': {
    type: 'boolean',
    default: true,
    describe:
      'flush subnormal results to zero in the kernels (values below 1.2e-38 become 0, as torch.set_flush_denormal(True)): a vanishing gradient otherwise runs up to 40x slower on many x86 cores; --no-flush-subnormals keeps them. Recorded in every result',
  },
} as const satisfies Record<string, Options>;

export interface RunArgs {
  suite?: string;
  tasks?: string;
  extractors?: string;
  option?: string[];
  out?: string;
  report?: string;
  plugin?: string[];
  quiet?: boolean;
  /** `--tune KEY=V1,V2` (repeatable) or `--no-tune` (false). */
  tune?: string | string[] | false;
  'tune-steps'?: number;
  'tune-seeds'?: string;
  'tune-halving'?: string;
  workers?: number;
  threads?: number;
  oversubscribe?: boolean;
  'flush-subnormals'?: boolean;
  resume?: boolean;
  shard?: string;
  shards?: number;
  'lock-wait'?: number;
}

export function runFlags(y: Argv): Argv<RunArgs> {
  // One flag per flagged suite field, typed from the field's schema (fields.ts).
  for (const f of flaggedFields()) {
    const k = f.kind;
    y = y.option(
      f.flag,
      k.kind === 'number'
        ? { type: 'number', requiresArg: true, describe: f.describe }
        : k.kind === 'choice'
          ? { type: 'string', choices: k.choices, describe: f.describe }
          : { type: 'string', requiresArg: true, describe: f.describe },
    );
  }
  return y
    .option('option', {
      alias: 'o',
      type: 'string',
      requiresArg: true,
      describe: 'a task or extractor option NAME.KEY=VALUE, repeatable, e.g. -o transformer.heads=8 -o recall.distance=20',
    })
    .option('tune', {
      type: 'string',
      describe:
        'tuning grid KEY=V1,V2,... (repeatable; keys: lr, warmup, schedule, clip, extractor options), e.g. --tune lr=0.001,0.003; --no-tune trains every cell at the given settings',
    })
    .option('tune-steps', { type: 'number', requiresArg: true, describe: 'tuning budget: trial steps at the last rung (default: --steps)' })
    .option('tune-seeds', {
      type: 'string',
      requiresArg: true,
      describe: 'comma-separated tuning seeds (default 1,2; trials use their own stream of each seed)',
    })
    .option('tune-halving', {
      type: 'string',
      requiresArg: true,
      describe: "successive halving's factor (default 2), or off: every grid point at the full budget",
    })
    .option('out', { type: 'string', requiresArg: true, describe: 'results file (JSONL); default results/<suite>-<time>.jsonl' })
    .option('report', { type: 'string', requiresArg: true, describe: 'also write an HTML report into this folder' })
    .option('quiet', { type: 'boolean', describe: 'no progress output' })
    .options(PARALLEL_FLAGS)
    .options(KERNEL_FLAGS)
    .option('resume', { type: 'boolean', describe: 'continue the run whose results are in --out: skip its completed and diverged cells, retry errored ones' })
    .options(SCHEDULER_FLAGS) as Argv<RunArgs>;
}

/** Flags override the suite file (or the quick suite); the result is validated as a whole. */
export function suiteFromArgs(a: RunArgs, base?: SuiteInput, argv: string[] = []): { input: SuiteInput; origin: SuiteOrigin } {
  // A repeated flag arrives as an array: only -o and --plugin may repeat.
  for (const [key, v] of Object.entries(a)) {
    if (Array.isArray(v) && !['option', 'o', 'plugin', 'tune', '_'].includes(key) && key.length > 1) {
      throw new UsageError(
        `--${key} is given ${v.length} times: give it once${['tasks', 'extractors', 'lengths', 'seeds'].includes(key) ? `, with a comma-separated list (--${key} ${v.join(',')})` : ''}`,
      );
    }
  }
  const input: SuiteInput = base ? structuredClone(base) : ({ tasks: [], extractors: [], lengths: [] } as unknown as SuiteInput);
  input.tasks ??= [];
  input.extractors ??= [];
  input.lengths ??= [];
  const flags: Record<string, string> = {};
  const options = parseOptionFlags(a.option ?? []);
  // -o options go into every entry of that name; the suite file's labels and options stay.
  const withOptions = (refs: SuiteInput['tasks']): SuiteInput['tasks'] =>
    refs.map((r) => {
      const name = typeof r === 'string' ? r : r.name;
      const o = options.get(name);
      if (!o) return r;
      return typeof r === 'string' ? { name, options: o } : { ...r, options: { ...(r.options ?? {}), ...o } };
    });
  for (const kind of ['tasks', 'extractors'] as const) {
    const names = csv(a[kind]);
    if (names) flags[kind] = `--${kind}`;
    input[kind] = withOptions(names ?? input[kind]);
  }
  const known = new Set([...input.tasks, ...input.extractors].map((r) => (typeof r === 'string' ? r : r.name)));
  for (const name of options.keys()) {
    if (!known.has(name)) {
      const close = didYouMean(name, [...known]);
      throw new UsageError(
        `--option names "${name}", which is not among this run's tasks or extractors${close ? `: did you mean "${close}"?` : ''} (this run has ${[...known].join(', ')})`,
      );
    }
  }
  // Every other flagged field, parsed by its kind; the suite schema then checks the value.
  for (const f of flaggedFields()) {
    if (f.kind.kind === 'names') continue; // tasks and extractors, above
    const example = flagExample(infoOf(f.field)!)!;
    const given = (a as Record<string, unknown>)[f.flag];
    const v =
      f.kind.kind === 'number'
        ? numberFlag(a as Record<string, unknown>, f.flag, argv, example)
        : f.kind.kind === 'numbers'
          ? csvNumbers(f.flag, given as string | undefined)
          : f.kind.kind === 'lengths'
            ? csv(given as string | undefined)?.map((x) => parseLengthEntry(f.flag, x))
            : given;
    if (v === undefined) continue;
    (input as Record<string, unknown>)[f.field] = v;
    flags[f.field] = `--${f.flag}`;
  }
  applyTuneFlags(a, input, flags, argv);
  const inFile = (key: string, example: string) =>
    a.suite ? `suite file ${a.suite} has no "${key}": add "${key}": ${example} to it, or pass --${key}` : `no ${key} given: pass --${key}`;
  if (!input.tasks.length) throw new UsageError(`${inFile('tasks', '["recall"]')} recall,adding${a.suite ? '' : ' or a suite file'}`);
  if (!input.extractors.length) throw new UsageError(`${inFile('extractors', '["lstm"]')} rnn,lstm,transformer${a.suite ? '' : ' or a suite file'}`);
  if (!input.lengths.length) throw new UsageError(`${inFile('lengths', '[16, 64]')} 16,64${a.suite ? '' : ' or a suite file'}`);
  const optionFlags = new Set((a.option ?? []).map((f) => f.split('=')[0]));
  return { input, origin: { file: a.suite, flags, optionFlags } };
}

/** --tune KEY=V1,V2 (each value JSON or a bare word), --no-tune, --tune-steps, --tune-seeds, --tune-halving: into the suite's `tune`. */
function applyTuneFlags(a: RunArgs, input: SuiteInput, flags: Record<string, string>, argv: string[]): void {
  const budget = (['tune-steps', 'tune-seeds', 'tune-halving'] as const).filter((f) => a[f] !== undefined);
  if (a.tune === false) {
    if (budget.length) throw new UsageError(`--no-tune turns tuning off: drop --${budget[0]}`);
    input.tune = false;
    flags.tune = '--no-tune';
    return;
  }
  if (a.tune === undefined && !budget.length) return;
  const tune: Record<string, unknown> = input.tune === false || input.tune === undefined ? {} : { ...input.tune };
  for (const spec of [a.tune ?? []].flat()) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(spec);
    if (!m) throw new UsageError(`--tune "${spec}" is malformed: write KEY=V1,V2,..., e.g. --tune lr=0.001,0.003`);
    tune[m[1]] = (csv(m[2]) ?? []).map((v) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        return v; // a bare word, e.g. forgetBias=unit
      }
    });
  }
  const steps = numberFlag(a as Record<string, unknown>, 'tune-steps', argv, '--tune-steps 1000');
  if (steps !== undefined) tune.steps = steps;
  const seeds = csvNumbers('tune-seeds', a['tune-seeds']);
  if (seeds) tune.seeds = seeds;
  const halving = a['tune-halving'];
  if (halving !== undefined) {
    const n = Number(halving);
    if (halving !== 'off' && !(Number.isInteger(n) && n >= 2))
      throw new UsageError(`--tune-halving ${JSON.stringify(halving)}: expected an integer >= 2 or off, e.g. --tune-halving 3`);
    tune.halving = halving === 'off' ? false : n;
  }
  input.tune = tune as SuiteInput['tune'];
  flags.tune = '--tune';
}
