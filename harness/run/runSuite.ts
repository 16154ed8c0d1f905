/**
 * The run pipeline, for the library and every command that trains (`run`, `quick`, `audit`):
 *
 *   1. shard   - keep this shard's cells (`shard`), by the suite's stable cell order
 *   2. refuse  - cells whose memory estimate exceeds the budget are recorded as errored
 *                without running; a run where every cell would be refused stops here; a task
 *                or extractor that breaks its contract on a dry batch stops the run
 *                (../cell/contract.ts)
 *   3. lock    - one writer per results file, until the run ends (../store/lock.ts)
 *   4. tune    - the tuning groups of the selected cells that no finished record has chosen
 *                (./tune.ts), on validation, with the same grid and budget for every extractor
 *   5. resume  - with `resume`, skip the cells already done in `out` (../store/files.ts)
 *   6. execute - the rest, on `workers` worker threads (./execute.ts), each record appended
 *                and fsynced as its cell finishes
 *
 * Stopping: set `stop` (the CLI wires SIGINT and SIGTERM to it) and the run ends after the
 * current training step with everything finished on disk; the outcome says `stopped`.
 * Bad options throw a `UsageError` before any work.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { initBackend } from '../../kernels/backend.js';
import { checkContracts } from '../cell/contract.js';
import { memoryRefusal } from '../cost/memory.js';
import { planResume } from '../store/files.js';
import { lockResults, type HeldLock } from '../store/lock.js';
import { readResults, type ResultRecord } from '../store/results.js';
import type { Shard } from '../suite/shard.js';
import { expandSuite, parseSuite, type Cell, type Suite, type SuiteInput, type SuiteOrigin } from '../suite/suite.js';
import type { TuningSummary } from '../suite/tuneRecord.js';
import { executeCells, StopSignal } from './execute.js';
import { createProgress, type Progress } from './progress.js';
import { applyTuning, cellKey, planTuning, runTuning, shardOfRun, summariesFromRecords, tuningFile, type TuningPlan } from './tune.js';

export { StopSignal } from './execute.js';

export interface RunOptions {
  /** The results file (JSONL): created with its folder, appended to as cells finish. */
  out: string;
  /** Continue the run whose results are in `out`; without it a non-empty `out` is refused. */
  resume?: boolean;
  /** Run only this shard of the cells (../suite/shard.ts). */
  shard?: Shard;
  /** Milliseconds to wait for another run's lock on `out` to be released or go stale (default 0: refuse at once). */
  lockWaitMs?: number;
  /** Worker threads, one cell each (default: the cores divided by `threads`). */
  workers?: number;
  /** Kernel threads per cell (default 1); results do not depend on it. */
  threads?: number;
  /**
   * Whether the kernels flush subnormal results to zero (default true): values of magnitude
   * below 2^-126 = 1.2e-38 become 0, as with PyTorch's `torch.set_flush_denormal(True)`.
   * Recorded in every record's environment.
   */
  flushSubnormals?: boolean;
  /** Plugin files (absolute paths) or packages the worker threads load before running cells. */
  plugins?: string[];
  /** Progress and messages (default: no progress bar or lines; messages and warnings on stderr). */
  progress?: Progress;
  /** Set it to stop after the current training step. */
  stop?: StopSignal;
}

export interface RunOutcome {
  /** The records written by this call, in completion order. */
  records: ResultRecord[];
  out: string;
  /** Whether `stop` ended the run early. */
  stopped: boolean;
  /** Cells this call set out to run after sharding and resuming (records.length of them when not stopped). */
  toRun: number;
}

/** Stage 2 for a suite: parse and expand it (1), plan its tuning, and run its cells. */
export async function runSuite(input: SuiteInput | Suite, options: RunOptions, origin: SuiteOrigin = {}): Promise<RunOutcome> {
  const suite = parseSuite(input, 'suite', origin);
  const cells = expandSuite(suite, origin);
  const shape = `${suite.tasks.length} tasks x ${suite.extractors.length} extractors x ${suite.lengths.length} lengths x ${suite.seeds.length} seeds`;
  return runCells(cells, planTuning(suite, cells, origin), options, shape);
}

/** Stage 2 for cells already expanded (an audit spans many suites): steps 1-6 above. `shape` describes them in the progress line. */
export async function runCells(all: Cell[], plan: TuningPlan, options: RunOptions, shape = `${all.length} cells`): Promise<RunOutcome> {
  const { out, shard } = options;
  if (!options.resume && existsSync(out) && statSync(out).size > 0) {
    throw new UsageError(`--out ${out} already holds results: add --resume to continue that run, or choose another --out`);
  }
  // 1. Shard, 2. refuse what cannot fit.
  const selected = shard ? shardOfRun(all, shard, plan) : all;
  const refusals = selected.map((c) => ({ cell: c, refusal: memoryRefusal(c) })).filter((x) => x.refusal);
  if (selected.length && refusals.length === selected.length) {
    throw new UsageError(`every cell of this run would be refused, e.g. ${refusals[0].cell.id}: ${refusals[0].refusal!.message}`);
  }
  // Plugin contracts (task shapes, extractor widths) on a dry batch, before anything is written.
  if (selected.length) {
    await initBackend(selected[0].train.backend);
    checkContracts(selected);
  }
  const progress = options.progress ?? createProgress(process.stderr, true);
  const stop = options.stop ?? new StopSignal();
  const warn = (m: string) => progress.log(`warning: ${m}`);
  const run = { workers: options.workers, threads: options.threads, flushSubnormals: options.flushSubnormals, plugins: options.plugins ?? [], stop, progress };
  // 3. One writer per results file: from here on, until the run ends.
  return withResultsLock(out, warn, options.lockWaitMs ?? 0, async () => {
    try {
      mkdirSync(path.dirname(out), { recursive: true });
      closeSync(openSync(out, 'a'));
    } catch (e) {
      throw new UsageError(`--out ${out} cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): choose another path`);
    }
    let cells = selected;
    // 4. Tune: the groups of the selected cells whose choice no finished record already gives.
    const keys = [...new Set(cells.flatMap((c) => plan.groupOf.get(cellKey(c)) ?? []))];
    if (keys.length && options.resume) {
      // Refuse a file of another run before tuning for it (what tuning chooses is compared after).
      planResume(out, cells, warn, (c) => plan.groups.get(plan.groupOf.get(cellKey(c)) ?? '')?.grid.map(([k]) => k));
    }
    if (keys.length) {
      const known = options.resume ? summariesFromRecords(readResults([out]).records) : new Map<string, TuningSummary>();
      const file = tuningFile(out);
      const todo = keys.filter((k) => !known.has(k));
      const chosen = keys.length - todo.length;
      progress.log(
        todo.length
          ? `fxbench: tuning ${todo.length} (task, extractor, length) groups on validation${chosen ? ` (${chosen} more already chosen in ${out})` : ''}: trials in ${file}`
          : `fxbench: every tuning group's choice is in ${out}`,
      );
      const tuned = await runTuning(plan, todo, { ...run, file, warn });
      if (tuned.stopped) return { records: [], out, stopped: true, toRun: cells.length };
      const summaries = new Map([...known, ...tuned.summaries]);
      cells = cells.map((c) => {
        const key = plan.groupOf.get(cellKey(c));
        return key ? applyTuning(c, summaries.get(key)!) : c;
      });
    }
    if (stop.requested) return { records: [], out, stopped: true, toRun: cells.length };
    // 5. Resume: skip what is done.
    let resumed = '';
    if (options.resume) {
      const todo = planResume(out, cells, warn);
      resumed = ` (resuming: ${todo.done} done in ${out}${todo.retried ? `, ${todo.retried} errored to retry` : ''}, ${todo.todo.length} to run)`;
      cells = todo.todo;
    }
    // 6. Execute.
    const what = shard
      ? `shard ${shard.index}/${shard.count}${shard.from ? ` (${shard.from})` : ''}: ${selected.length} of ${all.length} cells (${shape})`
      : `${all.length} cells (${shape})`;
    progress.log(`fxbench: ${what}${resumed} -> ${out}`);
    if (refusals.length)
      warn(
        `${refusals.length} of ${selected.length} cells exceed the memory budget and are recorded as errored without running, e.g. ${refusals[0].cell.id}: ${refusals[0].refusal!.message}`,
      );
    const records = await executeCells(cells, { ...run, out });
    return { records, out, stopped: stop.requested, toRun: cells.length };
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
