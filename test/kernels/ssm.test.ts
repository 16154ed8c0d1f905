/**
 * The state-space kernels (activations, RMSNorm, causal depthwise convolution, selective scan,
 * S4D's long convolution) against float64 references written here from their definitions.
 * Gradients are checked against central differences of the float64 reference (step 1e-6,
 * truncation and rounding ~1e-9), so a kernel's backward pass is compared with the
 * derivative of what its forward pass is supposed to compute, not with another derivation.
 * Shapes have channel counts that are not multiples of 4, so the scalar tails run too.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { initBackend } from '../../kernels/backend.js';
import { kernels, type RowKernel } from '../../kernels/runtime/runtime.js';
import { causalDepthwiseConv1d, depthwiseConvRows, depthwiseConvRowsBackward, putTapMajor, readChannelMajor } from '../../kernels/ops/depthwiseConv.js';
import { rmsNorm, rmsNormRows, rmsNormRowsBackward } from '../../kernels/ops/rmsNorm.js';
import { longConvRows, longConvRowsBackward } from '../../kernels/ops/longConv.js';
import { selectiveScan, selectiveScanRows, selectiveScanRowsBackward, type ScanDims } from '../../kernels/ops/selectiveScan.js';

const K = kernels();

function random(rng: Rng, n: number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * scale);
}

/** max |a - b| / max(1, max |b|) */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d;
  }
  return m / scale;
}

/** Central differences of f (float64) with respect to every entry of x (modified in place and restored). */
function numericGrad(f: () => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    x[i] = v + h;
    const fp = f();
    x[i] = v - h;
    const fm = f();
    x[i] = v;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/**
 * erf in float64: its Maclaurin series for |x| < 2.5 (largest term ~e^6: < 1e-13 lost to
 * cancellation), else 1 - erfc(x) by erfc's continued fraction (60 terms: converged to 1e-16).
 */
function erf64(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 100; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
  return Math.sign(x) * (1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * f));
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Runs a flat row kernel over n floats: arrays in, outputs read back. */
function runFlat(fn: RowKernel, inputs: Float64Array[], outputs: number): Float32Array[] {
  const mark = K.mark();
  try {
    const n = inputs[0].length;
    const ins = inputs.map((a) => K.put(a));
    const outs = Array.from({ length: outputs }, () => K.alloc(n));
    fn(1, n, ...[...ins, ...outs].flatMap((p) => [p, 0]));
    return outs.map((p) => K.read(p, n));
  } finally {
    K.release(mark);
  }
}

describe('activation kernels against float64', () => {
  const rng = new Rng('ssm-kernels/activations');
  const n = 4099; // 4 lanes and a scalar tail of 3
  const x = Float64Array.from({ length: n }, (_, i) =>
    i < 20 ? [-90, -30, -20, -8, -4, -1e-3, 0, 1e-3, 4, 8, 20, 30, 90, -0.5, 0.5, 3.9, -3.9, 5, -5, 2][i] : rng.normal() * 4,
  );
  const dy = random(rng, n);

  const cases: [string, (x: number) => number, (x: number) => number, number][] = [
    ['silu', (v) => v * sigmoid(v), (v) => sigmoid(v) * (1 + v * (1 - sigmoid(v))), 1e-6],
    // PyTorch's softplus: x above the threshold 20
    ['softplus', (v) => (v > 20 ? v : Math.log1p(Math.exp(v))), (v) => sigmoid(v), 1e-6],
    [
      'gelu',
      (v) => (v * (1 + erf64(v / Math.SQRT2))) / 2,
      (v) => (1 + erf64(v / Math.SQRT2)) / 2 + (v * Math.exp((-v * v) / 2)) / Math.sqrt(2 * Math.PI),
      2e-6,
    ],
  ];
  for (const [name, f, df, tol] of cases) {
    it(`${name} and its gradient`, () => {
      const fns = K.fns as unknown as Record<string, RowKernel>;
      const [y] = runFlat(fns[name], [x], 1);
      const [dx] = runFlat(fns[`${name}Backward`], [x, dy], 1);
      for (let i = 0; i < n; i++) {
        const want = f(x[i]);
        expect(Math.abs(y[i] - want), `${name}(${x[i]})`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));
        const g = dy[i] * df(x[i]);
        expect(Math.abs(dx[i] - g), `${name}'(${x[i]})`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(g)));
      }
    });
  }

  it('gateSilu, glu and their gradients (strided rows)', () => {
    const rows = 5;
    const H = 7;
    const o = random(rng, rows * 2 * H, 4); // [rows, 2H]: gate input z / GLU's [a | b]
    const yv = random(rng, rows * H, 2);
    const dout = random(rng, rows * H);
    const mark = K.mark();
    try {
      const po = K.put(o);
      const py = K.put(yv);
      const pd = K.put(dout);
      const out = K.alloc(rows * H);
      const dO = K.alloc(rows * 2 * H);
      const dyk = K.alloc(rows * H);
      // gate: out = y silu(z), z = the second half of each row of o
      K.fns.gateSilu(rows, H, py, 4 * H, po + 4 * H, 8 * H, out, 4 * H);
      K.fns.gateSiluBackward(rows, H, py, 4 * H, po + 4 * H, 8 * H, pd, 4 * H, dyk, 4 * H, dO + 4 * H, 8 * H);
      const g = K.read(out, rows * H);
      const gy = K.read(dyk, rows * H);
      const gz = K.read(dO, rows * 2 * H);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < H; j++) {
          const z = o[r * 2 * H + H + j];
          const s = sigmoid(z);
          const i = r * H + j;
          expect(g[i]).toBeCloseTo(yv[i] * z * s, 5);
          expect(gy[i]).toBeCloseTo(dout[i] * z * s, 5);
          expect(gz[r * 2 * H + H + j]).toBeCloseTo(dout[i] * yv[i] * s * (1 + z * (1 - s)), 5);
        }
      }
      // GLU: out = a sigmoid(b)
      K.fns.glu(rows, H, po, 8 * H, out, 4 * H);
      K.fns.gluBackward(rows, H, po, 8 * H, pd, 4 * H, dO, 8 * H);
      const u = K.read(out, rows * H);
      const du = K.read(dO, rows * 2 * H);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < H; j++) {
          const a = o[r * 2 * H + j];
          const s = sigmoid(o[r * 2 * H + H + j]);
          const d = dout[r * H + j];
          expect(u[r * H + j]).toBeCloseTo(a * s, 5);
          expect(du[r * 2 * H + j]).toBeCloseTo(d * s, 5);
          expect(du[r * 2 * H + H + j]).toBeCloseTo(d * a * s * (1 - s), 5);
        }
      }
    } finally {
      K.release(mark);
    }
  });
});

describe('rmsNorm against float64', () => {
  const rng = new Rng('ssm-kernels/rmsnorm');
  for (const cols of [7, 128]) {
    it(`cols ${cols}: y, dx, dw`, () => {
      const n = 6;
      const x = random(rng, n * cols, 2);
      const w = random(rng, cols);
      const r = random(rng, n * cols);
      const ref = () => {
        let s = 0;
        for (let i = 0; i < n; i++) {
          let ms = 0;
          for (let j = 0; j < cols; j++) ms += x[i * cols + j] ** 2;
          const inv = 1 / Math.sqrt(ms / cols + 1e-5);
          for (let j = 0; j < cols; j++) s += x[i * cols + j] * inv * w[j] * r[i * cols + j];
        }
        return s;
      };
      const mark = K.mark();
      try {
        const X = K.put(x);
        const W = K.put(w);
        const Y = K.alloc(n * cols);
        const rstd = rmsNormRows(K, n, cols, X, Y, W);
        const y = K.read(Y, n * cols);
        const dX = K.alloc(n * cols);
        const dW = K.zeros(cols);
        rmsNormRowsBackward(K, n, cols, X, rstd, W, K.put(r), dX, dW);
        expect(dot(y, r)).toBeCloseTo(ref(), 4);
        expect(relErr(K.read(dX, n * cols), numericGrad(ref, x))).toBeLessThan(1e-5);
        expect(relErr(K.read(dW, cols), numericGrad(ref, w))).toBeLessThan(1e-5);
      } finally {
        K.release(mark);
      }
    });
  }
});

/** y[b,t,c] = bias[c] + sum_j w[c, j] x[b, t - (K-1-j), c]; w in PyTorch's [C, 1, K]. */
function convRef(x: Float64Array, w: Float64Array, bias: Float64Array, B: number, T: number, C: number, taps: number): Float64Array {
  const y = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let c = 0; c < C; c++) {
        let s = bias[c];
        for (let j = 0; j < taps; j++) {
          const ts = t - (taps - 1 - j);
          if (ts >= 0) s += w[c * taps + j] * x[(b * T + ts) * C + c];
        }
        y[(b * T + t) * C + c] = s;
      }
  return y;
}

describe('causal depthwise convolution against float64', () => {
  for (const [B, T, C, taps] of [
    [2, 9, 6, 4],
    [3, 2, 9, 4], // shorter than the kernel
    [1, 7, 16, 1],
  ]) {
    it(`B ${B}, T ${T}, C ${C}, K ${taps}: y and every gradient (strided rows)`, () => {
      const rng = new Rng(`ssm-kernels/conv/${B}/${T}/${C}/${taps}`);
      const x = random(rng, B * T * C);
      const w = random(rng, C * taps);
      const bias = random(rng, C);
      const r = random(rng, B * T * C);
      const loss = () => dot(convRef(x, w, bias, B, T, C, taps), r);
      const mark = K.mark();
      try {
        const ld = C + 3; // x, dx as a column block of a wider matrix
        const wide = new Float64Array(B * T * ld);
        for (let i = 0; i < B * T; i++) for (let c = 0; c < C; c++) wide[i * ld + c] = x[i * C + c];
        const X = K.put(wide);
        const Wt = putTapMajor(K, w, C, taps);
        const Y = K.alloc(B * T * C);
        const d = { B, T, C, K: taps };
        depthwiseConvRows(K, d, X, ld, Wt, K.put(bias), Y, C);
        expect(relErr(K.read(Y, B * T * C), convRef(x, w, bias, B, T, C, taps))).toBeLessThan(1e-6);
        const dX = K.zeros(B * T * ld);
        const dW = K.zeros(taps * C);
        const db = K.zeros(C);
        depthwiseConvRowsBackward(K, d, X, ld, Wt, K.put(r), C, dX, ld, dW, db);
        const dxWide = K.read(dX, B * T * ld);
        const dx = new Float64Array(B * T * C);
        for (let i = 0; i < B * T; i++) for (let c = 0; c < C; c++) dx[i * C + c] = dxWide[i * ld + c];
        expect(relErr(dx, numericGrad(loss, x))).toBeLessThan(1e-5);
        expect(relErr(readChannelMajor(K, dW, C, taps), numericGrad(loss, w))).toBeLessThan(1e-5);
        expect(relErr(K.read(db, C), numericGrad(loss, bias))).toBeLessThan(1e-5);
      } finally {
        K.release(mark);
      }
    });
  }
});

/** The scan in float64 (mamba_ssm's selective_scan_ref without z and softplus); A is [C, N]. */
function scanRef(d: ScanDims, u: Float64Array, dt: Float64Array, A: Float64Array, Bm: Float64Array, Cm: Float64Array, D: Float64Array): Float64Array {
  const { B, T, C, N } = d;
  const y = new Float64Array(B * T * C);
  const h = new Float64Array(N);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++) {
      h.fill(0);
      for (let t = 0; t < T; t++) {
        const row = b * T + t;
        const dtv = dt[row * C + c];
        const uv = u[row * C + c];
        let s = D[c] * uv;
        for (let n = 0; n < N; n++) {
          h[n] = Math.exp(dtv * A[c * N + n]) * h[n] + dtv * Bm[row * N + n] * uv;
          s += Cm[row * N + n] * h[n];
        }
        y[row * C + c] = s;
      }
    }
  return y;
}

describe('selective scan against float64', () => {
  for (const d of [
    { B: 2, T: 6, C: 6, N: 3 },
    { B: 1, T: 40, C: 8, N: 16 },
    { B: 2, T: 1, C: 5, N: 2 },
  ] as ScanDims[]) {
    it(`B ${d.B}, T ${d.T}, C ${d.C}, N ${d.N}: y and the gradients of u, dt, A, B, C, D`, () => {
      const { B, T, C, N } = d;
      const rng = new Rng(`ssm-kernels/scan/${JSON.stringify(d)}`);
      const u = random(rng, B * T * C, 2);
      const dt = Float64Array.from({ length: B * T * C }, () => 0.01 + 0.5 * rng.uniform());
      const A = Float64Array.from({ length: C * N }, () => -Math.exp(rng.normal() * 0.5) * 2);
      const Bm = random(rng, B * T * N);
      const Cm = random(rng, B * T * N);
      const D = random(rng, C);
      const r = random(rng, B * T * C);
      const loss = () => dot(scanRef(d, u, dt, A, Bm, Cm, D), r);
      const mark = K.mark();
      try {
        const ldBC = 2 * N + 1; // B and C side by side in one wider matrix, as in x_proj's output
        const BC = new Float64Array(B * T * ldBC);
        for (let i = 0; i < B * T; i++) for (let n = 0; n < N; n++) [BC[i * ldBC + 1 + n], BC[i * ldBC + 1 + N + n]] = [Bm[i * N + n], Cm[i * N + n]];
        const pBC = K.put(BC);
        const s = {
          u: { at: K.put(u), ld: C },
          dt: { at: K.put(dt), ld: C },
          At: K.putTransposed(A, C, N),
          Bm: { at: pBC + 4, ld: ldBC },
          Cm: { at: pBC + 4 * (1 + N), ld: ldBC },
          D: K.put(D),
        };
        const Y = K.alloc(B * T * C);
        selectiveScanRows(K, d, s, { at: Y, ld: C });
        expect(relErr(K.read(Y, B * T * C), scanRef(d, u, dt, A, Bm, Cm, D))).toBeLessThan(2e-6);
        const dBC = K.zeros(B * T * ldBC);
        const g = {
          du: { at: K.alloc(B * T * C), ld: C },
          ddt: { at: K.alloc(B * T * C), ld: C },
          dAt: K.zeros(N * C),
          dD: K.zeros(C),
          dB: { at: dBC + 4, ld: ldBC },
          dC: { at: dBC + 4 * (1 + N), ld: ldBC },
        };
        selectiveScanRowsBackward(K, d, s, { at: K.put(r), ld: C }, g);
        const wide = K.read(dBC, B * T * ldBC);
        const dB = new Float64Array(B * T * N);
        const dC = new Float64Array(B * T * N);
        for (let i = 0; i < B * T; i++) for (let n = 0; n < N; n++) [dB[i * N + n], dC[i * N + n]] = [wide[i * ldBC + 1 + n], wide[i * ldBC + 1 + N + n]];
        const dAt = K.read(g.dAt, N * C);
        const dA = Float64Array.from({ length: C * N }, (_, i) => dAt[(i % N) * C + Math.floor(i / N)]);
        expect(relErr(K.read(g.du.at, B * T * C), numericGrad(loss, u)), 'du').toBeLessThan(1e-5);
        expect(relErr(K.read(g.ddt.at, B * T * C), numericGrad(loss, dt)), 'ddt').toBeLessThan(1e-5);
        expect(relErr(dA, numericGrad(loss, A)), 'dA').toBeLessThan(1e-5);
        expect(relErr(dB, numericGrad(loss, Bm)), 'dB').toBeLessThan(1e-5);
        expect(relErr(dC, numericGrad(loss, Cm)), 'dC').toBeLessThan(1e-5);
        expect(relErr(K.read(g.dD, C), numericGrad(loss, D)), 'dD').toBeLessThan(1e-5);
        // nothing but the 2N columns of B and C was written
        for (let i = 0; i < B * T; i++) expect(wide[i * ldBC]).toBe(0);
      } finally {
        K.release(mark);
      }
    });
  }
});

/** y[b,t,h] = sum_{s<=t} k[s,h] x[b,t-s,h] */
function longConvRef(x: Float64Array, k: Float64Array, B: number, T: number, H: number): Float64Array {
  const y = new Float64Array(B * T * H);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let h = 0; h < H; h++) {
        let s = 0;
        for (let j = 0; j <= t; j++) s += k[j * H + h] * x[(b * T + t - j) * H + h];
        y[(b * T + t) * H + h] = s;
      }
  return y;
}

describe('long causal convolution against float64', () => {
  for (const [B, T, H] of [
    [2, 11, 6], // 2 full blocks of 4 outputs and a tail of 3; channels 4 + 2
    [1, 4, 4],
    [3, 3, 5], // no full block
    [1, 33, 9],
  ]) {
    it(`B ${B}, T ${T}, H ${H}: y, dx, dk`, () => {
      const rng = new Rng(`ssm-kernels/longconv/${B}/${T}/${H}`);
      const x = random(rng, B * T * H);
      const k = random(rng, T * H);
      const r = random(rng, B * T * H);
      const loss = () => dot(longConvRef(x, k, B, T, H), r);
      const mark = K.mark();
      try {
        const X = K.put(x);
        const Kk = K.put(k);
        const Y = K.alloc(B * T * H);
        longConvRows(K, B, T, H, Kk, X, Y);
        expect(relErr(K.read(Y, B * T * H), longConvRef(x, k, B, T, H))).toBeLessThan(1e-6);
        const dX = K.alloc(B * T * H);
        const dk = K.zeros(T * H);
        longConvRowsBackward(K, B, T, H, Kk, X, K.put(r), dX, dk);
        expect(relErr(K.read(dX, B * T * H), numericGrad(loss, x)), 'dx').toBeLessThan(1e-5);
        expect(relErr(K.read(dk, T * H), numericGrad(loss, k)), 'dk').toBeLessThan(1e-5);
      } finally {
        K.release(mark);
      }
    });
  }
});

describe('the tf ops', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('rmsNorm, causalDepthwiseConv1d and selectiveScan match tf-op compositions, values and gradients', () => {
    const rng = new Rng('ssm-kernels/tf-ops');
    const [B, T, C, N, taps] = [2, 5, 6, 3, 3];
    const t = (shape: number[], scale = 1) =>
      tf.tensor(
        Array.from(
          random(
            rng,
            shape.reduce((a, b) => a * b, 1),
            scale,
          ),
        ),
        shape,
      );
    const x = t([B, T, C]) as tf.Tensor3D;
    const w = t([C]) as tf.Tensor1D;
    const cw = t([C, 1, taps]) as tf.Tensor3D;
    const cb = t([C]) as tf.Tensor1D;
    const r = t([B, T, C]);
    const check = (ours: (...a: tf.Tensor[]) => tf.Tensor, ref: (...a: tf.Tensor[]) => tf.Tensor, args: tf.Tensor[]) => {
      const f =
        (g: (...a: tf.Tensor[]) => tf.Tensor) =>
        (...a: tf.Tensor[]) =>
          tf.sum(tf.mul(g(...a), r));
      const yo = tf.tidy(() => Array.from(ours(...args).dataSync()));
      const yr = tf.tidy(() => Array.from(ref(...args).dataSync()));
      expect(relErr(yo, yr)).toBeLessThan(1e-5);
      const go = tf.tidy(() =>
        tf
          .grads(f(ours))(args)
          .map((g) => Array.from(g.dataSync())),
      );
      const gr = tf.tidy(() =>
        tf
          .grads(f(ref))(args)
          .map((g) => Array.from(g.dataSync())),
      );
      go.forEach((g, i) => expect(relErr(g, gr[i]), `gradient ${i}`).toBeLessThan(1e-4));
    };
    check(
      (a, b) => rmsNorm(a, b as tf.Tensor1D),
      (a, b) => tf.mul(tf.mul(a, tf.rsqrt(tf.add(tf.mean(tf.square(a), -1, true), 1e-5))), b),
      [x, w],
    );
    check(
      (a, b, c) => causalDepthwiseConv1d(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor1D),
      (a, b, c) => {
        // zero-pad K-1 steps on the left, then sum the shifted taps
        const padded = tf.pad(a, [
          [0, 0],
          [taps - 1, 0],
          [0, 0],
        ]);
        const wt = tf.transpose(tf.reshape(b, [C, taps])); // [K, C]
        let y: tf.Tensor = tf.add(tf.zeros([B, T, C]), c);
        for (let j = 0; j < taps; j++) y = tf.add(y, tf.mul(tf.slice(padded, [0, j, 0], [B, T, C]), tf.slice(wt, [j, 0], [1, C]).reshape([C])));
        return y;
      },
      [x, cw, cb],
    );
    const dt = tf.add(tf.abs(t([B, T, C], 0.5)), 0.01);
    const A = tf.neg(tf.add(tf.abs(t([C, N])), 0.5));
    const Bm = t([B, T, N]);
    const Cm = t([B, T, N]);
    check(
      (u, d, a, b, c, dd) => selectiveScan(u as tf.Tensor3D, d as tf.Tensor3D, a as tf.Tensor2D, b as tf.Tensor3D, c as tf.Tensor3D, dd as tf.Tensor1D),
      (u, d, a, b, c, dd) => {
        let h: tf.Tensor = tf.zeros([B, C, N]);
        const ys: tf.Tensor[] = [];
        for (let s = 0; s < T; s++) {
          const ut = tf.squeeze(tf.slice(u, [0, s, 0], [B, 1, C]), [1]); // [B, C]
          const dtt = tf.squeeze(tf.slice(d, [0, s, 0], [B, 1, C]), [1]);
          const bt = tf.slice(b, [0, s, 0], [B, 1, N]); // [B, 1, N]
          const ct = tf.slice(c, [0, s, 0], [B, 1, N]);
          h = tf.add(tf.mul(tf.exp(tf.mul(tf.expandDims(dtt, 2), a)), h), tf.mul(tf.expandDims(tf.mul(dtt, ut), 2), bt));
          ys.push(tf.add(tf.sum(tf.mul(h, ct), 2), tf.mul(ut, dd)));
        }
        return tf.stack(ys, 1);
      },
      [x, dt, A, Bm, Cm, cb],
    );
  });
});
