/**
 * The run flags, in one place: the flags `run` and `quick` accept (`runFlags`), their
 * parsed shape (`RunArgs`), and how they override a suite file (`suiteFromArgs`). The
 * run controls (--out, --resume, --shard, --workers) are applied by ./controls.ts.
 */
import type { Argv } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { defaultWorkers } from '../execute.js';
import { didYouMean } from '../registry.js';
import type { SuiteInput, SuiteOrigin } from '../suite.js';
import { csv, csvNumbers, numberFlag, parseOptionFlags } from './flags.js';

export interface RunArgs {
  suite?: string;
  tasks?: string;
  extractors?: string;
  lengths?: string;
  seeds?: string;
  steps?: number;
  batch?: number;
  lr?: number;
  backend?: string;
  option?: string[];
  out?: string;
  report?: string;
  plugin?: string[];
  quiet?: boolean;
  workers?: number;
  'match-params'?: number;
  resume?: boolean;
  shard?: string;
}

/** The suite fields each flag sets (for messages that name the flag). */
const FLAG_FIELDS: Record<string, string> = {
  tasks: '--tasks',
  extractors: '--extractors',
  lengths: '--lengths',
  seeds: '--seeds',
  steps: '--steps',
  batch: '--batch',
  lr: '--lr',
  backend: '--backend',
  matchParams: '--match-params',
};

export function runFlags(y: Argv): Argv<RunArgs> {
  return y
    .option('tasks', { type: 'string', requiresArg: true, describe: 'comma-separated task names (see `fxbench list`)' })
    .option('extractors', { type: 'string', requiresArg: true, describe: 'comma-separated extractor names' })
    .option('lengths', { type: 'string', requiresArg: true, describe: 'comma-separated sequence lengths, e.g. 16,64' })
    .option('seeds', { type: 'string', requiresArg: true, describe: 'comma-separated seeds, e.g. 1,2,3' })
    .option('steps', { type: 'number', requiresArg: true, describe: 'training steps per cell' })
    .option('batch', { type: 'number', requiresArg: true, describe: 'sequences per training step' })
    .option('lr', { type: 'number', requiresArg: true, describe: 'Adam learning rate, in (0, 1]' })
    .option('backend', { type: 'string', choices: ['wasm', 'cpu'], describe: 'tfjs backend (wasm is ~40x faster)' })
    .option('option', { alias: 'o', type: 'string', requiresArg: true, describe: 'plugin option NAME.KEY=VALUE, repeatable, e.g. -o transformer.heads=8' })
    .option('out', { type: 'string', requiresArg: true, describe: 'results file (JSONL); default results/<suite>-<time>.jsonl' })
    .option('report', { type: 'string', requiresArg: true, describe: 'also write an HTML report into this folder' })
    .option('quiet', { type: 'boolean', describe: 'no progress output' })
    .option('match-params', { type: 'number', requiresArg: true, describe: "size every extractor's width to within 10% of this many parameters" })
    .option('workers', { type: 'number', requiresArg: true, describe: `worker threads, one tfjs instance and core each (default: the number of cores, ${defaultWorkers()})` })
    .option('resume', { type: 'boolean', describe: 'continue the run whose results are in --out: skip its completed and diverged cells, retry errored ones' })
    .option('shard', { type: 'string', requiresArg: true, describe: 'run shard I of N (0-based): the cells whose index mod N is I, e.g. --shard 0/4' }) as Argv<RunArgs>;
}

/** Flags override the suite file (or the quick suite); the result is validated as a whole. */
export function suiteFromArgs(a: RunArgs, base?: SuiteInput, argv: string[] = []): { input: SuiteInput; origin: SuiteOrigin } {
  // A repeated flag arrives as an array: only -o and --plugin may repeat.
  for (const [key, v] of Object.entries(a)) {
    if (Array.isArray(v) && !['option', 'o', 'plugin', '_'].includes(key) && key.length > 1) {
      throw new UsageError(`--${key} is given ${v.length} times: give it once${['tasks', 'extractors', 'lengths', 'seeds'].includes(key) ? `, with a comma-separated list (--${key} ${v.join(',')})` : ''}`);
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
    if (names) flags[kind] = FLAG_FIELDS[kind];
    input[kind] = withOptions(names ?? input[kind]);
  }
  const known = new Set([...input.tasks, ...input.extractors].map((r) => (typeof r === 'string' ? r : r.name)));
  for (const name of options.keys()) {
    if (!known.has(name)) {
      const close = didYouMean(name, [...known]);
      throw new UsageError(`--option names "${name}", which is not among this run's tasks or extractors${close ? `: did you mean "${close}"?` : ''} (this run has ${[...known].join(', ')})`);
    }
  }
  const lengths = csvNumbers('lengths', a.lengths);
  if (lengths) [input.lengths, flags.lengths] = [lengths, FLAG_FIELDS.lengths];
  const seeds = csvNumbers('seeds', a.seeds);
  if (seeds) [input.seeds, flags.seeds] = [seeds, FLAG_FIELDS.seeds];
  const set = (field: 'steps' | 'batch' | 'lr' | 'matchParams', flag: string, example: string) => {
    const v = numberFlag(a as Record<string, unknown>, flag, argv, example);
    if (v !== undefined) [input[field], flags[field]] = [v, FLAG_FIELDS[field]];
  };
  set('steps', 'steps', '--steps 200');
  set('batch', 'batch', '--batch 32');
  set('lr', 'lr', '--lr 0.003');
  set('matchParams', 'match-params', '--match-params 200000');
  if (a.backend !== undefined) [input.backend, flags.backend] = [a.backend as 'wasm' | 'cpu', FLAG_FIELDS.backend];
  const inFile = (key: string, example: string) => (a.suite ? `suite file ${a.suite} has no "${key}": add "${key}": ${example} to it, or pass --${key}` : `no ${key} given: pass --${key}`);
  if (!input.tasks.length) throw new UsageError(`${inFile('tasks', '["recall"]')} recall,adding${a.suite ? '' : ' or a suite file'}`);
  if (!input.extractors.length) throw new UsageError(`${inFile('extractors', '["lstm"]')} rnn,lstm,transformer${a.suite ? '' : ' or a suite file'}`);
  if (!input.lengths.length) throw new UsageError(`${inFile('lengths', '[16, 64]')} 16,64${a.suite ? '' : ' or a suite file'}`);
  const optionFlags = new Set((a.option ?? []).map((f) => f.split('=')[0]));
  return { input, origin: { file: a.suite, flags, optionFlags } };
}
