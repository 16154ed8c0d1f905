/**
 * ctx.ops for convolutional plugins (extractors/convOps.ts) against plain tf: values and the
 * gradients of every input, on shapes with a partial vector group and dilations above 1.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../kernels/backend.js';
import { kernelOps } from '../../extractors/ops.js';

const close = (a: tf.Tensor, b: tf.Tensor, tol: number, what: string) => {
  expect(a.shape, what).toEqual(b.shape);
  const worst = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
  expect(worst, what).toBeLessThan(tol);
};

/** Plain tf: the causal delay by s steps. */
const refShift = (x: tf.Tensor3D, s: number) => {
  const [B, T, C] = x.shape;
  return s >= T
    ? tf.zerosLike(x)
    : (tf.pad(x.slice([0, 0, 0], [B, T - s, C]), [
        [0, 0],
        [s, 0],
        [0, 0],
      ]) as tf.Tensor3D);
};

beforeAll(async () => {
  await initBackend('wasm');
});

describe('ctx.ops for convolutions, against plain tf', () => {
  it.each([
    [2, 7, 5, 3, 3, 1],
    [3, 9, 6, 4, 2, 3],
    [1, 4, 3, 2, 5, 2], // a receptive field longer than the sequence
  ])('conv1d B=%i T=%i Cin=%i Cout=%i K=%i dilation=%i: values and gradients', (B, T, Cin, Cout, K, d) => {
    const x = tf.randomNormal([B, T, Cin], 0, 1, 'float32', 1) as tf.Tensor3D;
    const w = tf.randomNormal([Cout, Cin, K], 0, 0.5, 'float32', 2) as tf.Tensor3D;
    const b = tf.randomNormal([Cout], 0, 0.5, 'float32', 3) as tf.Tensor1D;
    const dy = tf.randomNormal([B, T, Cout], 0, 1, 'float32', 4);
    // Plain tf, written as its definition (tf.conv1d has no gradient on wasm or with dilation): y = sum_j shift(x, (K-1-j) d) W[:, :, j]^T + b.
    const ref = (xx: tf.Tensor3D, ww: tf.Tensor3D, bb: tf.Tensor1D) =>
      tf.add(
        tf
          .addN(
            Array.from({ length: K }, (_, j) =>
              tf.matMul(refShift(xx, (K - 1 - j) * d).reshape([B * T, Cin]), ww.slice([0, 0, j], [Cout, Cin, 1]).reshape([Cout, Cin]), false, true),
            ),
          )
          .reshape([B, T, Cout]),
        bb,
      ) as tf.Tensor3D;
    close(kernelOps.conv1d(x, w, b, d), ref(x, w, b), 1e-4, 'values');
    const loss = (f: typeof ref) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(f(xx as tf.Tensor3D, ww as tf.Tensor3D, bb as tf.Tensor1D), dy));
    const ours = tf.grads(loss((xx, ww, bb) => kernelOps.conv1d(xx, ww, bb, d)))([x, w, b]);
    const theirs = tf.grads(loss(ref))([x, w, b]);
    ['x', 'weight', 'bias'].forEach((name, i) => close(ours[i], theirs[i], 1e-3, `gradient of ${name}`));
    // Without a bias.
    close(kernelOps.conv1d(x, w, undefined, d), tf.sub(ref(x, w, b), b), 1e-4, 'values without bias');
  });

  it('shift delays by steps, with zeros in front; its gradient is the reverse shift', () => {
    const x = tf.randomNormal([2, 6, 5], 0, 1, 'float32', 5) as tf.Tensor3D;
    const dy = tf.randomNormal([2, 6, 5], 0, 1, 'float32', 6);
    for (const s of [0, 1, 4, 6, 9]) {
      close(kernelOps.shift(x, s), refShift(x, s), 1e-7, `shift ${s}`);
      const g = (f: (v: tf.Tensor3D) => tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v as tf.Tensor3D), dy)))(x);
      close(
        g((v) => kernelOps.shift(v, s)),
        g((v) => refShift(v, s)),
        1e-7,
        `gradient of shift ${s}`,
      );
    }
  });

  it('meanPool and maxPool: causal windows, values and gradients', () => {
    const x = tf.randomNormal([2, 7, 6], 0, 1, 'float32', 7) as tf.Tensor3D;
    const dy = tf.randomNormal([2, 7, 6], 0, 1, 'float32', 8);
    const g = (f: (v: tf.Tensor3D) => tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v as tf.Tensor3D), dy)))(x);
    for (const w of [1, 3, 9]) {
      const refMean = (v: tf.Tensor3D) => tf.div(tf.addN(Array.from({ length: w }, (_, j) => refShift(v, j))), w);
      // Positions before the start are -infinity for the max: only the window's existing positions count.
      const refMax = (v: tf.Tensor3D) =>
        tf.max(tf.stack(Array.from({ length: w }, (_, j) => tf.add(refShift(v, j), tf.mul(refShift(tf.onesLike(v), j).sub(1), 1e30)))), 0);
      close(kernelOps.meanPool(x, w), refMean(x), 1e-5, `meanPool ${w}`);
      close(
        g((v) => kernelOps.meanPool(v, w)),
        g(refMean),
        1e-5,
        `gradient of meanPool ${w}`,
      );
      close(kernelOps.maxPool(x, w), refMax(x), 1e-6, `maxPool ${w}`);
      close(
        g((v) => kernelOps.maxPool(v, w)),
        g(refMax),
        1e-6,
        `gradient of maxPool ${w}`,
      );
    }
  });
});
