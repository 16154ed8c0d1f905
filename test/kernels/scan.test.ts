/**
 * The scan and activation kernels (extractors/kernels/scan.ts, pointwise.ts) against plain
 * float64 references, at widths with and without a scalar tail (W % 4), with and without an
 * initial state, batch-major and time-major strides; and the activations' derivatives
 * against central differences of the references.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { ACTIVATION_KINDS, ACTIVATIONS, kernelName, type ActivationKind } from '../../kernels/emit/pointwise.js';
import { kernels } from '../../kernels/runtime/runtime.js';
import type { ScanMode } from '../../kernels/emit/scan.js';

const K = kernels();

function random(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());
}

/** h_t = a h_{t-1} + b (linear) or h + a (b - h) (lerp) in float64; index(s, t, u) gives the flat position. */
function scanRef(
  mode: ScanMode,
  S: number,
  T: number,
  W: number,
  a: Float32Array,
  b: Float32Array,
  h0: Float32Array | undefined,
  at: (s: number, t: number, u: number) => number,
) {
  const h = new Float64Array(a.length);
  for (let s = 0; s < S; s++) {
    for (let u = 0; u < W; u++) {
      let prev = h0 ? h0[s * W + u] : 0;
      for (let t = 0; t < T; t++) {
        const i = at(s, t, u);
        prev = mode === 'linear' ? a[i] * prev + b[i] : prev + a[i] * (b[i] - prev);
        h[i] = prev;
      }
    }
  }
  return h;
}

/** d sum(h * r) / d (a, b, h0), by reverse accumulation in float64. */
function scanGradRef(
  mode: ScanMode,
  S: number,
  T: number,
  W: number,
  a: Float32Array,
  b: Float32Array,
  h0: Float32Array | undefined,
  r: Float32Array,
  at: (s: number, t: number, u: number) => number,
) {
  const h = scanRef(mode, S, T, W, a, b, h0, at);
  const da = new Float64Array(a.length);
  const db = new Float64Array(a.length);
  const dh0 = new Float64Array(S * W);
  for (let s = 0; s < S; s++) {
    for (let u = 0; u < W; u++) {
      let G = 0;
      for (let t = T - 1; t >= 0; t--) {
        const i = at(s, t, u);
        const next = t + 1 < T ? at(s, t + 1, u) : -1;
        G = r[i] + (next >= 0 ? (mode === 'linear' ? a[next] : 1 - a[next]) * G : 0);
        const prev = t > 0 ? h[at(s, t - 1, u)] : h0 ? h0[s * W + u] : 0;
        if (mode === 'linear') {
          da[i] = G * prev;
          db[i] = G;
        } else {
          da[i] = G * (b[i] - prev);
          db[i] = G * a[i];
        }
        if (t === 0) dh0[s * W + u] = (mode === 'linear' ? a[i] : 1 - a[i]) * G;
      }
    }
  }
  return { h, da, db, dh0 };
}

function maxErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= m)) m = d;
  }
  return m;
}

describe('scan kernels against float64', () => {
  for (const mode of ['linear', 'lerp'] as ScanMode[]) {
    for (const [S, T, W, layout, withH0] of [
      [3, 7, 5, 'batch', false],
      [2, 9, 8, 'batch', true],
      [4, 6, 13, 'time', true],
      [1, 1, 3, 'batch', true],
      [2, 33, 130, 'time', false],
    ] as [number, number, number, 'batch' | 'time', boolean][]) {
      it(`${mode}: S ${S}, T ${T}, W ${W}, ${layout}-major${withH0 ? ', h0' : ''}`, () => {
        const rng = new Rng(`kernels/scan/${mode}/${S}/${T}/${W}/${layout}`);
        const n = S * T * W;
        const [ss, ts] = layout === 'batch' ? [T * W, W] : [W, S * W];
        const at = (s: number, t: number, u: number) => s * ss + t * ts + u;
        // Decays in (0, 1) keep the recurrence stable, as sigmoid gates do.
        const a = random(rng, n, 0.05, 0.95);
        const b = random(rng, n);
        const h0 = withH0 ? random(rng, S * W) : undefined;
        const r = random(rng, n);
        const mark = K.mark();
        try {
          const A = K.put(a);
          const Bp = K.put(b);
          const H0 = h0 ? K.put(h0) : 0;
          const H = K.alloc(n);
          K.fns[`scan_${mode}`](S, T, W, A, Bp, H0, H, ss, ts);
          const ref = scanGradRef(mode, S, T, W, a, b, h0, r, at);
          expect(maxErr(K.read(H, n), ref.h)).toBeLessThan(1e-5);
          const G = K.put(r);
          const dA = K.alloc(n);
          const dB = mode === 'lerp' ? K.alloc(n) : 0;
          const dH0 = h0 ? K.alloc(S * W) : 0;
          K.fns[`scanBackward_${mode}`](S, T, W, A, Bp, H, H0, G, dA, dB, dH0, ss, ts);
          expect(maxErr(K.read(dA, n), ref.da), 'da').toBeLessThan(1e-4);
          expect(maxErr(K.read(mode === 'linear' ? G : dB, n), ref.db), 'db').toBeLessThan(1e-4);
          if (h0) expect(maxErr(K.read(dH0, S * W), ref.dh0), 'dh0').toBeLessThan(1e-4);
        } finally {
          K.release(mark);
        }
      });
    }
  }
});

const REFERENCE: Record<ActivationKind, (x: number) => number> = {
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  relu: (x) => Math.max(x, 0),
  silu: (x) => x / (1 + Math.exp(-x)),
  elu1: (x) => (x > 0 ? x + 1 : Math.exp(x)),
  'mingru-g': (x) => (x >= 0 ? x + 0.5 : 1 / (1 + Math.exp(-x))),
};

describe('activation kernels against float64', () => {
  for (const kind of ACTIVATION_KINDS) {
    it(`${kind}: value, slope, and the gate x f(g) with its two gradients (n = 19: a scalar tail)`, () => {
      const rng = new Rng(`kernels/act/${kind}`);
      const n = 19;
      // Away from 0 by 1e-2 so that central differences never straddle a kink.
      const x = Float32Array.from(random(rng, n, -6, 6), (v) => (Math.abs(v) < 1e-2 ? v + 0.05 : v));
      const g = Float32Array.from(random(rng, n, -6, 6), (v) => (Math.abs(v) < 1e-2 ? v + 0.05 : v));
      const dy = random(rng, n);
      const f = REFERENCE[kind];
      const slope = (v: number) => (f(v + 1e-5) - f(v - 1e-5)) / 2e-5;
      const mark = K.mark();
      try {
        const X = K.put(x);
        const Y = K.alloc(n);
        K.fns[kernelName('act', kind)](1, n, X, 0, Y, 0);
        expect(maxErr(K.read(Y, n), Array.from(x, f))).toBeLessThan(2e-6 * 7);
        const DY = K.put(dy);
        K.fns[kernelName('actBackward', kind)](1, n, ACTIVATIONS[kind].from === 'x' ? X : Y, 0, DY, 0);
        expect(
          maxErr(
            K.read(DY, n),
            Array.from(x, (v, i) => dy[i] * slope(v)),
          ),
          'slope',
        ).toBeLessThan(1e-4);
        // gate: y = x f(g)
        const Gp = K.put(g);
        const Yg = K.alloc(n);
        K.fns[kernelName('gate', kind)](1, n, X, 0, Gp, 0, Yg, 0);
        expect(
          maxErr(
            K.read(Yg, n),
            Array.from(x, (v, i) => v * f(g[i])),
          ),
          'gate',
        ).toBeLessThan(1e-5);
        const DYg = K.put(dy);
        const DG = K.alloc(n);
        K.fns[kernelName('gateBackward', kind)](1, n, X, 0, Gp, 0, DYg, 0, DG, 0);
        expect(
          maxErr(
            K.read(DG, n),
            Array.from(g, (v, i) => dy[i] * x[i] * slope(v)),
          ),
          'dg',
        ).toBeLessThan(1e-4);
        expect(
          maxErr(
            K.read(DYg, n),
            Array.from(g, (v, i) => dy[i] * f(v)),
          ),
          'dx',
        ).toBeLessThan(1e-5);
      } finally {
        K.release(mark);
      }
    });
  }
  it('kinks take PyTorch branch: relu slope 0 at 0; elu1 and mingru-g slope 1 at 0', () => {
    const mark = K.mark();
    try {
      for (const [kind, want] of [
        ['relu', 0],
        ['elu1', 1],
        ['mingru-g', 1],
      ] as [ActivationKind, number][]) {
        const X = K.put([0, 0, 0, 0, 0]);
        const Y = K.alloc(5);
        K.fns[kernelName('act', kind)](1, 5, X, 0, Y, 0);
        const DY = K.put([1, 1, 1, 1, 1]);
        K.fns[kernelName('actBackward', kind)](1, 5, ACTIVATIONS[kind].from === 'x' ? X : Y, 0, DY, 0);
        expect(Array.from(K.read(DY, 5)), kind).toEqual([want, want, want, want, want]);
      }
    } finally {
      K.release(mark);
    }
  });
});
