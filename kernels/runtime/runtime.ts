/**
 * The compiled kernels and the memory they work in.
 *
 * One WebAssembly instance per process (per worker), compiled synchronously on first use
 * from the emitters of ../emit/ (the table: ./table.ts). Its memory is scratch space: a caller takes buffers
 * from an arena (`alloc`), copies tensors in, runs kernels, copies results out, and
 * releases the arena (`release(mark)`). Nothing lives in it between calls, so the kernels
 * work the same under any tfjs backend (wasm or cpu): tensors cross by copy (`putTensor`,
 * `tensor`: on tfjs-wasm straight from and into its heap, elsewhere through Float32Arrays).
 * The memory grows to the largest call's need and stays (~270 MB for the transformer at
 * B = 32, T = 256; tens of MB for the recurrent cells).
 */
import * as tf from '@tensorflow/tfjs';
import { KC, MC, MR } from '../emit/gemmPacked.js';
import type { RowKernel } from '../wasm/rows.js';
import { KernelThreads, type Call } from './threads.js';
import { assemble } from '../wasm/assembler.js';
import { FLUSH_THRESHOLD_AT, SMALLEST_NORMAL } from '../wasm/lanes.js';
import { KERNELS, type Elementwise, type Exports } from './table.js';

export type { RowKernel };

const PAGE = 65536;
/** At most this many bytes of idle `save` buffers are kept (a step's activations at the sizes fxbench runs). */
const POOL_BYTES = 512 * 2 ** 20;

/** Wasm32's most pages (4 GiB): a shared memory must declare a maximum. */
const MAX_PAGES = 65536;
/**
 * Multiply-adds below which a product stays on one thread: handing a part to another thread
 * costs a few microseconds each way, about what ~2^18 multiply-adds take.
 */
const PARALLEL_MACS = 1 << 18;
/** A row kernel's work per float in multiply-adds, for the same threshold (an exp, a division: ~30 operations). */
const ROW_WORK = 32;

export class Kernels {
  readonly memory: WebAssembly.Memory;
  /** The kernels, called at once; or, inside `parallelFor`'s bodies, recorded for a thread. */
  get fns(): Exports {
    return this.recording ? this.recorder : this.direct;
  }
  private readonly direct: Exports;
  /** Same names as `direct`; each call appends to `recording`. */
  private readonly recorder: Exports;
  /** The calls of the part being recorded (`parallelFor`), or undefined. */
  private recording: Call[] | undefined;
  /** Highest arena top while recording a part (the next part's scratch starts above it). */
  private recordTop = 0;
  /** Threads that share this memory and run parts of large calls (`threads` > 1); see ./threads.ts. */
  private readonly threads: KernelThreads | undefined;
  /** The flat elementwise kernels (one row of n units each). */
  readonly ew: Elementwise = {
    relu: (n, x) => this.fns.relu(1, n, x, 0),
    reluBackward: (n, y, dy) => this.fns.reluBackward(1, n, y, 0, dy, 0),
    addRelu: (n, a, b, out) => this.fns.addRelu(1, n, a, 0, b, 0, out, 0),
    addInto: (n, a, b) => this.fns.addInto(1, n, a, 0, b, 0),
  };
  /** Float view of the whole memory; replaced when the memory grows (so re-read it after `alloc`). */
  heap: Float32Array;
  private top = 64; // bytes; 0..63 unused so that no buffer sits at address 0
  /** End of the highest live pinned region: the arena is never released below it. */
  private floor = 64;
  private readonly pinned = new Set<Pinned>();
  /** Host buffers for `save`, by length, and their total bytes. */
  private readonly pool = new Map<number, Float32Array[]>();
  private readonly inPool = new WeakSet<Float32Array>();
  private pooled = 0;
  /** Highest arena top and most host bytes held by `save` since `resetPeak` (memory measurement). */
  private peakTop = 64;
  private savedOut = 0;
  private peakSaved = 0;

  /** `threads`: how many threads run the large calls (1: this one only, over an unshared memory). */
  constructor(
    readonly threadCount = 1,
    flushSubnormals = true,
  ) {
    for (const [name, k] of Object.entries(KERNELS)) if (k.fn.name !== name) throw new Error(`kernels: ${name} is emitted as ${k.fn.name}`);
    const shared = threadCount > 1;
    // 16 MB to start; grows on demand.
    this.memory = shared ? new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true }) : new WebAssembly.Memory({ initial: 256 });
    this.heap = new Float32Array(this.memory.buffer);
    const module = new WebAssembly.Module(
      assemble(
        Object.values(KERNELS).map((k) => k.fn),
        { shared },
      ),
    );
    this.direct = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Exports;
    this.recorder = Object.fromEntries(
      Object.keys(KERNELS).map((name) => [name, (...args: number[]) => this.recording!.push([name, args])]),
    ) as unknown as Exports;
    this.threads = shared ? new KernelThreads(threadCount, module, this.memory, Object.keys(KERNELS)) : undefined;
    this.setFlush(flushSubnormals);
  }

  /**
   * Whether the kernels that flush (../emit/: the recurrences' carried state and gradients,
   * the activations) write values below 2^-126 as 0 (on), or keep subnormals (off). One word
   * of kernel memory every call reads (../wasm/lanes.ts FLUSH_THRESHOLD_AT), shared by the
   * kernel threads.
   */
  setFlush(on: boolean): void {
    this.heap[FLUSH_THRESHOLD_AT >> 2] = on ? SMALLEST_NORMAL : 0;
  }

  /** Whether subnormals are flushed (`setFlush`). */
  get flushes(): boolean {
    return this.heap[FLUSH_THRESHOLD_AT >> 2] !== 0;
  }

  /** Kernel calls split across threads so far (0 on one thread). */
  splitCalls(): number {
    return this.threads?.runs ?? 0;
  }

  /** Stops the kernel threads (the instance must not be used afterwards). */
  dispose(): void {
    this.threads?.dispose();
  }

  /**
   * Runs the calls `part(start, end)` makes for row ranges of M rows, one range per thread
   * (./threads.ts): ranges start at multiples of `unit` rows and the last one takes the
   * M % unit rows left, so a row is computed by the same kernel path whatever the split
   * (bit-identical for every thread count). One thread, or too little work: one range.
   */
  private byRows(M: number, unit: number, macs: number, part: (start: number, end: number) => Call[]): void {
    const T = this.threads;
    const units = Math.floor(M / unit);
    const n = T && !this.recording ? Math.min(T.count, units, Math.floor(macs / PARALLEL_MACS)) : 1;
    if (!T || n < 2) {
      this.exec(part(0, M));
      return;
    }
    const bounds = splitBounds(M, unit, n);
    T.run(
      Array.from({ length: n }, (_, i) => part(bounds[i], bounds[i + 1])),
      (calls) => this.execHere(calls),
    );
  }

  /**
   * Runs body(0) ... body(n - 1) with the iterations split into contiguous ranges, one per
   * thread: each range's kernel calls are recorded on this thread (with scratch memory of
   * its own: a range allocates above the previous range's highest top), then the ranges run
   * at once. Iterations must write disjoint memory, and a body may only allocate (`alloc`,
   * `mark`, `release`, `transposed`) and call kernels (`fns`, `gemm`): its calls run later,
   * so reading or writing kernel memory from JS inside it is refused. One thread: a plain loop.
   */
  parallelFor(n: number, body: (i: number) => void): void {
    const T = this.threads;
    const parts = T && !this.recording ? Math.min(T.count, n) : 1;
    if (parts < 2) {
      for (let i = 0; i < n; i++) body(i);
      return;
    }
    const base = this.mark();
    const lists: Call[][] = [];
    const bounds = splitBounds(n, 1, parts);
    try {
      let top = base;
      for (let t = 0; t < parts; t++) {
        this.top = top;
        this.recordTop = top;
        this.recording = [];
        for (let i = bounds[t]; i < bounds[t + 1]; i++) body(i);
        lists.push(this.recording);
        top = (Math.max(this.recordTop, this.top) + 63) & ~63; // a cache line apart
      }
    } finally {
      this.recording = undefined;
    }
    if (T!.fits(lists)) T!.run(lists, (calls) => this.execHere(calls));
    else for (const calls of lists) this.execHere(calls); // too many calls for a worker's area: the same calls, here
    this.release(base);
  }

  /**
   * `parallelFor` over row ranges of M rows: body(r0, r1) for ranges that start at multiples
   * of `unit` (the last takes the M % unit rows left), one per thread, e.g. a recurrent
   * layer's batch split for its whole time loop (rows never mix in a recurrence). A row's
   * kernels then take the same path (a product's full 4-row tiles or its edge) whatever the
   * split, so results are the same on any number of threads.
   */
  parallelRows(M: number, unit: number, body: (r0: number, r1: number) => void): void {
    const units = Math.floor(M / unit);
    const n = this.threads && !this.recording ? Math.min(this.threads.count, units) : 1;
    if (n < 2) {
      body(0, M);
      return;
    }
    const bounds = splitBounds(M, unit, n);
    this.parallelFor(n, (i) => body(bounds[i], bounds[i + 1]));
  }

  /**
   * A row kernel (./rows.ts: `name(rows, n, p0, s0, p1, s1, ...)`, byte strides) split across
   * threads by rows; a flat buffer (rows 1, every stride 0) is split into runs of its n floats
   * at multiples of 4, the last run taking the n % 4 tail, so every float takes the same
   * (4-lane or scalar) path as on one thread.
   */
  rows(name: keyof Exports, rows: number, n: number, ...ps: number[]): void {
    if (rows === 1 && ps.every((p, i) => i % 2 === 0 || p === 0)) {
      this.byRows(n, 4, n * ROW_WORK, (i0, i1) => [[name, [1, i1 - i0, ...ps.map((p, i) => (i % 2 ? 0 : p + 4 * i0))]]]);
    } else {
      this.byRows(rows, 1, rows * n * ROW_WORK, (r0, r1) => [[name, [r1 - r0, n, ...ps.map((p, i) => (i % 2 ? p : p + r0 * ps[i + 1]))]]]);
    }
  }

  /** Runs the calls here, or records them inside a `parallelFor` body. */
  private exec(calls: readonly Call[]): void {
    if (this.recording) this.recording.push(...calls);
    else this.execHere(calls);
  }

  private execHere(calls: readonly Call[]): void {
    const fns = this.direct as unknown as Record<string, (...a: number[]) => void>;
    for (const [name, args] of calls) fns[name](...args);
  }

  /** A buffer of n floats, 16-byte aligned; returns its byte address. */
  alloc(n: number): number {
    const at = this.top;
    this.top = (at + 4 * n + 15) & ~15;
    if (this.top > this.peakTop) this.peakTop = this.top;
    if (this.recording && this.top > this.recordTop) this.recordTop = this.top;
    if (this.top > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((this.top - this.memory.buffer.byteLength) / PAGE));
      this.heap = new Float32Array(this.memory.buffer);
    }
    return at;
  }

  /** Refuses JS access to kernel memory while `parallelFor` records (the recorded calls have not run yet). */
  private refuseWhileRecording(what: string): void {
    if (this.recording) throw new Error(`kernels: ${what} inside a parallelFor body (its kernel calls run after the body returns)`);
  }

  /** A buffer of n zeros. */
  zeros(n: number): number {
    this.refuseWhileRecording('zeros');
    const at = this.alloc(n);
    this.heap.fill(0, at >> 2, (at >> 2) + n);
    return at;
  }

  /** A new buffer holding a copy of the n floats at byte address `from` (in kernel memory). */
  copy(from: number, n: number): number {
    this.refuseWhileRecording('copy');
    const at = this.alloc(n);
    this.heap.copyWithin(at >> 2, from >> 2, (from >> 2) + n);
    return at;
  }

  /** Copies `data` (host memory, not a view of this memory: alloc may move it) into a new buffer; returns its byte address. */
  put(data: ArrayLike<number>): number {
    this.refuseWhileRecording('put');
    const at = this.alloc(data.length);
    this.heap.set(data, at >> 2);
    return at;
  }

  /** Copies data [rows, cols] (row-major) into a new buffer as its transpose [cols, rows]. */
  putTransposed(data: ArrayLike<number>, rows: number, cols: number): number {
    const mark = this.mark();
    const src = this.put(data);
    const at = this.transposed(src, rows, cols);
    // Move the transpose down over the staging copy (its memory is free again).
    this.heap.copyWithin(mark >> 2, at >> 2, (at >> 2) + rows * cols);
    this.release(mark);
    return this.alloc(rows * cols);
  }

  /** A new buffer holding the transpose [cols, rows] of the matrix [rows, cols] at `src` (row stride `ld` floats, default cols). */
  transposed(src: number, rows: number, cols: number, ld = cols): number {
    const at = this.alloc(rows * cols);
    this.fns.copy2d(cols, rows, src, 1, ld, at, rows, 1); // dst[c][r] = src[r][c]
    return at;
  }

  /**
   * Copies [B, T, W] at `src` to `dst` as [T, B, W] (to = 'time') or back (to = 'batch'):
   * the layout change between tfjs's batch-major tensors and the time-major buffers of the
   * recurrent and convolutional ops, one strided row copy per sequence.
   */
  reorder(src: number, dst: number, B: number, T: number, W: number, to: 'time' | 'batch'): void {
    const row = 4 * W;
    for (let b = 0; b < B; b++) {
      if (to === 'time') this.fns.copyRows(T, W, src + b * T * row, row, dst + b * row, B * row);
      else this.fns.copyRows(T, W, src + b * row, B * row, dst + b * T * row, row);
    }
  }

  /** A new time-major [T, B, W] buffer holding the batch-major data [B, T, W] (staged through a second buffer). */
  putTimeMajor(data: Float32Array, B: number, T: number, W: number): number {
    const src = this.put(data);
    const at = this.alloc(B * T * W);
    this.reorder(src, at, B, T, W, 'time');
    return at;
  }

  /** A batch-major [B, T, W] tensor of the time-major [T, B, W] buffer at `at`. */
  batchMajorTensor(at: number, B: number, T: number, W: number): tf.Tensor3D {
    const mark = this.mark();
    const out = this.alloc(B * T * W);
    this.reorder(at, out, B, T, W, 'batch');
    const t = this.tensor(out, [B, T, W]) as tf.Tensor3D;
    this.release(mark);
    return t;
  }

  /**
   * A tensor of `shape` holding the floats at byte address `at`. On the WASM backend tfjs
   * copies the values into its own heap at once, so a view is passed (one copy, not two);
   * other backends keep the array they are given, so they get a copy.
   */
  tensor(at: number, shape: number[]): tf.Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(tf.getBackend() === 'wasm' ? this.view(at, n) : this.read(at, n), shape);
  }

  /** Copies a float32 tensor's values into a new buffer (from tfjs-wasm's heap directly when possible). */
  putTensor(t: tf.Tensor): number {
    return this.put(wasmHeapView(t) ?? (t.dataSync() as Float32Array));
  }

  /** A copy of n floats at byte address `at`. */
  read(at: number, n: number): Float32Array {
    this.refuseWhileRecording('read');
    return this.heap.slice(at >> 2, (at >> 2) + n);
  }

  /**
   * A copy of n floats at byte address `at` into a host buffer from a pool, for activations a
   * forward pass keeps for its backward pass; `putSaved` copies it back and returns it to the
   * pool. Why a pool: fresh buffers (`read`) cost page faults and garbage collection on every
   * step, ~25 ms per Transformer step at T = 64 (a quarter of it the copy itself). A buffer
   * whose backward never runs is simply collected.
   */
  save(at: number, n: number): Float32Array {
    this.refuseWhileRecording('save');
    this.savedOut += 4 * n;
    this.peakSaved = Math.max(this.peakSaved, this.savedOut);
    const free = this.pool.get(n);
    const buf = free?.pop();
    if (!buf) return this.read(at, n);
    this.pooled -= 4 * n;
    this.inPool.delete(buf);
    buf.set(this.heap.subarray(at >> 2, (at >> 2) + n));
    return buf;
  }

  /** `put` for a buffer from `save`, which goes back to the pool (do not use it afterwards). */
  putSaved(buf: Float32Array): number {
    if (this.inPool.has(buf)) throw new Error('kernels: a saved buffer was put back twice (a backward pass ran twice for one forward pass)');
    this.savedOut -= 4 * buf.length;
    const at = this.put(buf);
    if (buf.length > 0 && this.pooled + 4 * buf.length <= POOL_BYTES) {
      const free = this.pool.get(buf.length) ?? [];
      free.push(buf);
      this.pool.set(buf.length, free);
      this.inPool.add(buf);
      this.pooled += 4 * buf.length;
    }
    return at;
  }

  /** A view (not a copy) of n floats at byte address `at`; valid until the next `alloc`. */
  view(at: number, n: number): Float32Array {
    this.refuseWhileRecording('view');
    return this.heap.subarray(at >> 2, (at >> 2) + n);
  }

  /** The arena position, to `release` everything allocated after it. */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    if (mark < this.floor) throw new Error('kernels: release below a pinned region (a pinned forward pass is still waiting for its backward pass)');
    this.top = mark;
  }

  /**
   * Keeps everything allocated since `mark` alive after the call returns: a forward pass's
   * activations (and its copies of the weights) for its backward pass, which reads them in
   * place and then `unpin`s them. No copy out to the host and back, no garbage. Later calls
   * allocate above the pinned region. A region whose backward pass never runs is freed when
   * its owner (`hostOp`) is garbage-collected.
   */
  pin(mark: number): Pinned {
    if (mark < this.floor) throw new Error('kernels: pin below a pinned region');
    const region: Pinned = { start: mark, end: this.top };
    this.pinned.add(region);
    this.floor = this.top;
    return region;
  }

  /** Frees a pinned region (see `pin`); the arena top drops with it when nothing was allocated above it. */
  unpin(region: Pinned): void {
    if (!this.pinned.delete(region)) throw new Error('kernels: a pinned region was freed twice (a backward pass ran twice for one forward pass)');
    let floor = 64;
    for (const r of this.pinned) floor = Math.max(floor, r.end);
    this.floor = floor;
    if (this.top === region.end) this.top = floor;
  }

  isPinned(region: Pinned): boolean {
    return this.pinned.has(region);
  }

  /** Starts a memory measurement: `peakBytes` reports the most used since. */
  resetPeak(): void {
    this.peakTop = this.top;
    this.peakSaved = this.savedOut;
  }

  /** Most bytes in use since `resetPeak`: the arena (pinned regions included) plus host buffers held by `save`. */
  peakBytes(): number {
    return this.peakTop - 64 + this.peakSaved;
  }

  /** Bytes in pinned regions (live activations waiting for their backward passes). */
  pinnedBytes(): number {
    let n = 0;
    for (const r of this.pinned) n += r.end - r.start;
    return n;
  }

  /**
   * C [M, N] (+)= A [M, K] B [K, N]; A strided (rsa, csa), B and C row-major with row strides
   * ldb, ldc (floats). Addresses in bytes. The full 4 x 8 tiles go to the packed kernel, the
   * M % 4 rows and N % 8 columns left over (and small products) to gemmSimple.
   * The epilogue, applied as C is written: `bias` (byte address of a row [N]) starts every
   * row of C (instead of zeros; not with `accumulate`), `relu` clamps the result at 0.
   */
  gemm(
    M: number,
    N: number,
    K: number,
    a: number,
    rsa: number,
    csa: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    accumulate = false,
    epilogue: Epilogue = {},
  ): void {
    if (!worthPacking(M, N, K, rsa, csa)) {
      const [acc, bias, relu] = [accumulate ? 1 : 0, accumulate ? 0 : (epilogue.bias ?? 0), epilogue.relu ? 1 : 0];
      this.byRows(M, MR, M * N * K, (i0, i1) => [['gemmSimple', [i1 - i0, N, K, a + 4 * i0 * rsa, rsa, csa, b, ldb, c + 4 * i0 * ldc, ldc, acc, bias, relu]]]);
      return;
    }
    const mark = this.mark();
    if (this.threads && !this.recording && N > M && N >= 16) this.gemmByColumns(M, N, K, a, rsa, csa, b, ldb, c, ldc, accumulate, epilogue);
    else this.gemmPackedB(M, this.packB(b, ldb, K, N), a, rsa, csa, c, ldc, accumulate, epilogue);
    this.release(mark);
  }

  /**
   * `gemm` split over column panels of B, each thread packing its own panels: for products
   * whose B is the larger operand (a weight gradient's [B T, N] operand, say), which a
   * split over rows would have one thread pack and every thread read across cores
   * (measured 0.5x at 32 x 512 x 128 with packing in the loop). Ranges start at multiples
   * of 8 columns and the last takes the N % 8 edge columns, so each column is computed by
   * the same kernel path as on one thread.
   */
  private gemmByColumns(
    M: number,
    N: number,
    K: number,
    a: number,
    rsa: number,
    csa: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    accumulate: boolean,
    epilogue: Epilogue,
  ): void {
    const T = this.threads!;
    const [acc, bias, relu] = [accumulate ? 1 : 0, accumulate ? 0 : (epilogue.bias ?? 0), epilogue.relu ? 1 : 0];
    const M4 = M - (M % MR);
    const N8 = N & ~7;
    const n = Math.min(T.count, N8 / 8, Math.floor((M * N * K) / PARALLEL_MACS));
    const bounds = splitBounds(N, 8, n);
    const bp = this.alloc(K * N8);
    const ap = this.alloc(MC * KC * n);
    const parts: Call[][] = [];
    for (let t = 0; t < n; t++) {
      const [j0, j1] = [bounds[t], bounds[t + 1]];
      const j8 = Math.min(j1, N8); // end of this range's full panels
      const calls: Call[] = [];
      const bt = bp + 4 * K * j0; // panels are [K][8] blocks, in column order
      calls.push(['packB', [K, j8 - j0, b + 4 * j0, ldb, bt]]);
      if (M4 > 0) calls.push(['gemmPacked', [M4, j8 - j0, K, a, rsa, csa, bt, c + 4 * j0, ldc, acc, ap + 4 * MC * KC * t, bias && bias + 4 * j0, relu]]);
      if (j1 > N8 && M4 > 0) calls.push(['gemmSimple', [M4, N - N8, K, a, rsa, csa, b + 4 * N8, ldb, c + 4 * N8, ldc, acc, bias && bias + 4 * N8, relu]]);
      if (M4 < M)
        calls.push([
          'gemmSimple',
          [M - M4, j1 - j0, K, a + 4 * M4 * rsa, rsa, csa, b + 4 * j0, ldb, c + 4 * M4 * ldc + 4 * j0, ldc, acc, bias && bias + 4 * j0, relu],
        ]);
      parts.push(calls);
    }
    if (n < 2) this.exec(parts[0]);
    else T.run(parts, (calls) => this.execHere(calls));
  }

  /** B [K, N] packed for gemmPackedB (arena memory: valid until the caller's release). */
  packB(b: number, ldb: number, K: number, N: number): PackedB {
    const N8 = N & ~7;
    const at = this.alloc(K * N8);
    this.fns.packB(K, N8, b, ldb, at);
    return { at, b, ldb, K, N, N8 };
  }

  /** C [M, N] (+)= A B for a B packed once (e.g. a recurrent weight used at every step). */
  gemmPackedB(M: number, B: PackedB, a: number, rsa: number, csa: number, c: number, ldc: number, accumulate = false, epilogue: Epilogue = {}): void {
    const { K, N, N8 } = B;
    const acc = accumulate ? 1 : 0;
    const bias = accumulate ? 0 : (epilogue.bias ?? 0);
    const relu = epilogue.relu ? 1 : 0;
    const M4 = M - (M % MR); // rows in full micro-tiles
    const mark = this.mark();
    const scratch = this.threads ? this.threads.count : 1;
    const ap = this.alloc(MC * KC * scratch); // one packed-A work area per thread
    let t = 0;
    this.byRows(M, MR, M * N * K, (i0, i1) => {
      const calls: Call[] = [];
      const m4 = Math.min(i1, M4) - i0; // this range's rows in full micro-tiles
      const [ai, ci] = [a + 4 * i0 * rsa, c + 4 * i0 * ldc];
      if (m4 > 0 && N8 > 0) calls.push(['gemmPacked', [m4, N8, K, ai, rsa, csa, B.at, ci, ldc, acc, ap + 4 * MC * KC * t++, bias, relu]]);
      if (N8 < N && m4 > 0) calls.push(['gemmSimple', [m4, N - N8, K, ai, rsa, csa, B.b + 4 * N8, B.ldb, ci + 4 * N8, ldc, acc, bias && bias + 4 * N8, relu]]);
      if (i1 > M4)
        calls.push([
          'gemmSimple',
          [i1 - Math.max(i0, M4), N, K, a + 4 * Math.max(i0, M4) * rsa, rsa, csa, B.b, B.ldb, c + 4 * Math.max(i0, M4) * ldc, ldc, acc, bias, relu],
        ]);
      return calls;
    });
    this.release(mark);
  }
}

/**
 * The n + 1 bounds of n ranges over M items (rows, columns, iterations) for n threads: every
 * range starts at a multiple of `unit` (a kernel's tile: 4 rows, 8 columns, 4 floats) and
 * the last ends at M, taking the M % unit items left. So an item falls in a full tile or in
 * the edge exactly as on one thread, which is what keeps every split bit-identical.
 */
function splitBounds(M: number, unit: number, n: number): number[] {
  const units = Math.floor(M / unit);
  return Array.from({ length: n + 1 }, (_, i) => (i === n ? M : unit * Math.floor((i * units) / n)));
}

/**
 * Packing costs a pass over A per product and a call sequence from JS: it pays for large
 * products (>= 1M multiply-adds) with N >= 64 (packing A is 1/N of the work) or with A read
 * transposed (unpacked, such an A touches a new cache line per k). Measured on the
 * extractors' shapes (bench/gemmShapes.ts): packed 21-23 GFLOP/s vs 17.5-22 unpacked there,
 * unpacked ahead on the attention heads' small products.
 */
function worthPacking(M: number, N: number, K: number, rsa: number, csa: number): boolean {
  if (M < 4 || N < 8 || M * N * K < 1 << 20) return false;
  return N >= 64 || (rsa === 1 && csa !== 1);
}

/** A region of kernel memory kept between calls (`Kernels.pin`), byte addresses [start, end). */
export interface Pinned {
  readonly start: number;
  readonly end: number;
}

/** What `Kernels.gemm` applies as it writes C: a bias row [N] (byte address) in place of zeros, then relu. */
export interface Epilogue {
  bias?: number;
  relu?: boolean;
}

/** A B operand packed by `Kernels.packB`; keeps the original for the N % 8 edge columns. */
export interface PackedB {
  at: number;
  b: number;
  ldb: number;
  K: number;
  N: number;
  N8: number;
}

/**
 * A view of a tensor's values in tfjs-wasm's heap (no copy), or undefined on other backends.
 * Valid only until tfjs allocates again (its heap may move): copy from it at once. Reads the
 * backend's bookkeeping (`dataIdMap`, `wasm.HEAPF32`), so it checks that they look as expected.
 */
export function wasmHeapView(t: tf.Tensor): Float32Array | undefined {
  if (tf.getBackend() !== 'wasm' || t.dtype !== 'float32') return undefined;
  const backend = tf.backend() as unknown as { dataIdMap?: { get(id: object): { memoryOffset?: number } | undefined }; wasm?: { HEAPF32?: Float32Array } };
  const offset = backend.dataIdMap?.get(t.dataId)?.memoryOffset;
  const heap = backend.wasm?.HEAPF32;
  if (typeof offset !== 'number' || !heap) return undefined;
  return heap.subarray(offset >> 2, (offset >> 2) + t.size);
}

let instance: Kernels | undefined;
let threadCount = 1;
let flushSubnormals = true;

/** The process's kernels, compiled on first use (with the threads `setKernelThreads` asked for). */
export function kernels(): Kernels {
  return (instance ??= new Kernels(threadCount, flushSubnormals));
}

/**
 * Whether this process's (or worker's) kernels flush subnormal results to zero from now on
 * (`--flush-subnormals`, on by default): values of magnitude below 2^-126 = 1.2e-38 become 0
 * where the kernels flush, as PyTorch's `torch.set_flush_denormal(True)` does on the CPU.
 * Recorded in every result's environment (`flushSubnormals`).
 */
export function setFlushSubnormals(on: boolean): void {
  flushSubnormals = on;
  instance?.setFlush(on);
}

/** The setting `setFlushSubnormals` last made (true by default). */
export function flushesSubnormals(): boolean {
  return flushSubnormals;
}

/**
 * How many threads run the kernels of this process (or worker) from now on: `--threads`.
 * Changing it replaces the instance, so call it between cells, never inside a step (a
 * pinned forward pass would lose its activations). Results do not depend on it.
 */
export function setKernelThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`kernel threads: ${n} is not a positive integer`);
  if (n === threadCount) return;
  threadCount = n;
  instance?.dispose();
  instance = undefined;
}

/** The thread count `kernels()` uses. */
export function kernelThreads(): number {
  return threadCount;
}
