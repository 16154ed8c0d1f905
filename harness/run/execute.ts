/**
 * Runs a suite's cells — in this thread, or on worker threads (one tfjs instance each) —
 * appending each finished record to the results file (fsynced), so an interrupted run
 * keeps everything it finished.
 *
 * Stopping (`opts.stop`, set by the CLI's SIGINT handler): no new cell starts, running
 * cells stop after their current training step and leave no record (a resumed run starts
 * them again), every finished record is already on disk. The caller reads
 * `opts.stop.requested` to tell an interrupted run from a complete one.
 */
import { initBackend } from '../../kernels/backend.js';
import { setFlushSubnormals, setKernelThreads } from '../../kernels/runtime/runtime.js';
import { defaultWorkers } from './parallelism.js';
import { runOnWorkers, StopSignal } from './pool.js';
import type { Progress } from './progress.js';
import { appendResult, type ResultRecord } from '../store/results.js';
import { CellInterrupted, runCell } from '../cell/runCell.js';
import type { Cell } from '../suite/suite.js';

export { StopSignal } from './pool.js';

export interface ExecuteOptions {
  out: string;
  progress: Progress;
  /** Worker threads; 1 runs in this thread. Default: the number of cores. */
  workers?: number;
  /** Kernel threads per cell (../../kernels/runtime/threads.ts); default 1. Results do not depend on it. */
  threads?: number;
  /** Whether the kernels flush subnormal results to zero (default true; ../../kernels/runtime/runtime.ts setFlushSubnormals). */
  flushSubnormals?: boolean;
  /** Plugins the workers must load (resolved paths or package names). */
  plugins?: string[];
  /** Request to stop after the current training step (shared with the workers). */
  stop?: StopSignal;
}

/** Runs the cells and returns the records written, in completion order. */
export async function executeCells(cells: Cell[], opts: ExecuteOptions): Promise<ResultRecord[]> {
  const records: ResultRecord[] = [];
  if (cells.length === 0) return records;
  const { progress } = opts;
  const stop = opts.stop ?? new StopSignal();
  const workers = Math.min(opts.workers ?? defaultWorkers(opts.threads), cells.length);
  progress.start(
    cells.length,
    cells.reduce((n, c) => n + c.train.steps, 0),
  );
  const warned = new Set<string>();
  const warn = (m: string) => {
    if (!warned.has(m)) progress.log(`warning: ${m}`);
    warned.add(m);
  };
  const finish = (record: ResultRecord) => {
    appendResult(opts.out, record);
    records.push(record);
    progress.cellEnd(record.cellId, summarize(record));
  };
  const interrupted = (id: string, step: number) => progress.log(`${id}: stopped after training step ${step}; not recorded, a resumed run starts it again`);
  try {
    if (workers <= 1) {
      await initBackend(cells[0].train.backend);
      setKernelThreads(opts.threads ?? 1);
      setFlushSubnormals(opts.flushSubnormals ?? true);
      for (const cell of cells) {
        if (stop.requested) break;
        progress.cellStart(cell.id);
        try {
          finish(await runCell(cell, { onStep: (step, steps, loss) => progress.step(cell.id, step, steps, loss), warn, shouldStop: () => stop.requested }));
        } catch (e) {
          if (!(e instanceof CellInterrupted)) throw e;
          interrupted(cell.id, e.step);
          break;
        }
      }
    } else {
      await runOnWorkers(
        cells,
        workers,
        { plugins: opts.plugins ?? [], backend: cells[0].train.backend, threads: opts.threads ?? 1, flushSubnormals: opts.flushSubnormals ?? true, stop },
        {
          cellStart: (cell) => progress.cellStart(cell.id),
          step: (cell, step, steps, loss) => progress.step(cell.id, step, steps, loss),
          warn,
          result: finish,
          interrupted: (cell, step) => interrupted(cell.id, step),
        },
      );
    }
  } finally {
    progress.stop();
  }
  return records;
}

export function summarize(r: ResultRecord): string {
  const secs = `${(r.wallMs / 1000).toFixed(1)}s`;
  if (r.status === 'errored') return `errored: ${r.message} (${secs})`;
  if (r.status === 'diverged') return `diverged: ${r.message} (${secs})`;
  const m = r.metrics;
  const fmt = (x: number) => (m.metric === 'accuracy' ? x.toFixed(3) : x.toPrecision(3));
  return `${m.metric} ${fmt(m.value)} (chance ${fmt(m.chance)}), ${m.msPerStep.toFixed(1)} ms/step, ${secs}`;
}
