/**
 * The recurrent cell kernels (extractors/kernels/cells.ts) and the LayerNorm kernels
 * (extractors/kernels/layerNorm.ts), each called directly against a float64 reference:
 * forward outputs against the formulas, backward outputs against central differences of
 * the float64 forward (so the hand-derived gradients are checked, not restated). B = 3
 * sequences, H = 6 units (one 4-lane group and a 2-unit scalar tail), the bias a broadcast
 * row (stride 0).
 */
import { describe, expect, it } from 'vitest';
import { kernels } from '../../kernels/runtime/runtime.js';
import { Rng } from '../../core/rng.js';
import { withBuffers as withKernelBuffers } from '../helpers/kernelBuffers.js';

const K = kernels();
const withBuffers = (arrays: Record<string, ArrayLike<number>>, body: (at: Record<string, number>) => void) => withKernelBuffers(K, arrays, body);
const [B, H] = [3, 6];
const sig = (x: number) => 1 / (1 + Math.exp(-x));

function random(rng: Rng, n: number, s = 1): Float64Array {
  return Float64Array.from({ length: n }, () => Math.fround((rng.uniform() * 2 - 1) * s));
}

/** Central differences of a scalar function of `x` at every entry of x (float64). */
function numericGrad(f: (x: Float64Array) => number, x: Float64Array): Float64Array {
  const eps = 1e-6;
  return Float64Array.from(x, (v, i) => {
    const xp = Float64Array.from(x);
    const xm = Float64Array.from(x);
    xp[i] = v + eps;
    xm[i] = v - eps;
    return (f(xp) - f(xm)) / (2 * eps);
  });
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst, what).toBeLessThan(tol);
}

const row = (w: number) => 4 * w; // contiguous rows: byte stride

describe('cell kernels against float64', () => {
  it('rnn: y = tanh(xg + b); backward writes (dy + dh)(1 - y^2)', () => {
    const rng = new Rng('cells/rnn');
    const [xg, bias, dy, dh] = [random(rng, B * H, 2), random(rng, H), random(rng, B * H), random(rng, B * H)];
    const fwd = (pre: Float64Array) => Float64Array.from(pre, (v, i) => Math.tanh(v + bias[i % H]));
    const out = withBuffers({ xg, bias, y: new Float64Array(B * H) }, (a) => K.fns.rnnForward(B, H, a.xg, row(H), a.bias, 0, a.y, row(H)));
    expectClose(out.y, fwd(xg), 1e-6, 'y');
    const g = withBuffers({ xg: new Float64Array(B * H), y: out.y, dy, dh }, (a) =>
      K.fns.rnnBackward(B, H, a.xg, row(H), a.y, row(H), a.dy, row(H), a.dh, row(H)),
    );
    const loss = (pre: Float64Array) => fwd(pre).reduce((s, y, i) => s + (dy[i] + dh[i]) * y, 0);
    expectClose(g.xg, numericGrad(loss, xg), 1e-5, 'd pre');
  });

  it('rnn with ReLU (IRNN): y = max(xg + b, 0); backward writes (dy + dh) where y > 0, else 0', () => {
    const rng = new Rng('cells/rnn-relu');
    const [xg, bias, dy, dh] = [random(rng, B * H, 2), random(rng, H), random(rng, B * H), random(rng, B * H)];
    xg[7] = -bias[7 % H]; // a pre-activation of exactly 0 (in the 4-lane group): output 0, gradient 0 (as torch.relu's)
    xg[B * H - 1] = Math.fround(-bias[(B * H - 1) % H] - 1); // negative in the scalar tail
    const fwd = (pre: Float64Array) => Float64Array.from(pre, (v, i) => Math.max(0, v + bias[i % H]));
    const out = withBuffers({ xg, bias, y: new Float64Array(B * H) }, (a) => K.fns.rnnReluForward(B, H, a.xg, row(H), a.bias, 0, a.y, row(H)));
    expectClose(out.y, fwd(xg), 1e-6, 'y');
    expect(out.y[7]).toBe(0);
    expect(out.y[B * H - 1]).toBe(0);
    expect(out.y.some((v) => v > 0) && out.y.some((v) => v === 0)).toBe(true); // both sides of the kink are reached
    const g = withBuffers({ xg: new Float64Array(B * H), y: out.y, dy, dh }, (a) =>
      K.fns.rnnReluBackward(B, H, a.xg, row(H), a.y, row(H), a.dy, row(H), a.dh, row(H)),
    );
    // Central differences away from the kink (|pre| > eps everywhere but entry 7, checked exactly).
    const loss = (pre: Float64Array) => fwd(pre).reduce((s, y, i) => s + (dy[i] + dh[i]) * y, 0);
    const num = numericGrad(loss, xg);
    num[7] = 0;
    expectClose(g.xg, num, 1e-5, 'd pre');
    expect(g.xg[7]).toBe(0);
  });

  it('lstm (gates i, f, g, o): c and y forward; d pre of every gate and dc_prev backward', () => {
    const rng = new Rng('cells/lstm');
    const G = 4 * H;
    const [xg, bias, cPrev, dy, dh, dc] = [
      random(rng, B * G, 2),
      random(rng, G),
      random(rng, B * H),
      random(rng, B * H),
      random(rng, B * H),
      random(rng, B * H),
    ];
    /** float64 cell from the pre-activations (bias excluded) and c_{t-1}. */
    const cell = (pre: Float64Array, cp: Float64Array) => {
      const c = new Float64Array(B * H);
      const y = new Float64Array(B * H);
      for (let b = 0; b < B; b++) {
        for (let u = 0; u < H; u++) {
          const a = (q: number) => pre[b * G + q * H + u] + bias[q * H + u];
          const [i, f, g, o] = [sig(a(0)), sig(a(1)), Math.tanh(a(2)), sig(a(3))];
          c[b * H + u] = f * cp[b * H + u] + i * g;
          y[b * H + u] = o * Math.tanh(c[b * H + u]);
        }
      }
      return { c, y };
    };
    const ref = cell(xg, cPrev);
    const out = withBuffers({ xg, bias, cPrev, c: new Float64Array(B * H), y: new Float64Array(B * H) }, (a) =>
      K.fns.lstmForward(B, H, a.xg, row(G), a.bias, 0, a.cPrev, row(H), a.c, row(H), a.y, row(H)),
    );
    expectClose(out.c, ref.c, 1e-6, 'c');
    expectClose(out.y, ref.y, 1e-6, 'y');
    // Backward from the activated gates (xg after the forward pass), c and c_prev.
    const g = withBuffers({ xg: out.xg, c: out.c, cPrev, dy, dh, dc }, (a) =>
      K.fns.lstmBackward(B, H, a.xg, row(G), a.c, row(H), a.cPrev, row(H), a.dy, row(H), a.dh, row(H), a.dc, row(H)),
    );
    // loss = sum (dy + dh) y + sum dc_next c: its gradients in the pre-activations and in c_prev.
    const loss = (pre: Float64Array, cp: Float64Array) => {
      const { c, y } = cell(pre, cp);
      let s = 0;
      for (let i = 0; i < B * H; i++) s += (dy[i] + dh[i]) * y[i] + dc[i] * c[i];
      return s;
    };
    expectClose(
      g.xg,
      numericGrad((p) => loss(p, cPrev), xg),
      1e-5,
      'd pre',
    );
    expectClose(
      g.dc,
      numericGrad((cp) => loss(xg, cp), cPrev),
      1e-5,
      'dc_prev',
    );
  });

  it('gru (gates r, z, n, b_hn inside r): forward; input-side, hidden-side and direct gradients backward', () => {
    const rng = new Rng('cells/gru');
    const G = 3 * H;
    const [xg, hp, bih, bhh, hPrev, dy, dh] = [
      random(rng, B * G, 2),
      random(rng, B * G, 2),
      random(rng, G),
      random(rng, G),
      random(rng, B * H),
      random(rng, B * H),
      random(rng, B * H),
    ];
    const cell = (x: Float64Array, p: Float64Array, hprev: Float64Array) => {
      const y = new Float64Array(B * H);
      for (let b = 0; b < B; b++) {
        for (let u = 0; u < H; u++) {
          const at = (q: number) => b * G + q * H + u;
          const r = sig(x[at(0)] + bih[u] + p[at(0)] + bhh[u]);
          const z = sig(x[at(1)] + bih[H + u] + p[at(1)] + bhh[H + u]);
          const n = Math.tanh(x[at(2)] + bih[2 * H + u] + r * (p[at(2)] + bhh[2 * H + u]));
          y[b * H + u] = (1 - z) * n + z * hprev[b * H + u];
        }
      }
      return y;
    };
    const out = withBuffers({ xg, hp, bih, bhh, hPrev, hn: new Float64Array(B * H), y: new Float64Array(B * H) }, (a) =>
      K.fns.gruForward(B, H, a.xg, row(G), a.hp, row(G), a.bih, 0, a.bhh, 0, a.hPrev, row(H), a.hn, row(H), a.y, row(H)),
    );
    expectClose(out.y, cell(xg, hp, hPrev), 1e-6, 'y');
    const g = withBuffers({ xg: out.xg, hn: out.hn, hPrev, dy, dh, dhp: new Float64Array(B * G) }, (a) =>
      K.fns.gruBackward(B, H, a.xg, row(G), a.hn, row(H), a.hPrev, row(H), a.dy, row(H), a.dh, row(H), a.dhp, row(G)),
    );
    const loss = (x: Float64Array, p: Float64Array, hprev: Float64Array) => cell(x, p, hprev).reduce((s, y, i) => s + (dy[i] + dh[i]) * y, 0);
    expectClose(
      g.xg,
      numericGrad((x) => loss(x, hp, hPrev), xg),
      1e-5,
      'input-side d pre',
    );
    expectClose(
      g.dhp,
      numericGrad((p) => loss(xg, p, hPrev), hp),
      1e-5,
      'hidden-side d pre',
    );
    // The direct path only (the caller adds dhp W_hh): d y / d h_prev at fixed hp is z.
    expectClose(
      g.dh,
      numericGrad((h) => loss(xg, hp, h), hPrev),
      1e-5,
      'dh direct',
    );
  });
});

describe('layerNorm kernels against float64', () => {
  for (const cols of [6, 13]) {
    it(`rows of ${cols}: y, (mean, std) forward; dx against differences, dw, db accumulated over rows`, () => {
      const rng = new Rng(`layerNorm/${cols}`);
      const n = 4;
      const eps = 1e-5;
      const [x, w, b, dy] = [random(rng, n * cols, 3), random(rng, cols), random(rng, cols), random(rng, n * cols)];
      const norm = (xs: Float64Array) => {
        const y = new Float64Array(n * cols);
        const stats = new Float64Array(2 * n);
        for (let r = 0; r < n; r++) {
          const v = xs.subarray(r * cols, (r + 1) * cols);
          const mean = v.reduce((s, a) => s + a, 0) / cols;
          const std = Math.sqrt(v.reduce((s, a) => s + (a - mean) ** 2, 0) / cols + eps);
          for (let c = 0; c < cols; c++) y[r * cols + c] = ((v[c] - mean) / std) * w[c] + b[c];
          stats.set([mean, std], 2 * r);
        }
        return { y, stats };
      };
      const ref = norm(x);
      const out = withBuffers({ x, y: new Float64Array(n * cols), w, b, stats: new Float64Array(2 * n) }, (a) =>
        K.fns.layerNorm(n, cols, a.x, a.y, a.w, a.b, a.stats, eps),
      );
      expectClose(out.y, ref.y, 1e-5, 'y');
      expectClose(out.stats, ref.stats, 1e-5, 'stats');
      const g = withBuffers({ x, dy, w, stats: out.stats, dx: new Float64Array(n * cols), dw: new Float64Array(cols), db: new Float64Array(cols) }, (a) =>
        K.fns.layerNormBackward(n, cols, a.x, a.dy, a.w, a.stats, a.dx, a.dw, a.db),
      );
      expectClose(
        g.dx,
        numericGrad((xs) => norm(xs).y.reduce((s, y, i) => s + dy[i] * y, 0), x),
        1e-4,
        'dx',
      );
      const xhat = Float64Array.from(x, (v, i) => (v - ref.stats[2 * Math.floor(i / cols)]) / ref.stats[2 * Math.floor(i / cols) + 1]);
      const dw = new Float64Array(cols);
      const db = new Float64Array(cols);
      for (let i = 0; i < n * cols; i++) {
        dw[i % cols] += dy[i] * xhat[i];
        db[i % cols] += dy[i];
      }
      expectClose(g.dw, dw, 1e-5, 'dw');
      expectClose(g.db, db, 1e-5, 'db');
    });
  }
});
