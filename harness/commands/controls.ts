/**
 * Stage 2 with its controls, shared by `run`, `quick` and `audit`: --shard selects cells,
 * --resume skips the finished ones, the memory estimate refuses what cannot fit, and
 * SIGINT/SIGTERM stop after the current step and print the command that resumes.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { executeCells, StopSignal } from '../execute.js';
import { memoryRefusal } from '../memory.js';
import { createProgress, type Progress } from '../progress.js';
import type { ResultRecord } from '../results.js';
import { parseShard, selectShard } from '../shard.js';
import { planResume } from '../store.js';
import type { Cell } from '../suite.js';
import { shellQuote, typedValue } from './flags.js';
import type { RunArgs } from './runFlags.js';

/** The flags that control a run rather than define its cells. */
export type RunControlArgs = Pick<RunArgs, 'out' | 'resume' | 'shard' | 'workers' | 'quiet' | 'plugin'>;

/** results/<name>-<time>.jsonl */
export function defaultOut(name: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z');
  return path.join('results', `${name}-${stamp}.jsonl`);
}

export async function runCells(
  all: Cell[],
  a: RunControlArgs,
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
export function resumeCommand(argv: string[], out: string): string {
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
