/**
 * The plugin kernel toolkit (`ctx.ops`, extractors/ops.ts) against the same math written with
 * plain tf ops: values, and gradients of loss = sum(op(...) * r) with respect to every input,
 * on both backends. Widths 6 and 9 reach the kernels' 4-wide loops and their scalar tails.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { initBackend, type BackendName } from '../../kernels/backend.js';
import { ACTIVATION_KINDS, kernelOps as ops, type ActivationKind } from '../../extractors/ops.js';

function randn(rng: Rng, shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Array.from({ length: n }, () => rng.normal() * scale),
    shape,
  );
}

/** max |a - b| over values. */
function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i] - y[i]);
    if (!(d <= m)) m = d;
  }
  return m;
}

/** Value and gradients (w.r.t. every input) of f and of a reference g, under loss = sum(out * r). */
function compare(f: (...xs: tf.Tensor[]) => tf.Tensor, g: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], rng: Rng, tol = 2e-5) {
  tf.tidy(() => {
    const yf = f(...inputs);
    const yg = g(...inputs);
    expect(maxDiff(yf, yg), 'value').toBeLessThan(tol);
    const r = randn(rng, yg.shape);
    const gf = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), r)))(inputs);
    const gg = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(g(...xs), r)))(inputs);
    gf.forEach((d, i) => expect(maxDiff(d, gg[i]), `gradient of input ${i}`).toBeLessThan(tol * 5));
  });
}

const REF: Record<ActivationKind, (x: tf.Tensor) => tf.Tensor> = {
  sigmoid: tf.sigmoid,
  tanh: tf.tanh,
  relu: tf.relu,
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
  elu1: (x) => tf.add(tf.elu(x), 1),
  'mingru-g': (x) => tf.where(tf.greaterEqual(x, 0), tf.add(x, 0.5), tf.sigmoid(x)),
};

/** The scan step by step with tf ops: the reference. */
function scanRef(mode: 'linear' | 'lerp', a: tf.Tensor, b: tf.Tensor, h0?: tf.Tensor): tf.Tensor {
  const as = tf.unstack(a, 1);
  const bs = tf.unstack(b, 1);
  let h: tf.Tensor = h0 ?? tf.zerosLike(as[0]);
  const out: tf.Tensor[] = [];
  for (let t = 0; t < as.length; t++) {
    h = mode === 'linear' ? tf.add(tf.mul(as[t], h), bs[t]) : tf.add(h, tf.mul(as[t], tf.sub(bs[t], h)));
    out.push(h);
  }
  return tf.stack(out, 1);
}

for (const backend of ['wasm', 'cpu'] as BackendName[]) {
  describe(`ctx.ops against plain tf (${backend})`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    for (const kind of ACTIVATION_KINDS) {
      it(`activation ${kind} and gate ${kind}`, () => {
        const rng = new Rng(`ops/${kind}`);
        // Values away from the kinks at 0 (finite differences are not involved, but tf's and the
        // kernels' branch choice at exactly 0 would be).
        const x = tf.tidy(() => tf.add(randn(rng, [2, 3, 9], 2), 0.01));
        const g = randn(rng, [2, 3, 9], 2);
        compare((t) => ops.activation(t, kind), REF[kind], [x], rng);
        compare(
          (a, b) => ops.gate(a, b, kind),
          (a, b) => tf.mul(a, REF[kind](b)),
          [x, g],
          rng,
        );
        tf.dispose([x, g]);
      });
    }

    for (const mode of ['linear', 'lerp'] as const) {
      for (const withH0 of [false, true]) {
        it(`${mode}Scan${withH0 ? ' with h0' : ''}: B 2, T 7, W 6`, () => {
          const rng = new Rng(`ops/scan/${mode}/${withH0}`);
          const a = tf.tidy(() => tf.sigmoid(randn(rng, [2, 7, 6]))); // gates in (0, 1)
          const b = randn(rng, [2, 7, 6]);
          const inputs = withH0 ? [a, b, randn(rng, [2, 6])] : [a, b];
          const f = (...xs: tf.Tensor[]) =>
            (mode === 'linear' ? ops.linearScan : ops.lerpScan)(xs[0] as tf.Tensor3D, xs[1] as tf.Tensor3D, xs[2] as tf.Tensor2D | undefined);
          compare(f, (...xs) => scanRef(mode, xs[0], xs[1], xs[2]), inputs, rng);
          tf.dispose(inputs);
        });
      }
    }

    it('layerNorm over the last axis (rank 3, width 9)', () => {
      const rng = new Rng('ops/layerNorm');
      const x = randn(rng, [2, 4, 9], 3);
      const w = randn(rng, [9]);
      const b = randn(rng, [9]);
      const ref = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, -1, true);
        return tf.add(tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(variance, 1e-5))), ww), bb);
      };
      compare((xx, ww, bb) => ops.layerNorm(xx, ww as tf.Tensor1D, bb as tf.Tensor1D), ref, [x, w, b], rng);
      tf.dispose([x, w, b]);
    });

    it('rmsNorm over the last axis (rank 3, width 9)', () => {
      const rng = new Rng('ops/rmsNorm');
      const x = randn(rng, [2, 4, 9], 3);
      const w = randn(rng, [9]);
      const ref = (xx: tf.Tensor, ww: tf.Tensor) => tf.mul(tf.div(xx, tf.sqrt(tf.add(tf.mean(tf.square(xx), -1, true), 1e-5))), ww);
      compare((xx, ww) => ops.rmsNorm(xx, ww as tf.Tensor1D), ref, [x, w], rng);
      tf.dispose([x, w]);
    });

    it('causalConv: depthwise, causal, K 4 (PyTorch conv1d with padding K-1, cut to T)', () => {
      const rng = new Rng('ops/causalConv');
      const [B, T, C, K] = [2, 7, 6, 4];
      const x = randn(rng, [B, T, C]);
      const w = randn(rng, [C, 1, K]);
      const b = randn(rng, [C]);
      // y[:, t, c] = b[c] + sum_k w[c, 0, k] x[:, t - (K-1) + k, c], zero-padded on the left.
      const ref = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
        const padded = tf.pad(xx, [
          [0, 0],
          [K - 1, 0],
          [0, 0],
        ]); // [B, T+K-1, C]
        const taps = tf.unstack(ww.reshape([C, K]), 1); // K x [C]
        let y: tf.Tensor = tf.zerosLike(xx).add(bb);
        for (let k = 0; k < K; k++) y = tf.add(y, tf.mul(tf.slice(padded, [0, k, 0], [B, T, C]), taps[k]));
        return y;
      };
      compare((xx, ww, bb) => ops.causalConv(xx as tf.Tensor3D, ww as tf.Tensor3D, bb as tf.Tensor1D), ref, [x, w, b], rng);
      tf.dispose([x, w, b]);
    });

    it('attention: multi-head softmax with and without a key mask, across query blocks (T 70 > the 64-row block)', () => {
      const rng = new Rng('ops/attention');
      // softmax(q k^T / sqrt(dh) + mask) v per head, with plain tf ops; padded keys get -1e9.
      const ref = (heads: number, mask?: tf.Tensor) => (qkv: tf.Tensor) => {
        const [B, T, d3] = qkv.shape;
        const d = d3 / 3;
        const dh = d / heads;
        const split = (x: tf.Tensor) => x.reshape([B, T, heads, dh]).transpose([0, 2, 1, 3]); // [B, h, T, dh]
        const [q, k, v] = tf.split(qkv, 3, 2).map(split);
        let s = tf.div(tf.matMul(q, k, false, true), Math.sqrt(dh)); // [B, h, T, T]
        if (mask) s = tf.add(s, tf.mul(tf.sub(mask, 1), 1e9).reshape([B, 1, 1, T]));
        return tf.matMul(tf.softmax(s), v).transpose([0, 2, 1, 3]).reshape([B, T, d]); // [B, T, d]
      };
      for (const [B, T, d, heads] of [
        [2, 7, 6, 2],
        [1, 70, 8, 1],
        [2, 9, 12, 3],
      ]) {
        const qkv = randn(rng, [B, T, 3 * d]);
        compare((x) => ops.attention(x as tf.Tensor3D, heads), ref(heads), [qkv], rng);
        // Left padding of different lengths per sequence (pads first, as the tasks pad).
        const mask = tf.tensor2d(
          Array.from({ length: B * T }, (_, i) => (i % T >= (Math.floor(i / T) + 1) * 2 ? 1 : 0)),
          [B, T],
        );
        compare((x) => ops.attention(x as tf.Tensor3D, heads, mask as tf.Tensor2D), ref(heads, mask), [qkv], rng);
        tf.dispose([qkv, mask]);
      }
    });

    it('attention: a padded key changes nothing; a query whose keys are all padded gets zeros', () => {
      tf.tidy(() => {
        const rng = new Rng('ops/attention-mask');
        const qkv = randn(rng, [1, 5, 12]) as tf.Tensor3D;
        const mask = tf.tensor2d([[0, 0, 1, 1, 1]]);
        const a = ops.attention(qkv, 2, mask);
        // Change the padded positions' keys and values: the output must not move.
        const noise = tf.concat([randn(rng, [1, 2, 12]).mul(tf.tensor([0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1])), tf.zeros([1, 3, 12])], 1);
        expect(maxDiff(ops.attention(tf.add(qkv, noise) as tf.Tensor3D, 2, mask), a)).toBe(0);
        expect(Array.from(ops.attention(qkv, 2, tf.zeros([1, 5]) as tf.Tensor2D).dataSync()).every((x) => x === 0)).toBe(true);
      });
    });

    it('linear (nn.Linear layout) with and without bias', () => {
      const rng = new Rng('ops/linear');
      const x = randn(rng, [2, 5, 6]);
      const w = randn(rng, [7, 6]);
      const b = randn(rng, [7]);
      compare(
        (xx, ww, bb) => ops.linear(xx, ww as tf.Tensor2D, bb as tf.Tensor1D),
        (xx, ww, bb) => tf.add(tf.matMul(xx.reshape([10, 6]), ww, false, true).reshape([2, 5, 7]), bb),
        [x, w, b],
        rng,
      );
      compare(
        (xx, ww) => ops.linear(xx, ww as tf.Tensor2D),
        (xx, ww) => tf.matMul(xx.reshape([10, 6]), ww, false, true).reshape([2, 5, 7]),
        [x, w],
        rng,
      );
      tf.dispose([x, w, b]);
    });

    it('refuses mismatched shapes and unknown kinds with the op named', () => {
      tf.tidy(() => {
        const a = tf.zeros([2, 3, 4]) as tf.Tensor3D;
        expect(() => ops.linearScan(a, tf.zeros([2, 3, 5]) as tf.Tensor3D)).toThrow(/ops\.linearScan: a and b must have the same shape/);
        expect(() => ops.lerpScan(a, a, tf.zeros([2, 5]) as tf.Tensor2D)).toThrow(/ops\.lerpScan: h0 must be \[B, W\] = \[2, 4\]/);
        expect(() => ops.activation(a, 'gelu' as ActivationKind)).toThrow(/ops\.activation: unknown activation "gelu"/);
        expect(() => ops.layerNorm(a, tf.ones([3]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D)).toThrow(/ops\.layerNorm: weight and bias must be \[4\]/);
        expect(() => ops.rmsNorm(a, tf.ones([3]) as tf.Tensor1D)).toThrow(/ops\.rmsNorm: weight must be \[4\]/);
        expect(() => ops.causalConv(a, tf.ones([4, 1, 3]) as tf.Tensor3D, tf.zeros([3]) as tf.Tensor1D)).toThrow(/ops\.causalConv: bias must be \[4\]/);
        expect(() => ops.causalConv(a, tf.ones([3, 1, 3]) as tf.Tensor3D, tf.zeros([4]) as tf.Tensor1D)).toThrow(/ops\.causalConv: weight must be \[4, 1, K\]/);
        expect(() => ops.attention(tf.zeros([2, 3, 5]) as tf.Tensor3D, 1)).toThrow(/ops\.attention: qkv must be \[B, T, 3d\]/);
        expect(() => ops.attention(tf.zeros([2, 3, 12]) as tf.Tensor3D, 3)).toThrow(/ops\.attention: heads must be a positive integer that divides d = 4/);
        expect(() => ops.attention(tf.zeros([2, 3, 12]) as tf.Tensor3D, 2, tf.ones([2, 4]) as tf.Tensor2D)).toThrow(
          /ops\.attention: mask must be \[B, T\] = \[2, 3\]/,
        );
      });
    });

    it('leaks no tensors, with or without a gradient tape', () => {
      const x = tf.tidy(() => tf.variable(tf.ones([2, 3, 4]))) as tf.Variable & tf.Tensor3D;
      const before = tf.memory().numTensors;
      tf.tidy(() => ops.lerpScan(ops.activation(x, 'sigmoid') as tf.Tensor3D, x)).dispose();
      const { value, grads } = tf.variableGrads(() => tf.sum(ops.lerpScan(ops.activation(x, 'sigmoid') as tf.Tensor3D, x)) as tf.Scalar, [x]);
      expect(grads[x.name].shape).toEqual([2, 3, 4]);
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });
  });
}
