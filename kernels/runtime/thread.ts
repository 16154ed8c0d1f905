/**
 * A kernel thread (./threads.ts): instantiates the kernels' module over the shared memory
 * and runs the parts of kernel calls it is handed, until told to quit. No tfjs here: it
 * only runs the WebAssembly kernels, on buffers the calling thread prepared.
 */
import { workerData } from 'node:worker_threads';
import { CONTROL, QUIT, SLOT, SLOTS, type ThreadData } from './threads.js';

const data = workerData as ThreadData;
const exports = new WebAssembly.Instance(data.module, { env: { memory: data.memory } }).exports as Record<string, (...a: number[]) => void>;
const table = data.names.map((n) => exports[n]);
const control = new Int32Array(data.control);
const args = new Float64Array(data.args);
const block = data.index * CONTROL;
const [job, done, failed] = [block + SLOT.job, block + SLOT.done, block + SLOT.failed];
const base = data.index * SLOTS;
Atomics.store(control, block + SLOT.started, 1); // the caller stops counting towards its deadline (./threads.ts START_MS)
/**
 * How long to spin for the next job before sleeping. Products in a step come from under a
 * microsecond to a few milliseconds apart (tfjs ops run between them), and waking from
 * Atomics.wait measured 50-230 us on this machine kind against ~5 us spinning, so the
 * thread spins through a step's gaps. Its core is reserved for it (workers x threads <= cores).
 */
const SPIN_MS = 5;

let last = 0;
for (;;) {
  let seq = Atomics.load(control, job);
  for (let i = 0, until = performance.now() + SPIN_MS; seq === last; i++) {
    if ((i & 1023) === 1023 && performance.now() > until) break;
    seq = Atomics.load(control, job);
  }
  while (seq === last) {
    Atomics.wait(control, job, last);
    seq = Atomics.load(control, job);
  }
  if (seq === QUIT) break;
  last = seq;
  try {
    for (let at = base; ; ) {
      const k = args[at];
      if (k < 0) break;
      const n = args[at + 1];
      const a: number[] = new Array(n);
      for (let i = 0; i < n; i++) a[i] = args[at + 2 + i];
      table[k](...a);
      at += 2 + n;
    }
  } catch {
    Atomics.store(control, failed, 1);
  }
  Atomics.store(control, done, seq);
  Atomics.notify(control, done);
}
