/**
 * The rnn's IRNN options (Le, Jaitly & Hinton 2015): `recurrentInit: 'identity'` gives W_hh = I,
 * W_ih ~ N(0, 0.001^2) and zero biases in every layer, and is refused together with
 * `spectralRadius`; `activation: 'relu'` computes h_t = max(0, W_ih x_t + W_hh h_{t-1} + b)
 * through the layer op, forward and backward (the golden fixture rnn-relu checks the same
 * against PyTorch's nn.RNN(nonlinearity='relu')).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { IDENTITY_INPUT_STD, rnn } from '../../extractors/recurrent/recurrent.js';
import type { Extractor } from '../../extractors/types.js';
import { initBackend } from '../../kernels/backend.js';
import { createExtractor } from '../../index.js';

const [D, H] = [5, 24];

function make(options: Record<string, unknown>): Extractor {
  return rnn.create(rnn.options.parse(options), { inputDim: D, rng: new Rng('irnn'), length: 16 } as Parameters<typeof rnn.create>[1]);
}

const values = (e: Extractor) => Object.fromEntries(Object.entries(e.variables).map(([n, v]) => [n, v.dataSync().slice() as Float32Array]));

beforeAll(async () => {
  await initBackend('wasm');
});

describe("rnn recurrentInit: 'identity' (Le et al. 2015)", () => {
  it('W_hh = I exactly, biases 0, W_ih ~ N(0, 0.001^2), in every layer', () => {
    const e = make({ hidden: H, layers: 2, recurrentInit: 'identity' });
    const w = values(e);
    for (const l of [0, 1]) {
      const whh = w[`weight_hh_l${l}`];
      for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) expect(whh[i * H + j], `W_hh[${i}, ${j}]`).toBe(i === j ? 1 : 0);
      expect([...w[`bias_ih_l${l}`], ...w[`bias_hh_l${l}`]].every((b) => b === 0)).toBe(true);
      const wih = w[`weight_ih_l${l}`];
      expect(wih.length).toBe(H * (l === 0 ? D : H));
      const mean = wih.reduce((s, v) => s + v, 0) / wih.length;
      const std = Math.sqrt(wih.reduce((s, v) => s + (v - mean) ** 2, 0) / wih.length);
      // n = 120 and 576 draws: the sample std is within 25% of 0.001 (several standard errors), and far from PyTorch's U(+-1/sqrt(H)) (std 0.12).
      expect(Math.abs(std / IDENTITY_INPUT_STD - 1)).toBeLessThan(0.25);
      expect(Math.abs(mean)).toBeLessThan(IDENTITY_INPUT_STD);
    }
    for (const v of Object.values(e.variables)) v.dispose();
  });

  it("the default 'pytorch' init is PyTorch's uniform, not the identity", () => {
    const w = values(make({ hidden: H }));
    const bound = 1 / Math.sqrt(H);
    expect(w.weight_hh_l0.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(w.weight_hh_l0.some((v, i) => v !== (i % (H + 1) === 0 ? 1 : 0))).toBe(true);
    expect(w.bias_ih_l0.some((v) => v !== 0)).toBe(true);
  });

  it('is refused together with spectralRadius, naming both options, by the schema and by create', () => {
    const parsed = rnn.options.safeParse({ recurrentInit: 'identity', spectralRadius: 0.9 });
    expect(parsed.success).toBe(false);
    const message = parsed.error!.issues[0].message;
    expect(message).toContain('recurrentInit');
    expect(message).toContain('spectralRadius');
    expect(message.split('\n')).toHaveLength(1);
    expect(() => createExtractor('rnn', { recurrentInit: 'identity', spectralRadius: 0.9 }, { inputDim: D })).toThrow(
      /recurrentInit 'identity'.*spectralRadius/,
    );
    // create itself, for options that were never parsed:
    const unparsed = { hidden: H, layers: 1, activation: 'relu', recurrentInit: 'identity', spectralRadius: 0.9 } as const;
    expect(() => rnn.create(unparsed, { inputDim: D, rng: new Rng('irnn') } as Parameters<typeof rnn.create>[1])).toThrow(UsageError);
    // Each alone is accepted.
    expect(rnn.options.safeParse({ recurrentInit: 'identity' }).success).toBe(true);
    expect(rnn.options.safeParse({ spectralRadius: 0.9 }).success).toBe(true);
  });
});

describe("rnn recurrentInit: 'orthogonal'", () => {
  it('W_hh is orthogonal (W W^T = I), the same draw as spectralRadius 1, and the other weights are the default init', () => {
    const ortho = values(make({ hidden: H, recurrentInit: 'orthogonal' }));
    const radius = values(make({ hidden: H, spectralRadius: 1 }));
    const plain = values(make({ hidden: H }));
    const w = ortho.weight_hh_l0;
    for (let i = 0; i < H; i++)
      for (let j = 0; j < H; j++) {
        let dot = 0;
        for (let k = 0; k < H; k++) dot += w[i * H + k] * w[j * H + k];
        expect(Math.abs(dot - (i === j ? 1 : 0)), `(W W^T)[${i}, ${j}]`).toBeLessThan(1e-5);
      }
    expect([...w]).toEqual([...radius.weight_hh_l0]);
    expect([...w]).not.toEqual([...plain.weight_hh_l0]);
    for (const name of ['weight_ih_l0', 'bias_ih_l0', 'bias_hh_l0']) expect([...ortho[name]], name).toEqual([...plain[name]]);
  });

  it('is refused together with spectralRadius', () => {
    const parsed = rnn.options.safeParse({ recurrentInit: 'orthogonal', spectralRadius: 0.9 });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].message).toContain('spectralRadius');
  });
});

describe("rnn activation: 'relu'", () => {
  /** float64 reference of a 1-layer ReLU RNN with the extractor's weights: [B, T, H]. */
  function reference(w: Record<string, Float32Array>, x: ArrayLike<number>, B: number, T: number): Float64Array {
    const y = new Float64Array(B * T * H);
    for (let b = 0; b < B; b++) {
      let h = new Float64Array(H);
      for (let t = 0; t < T; t++) {
        const next = new Float64Array(H);
        for (let i = 0; i < H; i++) {
          let s = w.bias_ih_l0[i] + w.bias_hh_l0[i];
          for (let k = 0; k < D; k++) s += w.weight_ih_l0[i * D + k] * x[(b * T + t) * D + k];
          for (let k = 0; k < H; k++) s += w.weight_hh_l0[i * H + k] * h[k];
          next[i] = Math.max(0, s);
        }
        h = next;
        y.set(h, (b * T + t) * H);
      }
    }
    return y;
  }

  it('forward: h_t = max(0, W_ih x_t + W_hh h_{t-1} + b), units clipped at 0 and unbounded above (not tanh)', () => {
    const e = make({ hidden: H, activation: 'relu' });
    const [B, T] = [3, 7];
    const rng = new Rng('irnn/x');
    const x = Float32Array.from({ length: B * T * D }, () => 3 * (rng.uniform() * 2 - 1));
    const y = tf.tidy(
      () =>
        e
          .apply(tf.tensor3d(x, [B, T, D]), { training: false })
          .dataSync()
          .slice() as Float32Array,
    );
    const ref = reference(values(e), x, B, T);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(y[i] - ref[i]));
    expect(worst).toBeLessThan(1e-5);
    expect(y.some((v) => v === 0)).toBe(true); // clipped units
    expect(y.every((v) => v >= 0)).toBe(true);
    expect(y.some((v) => v > 1)).toBe(true); // beyond tanh's range
    for (const v of Object.values(e.variables)) v.dispose();
  });

  it('backward: the input gradient equals central differences of the float64 reference', () => {
    const e = make({ hidden: H, activation: 'relu' });
    const [B, T] = [2, 5];
    const rng = new Rng('irnn/grad');
    const x = Float32Array.from({ length: B * T * D }, () => rng.uniform() * 2 - 1);
    const r = Float64Array.from({ length: B * T * H }, () => rng.uniform() * 2 - 1);
    const w = values(e);
    const dx = tf.tidy(() => {
      const g = tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(e.apply(xt as tf.Tensor3D, { training: true }), tf.tensor3d(Float32Array.from(r), [B, T, H]))));
      return g(tf.tensor3d(x, [B, T, D]))
        .dataSync()
        .slice() as Float32Array;
    });
    const loss = (xs: ArrayLike<number>) => reference(w, xs, B, T).reduce((s, v, i) => s + v * r[i], 0);
    let worst = 0;
    for (let i = 0; i < x.length; i++) {
      const eps = 1e-6;
      const [xp, xm] = [Float64Array.from(x), Float64Array.from(x)];
      xp[i] += eps;
      xm[i] -= eps;
      worst = Math.max(worst, Math.abs(dx[i] - (loss(xp) - loss(xm)) / (xp[i] - xm[i])));
    }
    expect(worst).toBeLessThan(1e-5); // float32 against float64 (observed 5e-8); a step of 1e-6 crosses no kink here
    expect(dx.some((v) => Math.abs(v) > 1e-2)).toBe(true);
    for (const v of Object.values(e.variables)) v.dispose();
  });
});
