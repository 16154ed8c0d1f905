/** Scratch: per-op overhead vs per-element cost on tfjs-wasm. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../harness/backend.js';
await initBackend('wasm');
function time(label: string, fn: () => void, reps = 500): void {
  for (let i = 0; i < 20; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  console.log(`${label.padEnd(40)} ${(((performance.now() - t0) / reps) * 1000).toFixed(1)} us`);
}
for (const shape of [[1], [32, 128], [32, 512], [256, 32, 512]]) {
  const a = tf.ones(shape), b = tf.ones(shape);
  time(`add ${JSON.stringify(shape)}`, () => tf.add(a, b).dispose(), shape.length === 3 ? 20 : 500);
  time(`sigmoid ${JSON.stringify(shape)}`, () => tf.sigmoid(a).dispose(), shape.length === 3 ? 20 : 500);
  time(`mul ${JSON.stringify(shape)}`, () => tf.mul(a, b).dispose(), shape.length === 3 ? 20 : 500);
}
const x = new Float32Array(16384).fill(0.3);
time('JS loop mul-add 16K', () => { for (let i = 0; i < x.length; i++) x[i] = x[i] * 0.999 + 0.0001; });
