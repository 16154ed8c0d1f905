/**
 * Stage 2 with its controls, shared by `run`, `quick` and `audit`: --shard selects cells,
 * --resume skips the finished ones, the memory estimate refuses what cannot fit, and
 * SIGINT/SIGTERM stop after the current step and print the command that resumes.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Options } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { executeCells, StopSignal } from '../../harness/run/execute.js';
import { parallelism } from '../../harness/run/parallelism.js';
import { memoryRefusal } from '../../harness/cost/memory.js';
import { createProgress, type Progress } from '../../harness/run/progress.js';
import { readResults, type ResultRecord } from '../../harness/store/results.js';
import { lockResults, type HeldLock } from '../../harness/store/lock.js';
import { resolveShard } from '../../harness/suite/shard.js';
import { applyTuning, cellKey, emptyPlan, runTuning, shardOfRun, summariesFromRecords, tuningFile, type TuningPlan } from '../../harness/suite/tune.js';
import type { TuningSummary } from '../../harness/suite/tuneRecord.js';
import { planResume } from '../../harness/store/files.js';
import type { Cell } from '../../harness/suite/suite.js';
import { shellQuote, typedValue } from './flags.js';
import type { RunArgs } from './runFlags.js';

/** The flags that control a run rather than define its cells. */
export type RunControlArgs = Pick<RunArgs, 'out' | 'resume' | 'shard' | 'shards' | 'lock-wait' | 'workers' | 'threads' | 'oversubscribe' | 'quiet' | 'plugin'>;

/** Flags for runs started by a scheduler (sharding, waiting for a predecessor's lock), shared by `run`, `quick` and `audit`. */
export const SCHEDULER_FLAGS = {
  shard: { type: 'string', requiresArg: true, describe: 'run shard I of N (0-based): the cells whose index mod N is I, e.g. --shard 0/4; auto: from the Slurm array task or Kubernetes completion index' },
  shards: { type: 'number', requiresArg: true, describe: 'the number of shards for --shard auto in a Kubernetes Indexed Job (its completions); under Slurm, a check of the array size' },
  'lock-wait': { type: 'number', requiresArg: true, describe: 'seconds to wait for another run writing to --out to finish or go stale, instead of stopping at once (a requeued job)' },
} as const satisfies Record<string, Options>;

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
  plan: TuningPlan = emptyPlan(),
): Promise<{ records: ResultRecord[]; out: string; stopped: boolean; progress: Progress }> {
  const { workers, threads } = parallelism(a, undefined, (flag) => typedValue(argv, flag));
  if (a.shards !== undefined && a.shard === undefined) throw new UsageError(`--shards ${a.shards} needs --shard auto (or give --shard I/N alone)`);
  const shard = a.shard !== undefined ? resolveShard(String(a.shard), a.shards) : undefined;
  const lockWait = a['lock-wait'];
  if (lockWait !== undefined && (Array.isArray(lockWait) || !Number.isFinite(lockWait) || lockWait < 0)) {
    throw new UsageError(`--lock-wait ${typedValue(argv, 'lock-wait') ?? lockWait}: expected seconds, a non-negative number, e.g. --lock-wait 180`);
  }
  if (a.resume && !a.out) throw new UsageError('--resume needs --out FILE: the results file of the run to continue');
  const out = a.out ?? defaultName;
  if (!a.resume && existsSync(out) && statSync(out).size > 0) {
    throw new UsageError(`--out ${out} already holds results: add --resume to continue that run, or choose another --out`);
  }
  const selected = shard ? shardOfRun(all, shard, plan) : all;
  const selectedCount = selected.length;
  const refusals = selected.map((c) => ({ cell: c, refusal: memoryRefusal(c) })).filter((x) => x.refusal);
  if (selected.length && refusals.length === selected.length) {
    throw new UsageError(`every cell of this run would be refused, e.g. ${refusals[0].cell.id}: ${refusals[0].refusal!.message}`);
  }
  const progress = createProgress(process.stderr, a.quiet);
  const warn = (m: string) => progress.log(`warning: ${m}`);
  // One writer per results file: from here on, until the run ends.
  return withResultsLock(out, warn, (lockWait ?? 0) * 1000, async () => {
    let cells = selected;
    // Workers import plugins themselves: give them paths that do not depend on the cwd.
    const plugins = (a.plugin ?? []).map((p) => (p.startsWith('.') || p.startsWith('/') || /\.(m?js|ts)$/.test(p) ? path.resolve(p) : p));
    try {
      mkdirSync(path.dirname(out), { recursive: true });
      closeSync(openSync(out, 'a'));
    } catch (e) {
      throw new UsageError(`--out ${out} cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): choose another path`);
    }

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
    let records: ResultRecord[] = [];
    try {
      // 2. Tune: the groups of the selected cells whose choice no finished record already gives.
      const keys = [...new Set(cells.flatMap((c) => plan.groupOf.get(cellKey(c)) ?? []))];
      if (keys.length && a.resume) {
        // Refuse a file of another run before tuning for it (what tuning chooses is compared after).
        planResume(out, cells, warn, (c) => plan.groups.get(plan.groupOf.get(cellKey(c)) ?? '')?.grid.map(([k]) => k));
      }
      if (keys.length) {
        const known = a.resume ? summariesFromRecords(readResults([out]).records) : new Map<string, TuningSummary>();
        const file = tuningFile(out);
        const todo = keys.filter((k) => !known.has(k));
        const chosen = keys.length - todo.length;
        progress.log(todo.length ? `fxbench: tuning ${todo.length} (task, extractor, length) groups on validation${chosen ? ` (${chosen} more already chosen in ${out})` : ''}: trials in ${file}` : `fxbench: every tuning group's choice is in ${out}`);
        const tuned = await runTuning(plan, todo, { file, progress, workers, threads, plugins, stop, warn });
        if (!tuned.stopped) {
          const summaries = new Map([...known, ...tuned.summaries]);
          cells = cells.map((c) => {
            const key = plan.groupOf.get(cellKey(c));
            return key ? applyTuning(c, summaries.get(key)!) : c;
          });
        }
      }
      // 3. Run the main cells.
      if (!stop.requested) {
        let resumed = '';
        if (a.resume) {
          const todo = planResume(out, cells, warn);
          resumed = ` (resuming: ${todo.done} done in ${out}${todo.retried ? `, ${todo.retried} errored to retry` : ''}, ${todo.todo.length} to run)`;
          cells = todo.todo;
        }
        const what = shard ? `shard ${shard.index}/${shard.count}${shard.from ? ` (${shard.from})` : ''}: ${selected.length} of ${all.length} cells (${shape})` : `${all.length} cells (${shape})`;
        progress.log(`fxbench: ${what}${resumed} -> ${out}`);
        if (refusals.length) warn(`${refusals.length} of ${selectedCount} cells exceed the memory budget and are recorded as errored without running, e.g. ${refusals[0].cell.id}: ${refusals[0].refusal!.message}`);
        records = await executeCells(cells, { out, progress, workers, threads, plugins, stop });
      }
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
  });
}

/** Run `body` holding the lock on results file `out` (created with its folder if need be). */
async function withResultsLock<T>(out: string, warn: (m: string) => void, waitMs: number, body: () => Promise<T>): Promise<T> {
  let lock: HeldLock;
  try {
    mkdirSync(path.dirname(out), { recursive: true });
    lock = lockResults(out, warn, { waitMs });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--out ${out} cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): choose another path`);
  }
  try {
    return await body();
  } finally {
    lock.release();
  }
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
