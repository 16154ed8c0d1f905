/**
 * Runs cells on worker threads, one tfjs instance per worker. Cells are handed out in
 * suite order as workers free up; results come back as each cell finishes. Metrics do not
 * depend on which worker ran a cell: every cell's randomness comes from its own seed.
 */
import { Worker } from 'node:worker_threads';
import type { BackendName } from './backend.js';
import type { ResultRecord } from './results.js';
import type { Cell } from './suite.js';

export type ToWorker = { type: 'cell'; cell: Cell };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'step'; cellId: string; step: number; steps: number; loss: number }
  | { type: 'warn'; message: string }
  | { type: 'result'; record: ResultRecord };

export interface PoolEvents {
  cellStart(cell: Cell): void;
  step(cell: Cell, step: number, steps: number, loss: number): void;
  warn(message: string): void;
  /** Called in completion order; the caller persists the record. */
  result(record: ResultRecord): void;
}

export async function runOnWorkers(cells: Cell[], workers: number, opts: { plugins: string[]; backend: BackendName }, events: PoolEvents): Promise<void> {
  const byId = new Map(cells.map((c) => [c.id, c]));
  const queue = [...cells];
  const count = Math.min(workers, cells.length);
  const url = new URL('./worker.js', import.meta.url);
  await new Promise<void>((resolve, reject) => {
    let finished = 0;
    let failed = false;
    const pool: Worker[] = [];
    const retired = new Set<Worker>(); // terminated by us once the queue ran dry (exit code 1 is expected)
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(e);
    };
    const next = (w: Worker) => {
      const cell = queue.shift();
      if (!cell) {
        retired.add(w);
        void w.terminate();
        return;
      }
      events.cellStart(cell);
      w.postMessage({ type: 'cell', cell } satisfies ToWorker);
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(url, { workerData: opts });
      pool.push(w);
      w.on('message', (m: FromWorker) => {
        if (m.type === 'ready') next(w);
        else if (m.type === 'step') events.step(byId.get(m.cellId)!, m.step, m.steps, m.loss);
        else if (m.type === 'warn') events.warn(m.message);
        else if (m.type === 'result') {
          events.result(m.record);
          if (++finished === cells.length) {
            for (const x of pool) {
              retired.add(x);
              void x.terminate();
            }
            resolve();
          } else next(w);
        }
      });
      w.on('error', fail);
      w.on('exit', (code) => {
        if (code !== 0 && !retired.has(w) && !failed && finished < cells.length) fail(new Error(`a worker thread exited with code ${code}`));
      });
    }
  });
}
