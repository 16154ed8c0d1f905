/** Scratch: timings of tfjs-wasm primitives at the recurrent shapes. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../harness/backend.js';

function time(label: string, fn: () => void, flops = 0, reps = 200): number {
  for (let i = 0; i < 5; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  const ms = (performance.now() - t0) / reps;
  console.log(`${label.padEnd(48)} ${(ms * 1000).toFixed(1).padStart(9)} us${flops ? `  ${(flops / ms / 1e6).toFixed(2)} GFLOP/s` : ''}`);
  return ms;
}

function rand(shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.random() - 0.5;
  return tf.tensor(d, shape);
}

await initBackend('wasm');
for (const [m, k, n] of [
  [32, 128, 512],
  [32, 128, 128],
  [32, 128, 384],
  [32, 512, 128],
  [8192, 64, 512],
  [512, 8192, 128],
  [8192, 512, 128],
  [8192, 128, 128],
  [2048, 128, 512],
]) {
  const a = rand([m, k]);
  const b = rand([k, n]);
  time(`matMul [${m},${k}]x[${k},${n}]`, () => tf.matMul(a, b).dispose(), 2 * m * k * n, m * n > 100000 ? 10 : 300);
}
const a = rand([32, 512]);
const b = rand([32, 512]);
time('add [32,512]', () => tf.add(a, b).dispose());
time('sigmoid [32,512]', () => tf.sigmoid(a).dispose());
time('tanh [32,512]', () => tf.tanh(a).dispose());
const data = new Float32Array(32 * 512);
time('tf.tensor(Float32Array 16K)', () => tf.tensor(data, [32, 512]).dispose());
time('dataSync 16K (outside tidy)', () => void a.dataSync());
time('dataSync 16K (inside tidy)', () => tf.tidy(() => void a.dataSync()));
const big = rand([256, 32, 512]);
time('dataSync 4M (outside tidy)', () => void big.dataSync(), 0, 20);
time('JS sigmoid 16K', () => {
  for (let i = 0; i < data.length; i++) data[i] = 1 / (1 + Math.exp(-data[i]));
});
time('JS tanh 16K', () => {
  for (let i = 0; i < data.length; i++) data[i] = Math.tanh(data[i]);
});
const wasm = tf.backend() as unknown as { wasm: { HEAPF32: Float32Array }; dataIdMap: { get(id: object): { memoryOffset: number } } };
time('heap view 16K', () => {
  const off = wasm.dataIdMap.get(a.dataId).memoryOffset;
  void wasm.wasm.HEAPF32.subarray(off / 4, off / 4 + 16384);
});
