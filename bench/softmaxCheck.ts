/** Scratch: softmax kernels vs a float64 reference, including tails (cols % 4 != 0). */
import { kernels } from '../extractors/kernels/runtime.js';
const K = kernels();
let worst = 0;
for (const [rows, cols, ld] of [[3, 5, 7], [4, 64, 64], [2, 1, 1], [5, 13, 16], [2, 256, 256]]) {
  const s = Float32Array.from({ length: rows * ld }, () => (Math.random() - 0.5) * 40);
  const g = Float32Array.from({ length: rows * ld }, () => Math.random() - 0.5);
  const scale = 0.17;
  const m = K.mark();
  const P = K.put(s), G = K.put(g);
  K.fns.softmax(rows, cols, P, ld, scale);
  K.fns.softmaxBackward(rows, cols, P, ld, G, ld, scale);
  const p = K.read(P, rows * ld), gg = K.read(G, rows * ld);
  K.release(m);
  for (let r = 0; r < rows; r++) {
    const row = Array.from(s.subarray(r * ld, r * ld + cols), (v) => v * scale);
    const mx = Math.max(...row);
    const e = row.map((v) => Math.exp(v - mx));
    const z = e.reduce((a, b) => a + b, 0);
    const ref = e.map((v) => v / z);
    const dot = ref.reduce((a, v, j) => a + v * g[r * ld + j], 0);
    for (let j = 0; j < cols; j++) {
      worst = Math.max(worst, Math.abs(ref[j] - p[r * ld + j]));
      const dref = scale * ref[j] * (g[r * ld + j] - dot);
      worst = Math.max(worst, Math.abs(dref - gg[r * ld + j]));
    }
    for (let j = cols; j < ld; j++) if (p[r * ld + j] !== s[r * ld + j]) throw new Error('wrote past cols');
  }
}
console.log('max abs error', worst.toExponential(2));
