/**
 * The compiled kernels and the memory they work in.
 *
 * One WebAssembly instance per process (per worker), compiled synchronously on first use
 * from the emitters in this folder. Its memory is scratch space: a caller takes buffers
 * from an arena (`alloc`), copies tensors in, runs kernels, copies results out, and
 * releases the arena (`release(mark)`). Nothing lives in it between calls, so the kernels
 * work the same under any tfjs backend (wasm or cpu): tensors cross as Float32Arrays.
 */
import { gemmFn } from './gemm.js';
import { assemble } from './wasm.js';

interface Exports {
  gemm(M: number, N: number, K: number, a: number, rsa: number, csa: number, b: number, ldb: number, c: number, ldc: number, acc: number): void;
}

const PAGE = 65536;

export class Kernels {
  readonly memory = new WebAssembly.Memory({ initial: 256 }); // 16 MB to start; grows on demand
  readonly fns: Exports;
  /** Float view of the whole memory; replaced when the memory grows (so re-read it after `alloc`). */
  heap = new Float32Array(this.memory.buffer);
  private top = 64; // bytes; 0..63 unused so that no buffer sits at address 0

  constructor() {
    const bytes = assemble([gemmFn()]);
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

  /** Copies `data` into a new buffer; returns its byte address. */
  put(data: ArrayLike<number>): number {
    const at = this.alloc(data.length);
    this.heap.set(data, at >> 2);
    return at;
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
