/**
 * GEMM throughput on the shapes the extractors use (min CPU time of repeats; the machine is
 * shared): node dist/perf/profile/gemmShapes.js
 * Each case: M, N, K, transposed A?, and the row strides of B and C when they differ from N.
 */
import { kernels } from '../../kernels/runtime/runtime.js';
const K = kernels();
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
type Case = [label: string, M: number, N: number, K: number, transA: boolean, reps?: number, ldb?: number, ldc?: number];
const cases: Case[] = [
  ['fwd in_proj', 2048, 384, 128, false],
  ['fwd ff1', 2048, 512, 128, false],
  ['fwd ff2', 2048, 128, 512, false],
  ['bwd dx ff1 (dY W)', 2048, 128, 512, false],
  ['bwd dW ff1 (dY^T X)', 512, 128, 2048, true],
  ['bwd dW ff2', 128, 512, 2048, true],
  ['bwd dW in_proj', 384, 128, 2048, true],
  ['attn S=QK^T x128', 64, 64, 32, false, 128, 64, 64],
  ['attn PV x128', 64, 32, 64, false, 128, 384, 128],
  ['attn dV=P^T G x128', 64, 32, 64, true, 128, 128, 384],
  ['attn S T=256 x128', 256, 256, 32, false, 128, 256, 256],
  ['attn PV T=256 x128', 256, 32, 256, false, 128, 384, 128],
  ['attn dK=dS^T Q T=256 x128', 256, 32, 256, true, 128, 384, 384],
  ['rnn step fwd', 32, 512, 128, false, 255],
  ['rnn step bwd', 32, 128, 512, false, 255],
  ['rnn dW_hh (T=256)', 512, 128, 8192, true],
  ['tcn conv fwd (T=64)', 2048, 128, 384, false],
];
for (const [label, M, N, Kd, transA, calls = 1, ldb = N, ldc = N] of cases) {
  const m = K.mark();
  const A = K.put(Float32Array.from({ length: M * Kd }, () => Math.random() - 0.5));
  const B = K.put(Float32Array.from({ length: Kd * ldb }, () => Math.random() - 0.5));
  const C = K.alloc(M * ldc);
  const [rsa, csa] = transA ? [1, M] : [Kd, 1];
  const run = () => {
    for (let i = 0; i < calls; i++) K.gemm(M, N, Kd, A, rsa, csa, B, ldb, C, ldc);
  };
  const simple = () => {
    for (let i = 0; i < calls; i++) K.fns.gemmSimple(M, N, Kd, A, rsa, csa, B, ldb, C, ldc, 0, 0, 0);
  };
  // Alternate the two so that both see the same machine load; keep the fastest of each.
  const best = [Infinity, Infinity];
  run();
  simple();
  for (let r = 0; r < 7; r++) {
    [run, simple].forEach((fn, i) => {
      const t0 = cpu();
      fn();
      best[i] = Math.min(best[i], cpu() - t0);
    });
  }
  K.release(m);
  const gf = (ms: number) => ((2 * M * N * Kd * calls) / ms / 1e6).toFixed(1).padStart(5);
  console.log(
    `${label.padEnd(24)} [${M}x${Kd}]x[${Kd}x${N}]${transA ? 'ᵀA' : '  '} x${calls}  gemm ${best[0].toFixed(2).padStart(7)} ms ${gf(best[0])} GF/s   gemmSimple ${gf(best[1])} GF/s`,
  );
}
