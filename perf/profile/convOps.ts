/**
 * ctx.ops.conv1d against the same convolution in plain tf ops (shifts and products), as a
 * convolutional plugin would write it: one training step (forward, the weights' and bias's
 * gradients) on [B, T, C] with C output channels and K taps, medians of interleaved repetitions:
 *   node dist/perf/profile/convOps.js [B] [T] [C] [K]
 */
import * as tf from '@tensorflow/tfjs';
import { kernelOps } from '../../extractors/ops.js';
import { initBackend } from '../../kernels/backend.js';

const [B, T, C, K] = (process.argv.slice(2).length ? process.argv.slice(2) : ['32', '256', '128', '3']).map(Number);
await initBackend('wasm');
const x = tf.randomNormal([B, T, C]) as tf.Tensor3D;
const w = tf.variable(tf.randomNormal([C, C, K], 0, 0.05)) as tf.Variable<tf.Rank.R3>;
const b = tf.variable(tf.zeros([C])) as tf.Variable<tf.Rank.R1>;
const shifted = (v: tf.Tensor3D, s: number) =>
  s === 0
    ? v
    : tf.pad(v.slice([0, 0, 0], [B, T - s, C]), [
        [0, 0],
        [s, 0],
        [0, 0],
      ]);
const plain = (v: tf.Tensor3D) =>
  tf.add(
    tf
      .addN(
        Array.from({ length: K }, (_, j) => tf.matMul(shifted(v, K - 1 - j).reshape([B * T, C]), w.slice([0, 0, j], [C, C, 1]).reshape([C, C]), false, true)),
      )
      .reshape([B, T, C]),
    b,
  );
const ours = (v: tf.Tensor3D) => kernelOps.conv1d(v, w, b, 1);
const step = (f: (v: tf.Tensor3D) => tf.Tensor) => {
  const { value, grads } = tf.variableGrads(() => tf.sum(f(x)) as tf.Scalar, [w, b]);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
};
const flops = 3 * 2 * B * T * C * C * K; // the forward product and two backward ones
const times: Record<string, number[]> = { 'ctx.ops.conv1d': [], 'plain tf': [] };
for (let rep = 0; rep < 7; rep++)
  for (const [name, f] of [
    ['ctx.ops.conv1d', ours],
    ['plain tf', plain],
  ] as const) {
    step(f);
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) step(f);
    times[name].push((performance.now() - t0) / 3);
  }
for (const [name, ts] of Object.entries(times)) {
  const median = [...ts].sort((p, q) => p - q)[ts.length >> 1];
  console.log(
    `${name.padEnd(15)} ${median.toFixed(1).padStart(7)} ms per step  ${(flops / median / 1e6).toFixed(1).padStart(5)} GFLOP/s  (B ${B}, T ${T}, C ${C}, K ${K}; median of 7)`,
  );
}
