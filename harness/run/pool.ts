/**
 * Runs cells on worker threads, one tfjs instance per worker. Cells are handed out in
 * suite order as workers free up; results come back as each cell finishes. Metrics do not
 * depend on which worker ran a cell: every cell's randomness comes from its own seed.
 *
 * Failure isolation: a worker that dies while running a cell (a crash, a WASM abort) turns
 * that cell into an `errored` record and is replaced; the suite goes on. A worker that
 * dies before it is ready (e.g. a plugin that fails to load there) fails the run.
 *
 * Stopping: the stop flag is shared memory the workers read after every training step
 * (their event loops are busy training, so a message would wait for the cell to end).
 * Once it is set, no new cell starts; running cells stop after their current step and
 * are reported as interrupted, with no record.
 */
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../kernels/backend.js';
import { environment } from '../store/env.js';
import { recordHead, type ResultRecord } from '../store/results.js';
import { longestFirst } from './order.js';
import type { Cell } from '../suite/suite.js';

export type ToWorker = { type: 'cell'; cell: Cell };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'step'; cellId: string; step: number; steps: number; loss: number }
  | { type: 'warn'; message: string }
  /** `retire`: the worker's tfjs instance is unusable (WASM aborted): replace the worker. */
  | { type: 'result'; record: ResultRecord; retire?: boolean }
  | { type: 'interrupted'; cellId: string; step: number };

/** What a worker gets at start. */
export interface WorkerData {
  plugins: string[];
  backend: BackendName;
  /** Int32Array over a SharedArrayBuffer; element 0 becomes 1 when the run must stop. */
  stop?: Int32Array;
  /** Kernel threads per cell (`--threads`). */
  threads: number;
  /** Whether the kernels flush subnormals to zero (`--flush-subnormals`). */
  flushSubnormals: boolean;
}

/** A stop request shared with worker threads (set from a SIGINT handler). */
export class StopSignal {
  readonly flag = new Int32Array(new SharedArrayBuffer(4));
  request(): void {
    Atomics.store(this.flag, 0, 1);
  }
  get requested(): boolean {
    return Atomics.load(this.flag, 0) === 1;
  }
}

export interface PoolEvents {
  cellStart(cell: Cell): void;
  step(cell: Cell, step: number, steps: number, loss: number): void;
  warn(message: string): void;
  /** Called in completion order; the caller persists the record. */
  result(record: ResultRecord): void;
  /** A running cell stopped on request, without a record. */
  interrupted?(cell: Cell, step: number): void;
}

export async function runOnWorkers(
  cells: Cell[],
  workers: number,
  opts: { plugins: string[]; backend: BackendName; threads?: number; flushSubnormals?: boolean; stop?: StopSignal },
  events: PoolEvents,
): Promise<void> {
  const byId = new Map(cells.map((c) => [c.id, c]));
  const queue = longestFirst(cells); // see order.ts
  const count = Math.min(workers, cells.length);
  const url = new URL('./worker.js', import.meta.url);
  const stopping = () => opts.stop?.requested ?? false;
  if (count === 0) return;
  await new Promise<void>((resolve, reject) => {
    /** Live workers and the cell each is running (undefined: starting up or idle). */
    const live = new Map<Worker, Cell | undefined>();
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      const all = [...live.keys()];
      live.clear(); // their exit events are ours now: ignore them
      for (const w of all) void w.terminate();
      if (error) reject(error);
      else resolve();
    };
    const maybeDone = () => {
      if ([...live.values()].some((c) => c !== undefined)) return;
      if (queue.length === 0 || stopping()) settle();
    };
    const retire = (w: Worker) => {
      live.delete(w);
      void w.terminate();
    };
    const next = (w: Worker) => {
      const cell = stopping() ? undefined : queue.shift();
      if (!cell) {
        retire(w);
        maybeDone();
        return;
      }
      live.set(w, cell);
      events.cellStart(cell);
      w.postMessage({ type: 'cell', cell } satisfies ToWorker);
    };
    const spawn = () => {
      const data: WorkerData = {
        plugins: opts.plugins,
        backend: opts.backend,
        stop: opts.stop?.flag,
        threads: opts.threads ?? 1,
        flushSubnormals: opts.flushSubnormals ?? true,
      };
      const w = new Worker(url, { workerData: data });
      let ready = false;
      live.set(w, undefined);
      const lost = (why: string) => {
        if (settled || !live.has(w)) return;
        const cell = live.get(w);
        live.delete(w);
        if (!ready) return settle(new Error(`a worker thread failed to start: ${why}`));
        if (cell) events.result(erroredRecord(cell, `the worker thread running this cell died (${why}); the rest of the suite went on`));
        if (queue.length && !stopping()) spawn();
        maybeDone();
      };
      w.on('message', (m: FromWorker) => {
        if (settled) return;
        if (m.type === 'ready') {
          ready = true;
          next(w);
        } else if (m.type === 'step') events.step(byId.get(m.cellId)!, m.step, m.steps, m.loss);
        else if (m.type === 'warn') events.warn(m.message);
        else if (m.type === 'result') {
          live.set(w, undefined);
          events.result(m.record);
          if (m.retire) {
            retire(w);
            if (queue.length && !stopping()) spawn();
            maybeDone();
          } else next(w);
        } else if (m.type === 'interrupted') {
          live.set(w, undefined);
          events.interrupted?.(byId.get(m.cellId)!, m.step);
          next(w); // stopping: retires it
        }
      });
      w.on('error', (e) => lost(e.message));
      w.on('exit', (code) => lost(`exit code ${code}`));
    };
    for (let i = 0; i < count; i++) spawn();
  });
}

/** The record of a cell that produced none itself (its worker died). */
export function erroredRecord(cell: Cell, message: string): ResultRecord {
  return {
    // This thread may never have initialised tfjs: the backend is the one the cell asked for.
    ...recordHead(cell, { ...environment(), backend: tf.getBackend() ?? cell.train.backend }),
    wallMs: 0,
    status: 'errored',
    message,
  };
}
