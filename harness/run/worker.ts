/**
 * A worker thread: its own tfjs instance (WASM runs one thread per instance in Node), so
 * N workers use N cores. It receives cells, runs them, and posts back progress and records.
 * The stop flag (shared memory) is checked after every training step.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../kernels/backend.js';
import { setFlushSubnormals, setKernelThreads } from '../../kernels/runtime/runtime.js';
import { loadPlugins } from '../plugins/load.js';
import { CellInterrupted, runCell } from '../cell/runCell.js';
import type { Cell } from '../suite/suite.js';
import type { FromWorker, ToWorker, WorkerData } from './pool.js';

const data = workerData as WorkerData;
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const stop = data.stop;

await loadPlugins(data.plugins);
await initBackend(data.backend);
setKernelThreads(data.threads);
setFlushSubnormals(data.flushSubnormals);
post({ type: 'ready' });

port.on('message', async (msg: ToWorker) => {
  if (msg.type !== 'cell') return;
  const cell: Cell = msg.cell;
  try {
    const record = await runCell(cell, {
      onStep: (step, steps, loss) => post({ type: 'step', cellId: cell.id, step, steps, loss }),
      warn: (message) => post({ type: 'warn', message }),
      shouldStop: stop ? () => Atomics.load(stop, 0) === 1 : undefined,
    });
    // An aborted WASM instance fails every later op: ask to be replaced by a fresh worker.
    const retire = record.status === 'errored' && /\bAborted\(|out of memory|memory access out of bounds/i.test(record.message);
    post({ type: 'result', record, retire });
  } catch (e) {
    if (e instanceof CellInterrupted) post({ type: 'interrupted', cellId: cell.id, step: e.step });
    else throw e;
  }
});
