/**
 * The WebAssembly kernels (extractors/kernels) against plain float64 references, at shapes
 * that reach every code path: gemm's packed kernel (large products), its edges (M % 4 rows,
 * N % 8 columns), the unpacked kernel, A read transposed, strided B and C, accumulation, a B
 * packed once and reused; the softmax pair with tails (cols % 4), the softmax with a key mask, and the causal pair. The extractor-level tests
 * (golden, gradcheck) use shapes too small to reach the packed kernel.
 */
import { describe, expect, it } from 'vitest';
import { kernels } from '../../kernels/runtime/runtime.js';
import { Rng } from '../../core/rng.js';

const K = kernels();

function random(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
}

interface GemmCase {
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  ldb?: number; // row stride of B (>= N)
  ldc?: number; // row stride of C (>= N)
  accumulate?: boolean;
  /** Epilogue: a bias row [N] in place of zeros (not with accumulate), relu. */
  bias?: boolean;
  relu?: boolean;
}

/** C = act((acc ? C0 : bias ?? 0) + A B) in float64; A [M, K] (stored [K, M] when transposed). */
function reference(c: GemmCase, A: Float32Array, B: Float32Array, C0: Float32Array, bias?: Float32Array): Float64Array {
  const { M, N, K: Kd, transA = false, ldb = c.N, ldc = c.N, accumulate = false } = c;
  const out = Float64Array.from(C0);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = accumulate ? C0[i * ldc + j] : bias ? bias[j] : 0;
      for (let k = 0; k < Kd; k++) s += (transA ? A[k * M + i] : A[i * Kd + k]) * B[k * ldb + j];
      out[i * ldc + j] = c.relu ? Math.max(s, 0) : s;
    }
  }
  return out;
}

/**
 * Max |kernel - reference| / max(K, 1): float32 accumulation of K products of U(-1, 1) errs by
 * up to ~K ulps of the running sum, while a missing or wrong term errs by O(0.1 .. 1).
 */
function runGemm(c: GemmCase, prepacked = false): number {
  const rng = new Rng(`kernels/gemm/${JSON.stringify(c)}`);
  const { M, N, K: Kd, transA = false, ldb = c.N, ldc = c.N, accumulate = false } = c;
  const A = random(rng, M * Kd);
  const B = random(rng, Kd * ldb);
  const C0 = random(rng, M * ldc);
  const bias = c.bias ? random(rng, N) : undefined;
  const mark = K.mark();
  try {
    const a = K.put(A);
    const b = K.put(B);
    const cc = K.put(C0);
    const [rsa, csa] = transA ? [1, M] : [Kd, 1];
    const epilogue = { bias: bias ? K.put(bias) : undefined, relu: c.relu };
    if (prepacked) K.gemmPackedB(M, K.packB(b, ldb, Kd, N), a, rsa, csa, cc, ldc, accumulate, epilogue);
    else K.gemm(M, N, Kd, a, rsa, csa, b, ldb, cc, ldc, accumulate, epilogue);
    const got = K.read(cc, M * ldc);
    const want = reference(c, A, B, C0, accumulate ? undefined : bias);
    let err = 0;
    for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
    return err / Math.max(Kd, 1);
  } finally {
    K.release(mark);
  }
}

describe('gemm against a float64 reference', () => {
  const cases: GemmCase[] = [
    { M: 256, N: 256, K: 64 }, // packed, full tiles
    { M: 130, N: 203, K: 70 }, // packed with both edges
    { M: 67, N: 96, K: 600 }, // several K blocks (KC = 256) and row blocks (MC = 64), M % 4 = 3
    { M: 96, N: 64, K: 300, transA: true }, // packed, A read transposed
    { M: 99, N: 77, K: 260, transA: true, accumulate: true },
    { M: 64, N: 72, K: 400, ldb: 100, ldc: 90 }, // strided B and C
    { M: 80, N: 80, K: 200, accumulate: true },
    { M: 7, N: 5, K: 13 }, // small: unpacked only
    { M: 3, N: 30, K: 9, transA: true },
    { M: 6, N: 7, K: 0 }, // K = 0 writes zeros
    { M: 5, N: 9, K: 0, accumulate: true }, // ... or leaves C
    // Epilogue: bias row and relu, packed (with edges, several K blocks) and unpacked.
    { M: 130, N: 203, K: 70, bias: true },
    { M: 67, N: 96, K: 600, bias: true, relu: true },
    { M: 96, N: 64, K: 300, transA: true, relu: true },
    { M: 80, N: 80, K: 200, accumulate: true, relu: true },
    { M: 7, N: 13, K: 13, bias: true, relu: true },
    { M: 6, N: 7, K: 0, bias: true }, // K = 0 writes the bias
  ];
  for (const c of cases) {
    it(JSON.stringify(c), () => {
      expect(runGemm(c)).toBeLessThan(1e-6);
    });
  }
  it('a B packed once (gemmPackedB), with N % 8 and M % 4 edges', () => {
    expect(runGemm({ M: 32, N: 512, K: 128 }, true)).toBeLessThan(1e-6);
    expect(runGemm({ M: 34, N: 60, K: 40, accumulate: true }, true)).toBeLessThan(1e-6);
    expect(runGemm({ M: 2, N: 12, K: 3 }, true)).toBeLessThan(1e-6);
    expect(runGemm({ M: 34, N: 60, K: 300, bias: true, relu: true }, true)).toBeLessThan(1e-6);
  });
  it('does not write outside C', () => {
    const mark = K.mark();
    try {
      const M = 9;
      const N = 19;
      const ldc = 24;
      const a = K.put(new Float32Array(M * 5).fill(1));
      const b = K.put(new Float32Array(5 * N).fill(1));
      const c = K.put(new Float32Array(M * ldc + 8).fill(-7));
      K.gemm(M, N, 5, a, 5, 1, b, N, c, ldc);
      const out = K.read(c, M * ldc + 8);
      for (let i = 0; i < out.length; i++) {
        const inside = i < M * ldc && i % ldc < N;
        expect(out[i], `index ${i}`).toBe(inside ? 5 : -7);
      }
    } finally {
      K.release(mark);
    }
  });
});

describe('softmax kernels against float64', () => {
  for (const [rows, cols, ld] of [
    [3, 5, 7],
    [4, 64, 64],
    [2, 1, 1],
    [5, 13, 16],
    [2, 256, 256],
  ]) {
    it(`rows ${rows}, cols ${cols}, stride ${ld}`, () => {
      const rng = new Rng(`kernels/softmax/${rows}/${cols}`);
      const s = Float32Array.from({ length: rows * ld }, () => (rng.uniform() - 0.5) * 40);
      const g = random(rng, rows * ld);
      const scale = 0.17;
      const mark = K.mark();
      try {
        const P = K.put(s);
        const G = K.put(g);
        K.fns.softmax(rows, cols, P, ld, scale, 0, 0);
        K.fns.softmaxBackward(rows, cols, P, ld, G, ld, scale);
        const p = K.read(P, rows * ld);
        const dg = K.read(G, rows * ld);
        for (let r = 0; r < rows; r++) {
          const row = Array.from(s.subarray(r * ld, r * ld + cols), (v) => v * scale);
          const mx = Math.max(...row);
          const e = row.map((v) => Math.exp(v - mx));
          const z = e.reduce((a, b) => a + b, 0);
          const ref = e.map((v) => v / z);
          const dot = ref.reduce((a, v, j) => a + v * g[r * ld + j], 0);
          for (let j = 0; j < cols; j++) {
            expect(Math.abs(p[r * ld + j] - ref[j])).toBeLessThan(1e-6);
            expect(Math.abs(dg[r * ld + j] - scale * ref[j] * (g[r * ld + j] - dot))).toBeLessThan(1e-6);
          }
          // Columns past `cols` are left alone.
          for (let j = cols; j < ld; j++) expect(p[r * ld + j]).toBe(s[r * ld + j]);
        }
      } finally {
        K.release(mark);
      }
    });
  }
});

describe('softmax with a key mask', () => {
  for (const [rows, cols, ld] of [
    [3, 5, 7],
    [4, 64, 64],
    [2, 13, 16],
  ]) {
    it(`rows ${rows}, cols ${cols}, stride ${ld}: masked keys get exactly 0, the rest the softmax over kept keys`, () => {
      const rng = new Rng(`kernels/softmax-mask/${rows}/${cols}`);
      // Masked scores are the row's largest, so a max over all keys would be visibly wrong.
      const keep = Float32Array.from({ length: cols }, (_, j) => (j < 3 || j % 5 === 2 ? 0 : 1));
      const s = Float32Array.from({ length: rows * ld }, (_, i) => (keep[i % ld] === 0 ? 500 : (rng.uniform() - 0.5) * 40));
      const scale = 0.17;
      const mark = K.mark();
      try {
        const P = K.put(s);
        K.fns.softmax(rows, cols, P, ld, scale, K.put(keep), 0);
        const p = K.read(P, rows * ld);
        for (let r = 0; r < rows; r++) {
          const kept = Array.from({ length: cols }, (_, j) => j).filter((j) => keep[j] === 1);
          const mx = Math.max(...kept.map((j) => s[r * ld + j] * scale));
          const z = kept.reduce((a, j) => a + Math.exp(s[r * ld + j] * scale - mx), 0);
          for (let j = 0; j < cols; j++) {
            if (keep[j] === 0) expect(p[r * ld + j]).toBe(0);
            else expect(Math.abs(p[r * ld + j] - Math.exp(s[r * ld + j] * scale - mx) / z)).toBeLessThan(1e-6);
          }
          for (let j = cols; j < ld; j++) expect(p[r * ld + j]).toBe(s[r * ld + j]);
        }
      } finally {
        K.release(mark);
      }
    });
  }

  it('a row with every key masked is all zeros (PyTorch gives NaN), not NaN', () => {
    const mark = K.mark();
    try {
      const P = K.put([1, 2, 3, 4, 5, 6]);
      K.fns.softmax(1, 6, P, 6, 0.5, K.put(new Float32Array(6)), 0);
      expect(Array.from(K.read(P, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    } finally {
      K.release(mark);
    }
  });
});

describe('causal softmax (softmaxCausal, softmaxCausalRecompute)', () => {
  // [rows, cols, ld, first]: row r is query first + r; rows past the diagonal read every key (first + rows > cols), tails of cols % 4.
  for (const [rows, cols, ld, first] of [
    [5, 5, 7, 0],
    [4, 13, 16, 6],
    [6, 9, 9, 5],
    [3, 64, 64, 30],
  ]) {
    for (const masked of [false, true]) {
      it(`rows ${rows}, cols ${cols}, first ${first}${masked ? ', key mask' : ''}: keys after the query get exactly 0, the rest the softmax; recompute is bit for bit`, () => {
        const rng = new Rng(`kernels/softmax-causal/${rows}/${cols}/${first}/${masked}`);
        const keep = Float32Array.from({ length: cols }, (_, j) => (masked && (j < 2 || j % 5 === 3) ? 0 : 1));
        // Later (and masked) keys score highest, so a max over them would be visibly wrong.
        const s = Float32Array.from({ length: rows * ld }, (_, i) => {
          const [r, j] = [Math.floor(i / ld), i % ld];
          return j > first + r || keep[j] === 0 ? 500 : (rng.uniform() - 0.5) * 40;
        });
        const scale = 0.17;
        const mark = K.mark();
        try {
          const P = K.put(s);
          const S2 = K.put(s);
          const stats = K.alloc(2 * rows);
          const keepAt = masked ? K.put(keep) : 0;
          K.fns.softmaxCausal(rows, cols, P, ld, scale, keepAt, stats, first);
          K.fns.softmaxCausalRecompute(rows, cols, S2, ld, scale, keepAt, stats, first);
          const p = K.read(P, rows * ld);
          expect(Buffer.from(K.read(S2, rows * ld).buffer).equals(Buffer.from(p.buffer))).toBe(true);
          for (let r = 0; r < rows; r++) {
            const seen = Array.from({ length: cols }, (_, j) => j).filter((j) => j <= first + r && keep[j] === 1);
            const mx = Math.max(...seen.map((j) => s[r * ld + j] * scale));
            const z = seen.reduce((a, j) => a + Math.exp(s[r * ld + j] * scale - mx), 0);
            for (let j = 0; j < cols; j++) {
              if (!seen.includes(j)) expect(p[r * ld + j], `row ${r} key ${j}`).toBe(0);
              else expect(Math.abs(p[r * ld + j] - Math.exp(s[r * ld + j] * scale - mx) / z)).toBeLessThan(1e-6);
            }
            for (let j = cols; j < ld; j++) expect(p[r * ld + j]).toBe(s[r * ld + j]); // past cols: left alone
          }
        } finally {
          K.release(mark);
        }
      });
    }
  }

  it('a query that sees no token (left padding before the first) is all zeros, not NaN; first 0 sees key 0 only', () => {
    const mark = K.mark();
    try {
      const P = K.put([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      K.fns.softmaxCausal(2, 6, P, 6, 0.5, K.put([0, 0, 1, 1, 1, 1]), 0, 0); // queries 0 and 1: only padded keys in their past
      expect(Array.from(K.read(P, 12))).toEqual(new Array(12).fill(0));
      const Q = K.put([3, 9, 9, 9]);
      K.fns.softmaxCausal(1, 4, Q, 4, 1, 0, 0, 0);
      expect(Array.from(K.read(Q, 4))).toEqual([1, 0, 0, 0]);
    } finally {
      K.release(mark);
    }
  });
});

describe('pinned regions (pin / unpin)', () => {
  it("keep a forward pass's memory above later calls, free it in any order, and refuse misuse", () => {
    const base = K.mark();
    const a = K.put([1, 2, 3]);
    const ra = K.pin(base); // region A
    const m1 = K.mark();
    expect(m1).toBeGreaterThan(a);
    const b = K.put([4, 5]);
    const rb = K.pin(m1); // region B, above A
    expect(() => K.release(m1)).toThrow(/below a pinned region/);
    const scratch = K.mark();
    K.alloc(100);
    K.release(scratch);
    expect(K.pinnedBytes()).toBe(ra.end - ra.start + rb.end - rb.start);
    K.unpin(ra); // out of order: B still pins the memory above A
    expect(K.mark()).toBe(rb.end);
    expect(Array.from(K.read(b, 2))).toEqual([4, 5]);
    K.unpin(rb); // the arena drops back to where A started
    expect(K.mark()).toBe(base);
    expect(() => K.unpin(rb)).toThrow(/freed twice/);
    expect(K.pinnedBytes()).toBe(0);
  });
});

describe('transpose kernel', () => {
  it('strided source, exact copy', () => {
    const mark = K.mark();
    try {
      for (const [rows, cols, ld] of [
        [5, 3, 7],
        [37, 21, 25],
        [16, 8, 8],
      ]) {
        const src = Float32Array.from({ length: rows * ld }, (_, i) => i + 0.5);
        const at = K.transposed(K.put(src), rows, cols, ld);
        const got = K.read(at, rows * cols);
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect(got[c * rows + r]).toBe(src[r * ld + c]);
      }
      expect(Array.from(K.read(K.putTransposed([1, 2, 3, 4, 5, 6], 2, 3), 6))).toEqual([1, 4, 2, 5, 3, 6]);
    } finally {
      K.release(mark);
    }
  });
});

describe('saved activations (save / putSaved)', () => {
  it('round-trip through the pool, reuse a returned buffer, and refuse a second put', () => {
    const rng = new Rng(3);
    const mark = K.mark();
    try {
      const x = random(rng, 1000);
      const at = K.put(x);
      const s = K.save(at, 1000);
      expect(Array.from(s)).toEqual(Array.from(x));
      const back = K.putSaved(s);
      expect(Array.from(K.read(back, 1000))).toEqual(Array.from(x));
      expect(() => K.putSaved(s)).toThrow(/put back twice/);
      // The next save of that length reuses the buffer, with the new contents.
      const y = random(rng, 1000);
      const s2 = K.save(K.put(y), 1000);
      expect(s2).toBe(s);
      expect(Array.from(s2)).toEqual(Array.from(y));
      K.putSaved(s2);
    } finally {
      K.release(mark);
    }
  });
});

describe('fused multiply-add', () => {
  it('is used on this engine unless FXBENCH_NO_FMA=1, and recorded in the environment', async () => {
    const { hasFma, kernelFeatures } = await import('../../kernels/wasm/features.js');
    const { environment } = await import('../../harness/store/env.js');
    // Node 20 has relaxed SIMD behind a V8 flag that features.ts sets; later Nodes have it on.
    expect(hasFma()).toBe(process.env.FXBENCH_NO_FMA !== '1');
    expect(environment().kernels).toBe(kernelFeatures());
    expect(kernelFeatures()).toMatch(hasFma() ? /relaxed-madd/ : /^wasm-simd128$/);
  });
});
