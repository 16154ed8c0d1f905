/** Scratch: where the time of a recurrent forward goes (layer alone vs whole model pieces). */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../harness/backend.js';
import { builtinExtractors } from '../extractors/index.js';
import { Rng } from '../harness/rng.js';

const [name = 'rnn', len = '64'] = process.argv.slice(2);
const T = Number(len), B = 32, D = 64;
await initBackend('wasm');
const def = builtinExtractors.find((d) => d.name === name)!;
const ext = def.create(def.options.parse({}), { inputDim: D, rng: new Rng(1) });
const x = tf.randomNormal([B, T, D]) as tf.Tensor3D;
function time(label: string, fn: () => void, reps = 20): void {
  for (let i = 0; i < 3; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  console.log(`${label.padEnd(40)} ${((performance.now() - t0) / reps).toFixed(2)} ms`);
}
time('extractor apply (tidy, no tape)', () => tf.tidy(() => ext.apply(x, { training: false })).dispose());
time('extractor apply + dataSync', () => { const y = tf.tidy(() => ext.apply(x, { training: false })); y.dataSync(); y.dispose(); });
const r = tf.randomNormal([B, T, 128]);
time('extractor fwd+bwd (variableGrads)', () => {
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(ext.apply(x, { training: true }), r)) as tf.Scalar, Object.values(ext.variables));
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
});
const emb = tf.variable(tf.randomNormal([32, 64]));
const ids = tf.tensor1d(new Int32Array(B * T).map((_, i) => i % 32), 'int32');
time('embedding gather', () => tf.tidy(() => tf.gather(emb, ids).reshape([B, T, D])).dispose());
const feats = tf.randomNormal([B, T, 128]);
time('gather last + head', () => tf.tidy(() => tf.matMul(tf.gather(feats, [T - 1], 1).reshape([B, 128]), tf.randomNormal([128, 2]))).dispose());
time('x.dataSync', () => void x.dataSync());
time('tf.tensor3d(y)', () => tf.tensor3d(new Float32Array(B * T * 128), [B, T, 128]).dispose());
