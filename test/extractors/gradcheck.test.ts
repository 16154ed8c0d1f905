/**
 * Finite-difference gradient check on the cpu backend, independent of the PyTorch
 * fixtures: for tiny models of every extractor type, d loss / d x (every entry) and
 * d loss / d w (a few entries of every weight) from tf's autodiff must match central
 * differences (f(v + eps) - f(v - eps)) / 2 eps of loss = sum(y * r).
 *
 * Float32 care: the forward pass runs in float32 on tfjs, but y is downloaded and the loss
 * sum(y * r) is accumulated in float64 here, so the only rounding in f is y's own (~1e-7
 * relative per element). With eps = 1e-2 that contributes ~1e-5 to a difference quotient,
 * and the truncation error (eps^2 f''' / 6) is ~1e-5 too, far below the tolerance:
 *   |analytic - numeric| <= RTOL * max(|analytic|, |numeric|) + ATOL, RTOL = 1e-2, ATOL = 1e-3,
 * and, as a whole, ||analytic - numeric|| <= RTOL * ||numeric|| + NOISE sqrt(k) over each
 * checked set of k entries.
 * Weights are perturbed with N(0, 0.3) noise (as in the fixtures) so that biases are
 * non-zero and LayerNorm is not the identity affine map. The comparator itself is tested
 * below: a 1 % error in one gradient entry, or a gradient that drops a term, must fail it.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../kernels/backend.js';
import { Rng } from '../../core/rng.js';
import { builtinExtractors } from '../../extractors/index.js';
import type { Extractor } from '../../extractors/types.js';
import { loadWeights, saveWeights } from '../../extractors/weights.js';

const EPS = 1e-2;
const RTOL = 1e-2;
const ATOL = 1e-3;
/**
 * The float32 rounding of f carried through one difference quotient at EPS, as measured: up
 * to 3.6e-5 on Mamba's smallest derivatives (A_log ~1e-4), whose analytic values agree with
 * float64 PyTorch to 1e-6 relative (golden.test.ts). The norm-wise check allows it per entry,
 * so a weight whose derivatives are all at that level is not failed for the method's noise;
 * for derivatives of 1e-2 and more it changes nothing.
 */
const NOISE = 5e-5;
const B = 2;
const T = 4;
const D = 3;
/** Entries checked per weight (all of them when the weight is smaller). */
const ENTRIES_PER_WEIGHT = 3;

interface Case {
  name: string;
  extractor: string;
  options: Record<string, unknown>;
  /**
   * Weights set before the noise, by name: the state-space models initialise dt at 1e-3..1e-1,
   * where the derivatives through dt and A are ~1e-5, below what float32 differences resolve;
   * at dt ~ 0.7, with a state that decays over several steps and an O(1) out_proj (initialised
   * small), they are O(0.01) and the check means something.
   */
  init?: Record<string, number>;
}

/** dt ~ 0.7 (softplus(0)), A ~ -0.4 (a state that lasts several steps), out_proj O(1). */
const mambaInit = (layers: number) =>
  Object.fromEntries(
    Array.from({ length: layers }, (_, i) => [
      [`layers.${i}.mixer.dt_proj.bias`, 0],
      [`layers.${i}.mixer.A_log`, -1],
      [`layers.${i}.mixer.out_proj.weight`, 0.7],
    ]).flat(),
  ) as Record<string, number>;
const tfOpts = (extra: Record<string, unknown>) => ({ dModel: 4, heads: 2, ffDim: 6, layers: 2, maxLen: 6, ...extra });
const CASES: Case[] = [
  { name: 'rnn 2 layers', extractor: 'rnn', options: { hidden: 3, layers: 2 } },
  // PyTorch's gate biases: the tolerances above were sized on that weight distribution (the
  // default chrono init, tested in inits.test.ts, puts some gates near saturation, where
  // float32 central differences lose digits).
  { name: 'lstm 2 layers', extractor: 'lstm', options: { hidden: 3, layers: 2, forgetBias: 'pytorch' } },
  { name: 'gru 2 layers', extractor: 'gru', options: { hidden: 3, layers: 2, updateBias: 'pytorch' } },
  { name: 'lstm chrono', extractor: 'lstm', options: { hidden: 3, layers: 1, forgetBias: 'chrono' } },
  { name: 'transformer sinusoidal post', extractor: 'transformer', options: tfOpts({}) },
  { name: 'transformer learned post', extractor: 'transformer', options: tfOpts({ positional: 'learned' }) },
  { name: 'transformer no positions', extractor: 'transformer', options: tfOpts({ positional: 'none' }) },
  { name: 'transformer pre-norm', extractor: 'transformer', options: tfOpts({ norm: 'pre' }) },
  { name: 'transformer no norm', extractor: 'transformer', options: tfOpts({ norm: 'none' }) },
  { name: 'transformer no residual', extractor: 'transformer', options: tfOpts({ residual: false }) },
  { name: 'transformer 1 head', extractor: 'transformer', options: tfOpts({ heads: 1, layers: 1 }) },
  { name: 'tcn k3', extractor: 'tcn', options: { channels: 3, kernel: 3, levels: 2 } },
  { name: 'tcn k2, 3 levels', extractor: 'tcn', options: { channels: 3, kernel: 2, levels: 3 } },
  { name: 'mamba 2 layers', extractor: 'mamba', options: { dModel: 4, layers: 2, dState: 3, dConv: 3, expand: 2 }, init: mambaInit(2) },
  { name: 'mamba d_inner 3 (scalar tails)', extractor: 'mamba', options: { dModel: 3, layers: 1, dState: 2, dConv: 2, expand: 1 }, init: mambaInit(1) },
  {
    name: 's4d 2 layers',
    extractor: 's4d',
    options: { dModel: 4, layers: 2, dState: 4 },
    init: { 'layers.0.mixer.kernel.log_dt': -0.5, 'layers.1.mixer.kernel.log_dt': -0.5 },
  },
  { name: 's4d 3 channels', extractor: 's4d', options: { dModel: 3, layers: 1, dState: 4 }, init: { 'layers.0.mixer.kernel.log_dt': -1 } },
  { name: 'mingru 2 layers', extractor: 'mingru', options: { hidden: 3, layers: 2 } },
  { name: 'mingru hidden 5 (vector lanes and a tail)', extractor: 'mingru', options: { hidden: 5, layers: 1 } },
  { name: 'linear-attention causal post', extractor: 'linear-attention', options: tfOpts({}) },
  { name: 'linear-attention not causal, pre-norm', extractor: 'linear-attention', options: tfOpts({ causal: false, norm: 'pre' }) },
  { name: 'linear-attention dh 5 (vector lanes and a tail), 1 layer', extractor: 'linear-attention', options: { dModel: 10, heads: 2, ffDim: 6, layers: 1 } },
];

function randn(rng: Rng, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => rng.normal() * scale);
}

/** A tiny extractor with noisy weights, an input x and a fixed r. */
function setup(c: Case, seed: number) {
  const def = builtinExtractors.find((d) => d.name === c.extractor)!;
  const rng = new Rng(`gradcheck/${c.name}/${seed}`);
  const ext = def.create(def.options.parse(c.options), { inputDim: D, rng: rng.fork('init'), length: 4 });
  const record = saveWeights(ext);
  for (const [name, value] of Object.entries(c.init ?? {})) record[name].data = record[name].data.map(() => value);
  const noise = rng.fork('noise');
  for (const w of Object.values(record)) w.data = w.data.map((v) => v + noise.normal() * 0.3);
  loadWeights(ext, record);
  const data = rng.fork('data');
  const x = randn(data, B * T * D);
  const r = randn(data, B * T * ext.outputDim);
  return { ext, x, r };
}

/** loss = sum(y * r), y computed in float32 by tfjs, the sum in float64. */
function lossAt(ext: Extractor, x: number[], r: number[]): number {
  const y = tf.tidy(() => ext.apply(tf.tensor3d(x, [B, T, D]), { training: true }).dataSync());
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i] * r[i];
  return s;
}

function analytic(ext: Extractor, x: number[], r: number[]): { x: Float32Array; w: Record<string, Float32Array> } {
  return tf.tidy(() => {
    const xt = tf.tensor3d(x, [B, T, D]);
    const rt = tf.tensor(r, [B, T, ext.outputDim]);
    const f = (xx: tf.Tensor3D) => tf.sum(tf.mul(ext.apply(xx, { training: true }), rt)) as tf.Scalar;
    const [gx] = tf.grads((xx: tf.Tensor) => f(xx as tf.Tensor3D))([xt]);
    const { grads } = tf.variableGrads(() => f(xt), Object.values(ext.variables));
    const w: Record<string, Float32Array> = {};
    for (const [n, v] of Object.entries(ext.variables)) w[n] = grads[v.name].dataSync() as Float32Array;
    return { x: gx.dataSync() as Float32Array, w };
  });
}

/**
 * Central difference of f along entry i of v, or undefined where f is not smooth within
 * eps of v (a ReLU kink crossed: the TCN and the transformer's feed-forward have them).
 * Smoothness test: the one-sided slopes (f(v+e) - f(v)) / e and (f(v) - f(v-e)) / e differ
 * by about e * f'' on a smooth stretch but by the whole change of slope across a kink; a
 * disagreement at EPS is retried at EPS / 10, and only then the entry is left out.
 */
function centralDiff(f: (v: number[]) => number, v: number[], i: number, f0: number): number | undefined {
  for (const eps of [EPS, EPS / 10]) {
    const plus = v.slice();
    const minus = v.slice();
    plus[i] += eps;
    minus[i] -= eps;
    const fp = f(plus);
    const fm = f(minus);
    const right = (fp - f0) / eps;
    const left = (f0 - fm) / eps;
    if (Math.abs(right - left) <= 2 * (RTOL * Math.max(Math.abs(left), Math.abs(right)) + ATOL)) return (fp - fm) / (2 * eps);
  }
  return undefined;
}

/** Mismatches of analytic vs numeric under the elementwise and the norm-wise tolerance. */
function compare(label: string, a: number[], n: number[]): string[] {
  const bad: string[] = [];
  let diff2 = 0;
  let num2 = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - n[i]);
    diff2 += d * d;
    num2 += n[i] * n[i];
    if (!(d <= RTOL * Math.max(Math.abs(a[i]), Math.abs(n[i])) + ATOL)) {
      bad.push(`${label}[${i}]: analytic ${a[i].toPrecision(6)} vs numeric ${n[i].toPrecision(6)}`);
    }
  }
  if (!(Math.sqrt(diff2) <= RTOL * Math.sqrt(num2) + NOISE * Math.sqrt(a.length)))
    bad.push(`${label}: relative norm error ${(Math.sqrt(diff2 / num2)).toExponential(2)}`);
  return bad;
}

/** A few spread-out entries of a weight of `size` entries. */
function entriesOf(size: number, rng: Rng): number[] {
  if (size <= ENTRIES_PER_WEIGHT) return Array.from({ length: size }, (_, i) => i);
  const picked = new Set<number>();
  while (picked.size < ENTRIES_PER_WEIGHT) picked.add(rng.int(size));
  return [...picked].sort((a, b) => a - b);
}

/** Analytic and numeric gradients for the entries where f is smooth; counts the rest. */
function checkEntries(label: string, f: (v: number[]) => number, v: number[], idx: number[], analyticAt: (i: number) => number) {
  const f0 = f(v);
  const a: number[] = [];
  const n: number[] = [];
  let skipped = 0;
  for (const i of idx) {
    const num = centralDiff(f, v, i, f0);
    if (num === undefined) {
      skipped++;
      continue;
    }
    a.push(analyticAt(i));
    n.push(num);
  }
  return { bad: compare(label, a, n), checked: a.length, skipped };
}

function gradcheck(c: Case): { bad: string[]; checked: number; skipped: number } {
  const { ext, x, r } = setup(c, 0);
  try {
    const g = analytic(ext, x, r);
    const bad: string[] = [];
    let checked = 0;
    let skipped = 0;
    const add = (res: { bad: string[]; checked: number; skipped: number }) => {
      bad.push(...res.bad);
      checked += res.checked;
      skipped += res.skipped;
    };
    // d loss / d x, every entry.
    add(
      checkEntries(
        'x',
        (xx) => lossAt(ext, xx, r),
        x,
        x.map((_, i) => i),
        (i) => g.x[i],
      ),
    );
    // d loss / d w, a few entries of every weight, set through loadWeights.
    const base = saveWeights(ext);
    const pick = new Rng(`gradcheck/${c.name}/entries`);
    for (const [name, w] of Object.entries(base)) {
      const f = (values: number[]) => {
        loadWeights(ext, { ...base, [name]: { shape: w.shape, data: values } });
        return lossAt(ext, x, r);
      };
      add(checkEntries(name, f, w.data, entriesOf(w.data.length, pick), (i) => g.w[name][i]));
      loadWeights(ext, base);
    }
    return { bad, checked, skipped };
  } finally {
    ext.dispose?.();
    for (const v of Object.values(ext.variables)) v.dispose();
  }
}

describe('finite-difference gradient check (cpu)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  for (const c of CASES) {
    it(`${c.name}: autodiff = central differences`, () => {
      const { bad, checked, skipped } = gradcheck(c);
      if (process.env.FXBENCH_GRADCHECK_REPORT) console.log(`${c.name}: ${checked} entries checked, ${skipped} skipped at a kink`);
      expect(bad).toEqual([]);
      // Kinks are rare: nearly every entry must have been compared.
      expect(skipped).toBeLessThanOrEqual(Math.max(2, 0.05 * (checked + skipped)));
      expect(checked).toBeGreaterThan(B * T * D);
    });
  }

  it('the comparator rejects a wrong gradient', () => {
    // A 1 % error in one entry of an otherwise exact gradient, or a missing term, must fail.
    const numeric = [0.5, -1.25, 2, 0.75];
    expect(
      compare(
        'ok',
        numeric.map((v) => v * (1 + 1e-4)),
        numeric,
      ),
    ).toEqual([]);
    const off = numeric.slice();
    off[2] *= 1.02;
    expect(compare('off', off, numeric).length).toBeGreaterThan(0);
    // A real wrong gradient: an op whose backward pass forgets the 2 of d(x^2)/dx.
    const wrongSquare = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const xx = args[0] as tf.Tensor;
      (args[1] as tf.GradSaveFunc)([xx]);
      return { value: tf.square(xx), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]) };
    });
    const v = [0.3, -0.7, 1.1];
    const f = (vv: number[]) => tf.tidy(() => tf.sum(wrongSquare(tf.tensor1d(vv)) as tf.Tensor).dataSync()[0]);
    const a = tf.tidy(() =>
      Array.from(
        tf
          .grad((xx: tf.Tensor) => tf.sum(wrongSquare(xx) as tf.Tensor))(tf.tensor1d(v))
          .dataSync(),
      ),
    );
    const n = v.map((_, i) => centralDiff(f, v, i, f(v))!);
    expect(compare('wrongSquare', a, n).length).toBeGreaterThan(0);
  });
});
