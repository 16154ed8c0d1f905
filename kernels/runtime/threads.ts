/**
 * Intra-cell threads (`--threads N`): N - 1 worker threads that share the kernels' memory
 * (one shared `WebAssembly.Memory`, one compiled module, an instance per thread) and each
 * run a part of one kernel call while the calling thread runs the first part.
 *
 * Bit-identical by construction, whatever N is: callers split a call only over independent
 * outputs (rows of a product's C, never its sum over k), at boundaries that do not change
 * how any output is computed (./runtime.ts `splitBounds`). Every output float is computed by
 * the same instructions in the same order on some thread, so results equal one thread's.
 *
 * The handshake is shared memory, not messages: the calling thread's event loop is busy in
 * the training step. Per worker, an Int32 slot pair [job sequence, done sequence] and a
 * Float64 argument area holding the calls (kernel index, argument count, arguments). Both
 * sides spin briefly before sleeping (`Atomics.wait`), because a step issues its products
 * tens of microseconds apart and a futex wake-up costs about as much.
 */
import { Worker } from 'node:worker_threads';

/** One kernel call: the kernel's export name and its arguments (byte addresses, sizes, flags). */
export type Call = readonly [name: string, args: readonly number[]];

/**
 * Float64 slots per worker for a part's calls, each [kernel index, argument count,
 * arguments], the list ended by -1: 2 MB, ~16,000 calls of 14 arguments (a recurrent
 * layer's time loop over one thread's rows makes 2 calls per step; a Transformer layer's
 * attention over one thread's share of the (sequence, head) pairs ~1000). A larger part
 * runs on the calling thread instead (`fits`).
 */
export const SLOTS = 1 << 18;
/** Int32 control slots per worker (the rest of the 16 pad the block to a cache line). */
export const CONTROL = 16;
/** Each worker's control slots, from the start of its block: both sides of the handshake index them by these names. */
export const SLOT = {
  /** job sequence: the caller bumps it to hand over a part (or sets QUIT) */
  job: 0,
  /** done sequence: the worker copies the job's when its part has run */
  done: 1,
  /** set by the worker when a call trapped, cleared by the caller that reports it */
  failed: 2,
  /** set by the worker once it has instantiated the module (START_MS) */
  started: 3,
} as const;
/** Job sequence value that tells a worker to exit. */
export const QUIT = -1;

/** What a kernel thread gets at start (./thread.ts). */
export interface ThreadData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The kernels' export names; a call's kernel index points into it. */
  names: string[];
  /** Int32 control block over a SharedArrayBuffer, CONTROL slots per worker. */
  control: SharedArrayBuffer;
  /** Float64 argument area over a SharedArrayBuffer, SLOTS per worker. */
  args: SharedArrayBuffer;
  index: number;
}

/**
 * How long a worker may take to start before a call waiting for it fails. The calling
 * thread sleeps in `Atomics.wait`, so a worker that never starts (its script missing from a
 * build, say) cannot report through its 'error' event; the started flag and this deadline
 * turn that hang into an error. Starting measured ~30-80 ms here.
 */
export const START_MS = 20_000;

/** Spin iterations before sleeping: ~50 us on this machine kind, about one futex round trip. */
const SPIN = 20_000;

/** Slots a part takes: its calls and the end mark. */
function slotsOf(calls: readonly Call[]): number {
  let n = 1;
  for (const [, a] of calls) n += 2 + a.length;
  return n;
}

export class KernelThreads {
  private readonly workers: Worker[] = [];
  private readonly control: Int32Array;
  private readonly args: Float64Array;
  private readonly index: Map<string, number>;
  private seq = 0;

  private readonly born = performance.now();
  private readonly startMs: number;

  /** `count` threads in all, this one included (so count - 1 workers); `script` and `startMs` are for tests. */
  constructor(
    readonly count: number,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    names: string[],
    opts: { script?: URL; startMs?: number } = {},
  ) {
    this.startMs = opts.startMs ?? START_MS;
    if (!Number.isInteger(count) || count < 1) throw new Error(`kernel threads: ${count} is not a positive integer`);
    this.index = new Map(names.map((n, i) => [n, i]));
    const control = new SharedArrayBuffer(4 * CONTROL * Math.max(1, count - 1));
    const args = new SharedArrayBuffer(8 * SLOTS * Math.max(1, count - 1));
    this.control = new Int32Array(control);
    this.args = new Float64Array(args);
    const url = opts.script ?? new URL('./thread.js', import.meta.url);
    for (let i = 0; i < count - 1; i++) {
      const data: ThreadData = { module, memory, names, control, args, index: i };
      const w = new Worker(url, { workerData: data });
      // A worker sleeping in Atomics.wait must not keep the process alive.
      w.unref();
      w.on('error', (e) => {
        this.failure = e;
      });
      this.workers.push(w);
    }
  }

  private failure: Error | undefined;

  /**
   * Runs parts[0] here and parts[i] on worker i - 1, and returns when all are done. Each
   * part is a list of calls run in order; parts must write disjoint memory. `run(fns)`
   * executes a part on this thread.
   */
  run(parts: readonly (readonly Call[])[], here: (calls: readonly Call[]) => void): void {
    if (parts.length > this.count) throw new Error(`kernel threads: ${parts.length} parts for ${this.count} threads`);
    if (this.failure) throw new Error(`kernel thread failed: ${this.failure.message}`);
    const seq = (this.seq = (this.seq + 1) & 0x3fffffff);
    for (let w = 0; w + 1 < parts.length; w++) {
      this.encode(w, parts[w + 1]);
      Atomics.store(this.control, w * CONTROL + SLOT.job, seq);
      Atomics.notify(this.control, w * CONTROL + SLOT.job);
    }
    this.runs++;
    try {
      here(parts[0]);
    } finally {
      // Even when this thread's part failed: the workers' parts must end before the buffers are reused.
      for (let w = 0; w + 1 < parts.length; w++) this.await(w, seq);
    }
  }

  /** Calls split across threads so far (to check that a workload is split at all). */
  runs = 0;

  /** Stops the workers (they exit after their current job). */
  dispose(): void {
    for (let w = 0; w < this.workers.length; w++) {
      Atomics.store(this.control, w * CONTROL + SLOT.job, QUIT);
      Atomics.notify(this.control, w * CONTROL + SLOT.job);
    }
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }

  /** Whether every part fits a worker's argument area (`run` refuses a part that does not). */
  fits(parts: readonly (readonly Call[])[]): boolean {
    return parts.every((calls, i) => i === 0 || slotsOf(calls) <= SLOTS);
  }

  private encode(w: number, calls: readonly Call[]): void {
    if (slotsOf(calls) > SLOTS) throw new Error(`kernel threads: a part of ${calls.length} calls exceeds the ${SLOTS} argument slots of a worker`);
    let at = w * SLOTS;
    for (const [name, a] of calls) {
      const k = this.index.get(name);
      if (k === undefined) throw new Error(`kernel threads: no kernel ${name}`);
      this.args[at] = k;
      this.args[at + 1] = a.length;
      for (let i = 0; i < a.length; i++) this.args[at + 2 + i] = a[i];
      at += 2 + a.length;
    }
    this.args[at] = -1; // end of the part
  }

  private await(w: number, seq: number): void {
    const done = w * CONTROL + SLOT.done;
    for (let i = 0; i < SPIN && Atomics.load(this.control, done) !== seq; i++);
    for (;;) {
      const now = Atomics.load(this.control, done);
      if (now === seq) break;
      if (this.failure) throw new Error(`kernel thread failed: ${this.failure.message}`);
      if (Atomics.load(this.control, w * CONTROL + SLOT.started) === 0 && performance.now() - this.born > this.startMs) {
        throw new Error(
          `kernel thread ${w + 1} did not start within ${this.startMs / 1000} s (its script ./thread.js must sit beside threads.js in the build); run with --threads 1`,
        );
      }
      Atomics.wait(this.control, done, now, Math.min(1000, this.startMs));
    }
    const failed = w * CONTROL + SLOT.failed;
    if (Atomics.load(this.control, failed) !== 0) {
      Atomics.store(this.control, failed, 0);
      throw new Error(`kernel thread ${w + 1} failed in a kernel call (a WebAssembly trap, e.g. an out-of-bounds address)`);
    }
  }
}
