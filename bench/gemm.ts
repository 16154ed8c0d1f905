/** Scratch: the WASM gemm kernel vs tfjs-wasm (XNNPACK) matMul, and a correctness spot check. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../harness/backend.js';
import { kernels } from '../extractors/kernels/runtime.js';

await initBackend('wasm');
const K = kernels();
function time(fn: () => void, reps: number): number {
  for (let i = 0; i < 3; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / reps;
}
const rnd = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
for (const [m, k, n] of [[32, 128, 512], [32, 512, 128], [32, 128, 128], [8192, 64, 512], [512, 8192, 128], [8192, 512, 64], [64, 32, 64], [256, 32, 256], [7, 5, 13]]) {
  const A = rnd(m * k), B = rnd(k * n);
  const mark = K.mark();
  const a = K.put(A), b = K.put(B), c = K.alloc(m * n);
  const reps = m * n * k > 1e7 ? 5 : 200;
  const ms = time(() => K.gemm(m, n, k, a, k, 1, b, n, c, n), reps);
  // correctness on a few entries
  const C = K.view(c, m * n);
  let err = 0;
  for (let t = 0; t < 50; t++) {
    const i = (t * 7919) % m, j = (t * 104729) % n;
    let s = 0;
    for (let q = 0; q < k; q++) s += A[i * k + q] * B[q * n + j];
    err = Math.max(err, Math.abs(s - C[i * n + j]));
  }
  K.release(mark);
  const ta = tf.tensor(A, [m, k]), tb = tf.tensor(B, [k, n]);
  const tms = time(() => tf.matMul(ta, tb).dispose(), reps);
  tf.dispose([ta, tb]);
  const fl = 2 * m * n * k;
  console.log(`[${m},${k}]x[${k},${n}]  wasm-gemm ${(ms * 1000).toFixed(0).padStart(7)} us ${(fl / ms / 1e6).toFixed(2).padStart(6)} GF/s   tfjs ${(tms * 1000).toFixed(0).padStart(7)} us ${(fl / tms / 1e6).toFixed(2).padStart(6)} GF/s  err ${err.toExponential(1)}`);
}
