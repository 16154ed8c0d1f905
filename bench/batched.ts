/** Scratch: batched (3-D) matMul vs 2-D on tfjs-wasm. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../harness/backend.js';
await initBackend('wasm');
function time(label: string, fn: () => void, flops: number, reps = 10): void {
  for (let i = 0; i < 2; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  const ms = (performance.now() - t0) / reps;
  console.log(`${label.padEnd(44)} ${ms.toFixed(2).padStart(8)} ms ${(flops / ms / 1e6).toFixed(2)} GFLOP/s`);
}
const r = (s: number[]) => tf.randomUniform(s);
for (const [bt, m, k, n] of [[128, 64, 32, 64], [128, 64, 64, 32], [128, 256, 32, 256], [128, 256, 256, 32], [1, 64, 32, 64]]) {
  const a = r([bt, m, k]), b = r([bt, k, n]);
  time(`batched [${bt},${m},${k}]x[${bt},${k},${n}]`, () => tf.matMul(a, b).dispose(), 2 * bt * m * k * n);
}
const a = r([64, 32]), b = r([32, 64]);
time('2-D [64,32]x[32,64] (x128 calls)', () => { for (let i = 0; i < 128; i++) tf.matMul(a, b).dispose(); }, 2 * 128 * 64 * 32 * 64);
