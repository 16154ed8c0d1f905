/**
 * The compiled kernels and the memory they work in.
 *
 * One WebAssembly instance per process (per worker), compiled synchronously on first use
 * from the emitters in this folder. Its memory is scratch space: a caller takes buffers
 * from an arena (`alloc`), copies tensors in, runs kernels, copies results out, and
 * releases the arena (`release(mark)`). Nothing lives in it between calls, so the kernels
 * work the same under any tfjs backend (wasm or cpu): tensors cross as Float32Arrays.
 */
import { cellFns } from './cells.js';
import { gemmFn } from './gemm.js';
import { layerNormFns } from './layerNorm.js';
import { softmaxFns } from './softmax.js';
import { assemble } from './wasm.js';

/** A row kernel of ./cells.ts: (B, H, then a byte address and a byte row stride per array). */
export type RowKernel = (B: number, H: number, ...ptrsAndStrides: number[]) => void;

type CellName = 'rnnForward' | 'rnnBackward' | 'lstmForward' | 'lstmBackward' | 'gruForward' | 'gruBackward';

type Exports = Record<CellName, RowKernel> & {
  /** In place over `rows` rows of `cols` floats, row stride `ld` floats (./softmax.ts). */
  softmax(rows: number, cols: number, p: number, ld: number, scale: number): void;
  softmaxBackward(rows: number, cols: number, p: number, ldp: number, g: number, ldg: number, scale: number): void;
  /** Rows of [n, cols], contiguous (./layerNorm.ts); stats [n, 2] = (mean, std) per row. */
  layerNorm(n: number, cols: number, x: number, y: number, w: number, b: number, stats: number, eps: number): void;
  layerNormBackward(n: number, cols: number, x: number, dy: number, w: number, stats: number, dx: number, dw: number, db: number): void;
  gemm(M: number, N: number, K: number, a: number, rsa: number, csa: number, b: number, ldb: number, c: number, ldc: number, acc: number): void;
};

const PAGE = 65536;

export class Kernels {
  readonly memory = new WebAssembly.Memory({ initial: 256 }); // 16 MB to start; grows on demand
  readonly fns: Exports;
  /** Float view of the whole memory; replaced when the memory grows (so re-read it after `alloc`). */
  heap = new Float32Array(this.memory.buffer);
  private top = 64; // bytes; 0..63 unused so that no buffer sits at address 0

  constructor() {
    const bytes = assemble([gemmFn(), ...cellFns, ...softmaxFns, ...layerNormFns]);
    const module = new WebAssembly.Module(bytes);
    this.fns = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Exports;
  }

  /** A buffer of n floats, 16-byte aligned; returns its byte address. */
  alloc(n: number): number {
    const at = this.top;
    this.top = (at + 4 * n + 15) & ~15;
    if (this.top > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((this.top - this.memory.buffer.byteLength) / PAGE));
      this.heap = new Float32Array(this.memory.buffer);
    }
    return at;
  }

  /** A buffer of n zeros. */
  zeros(n: number): number {
    const at = this.alloc(n);
    this.heap.fill(0, at >> 2, (at >> 2) + n);
    return at;
  }

  /** Copies `data` into a new buffer; returns its byte address. */
  put(data: ArrayLike<number>): number {
    const at = this.alloc(data.length);
    this.heap.set(data, at >> 2);
    return at;
  }

  /** Copies data [rows, cols] (row-major) into a new buffer as its transpose [cols, rows]. */
  putTransposed(data: ArrayLike<number>, rows: number, cols: number): number {
    const at = this.alloc(rows * cols);
    const heap = this.heap;
    const o = at >> 2;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) heap[o + c * rows + r] = data[r * cols + c];
    return at;
  }

  /** Copies batch-major data [B, T, W] into a new buffer, time-major [T, B, W]. */
  putTimeMajor(data: Float32Array, B: number, T: number, W: number): number {
    const at = this.alloc(B * T * W);
    const heap = this.heap;
    const o = at >> 2;
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) heap.set(data.subarray((b * T + t) * W, (b * T + t + 1) * W), o + (t * B + b) * W);
    return at;
  }

  /** A batch-major copy [B, T, W] of the time-major [T, B, W] buffer at `at`. */
  readBatchMajor(at: number, B: number, T: number, W: number): Float32Array {
    const out = new Float32Array(B * T * W);
    const o = at >> 2;
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out.set(this.heap.subarray(o + (t * B + b) * W, o + (t * B + b + 1) * W), (b * T + t) * W);
    return out;
  }

  /** A copy of n floats at byte address `at`. */
  read(at: number, n: number): Float32Array {
    return this.heap.slice(at >> 2, (at >> 2) + n);
  }

  /** A view (not a copy) of n floats at byte address `at`; valid until the next `alloc`. */
  view(at: number, n: number): Float32Array {
    return this.heap.subarray(at >> 2, (at >> 2) + n);
  }

  /** The arena position, to `release` everything allocated after it. */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  /** C [M, N] (+)= A [M, K] B [K, N]; A strided (rsa, csa), B and C row-major. Addresses in bytes. */
  gemm(M: number, N: number, K: number, a: number, rsa: number, csa: number, b: number, ldb: number, c: number, ldc: number, accumulate = false): void {
    this.fns.gemm(M, N, K, a, rsa, csa, b, ldb, c, ldc, accumulate ? 1 : 0);
  }
}

let instance: Kernels | undefined;

/** The process's kernels, compiled on first use. */
export function kernels(): Kernels {
  return (instance ??= new Kernels());
}
