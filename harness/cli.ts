/**
 * The `fxbench` command line. Every command validates all of its input before any work
 * starts; a UsageError prints one line and exits with code 2.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { stateLine, stateListing } from './state.js';
import { defaultAuditOut, finishAudit, formatVerdicts, listClaims, prepareAudit } from './audit/cli.js';
import { benchCommand } from './benchCli.js';
import { UsageError } from '../core/errors.js';
import { defaultWorkers, executeCells, StopSignal } from './execute.js';
import { loadPlugins } from './loadPlugins.js';
import { extractors, tasks } from './plugins.js';
import { createProgress, type Progress } from './progress.js';
import { memoryRefusal } from './memory.js';
import { didYouMean } from './registry.js';
import { readResults, type ResultRecord } from './results.js';
import { parseShard, selectShard } from './shard.js';
import { mergeResults, planResume, supersedeRetried, warnSkipped, writeResultsAtomic } from './store.js';
import { expandSuite, formatZodIssue, loadSuiteFile, parseSuite, type Cell, type SuiteInput, type SuiteOrigin } from './suite.js';
import { Rng } from '../core/rng.js';
import { QUICK_SUITE } from './suites.js';
import type { writeReport as WriteReport } from '../reports/render.js';

/** The report renderer (Vega), loaded only by the commands that write a report: the others start faster. */
const writeReport: typeof WriteReport = async (...args) => (await import('../reports/render.js')).writeReport(...args);

const csv = (s: string | undefined) => (s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean));

function csvNumbers(flag: string, s: string | undefined): number[] | undefined {
  const parts = csv(s);
  if (!parts) return undefined;
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isFinite(n)) throw new UsageError(`--${flag}: "${p}" is not a number: give a comma-separated list such as --${flag} 16,64`);
    return n;
  });
}

/** `-o transformer.heads=8` -> options for extractor (or task) `transformer`. */
function parseOptionFlags(flags: string[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const flag of flags) {
    const m = /^([a-z][a-z0-9-]*)\.([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(flag);
    if (!m) throw new UsageError(`--option "${flag}" is malformed: write it as NAME.KEY=VALUE, e.g. --option transformer.heads=8`);
    const [, name, key, raw] = m;
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* a bare word stays a string, e.g. positional=learned */
    }
    out.set(name, { ...(out.get(name) ?? {}), [key]: value });
  }
  return out;
}

function defaultOut(suite: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z');
  return path.join('results', `${suite}-${stamp}.jsonl`);
}

interface RunArgs {
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

/** What the user typed after `--flag` (yargs turns a non-number into NaN). */
function typedValue(argv: string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${flag}`) return argv[i + 1];
    if (argv[i].startsWith(`--${flag}=`)) return argv[i].slice(flag.length + 3);
  }
  return undefined;
}

/** A numeric flag given once, as a number; the suite schema checks its range. */
function numberFlag(a: Record<string, unknown>, flag: string, argv: string[], example: string): number | undefined {
  const v = a[flag];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw new UsageError(`--${flag} is given ${v.length} times: give it once, e.g. ${example}`);
  if (typeof v !== 'number' || Number.isNaN(v)) throw new UsageError(`--${flag} ${JSON.stringify(typedValue(argv, flag) ?? String(v))} is not a number: e.g. ${example}`);
  return v;
}

/** Flags override the suite file (or the quick suite); the result is validated as a whole. */
function suiteFromArgs(a: RunArgs, base?: SuiteInput, argv: string[] = []): { input: SuiteInput; origin: SuiteOrigin } {
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

function runFlags(y: Argv): Argv<RunArgs> {
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

/** `s` quoted for a POSIX shell when it needs quoting. */
const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Stage 2 with its controls, shared by `run` and `audit`: --shard selects cells, --resume
 * skips the finished ones, the memory estimate refuses what cannot fit, and SIGINT/SIGTERM
 * stop after the current step and print the command that resumes.
 */
async function runCells(
  all: Cell[],
  a: RunArgs,
  argv: string[],
  defaultName: string,
  shape: string,
): Promise<{ records: ResultRecord[]; out: string; stopped: boolean; progress: Progress }> {
  if (a.workers !== undefined && (Array.isArray(a.workers) || !Number.isInteger(a.workers) || a.workers < 1)) {
    throw new UsageError(`--workers ${typedValue(argv, 'workers') ?? a.workers}: expected a positive integer (worker threads), e.g. --workers 2`);
  }
  const shard = a.shard !== undefined ? parseShard(String(a.shard)) : undefined;
  if (a.resume && !a.out) throw new UsageError('--resume needs --out FILE: the results file of the run to continue');
  const out = a.out ?? defaultName;
  if (!a.resume && existsSync(out) && statSync(out).size > 0) {
    throw new UsageError(`--out ${out} already holds results: add --resume to continue that run, or choose another --out`);
  }
  let cells = shard ? selectShard(all, shard) : all;
  const selectedCount = cells.length;
  const refusals = cells.map((c) => ({ cell: c, refusal: memoryRefusal(c) })).filter((x) => x.refusal);
  if (cells.length && refusals.length === cells.length) {
    throw new UsageError(`every cell of this run would be refused, e.g. ${refusals[0].cell.id}: ${refusals[0].refusal!.message}`);
  }
  const progress = createProgress(process.stderr, a.quiet);
  const warn = (m: string) => progress.log(`warning: ${m}`);
  let resumed = '';
  if (a.resume) {
    const plan = planResume(out, cells, warn);
    resumed = ` (resuming: ${plan.done} done in ${out}${plan.retried ? `, ${plan.retried} errored to retry` : ''}, ${plan.todo.length} to run)`;
    cells = plan.todo;
  }
  // Workers import plugins themselves: give them paths that do not depend on the cwd.
  const plugins = (a.plugin ?? []).map((p) => (p.startsWith('.') || p.startsWith('/') || /\.(m?js|ts)$/.test(p) ? path.resolve(p) : p));
  try {
    mkdirSync(path.dirname(out), { recursive: true });
    closeSync(openSync(out, 'a'));
  } catch (e) {
    throw new UsageError(`--out ${out} cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): choose another path`);
  }

  // 2. Run.
  const selected = shard ? `shard ${shard.index}/${shard.count}: ${selectShard(all, shard).length} of ${all.length} cells (${shape})` : `${all.length} cells (${shape})`;
  progress.log(`fxbench: ${selected}${resumed} -> ${out}`);
  if (refusals.length) warn(`${refusals.length} of ${selectedCount} cells exceed the memory budget and are recorded as errored without running, e.g. ${refusals[0].cell.id}: ${refusals[0].refusal!.message}`);
  const stop = new StopSignal();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    stop.request();
    progress.log(`fxbench: ${signal}: stopping after the current training step; finished cells are saved (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again quits at once)`);
  };
  // `once`: a second signal finds no listener and ends the process at once (the default action).
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let records;
  try {
    records = await executeCells(cells, { out, progress, workers: a.workers, plugins, stop });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  const failed = records.filter((r) => r.status !== 'completed').length;
  if (stop.requested) {
    const left = cells.length - records.length;
    const cellsWord = (n: number) => `${n} cell${n === 1 ? '' : 's'}`;
    progress.log(`interrupted: ${cellsWord(records.length)} finished this time and saved in ${out}; ${cellsWord(left)} not run yet`);
    progress.log(`resume with: ${resumeCommand(argv, out)}`);
    process.exitCode = stoppedBy === 'SIGTERM' ? 143 : 130; // 128 + the signal's number, as a shell reports it
    return { records, out, stopped: true, progress };
  }
  return { records, out, stopped: false, progress };
}

/** The command line that resumes this run: the same arguments, with --resume --out FILE. */
function resumeCommand(argv: string[], out: string): string {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === '--resume' || x.startsWith('--resume=')) continue;
    if (x === '--out') {
      i++;
      continue;
    }
    if (x.startsWith('--out=')) continue;
    args.push(x);
  }
  const rel = process.argv[1] ? path.relative(process.cwd(), process.argv[1]) : 'bin/fxbench.js';
  const bin = !rel || rel.startsWith('..') ? process.argv[1] : rel;
  return ['node', bin, ...args, '--resume', '--out', out].map(shellQuote).join(' ');
}

async function runSuite(input: SuiteInput, a: RunArgs, reportDir: string | undefined, origin: SuiteOrigin, argv: string[]): Promise<void> {
  // 1. Validate everything before any work.
  const suite = parseSuite(input, 'suite', origin);
  const all = expandSuite(suite, origin);
  const shape = `${suite.tasks.length} tasks x ${suite.extractors.length} extractors x ${suite.lengths.length} lengths x ${suite.seeds.length} seeds`;
  const { records, out, stopped, progress } = await runCells(all, a, argv, defaultOut(suite.name), shape);
  if (stopped) return;
  const failed = records.filter((r) => r.status !== 'completed').length;
  const warn = (m: string) => progress.log(`warning: ${m}`);
  progress.log(`results: ${out}${failed ? ` (${failed} cells did not complete)` : ''}`);
  if (reportDir) {
    const { records: all, skipped } = readResults([out]);
    warnSkipped(skipped, warn);
    const html = await writeReport(supersedeRetried(all), reportDir);
    process.stdout.write(`report: ${html}\n`);
  }
}

export async function main(argv: string[]): Promise<void> {
  const parser = yargs(argv)
    .scriptName('fxbench')
    .usage('$0 <command> [options]\n\nCompare RNN/LSTM/GRU, Transformer and TCN feature extractors on identical tasks.')
    // Not `array: true`: an array option would swallow the command name that follows it.
    .option('plugin', { type: 'string', describe: 'load an extractor/task plugin (file or package), repeatable; plugins are code: only load what you trust' })
    .coerce(['plugin', 'option'], (v: string | string[]) => [v].flat())
    .option('verbose', { type: 'boolean', describe: 'print stack traces of errors' })
    .middleware(async (a) => {
      if (a.plugin?.length) {
        for (const p of await loadPlugins(a.plugin)) {
          process.stderr.write(`plugin ${p.plugin}: registered ${[...p.extractors.map((n) => `extractor ${n}`), ...p.tasks.map((n) => `task ${n}`)].join(', ')}\n`);
        }
      }
    })
    .command(
      'quick',
      'run the built-in quick suite (every extractor x recall, adding x two lengths) and write a report',
      (y) => runFlags(y),
      async (a) => {
        const { input, origin } = suiteFromArgs(a, { ...QUICK_SUITE, extractors: extractors.names() }, argv); // every registered extractor, plugins included
        const out = a.out ?? defaultOut(input.name ?? 'quick');
        await runSuite(input, { ...a, out }, a.report ?? out.replace(/\.jsonl$/, '-report'), origin, a.out ? argv : [...argv, '--out', out]);
      },
    )
    .command(
      'run [suite]',
      'train and evaluate every cell of a suite (a JSON suite file, or flags)',
      (y) => runFlags(y).positional('suite', { type: 'string', describe: 'suite file (JSON); flags override its fields' }),
      async (a) => {
        const base = a.suite ? loadSuiteFile(a.suite) : undefined;
        const { input, origin } = suiteFromArgs(a, base, argv);
        await runSuite(input, a, a.report, origin, argv);
      },
    )
    .command(
      'report <results..>',
      'render results (JSONL files) as an HTML report',
      (y) =>
        y
          .positional('results', { type: 'string', array: true, describe: 'results files', demandOption: true })
          .option('out', { type: 'string', demandOption: true, describe: 'output folder for index.html' }),
      async (a) => {
        const files = a.results as string[];
        for (const f of files) if (!existsSync(f)) throw new UsageError(`results file ${f} does not exist: check the path (runs write to results/)`);
        const { records, skipped } = readResults(files);
        warnSkipped(skipped, (m) => process.stderr.write(`warning: ${m}\n`));
        if (!records.length) throw new UsageError(`no results records in ${files.join(', ')}: run \`fxbench run\` first`);
        const html = await writeReport(supersedeRetried(records), a.out);
        process.stdout.write(`report: ${html}\n`);
      },
    )
    .command(
      'merge <results..>',
      'combine the results files of one suite (e.g. the shards of a --shard run) into one',
      (y) =>
        y
          .positional('results', { type: 'string', array: true, describe: 'results files (JSONL)', demandOption: true })
          .option('out', { type: 'string', demandOption: true, requiresArg: true, describe: 'merged results file (JSONL); must not exist yet' }),
      (a) => {
        const files = a.results as string[];
        for (const f of files) if (!existsSync(f)) throw new UsageError(`results file ${f} does not exist: check the path`);
        const twice = files.find((f, i) => files.findIndex((g) => path.resolve(g) === path.resolve(f)) !== i);
        if (twice) throw new UsageError(`results file ${twice} is given twice: list each file once`);
        if (existsSync(a.out)) throw new UsageError(`--out ${a.out} already exists: merge writes a new file; delete it or choose another name`);
        const merged = mergeResults(files, (m) => process.stderr.write(`warning: ${m}\n`));
        mkdirSync(path.dirname(a.out), { recursive: true });
        writeResultsAtomic(a.out, merged.records);
        const count = (s: string) => merged.records.filter((r) => r.status === s).length;
        process.stderr.write(
          `merged ${merged.records.length} cells of ${suiteNames(merged.records)} from ${files.length} files (${count('completed')} completed, ${count('diverged')} diverged, ${count('errored')} errored` +
            `${merged.superseded ? `; ${merged.superseded} errored records superseded by retries` : ''}) -> ${a.out}\n`,
        );
      },
    )
    .command(
      'audit',
      "put each of the article's claims to an experiment and give a verdict (npm start runs --profile quick)",
      (y) =>
        y
          .option('profile', { type: 'string', default: 'quick', choices: ['smoke', 'quick', 'standard', 'full'], describe: 'sizes: smoke (seconds, untrained: a pipeline check), quick (1 seed, minutes), standard (3 seeds, < 1 h on 2 cores), full (5 seeds; shard it)' })
          .option('claim', { type: 'string', describe: 'run only this claim (repeatable); see --list' })
          .coerce('claim', (v: string | string[]) => [v].flat())
          .option('list', { type: 'boolean', describe: 'print the claims with their experiments and decision rules' })
          .option('out', { type: 'string', describe: 'results file (JSONL); default results/audit-<profile>-<time>.jsonl' })
          .option('report', { type: 'string', describe: 'report folder; default beside the results' })
          .option('workers', { type: 'number', describe: 'worker threads (default: the number of cores)' })
          .option('resume', { type: 'boolean', describe: 'continue the audit whose results are in --out (also: decide a merged set of shards)' })
          .option('shard', { type: 'string', requiresArg: true, describe: 'run shard I of N (0-based) of the cells; merge the shards, then --resume decides' })
          .option('quiet', { type: 'boolean', describe: 'no progress output' }),
      async (a) => {
        if (a.list) {
          process.stdout.write(listClaims() + '\n');
          return;
        }
        const { profile, claims, cells } = prepareAudit(a.profile, a.claim);
        const shape = `profile ${profile.name}, ${claims.length} claims`;
        const { out, stopped, progress } = await runCells(cells, a as RunArgs, argv, defaultAuditOut(profile.name), shape);
        if (stopped) return;
        if (a.shard !== undefined) {
          progress.log(`shard finished: ${out}. When every shard is done: fxbench merge <shard files> --out merged.jsonl, then fxbench audit --profile ${profile.name} --resume --out merged.jsonl decides the claims and writes the report.`);
          return;
        }
        const { audit, records } = finishAudit(profile, claims, out, (m) => progress.log(`warning: ${m}`));
        process.stdout.write(formatVerdicts(audit) + '\n');
        const { writeReport } = await import('../reports/render.js');
        const html = await writeReport(records, a.report ?? out.replace(/\.jsonl$/, '-report'), audit);
        process.stdout.write(`report: ${html}\n`);
      },
    )
    .command(
      'bench',
      'time a training step and an inference pass of each extractor at the standard shapes (../shared/peers/README.md)',
      (y) =>
        y
          .option('extractors', { type: 'string', default: 'rnn,lstm,gru,transformer,tcn', describe: 'comma-separated extractors' })
          .option('lengths', { type: 'string', default: '64,256', describe: 'comma-separated lengths' })
          .option('batch', { type: 'number', default: 32, describe: 'sequences per step' })
          .option('min-time', { type: 'number', default: 1000, describe: 'time budget per measurement (ms)' })
          .option('json', { type: 'boolean', describe: 'JSON lines with the PyTorch peer\'s fields' })
          .option('peer', { type: 'string', describe: 'also run a peer in this session and print ours/theirs ratios (torch)' })
          .option('backend', { type: 'string', choices: ['wasm', 'cpu'], default: 'wasm' }),
      async (a) =>
        benchCommand(
          {
            extractors: csv(a.extractors) ?? [],
            lengths: csvNumbers('lengths', a.lengths) ?? [],
            batch: a.batch,
            minTimeMs: a['min-time'],
            json: Boolean(a.json),
            peer: a.peer,
            backend: a.backend as 'wasm' | 'cpu',
          },
          (line) => process.stderr.write(line + '\n'),
          (line) => process.stdout.write(line + '\n'),
        ),
    )
    .command(
      'sample <task>',
      'print decoded samples of a task (tokens as text, target, meta)',
      (y) =>
        y
          .positional('task', { type: 'string', demandOption: true, describe: 'task name' })
          .option('length', { type: 'number', default: 32, describe: 'sequence length T' })
          .option('count', { type: 'number', default: 5, describe: 'samples to print' })
          .option('seed', { type: 'number', default: 1, describe: 'seed of the sample stream' })
          .option('option', { alias: 'o', type: 'string', describe: 'task option NAME.KEY=VALUE, repeatable' })
          .coerce('option', (v: string | string[]) => [v].flat())
          .option('json', { type: 'boolean', describe: 'one JSON object per line' }),
      (a) => printSamples(a.task as string, a),
    )
    .command(
      'list',
      'list tasks and extractors with their options and defaults',
      (y) => y.option('json', { type: 'boolean', describe: 'machine-readable output' }),
      (a) => printList(Boolean(a.json)),
    )
    .demandCommand(1, 'give a command: quick, run, report, bench, sample or list (fxbench --help)')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(false)
    .fail((msg, err) => {
      if (err && err.name !== 'YError') throw err;
      // yargs' own messages can span lines: keep one; suggest the closest flag for an unknown one.
      let line = (msg ?? err?.message ?? '').replace(/\s*\n\s*/g, ' ').trim();
      const unknown = /^Unknown arguments?: (.+)$/.exec(line);
      const choice = /^Invalid values: Argument: (\S+), Given: (.+), Choices: (.+)$/.exec(line);
      if (unknown) {
        const known = Object.keys((parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key).filter((k) => k.length > 1 && k !== '$0');
        const first = unknown[1].split(', ')[0];
        const close = didYouMean(first.replace(/^-+/, ''), known);
        if (close) line += `: did you mean --${close}?`;
        line += ' (see --help)';
      } else if (choice) {
        line = `--${choice[1]} ${choice[2]}: expected ${choice[3].split(', ').join(' or ')}`;
      } else if (/^Did you mean /.test(line)) {
        line = `unknown command "${argv.find((x) => !x.startsWith('-')) ?? ''}": ${line.replace(/^Did/, 'did')} (see --help)`;
      } else if (/^Not enough arguments following: /.test(line)) {
        line = `--${line.replace(/^Not enough arguments following: /, '')} needs a value (see --help)`;
      }
      throw new UsageError(line);
    });
  await parser.parseAsync();
}

function printSamples(name: string, a: { length: number; count: number; seed: number; option?: string[]; json?: boolean }): void {
  for (const [flag, v] of [['length', a.length], ['count', a.count], ['seed', a.seed]] as const) {
    if (!Number.isInteger(v) || v < (flag === 'seed' ? 0 : 1)) throw new UsageError(`--${flag} must be a ${flag === 'seed' ? 'non-negative' : 'positive'} integer, got ${v}`);
  }
  const def = tasks.get(name);
  const given = parseOptionFlags(a.option ?? []);
  for (const key of given.keys()) if (key !== name) throw new UsageError(`--option names "${key}", but this command samples task "${name}": write ${name}.KEY=VALUE`);
  const parsed = def.options.safeParse(given.get(name) ?? {});
  if (!parsed.success) throw new UsageError(`task ${name} options: ${formatZodIssue(parsed.error)}`);
  const task = def.create(parsed.data);
  if (a.length < task.minLength) throw new UsageError(`task ${name} needs --length >= ${task.minLength}, got ${a.length}`);
  // The same stream a cell with this seed trains on.
  const batch = task.sample(new Rng(a.seed).fork('train'), a.count, a.length);
  const chance = task.chance(a.length);
  const lines: string[] = [];
  if (!a.json) lines.push(`${name} at T=${a.length}: ${chance.metric}, chance ${+chance.value.toPrecision(4)} (${chance.why})`);
  for (let i = 0; i < a.count; i++) {
    const { input, target } = task.decode(batch, i);
    const meta = batch.meta[i];
    lines.push(a.json ? JSON.stringify({ input, target, meta }) : `#${i + 1}  ${input}\n    -> ${target}  ${JSON.stringify(meta)}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

function printList(json: boolean): void {
  const describeOptions = (schema: { parse(x: unknown): unknown; shape?: Record<string, { description?: string }> }) => {
    const defaults = schema.parse({}) as Record<string, unknown>;
    return Object.entries(schema.shape ?? {}).map(([key, field]) => ({ key, default: defaults[key], description: field.description ?? '' }));
  };
  const taskRows = tasks.all().map((t) => {
    const row = { name: t.name, description: t.description, example: t.example, source: t.source, options: describeOptions(t.options) };
    try {
      const task = t.create(t.options.parse({}));
      const chance = task.chance(Math.max(task.minLength, 64));
      return { ...row, metric: chance.metric, chance: chance.value, chanceWhy: chance.why };
    } catch (e) {
      // e.g. an optional data package that is not installed: list the task, say why it cannot run.
      return { ...row, unavailable: (e as Error).message };
    }
  });
  const extractorRows = extractors.all().map((e) => ({ name: e.name, description: e.description, options: describeOptions(e.options as never), state: stateListing(e), padding: e.padding ?? 'reads', stateLine: stateLine(e) }));
  if (json) {
    process.stdout.write(JSON.stringify({ tasks: taskRows, extractors: extractorRows.map(({ stateLine: _, ...row }) => row) }, null, 2) + '\n');
    return;
  }
  const opts = (rows: { key: string; default: unknown; description: string }[]) =>
    rows.map((o) => `      ${o.key} = ${o.default === undefined ? "(unset)" : JSON.stringify(o.default)}  ${o.description}`.trimEnd()).join('\n');
  const lines = ['Tasks:'];
  for (const t of taskRows) {
    const facts = 'unavailable' in t ? `    unavailable: ${t.unavailable}` : `    metric ${t.metric}, chance ${+t.chance.toPrecision(4)} at T=64 (${t.chanceWhy})`;
    lines.push(`  ${t.name}  ${t.description}`, facts, opts(t.options));
  }
  lines.push('', 'Extractors:');
  for (const e of extractorRows) lines.push(`  ${e.name}  ${e.description}`, `    ${e.stateLine}`, opts(e.options));
  process.stdout.write(lines.filter((l) => l !== '').join('\n') + '\n');
}

/** Entry point for bin/fxbench.js: maps errors to exit codes. */
export async function cli(argv = hideBin(process.argv)): Promise<void> {
  try {
    await main(argv);
  } catch (e) {
    const verbose = argv.includes('--verbose');
    if (e instanceof UsageError) {
      process.stderr.write(`fxbench: ${e.message}\n`);
      if (verbose) process.stderr.write(`${e.stack}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`fxbench: ${(e as Error).message}\n`);
      if (verbose) process.stderr.write(`${(e as Error).stack}\n`);
      else process.stderr.write('(run again with --verbose for the stack trace)\n');
      process.exitCode = 1;
    }
  }
}

/** `suite "x"`, or `suites "a", "b" and 3 more` (an audit spans one suite per experiment). */
function suiteNames(records: ResultRecord[]): string {
  const names = [...new Set(records.map((r) => r.suite))];
  if (names.length === 1) return `suite "${names[0]}"`;
  const shown = names.slice(0, 3).map((n) => `"${n}"`).join(', ');
  return `${names.length} suites (${shown}${names.length > 3 ? `, and ${names.length - 3} more` : ''})`;
}
