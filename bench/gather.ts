/** Scratch: why tf.gather (embedding lookup) is slow on tfjs-wasm. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../harness/backend.js';
await initBackend('wasm');
const B = 32, T = Number(process.argv[2] ?? 64);
function time(label: string, fn: () => void, reps = 20): void {
  for (let i = 0; i < 3; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  console.log(`${label.padEnd(44)} ${((performance.now() - t0) / reps).toFixed(3)} ms`);
}
const emb = tf.variable(tf.randomNormal([32, 64]));
const ids = tf.tensor1d(new Int32Array(B * T).map((_, i) => (i * 7) % 32), 'int32');
time('gather(emb, ids)', () => tf.gather(emb, ids).dispose());
time('gather(emb, ids) in tidy', () => tf.tidy(() => tf.gather(emb, ids)).dispose());
const embT = tf.randomNormal([32, 64]);
time('gather(non-variable, ids)', () => tf.gather(embT, ids).dispose());
const few = tf.tensor1d([1, 2, 3], 'int32');
time('gather 3 rows', () => tf.gather(emb, few).dispose());
time('oneHot matMul', () => tf.tidy(() => tf.matMul(tf.oneHot(ids, 32).toFloat(), emb)).dispose());
const t0 = performance.now();
const info = await tf.profile(() => tf.gather(emb, ids).dispose());
console.log(info.kernels.map((k) => `${k.name} ${JSON.stringify(k.inputShapes)} ${k.kernelTimeMs}`).join('\n'), performance.now() - t0);
// gradient of gather
time('grad of gather (variableGrads)', () => {
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.gather(emb, ids)) as tf.Scalar, [emb]);
  tf.dispose([value, ...Object.values(grads)]);
});
