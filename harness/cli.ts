/**
 * The `fxbench` command line. Every command validates all of its input before any work
 * starts; a UsageError prints one line and exits with code 2.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { defaultAuditOut, formatVerdicts, listClaims, runAuditCommand } from './audit/cli.js';
import { benchCommand } from './benchCli.js';
import { UsageError } from './errors.js';
import { defaultWorkers, executeCells } from './execute.js';
import { loadPlugins } from './loadPlugins.js';
import { extractors, tasks } from './plugins.js';
import { createProgress } from './progress.js';
import { readResults } from './results.js';
import { expandSuite, formatZodIssue, loadSuiteFile, parseSuite, type SuiteInput } from './suite.js';
import { Rng } from './rng.js';
import { QUICK_SUITE } from './suites.js';
import { writeReport } from '../reports/render.js';

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
}

/** Flags override the suite file (or the quick suite); the result is validated as a whole. */
function suiteFromArgs(a: RunArgs, base?: SuiteInput): SuiteInput {
  const input: SuiteInput = base ? structuredClone(base) : ({ tasks: [], extractors: [], lengths: [] } as unknown as SuiteInput);
  const options = parseOptionFlags(a.option ?? []);
  const withOptions = (names: string[] | undefined, current: SuiteInput['tasks']) =>
    (names ?? current.map((r) => (typeof r === 'string' ? r : r.name))).map((name) => (options.has(name) ? { name, options: options.get(name)! } : name));
  input.tasks = withOptions(csv(a.tasks), input.tasks);
  input.extractors = withOptions(csv(a.extractors), input.extractors);
  const known = new Set([...input.tasks, ...input.extractors].map((r) => (typeof r === 'string' ? r : r.name)));
  for (const name of options.keys()) {
    if (!known.has(name)) throw new UsageError(`--option names "${name}", which is not among this run's tasks or extractors: check the spelling`);
  }
  const lengths = csvNumbers('lengths', a.lengths);
  if (lengths) input.lengths = lengths;
  const seeds = csvNumbers('seeds', a.seeds);
  if (seeds) input.seeds = seeds;
  if (a.steps !== undefined) input.steps = a.steps;
  if (a.batch !== undefined) input.batch = a.batch;
  if (a.lr !== undefined) input.lr = a.lr;
  if (a.backend !== undefined) input.backend = a.backend as 'wasm' | 'cpu';
  if (a['match-params'] !== undefined) input.matchParams = a['match-params'];
  if (!input.tasks.length) throw new UsageError('no tasks given: pass --tasks recall,adding or a suite file');
  if (!input.extractors.length) throw new UsageError('no extractors given: pass --extractors rnn,lstm,transformer or a suite file');
  if (!input.lengths.length) throw new UsageError('no lengths given: pass --lengths 16,64 or a suite file');
  return input;
}

function runFlags(y: Argv): Argv<RunArgs> {
  return y
    .option('tasks', { type: 'string', describe: 'comma-separated task names (see `fxbench list`)' })
    .option('extractors', { type: 'string', describe: 'comma-separated extractor names' })
    .option('lengths', { type: 'string', describe: 'comma-separated sequence lengths, e.g. 16,64' })
    .option('seeds', { type: 'string', describe: 'comma-separated seeds, e.g. 1,2,3' })
    .option('steps', { type: 'number', describe: 'training steps per cell' })
    .option('batch', { type: 'number', describe: 'sequences per training step' })
    .option('lr', { type: 'number', describe: 'Adam learning rate' })
    .option('backend', { type: 'string', choices: ['wasm', 'cpu'], describe: 'tfjs backend (wasm is ~40x faster)' })
    .option('option', { alias: 'o', type: 'string', describe: 'plugin option NAME.KEY=VALUE, repeatable, e.g. -o transformer.heads=8' })
    .option('out', { type: 'string', describe: 'results file (JSONL); default results/<suite>-<time>.jsonl' })
    .option('report', { type: 'string', describe: 'also write an HTML report into this folder' })
    .option('quiet', { type: 'boolean', describe: 'no progress output' })
    .option('match-params', { type: 'number', describe: "size every extractor's width to within 10% of this many parameters" })
    .option('workers', { type: 'number', describe: `worker threads, one tfjs instance and core each (default: the number of cores, ${defaultWorkers()})` }) as Argv<RunArgs>;
}

async function runSuite(input: SuiteInput, a: RunArgs, reportDir?: string): Promise<void> {
  const suite = parseSuite(input, 'suite');
  const cells = expandSuite(suite);
  const out = a.out ?? defaultOut(suite.name);
  const progress = createProgress(process.stderr, a.quiet);
  progress.log(`fxbench: ${cells.length} cells (${suite.tasks.length} tasks x ${suite.extractors.length} extractors x ${suite.lengths.length} lengths x ${suite.seeds.length} seeds) -> ${out}`);
  if (a.workers !== undefined && (!Number.isInteger(a.workers) || a.workers < 1)) throw new UsageError(`--workers must be a positive integer, got ${a.workers}`);
  // Workers import plugins themselves: give them paths that do not depend on the cwd.
  const plugins = (a.plugin ?? []).map((p) => (p.startsWith('.') || p.startsWith('/') || /\.(m?js|ts)$/.test(p) ? path.resolve(p) : p));
  const records = await executeCells(cells, { out, progress, workers: a.workers, plugins });
  const failed = records.filter((r) => r.status !== 'completed').length;
  progress.log(`results: ${out}${failed ? ` (${failed} cells did not complete)` : ''}`);
  if (reportDir) {
    const html = await writeReport(readResults([out]).records, reportDir);
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
        const input = suiteFromArgs(a, { ...QUICK_SUITE, extractors: extractors.names() }); // every registered extractor, plugins included
        const out = a.out ?? defaultOut(input.name ?? 'quick');
        await runSuite(input, { ...a, out }, a.report ?? out.replace(/\.jsonl$/, '-report'));
      },
    )
    .command(
      'run [suite]',
      'train and evaluate every cell of a suite (a JSON suite file, or flags)',
      (y) => runFlags(y).positional('suite', { type: 'string', describe: 'suite file (JSON); flags override its fields' }),
      async (a) => {
        const base = a.suite ? (loadSuiteFile(a.suite) as SuiteInput) : undefined;
        await runSuite(suiteFromArgs(a, base), a, a.report);
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
        for (const s of skipped) process.stderr.write(`warning: ${s.file}:${s.line} skipped: ${s.reason}\n`);
        if (!records.length) throw new UsageError(`no results records in ${files.join(', ')}: run \`fxbench run\` first`);
        const html = await writeReport(records, a.out);
        process.stdout.write(`report: ${html}\n`);
      },
    )
    .command(
      'audit',
      "put each of the article's claims to an experiment and give a verdict (npm start runs --profile quick)",
      (y) =>
        y
          .option('profile', { type: 'string', default: 'quick', choices: ['quick', 'standard', 'full'], describe: 'sizes: quick (1 seed, minutes), standard (3 seeds, < 1 h on 2 cores), full (5 seeds; shard it)' })
          .option('claim', { type: 'string', describe: 'run only this claim (repeatable); see --list' })
          .coerce('claim', (v: string | string[]) => [v].flat())
          .option('list', { type: 'boolean', describe: 'print the claims with their experiments and decision rules' })
          .option('out', { type: 'string', describe: 'results file (JSONL); default results/audit-<profile>-<time>.jsonl' })
          .option('report', { type: 'string', describe: 'report folder; default beside the results' })
          .option('workers', { type: 'number', describe: 'worker threads (default: the number of cores)' })
          .option('quiet', { type: 'boolean', describe: 'no progress output' }),
      async (a) => {
        if (a.list) {
          process.stdout.write(listClaims() + '\n');
          return;
        }
        if (a.workers !== undefined && (!Number.isInteger(a.workers) || a.workers < 1)) throw new UsageError(`--workers must be a positive integer, got ${a.workers}`);
        const out = a.out ?? defaultAuditOut(a.profile);
        const plugins = ([a.plugin].flat().filter(Boolean) as string[]).map((p) => (p.startsWith('.') || p.startsWith('/') || /\.(m?js|ts)$/.test(p) ? path.resolve(p) : p));
        const audit = await runAuditCommand({ profile: a.profile, claim: a.claim, out, workers: a.workers, plugins, progress: createProgress(process.stderr, a.quiet) });
        process.stdout.write(formatVerdicts(audit) + '\n');
        const html = await writeReport(readResults([out]).records, a.report ?? out.replace(/\.jsonl$/, '-report'), audit);
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
      throw err ?? new UsageError(msg);
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
  const extractorRows = extractors.all().map((e) => ({ name: e.name, description: e.description, options: describeOptions(e.options as never) }));
  if (json) {
    process.stdout.write(JSON.stringify({ tasks: taskRows, extractors: extractorRows }, null, 2) + '\n');
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
  for (const e of extractorRows) lines.push(`  ${e.name}  ${e.description}`, opts(e.options));
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
      process.exitCode = 2;
    } else {
      process.stderr.write(`fxbench: ${(e as Error).message}\n`);
      if (verbose) process.stderr.write(`${(e as Error).stack}\n`);
      else process.stderr.write('(run again with --verbose for the stack trace)\n');
      process.exitCode = 1;
    }
  }
}
