import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Adam, globalNorm, gradData, learningRate } from '../../../harness/cell/optimizer.js';
import { Rng } from '../../../core/rng.js';

const random = (rng: Rng, n: number, s = 1) => Float32Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * s);

describe('Adam (host update)', () => {
  it('follows tf.train.adam step for step, with and without a clipping scale', () => {
    const rng = new Rng(7);
    const shapes = [[3, 5], [5], [2, 2, 3]];
    const init = shapes.map((s) =>
      random(
        rng,
        s.reduce((a, b) => a * b, 1),
      ),
    );
    const ours = shapes.map((s, i) => tf.variable(tf.tensor(init[i], s)));
    const theirs = shapes.map((s, i) => tf.variable(tf.tensor(init[i], s)));
    const cfg = { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    const adam = new Adam(ours, cfg);
    const reference = tf.train.adam(cfg.lr, cfg.beta1, cfg.beta2, cfg.epsilon);
    for (let step = 0; step < 6; step++) {
      const grads = shapes.map((_, i) => random(rng, init[i].length, 10 ** (step % 3)));
      const scale = step % 2 ? 0.3 : 1;
      adam.step(grads, scale);
      reference.applyGradients(Object.fromEntries(theirs.map((v, i) => [v.name, tf.mul(tf.tensor(grads[i], shapes[i]), scale)])));
      ours.forEach((v, i) => {
        const a = v.dataSync();
        const b = theirs[i].dataSync();
        for (let j = 0; j < a.length; j++) expect(Math.abs(a[j] - b[j])).toBeLessThan(1e-6 * (1 + Math.abs(b[j])));
      });
    }
    // The weights moved by about lr per step, as Adam's normalised steps do.
    const moved = Math.abs(ours[0].dataSync()[0] - init[0][0]);
    expect(moved).toBeGreaterThan(0.005);
    expect(moved).toBeLessThan(0.07);
    tf.dispose([...ours, ...theirs]);
    reference.dispose();
  });

  it('AdamW: decoupled weight decay as torch.optim.AdamW (p *= 1 - lr wd, then the Adam step), at the scheduled rate', () => {
    const rng = new Rng(11);
    const n = 7;
    const init = random(rng, n);
    const v = tf.variable(tf.tensor(init));
    const [lr, wd, b1, b2, eps] = [0.02, 0.1, 0.9, 0.999, 1e-8];
    const adam = new Adam([v], { lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd });
    // float64 reference of PyTorch's AdamW (torch/optim/adamw.py, single tensor, no amsgrad).
    const p = Float64Array.from(init);
    const m = new Float64Array(n);
    const s = new Float64Array(n);
    for (let t = 1; t <= 5; t++) {
      const g = random(rng, n);
      const rate = t === 3 ? lr / 2 : lr; // a schedule's rate
      adam.step([g], 1, rate);
      for (let i = 0; i < n; i++) {
        p[i] *= 1 - rate * wd;
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        s[i] = b2 * s[i] + (1 - b2) * g[i] * g[i];
        p[i] -= (rate * (m[i] / (1 - b1 ** t))) / (Math.sqrt(s[i] / (1 - b2 ** t)) + eps);
      }
      const got = v.dataSync();
      for (let i = 0; i < n; i++) expect(Math.abs(got[i] - p[i]), `step ${t} weight ${i}`).toBeLessThan(1e-6 * (1 + Math.abs(p[i])));
    }
    // Each step's decay moves a weight by rate x wd x |p| (~1e-3 here), a thousand times the tolerance: a missing decay fails above.
    tf.dispose(v);
  });

  it('global norm over all gradients; missing gradients are zeros', () => {
    const v = [tf.variable(tf.zeros([2])), tf.variable(tf.zeros([3]))];
    const g = gradData(v, { [v[0].name]: tf.tensor([3, 4]) });
    expect(Array.from(g[1])).toEqual([0, 0, 0]);
    expect(globalNorm(g)).toBeCloseTo(5, 12);
    expect(globalNorm([Float32Array.of(1, 2), Float32Array.of(2)])).toBeCloseTo(3, 12);
    tf.dispose(v);
  });

  it('refuses a gradient of the wrong size', () => {
    const v = tf.variable(tf.zeros([4]));
    expect(() => new Adam([v], { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }).step([new Float32Array(3)])).toThrow(/3 values for 4 weights/);
    v.dispose();
  });
});

describe('learning-rate schedule', () => {
  const s = { lr: 0.01, warmup: 4, steps: 14 };
  it('warms up linearly from lr/warmup to lr, then stays constant', () => {
    const c = { ...s, schedule: 'constant' as const };
    expect([1, 2, 3, 4, 5, 14].map((t) => learningRate(c, t))).toEqual([0.0025, 0.005, 0.0075, 0.01, 0.01, 0.01]);
    expect(learningRate({ ...c, warmup: 0 }, 1)).toBe(0.01);
  });

  it('cosine: lr at the first step after warmup, half way down at the middle of the decay, near 0 at the budget', () => {
    const c = { ...s, schedule: 'cosine' as const };
    expect(learningRate(c, 4)).toBe(0.01);
    expect(learningRate(c, 5)).toBe(0.01);
    expect(learningRate(c, 10)).toBeCloseTo(0.005, 12); // 5 of the 10 decay steps done
    expect(learningRate(c, 14)).toBeCloseTo(0.01 * 0.5 * (1 + Math.cos((Math.PI * 9) / 10)), 12);
    expect(learningRate(c, 14)).toBeGreaterThan(0);
  });
});
