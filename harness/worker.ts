/**
 * A worker thread: its own tfjs instance (WASM runs one thread per instance in Node), so
 * N workers use N cores. It receives cells, runs them, and posts back progress and records.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendName } from './backend.js';
import { loadPlugins } from './loadPlugins.js';
import { runCell } from './runner.js';
import type { Cell } from './suite.js';
import type { ToWorker, FromWorker } from './pool.js';

const data = workerData as { plugins: string[]; backend: BackendName };
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

await loadPlugins(data.plugins);
await initBackend(data.backend);
post({ type: 'ready' });

port.on('message', async (msg: ToWorker) => {
  if (msg.type !== 'cell') return;
  const cell: Cell = msg.cell;
  const record = await runCell(cell, {
    onStep: (step, steps, loss) => post({ type: 'step', cellId: cell.id, step, steps, loss }),
    warn: (message) => post({ type: 'warn', message }),
  });
  post({ type: 'result', record });
});
