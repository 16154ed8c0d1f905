/**
 * Kernel threads (extractors/kernels/threads.ts): a product split across threads gives the
 * same floats, bit for bit, as on one thread, for both splits (rows; column panels with
 * packing per thread), the unpacked path, every epilogue, accumulation, A read transposed,
 * a pre-packed B, and uneven splits (3 threads); and attention's (sequence, head) pairs split
 * by `parallelFor`, keeping probabilities or streaming, with and without padded keys. The built module is used (npm test builds
 * dist/ first): the threads are worker threads that load dist/kernels/runtime/thread.js.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { Kernels } from '../../dist/kernels/runtime/runtime.js';
import { KernelThreads } from '../../dist/kernels/runtime/threads.js';
import { longConvRows, longConvRowsBackward } from '../../dist/kernels/ops/longConv.js';
import { attentionBackward, attentionDims, attentionForward } from '../../dist/extractors/transformer/attention.js';

const one = new Kernels(1);
const two = new Kernels(2);
const three = new Kernels(3);
afterAll(() => [one, two, three].forEach((k) => k.dispose()));

interface Case {
  M: number;
  N: number;
  K: number;
  transposedA?: boolean;
  bias?: boolean;
  relu?: boolean;
  accumulate?: boolean;
  prepacked?: boolean;
}

/** Runs the case on one instance; returns C. Same inputs on every instance (the same seed). */
function product(K_: Kernels, c: Case): Float32Array {
  const rng = new Rng(`threads/${JSON.stringify(c)}`);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
  const mark = K_.mark();
  const a = K_.put(rand(c.M * c.K));
  const b = K_.put(rand(c.K * c.N));
  const bias = K_.put(rand(c.N));
  const out = K_.put(rand(c.M * c.N)); // accumulated into when `accumulate`
  const [rsa, csa] = c.transposedA ? [1, c.M] : [c.K, 1];
  const epilogue = { bias: c.bias ? bias : undefined, relu: c.relu };
  if (c.prepacked) K_.gemmPackedB(c.M, K_.packB(b, c.N, c.K, c.N), a, rsa, csa, out, c.N, c.accumulate, epilogue);
  else K_.gemm(c.M, c.N, c.K, a, rsa, csa, b, c.N, out, c.N, c.accumulate, epilogue);
  const C = K_.read(out, c.M * c.N);
  K_.release(mark);
  return C;
}

const CASES: Case[] = [
  { M: 512, N: 192, K: 64, bias: true }, // rows (M >= N): a Transformer's QKV projection
  { M: 2051, N: 203, K: 65, bias: true, relu: true }, // rows, with M % 4 and N % 8 edges
  { M: 32, N: 512, K: 128 }, // column panels (N > M): a recurrent step's product
  { M: 37, N: 517, K: 70, bias: true, relu: true }, // columns, with both edges
  { M: 64, N: 256, K: 4096, transposedA: true }, // a weight gradient: A^T, long K (several KC blocks)
  { M: 130, N: 250, K: 300, accumulate: true, transposedA: true },
  { M: 256, N: 40, K: 256 }, // unpacked path (N < 64), split by rows
  { M: 64, N: 520, K: 96, prepacked: true, bias: true }, // pre-packed B (split by rows)
];

describe('kernel threads: products', () => {
  for (const c of CASES) {
    it(`${c.M}x${c.N}x${c.K}${c.transposedA ? ' A^T' : ''}${c.bias ? ' +bias' : ''}${c.relu ? ' relu' : ''}${c.accumulate ? ' accumulate' : ''}${c.prepacked ? ' pre-packed' : ''}: bit-identical on 2 and 3 threads, and split`, () => {
      const ref = product(one, c);
      for (const K_ of [two, three]) {
        const before = K_.splitCalls();
        const C = product(K_, c);
        expect(K_.splitCalls()).toBeGreaterThan(before); // it did run on several threads
        expect(Buffer.from(C.buffer).equals(Buffer.from(ref.buffer))).toBe(true);
      }
      // And it is the product (against float64, so that identical-but-wrong cannot pass).
      const rng = new Rng(`threads/${JSON.stringify(c)}`);
      const rand = (n: number) => Float64Array.from({ length: n }, () => Math.fround(rng.uniform() * 2 - 1));
      const [A, B, bias, C0] = [rand(c.M * c.K), rand(c.K * c.N), rand(c.N), rand(c.M * c.N)];
      let worst = 0;
      for (const i of [0, c.M >> 1, c.M - 1]) {
        for (const j of [0, c.N >> 1, c.N - 1]) {
          let s = c.accumulate ? C0[i * c.N + j] : c.bias ? bias[j] : 0;
          for (let k = 0; k < c.K; k++) s += (c.transposedA ? A[k * c.M + i] : A[i * c.K + k]) * B[k * c.N + j];
          if (c.relu) s = Math.max(0, s);
          worst = Math.max(worst, Math.abs(s - ref[i * c.N + j]));
        }
      }
      expect(worst).toBeLessThan(1e-4 * Math.sqrt(c.K));
    });
  }

  it('keeps small products on one thread (handing them over costs more than they take)', () => {
    const before = two.splitCalls();
    product(two, { M: 16, N: 64, K: 64 });
    expect(two.splitCalls()).toBe(before);
  });

  it('reports a trap on a worker thread as an error instead of hanging, and stays usable', () => {
    const end = two.memory.buffer.byteLength;
    // C far past the end of memory: every part traps, the worker's included.
    expect(() => two.gemm(512, 192, 64, 64, 64, 1, 64, 192, end + (1 << 20), 192)).toThrow();
    const c = CASES[0];
    expect(Buffer.from(product(two, c).buffer).equals(Buffer.from(product(one, c).buffer))).toBe(true);
  });

  it('fails a call, instead of hanging, when a worker never starts (its script missing from the build)', () => {
    // The smallest module (magic, version): the workers never get to instantiate it.
    const module = new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const missing = new URL('./no-such-thread.js', import.meta.url);
    const T = new KernelThreads(2, module, memory, [], { script: missing, startMs: 300 });
    try {
      expect(() => T.run([[], []], () => undefined)).toThrow(/kernel thread 1 did not start within 0.3 s .*--threads 1/);
    } finally {
      T.dispose();
    }
  });
});

describe('kernel threads: attention over (sequence, head) pairs (parallelFor)', () => {
  /** Forward output and dQKV of softmax attention on one instance, keeping probabilities or streaming. */
  function attention(K_: Kernels, mode: 'probs' | 'stream', masked: boolean): [Float32Array, Float32Array] {
    const [B, T, d, heads] = [3, 40, 16, 4];
    const dims = attentionDims(B, T, d, heads);
    const rng = new Rng(`threads/attention/${mode}/${masked}`);
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
    const mark = K_.mark();
    const QKV = K_.put(rand(B * T * 3 * d));
    const G = K_.put(rand(B * T * d));
    const keep = masked ? K_.put(Float32Array.from({ length: B * T }, (_, i) => (i % T < T - 1 - 7 * Math.floor(i / T) ? 1 : 0))) : 0;
    const O = K_.alloc(B * T * d);
    const dQKV = K_.alloc(B * T * 3 * d);
    const K2 = K_ as unknown as Parameters<typeof attentionForward>[0];
    const saved = attentionForward(K2, dims, QKV, O, keep, mode, 16)!;
    attentionBackward(K2, dims, QKV, keep, saved, G, dQKV);
    const out: [Float32Array, Float32Array] = [K_.read(O, B * T * d), K_.read(dQKV, B * T * 3 * d)];
    K_.release(mark);
    return out;
  }

  for (const mode of ['probs', 'stream'] as const) {
    for (const masked of [false, true]) {
      it(`${mode}${masked ? ', padded keys' : ''}: outputs and gradients bit-identical on 2 and 3 threads`, () => {
        const [o1, g1] = attention(one, mode, masked);
        for (const K_ of [two, three]) {
          const before = K_.splitCalls();
          const [o, g] = attention(K_, mode, masked);
          expect(K_.splitCalls()).toBeGreaterThan(before);
          expect(Buffer.from(o.buffer).equals(Buffer.from(o1.buffer))).toBe(true);
          expect(Buffer.from(g.buffer).equals(Buffer.from(g1.buffer))).toBe(true);
        }
        expect(o1.some((x) => x !== 0) && g1.some((x) => x !== 0)).toBe(true);
      });
    }
  }

  it('refuses JS access to kernel memory inside a body (its calls have not run yet)', () => {
    const at = two.zeros(8);
    expect(() => two.parallelFor(2, () => two.read(at, 8))).toThrow(/read inside a parallelFor body/);
    // And the instance is still usable afterwards.
    const [o1] = attention(one, 'probs', false);
    expect(Buffer.from(attention(two, 'probs', false)[0].buffer).equals(Buffer.from(o1.buffer))).toBe(true);
  });
});

describe('kernel threads: row kernels (Kernels.rows)', () => {
  /** A row kernel on one instance: flat (rows 1, strides 0) or by rows with byte strides. */
  function run(K_: Kernels, flat: boolean): Float32Array {
    const rng = new Rng(`threads/rows/${flat}`);
    const [rows, n] = flat ? [1, 50_001] : [1000, 37];
    const x = Float32Array.from({ length: rows * 2 * n }, () => rng.uniform() * 8 - 4);
    const mark = K_.mark();
    const X = K_.put(x);
    const Y = K_.alloc(rows * n);
    if (flat) K_.rows('act_mingru_g', 1, n, X, 0, Y, 0);
    else K_.rows('gateSilu', rows, n, X, 8 * n, X + 4 * n, 8 * n, Y, 4 * n); // y = a silu(b), [a | b] rows of 2n
    const out = K_.read(Y, rows * n);
    K_.release(mark);
    return out;
  }
  for (const flat of [true, false]) {
    it(`${flat ? 'a flat buffer with an n % 4 tail' : 'strided rows'}: bit-identical on 2 and 3 threads, and split`, () => {
      const ref = run(one, flat);
      for (const K_ of [two, three]) {
        const before = K_.splitCalls();
        expect(Buffer.from(run(K_, flat).buffer).equals(Buffer.from(ref.buffer))).toBe(true);
        expect(K_.splitCalls()).toBeGreaterThan(before);
      }
      expect(ref.every(Number.isFinite) && ref.some((v) => v !== 0)).toBe(true);
    });
  }
});

describe('kernel threads: the long convolution by channel groups (S4D)', () => {
  /** y, dx and dk of the long convolution on one instance; H = 37 leaves a partial group. */
  function run(K_: Kernels): Float32Array[] {
    const [B, T, H] = [3, 45, 37];
    const rng = new Rng('threads/longConv');
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
    const mark = K_.mark();
    const k = K_.put(rand(T * H));
    const X = K_.put(rand(B * T * H));
    const dY = K_.put(rand(B * T * H));
    const Y = K_.alloc(B * T * H);
    const dX = K_.alloc(B * T * H);
    const dk = K_.put(rand(T * H)); // accumulated into
    longConvRows(K_, B, T, H, k, X, Y);
    longConvRowsBackward(K_, B, T, H, k, X, dY, dX, dk);
    const out = [K_.read(Y, B * T * H), K_.read(dX, B * T * H), K_.read(dk, T * H)];
    K_.release(mark);
    return out;
  }
  it('output, input gradient and kernel gradient bit-identical on 2 and 3 threads, and split', () => {
    const ref = run(one);
    for (const K_ of [two, three]) {
      const before = K_.splitCalls();
      const got = run(K_);
      expect(K_.splitCalls()).toBeGreaterThan(before);
      got.forEach((g, i) => expect(Buffer.from(g.buffer).equals(Buffer.from(ref[i].buffer))).toBe(true));
    }
    expect(ref.every((r) => r.every(Number.isFinite) && r.some((v) => v !== 0))).toBe(true);
  });
});
