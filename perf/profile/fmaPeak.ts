/**
 * The ceiling of WebAssembly SIMD on this machine: GFLOP/s of a loop of independent f32x4
 * fused multiply-adds (12 accumulators, no memory traffic), in CPU time, best of 5:
 *   node dist/perf/profile/fmaPeak.js
 * The matrix products (bench/gemmShapes.ts) are measured against it. 256-bit AVX2 FMA, which
 * OpenBLAS uses, does twice the work per instruction on the same ports (tools/perf/blas_shapes.py).
 */
import { hasFma } from '../../kernels/wasm/features.js';
import { assemble, Fn, Simd, Ty } from '../../kernels/wasm/assembler.js';

hasFma(); // decides (and enables) relaxed SIMD before the module is emitted
const f = new Fn('peak', [Ty.i32]);
const [n] = f.params;
const ACC = 12;
const acc = Array.from({ length: ACC }, () => f.local(Ty.v128));
const b = f.local(Ty.v128);
f.splat(1e-9).set(b);
for (const x of acc) f.splat(1).set(x);
const i = f.local(Ty.i32);
f.for(
  i,
  () => f.i32(0),
  () => f.get(n),
  1,
  () => {
    for (const x of acc) f.madd(x, x, b); // x += x * b: each accumulator depends only on itself
  },
);
acc.forEach((x, k) =>
  f
    .i32(16 * k)
    .get(x)
    .vmem(Simd.store),
); // results stored, so the loop is not dead code
const memory = new WebAssembly.Memory({ initial: 1 });
const peak = new WebAssembly.Instance(new WebAssembly.Module(assemble([f])), { env: { memory } }).exports.peak as (n: number) => void;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const N = 2e7;
peak(1000);
let best = Infinity;
for (let r = 0; r < 5; r++) {
  const t0 = cpu();
  peak(N);
  best = Math.min(best, cpu() - t0);
}
const flopsPerIter = ACC * 8; // 4 lanes x (multiply + add)
console.log(
  `f32x4 ${hasFma() ? 'relaxed_madd' : 'mul + add'} peak: ${((N * flopsPerIter) / best / 1e6).toFixed(1)} GFLOP/s (${ACC} independent accumulators, best of 5 in CPU time)`,
);
