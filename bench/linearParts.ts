/** Scratch: CPU time of the linear op and its pieces at transformer shapes. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../harness/backend.js';
import { linear } from '../extractors/common.js';
import { kernels } from '../extractors/kernels/runtime.js';
await initBackend('wasm');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function time(label: string, fn: () => void, reps = 10): void {
  fn();
  const t0 = cpu();
  for (let i = 0; i < reps; i++) fn();
  console.log(`${label.padEnd(50)} ${((cpu() - t0) / reps).toFixed(2).padStart(8)} ms cpu`);
}
const N = 2048;
for (const [inD, outD] of [[128, 512], [128, 128], [512, 128]]) {
  const x = tf.randomNormal([N, inD]), w = tf.randomNormal([outD, inD]), b = tf.randomNormal([outD]);
  time(`linear op [${N},${inD}]x[${inD},${outD}] fwd`, () => tf.tidy(() => linear(x, w as tf.Tensor2D, b as tf.Tensor1D)).dispose());
  time(`  tf.matMul same shape (xnnpack)`, () => tf.tidy(() => tf.matMul(x, tf.randomNormal([inD, outD]))).dispose());
  const K = kernels();
  const xd = x.dataSync() as Float32Array, wd = w.dataSync() as Float32Array;
  time('  x.dataSync', () => void x.dataSync());
  time('  put x', () => { const m = K.mark(); K.put(xd); K.release(m); });
  time('  putTransposed w', () => { const m = K.mark(); K.putTransposed(wd, outD, inD); K.release(m); });
  const m = K.mark();
  const X = K.put(xd), Wt = K.putTransposed(wd, outD, inD), Y = K.alloc(N * outD);
  time('  gemm', () => K.gemm(N, outD, inD, X, inD, 1, Wt, outD, Y, outD));
  time('  read y', () => void K.read(Y, N * outD));
  const yd = K.read(Y, N * outD);
  time('  tf.tensor2d(y)', () => tf.tensor2d(yd, [N, outD]).dispose());
  K.release(m);
  const r = tf.randomNormal([N, outD]);
  const wv = tf.variable(w), bv = tf.variable(b);
  time(`linear op fwd+bwd`, () => {
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(linear(x, wv as tf.Tensor as tf.Tensor2D, bv as tf.Tensor as tf.Tensor1D), r)) as tf.Scalar, [wv, bv]);
    tf.dispose([value, ...Object.values(grads)]);
  });
}
// The other pieces of a transformer layer at B=32, T=64, d=128.
import { attention } from '../extractors/attention.js';
import { layerNorm } from '../extractors/common.js';
const B = 32, T = Number(process.argv[2] ?? 64), d = 128;
const qkv = tf.variable(tf.randomNormal([B, T, 3 * d]));
const rr = tf.randomNormal([B, T, d]);
const fb = (label: string, f: () => tf.Tensor, vars: tf.Variable[]) => time(label, () => {
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(f(), rr)) as tf.Scalar, vars);
  tf.dispose([value, ...Object.values(grads)]);
}, 5);
time('attention fwd', () => tf.tidy(() => attention(qkv as tf.Tensor as tf.Tensor3D, 4)).dispose(), 5);
fb('attention fwd+bwd', () => attention(qkv as tf.Tensor as tf.Tensor3D, 4), [qkv]);
const h = tf.variable(tf.randomNormal([B, T, d])), g = tf.variable(tf.ones([d])), be = tf.variable(tf.zeros([d]));
fb('layerNorm fwd+bwd (tf ops)', () => layerNorm(h, g as tf.Tensor as tf.Tensor1D, be as tf.Tensor as tf.Tensor1D), [h, g, be]);
fb('add fwd+bwd', () => tf.add(h, h), [h]);
const big = tf.variable(tf.randomNormal([B, T, 512]));
const rb = tf.randomNormal([B, T, 512]);
time('relu [B,T,512] fwd+bwd', () => {
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.relu(big), rb)) as tf.Scalar, [big]);
  tf.dispose([value, ...Object.values(grads)]);
}, 5);
