/**
 * Where a step's time goes: each WebAssembly kernel's share of a training step and an
 * inference pass (CPU time, summed over calls), the rest being JS glue, copies and tfjs:
 *   node dist/perf/profile/stepParts.js <extractor> <length> [steps] [batch] [threads]
 * The kernels are wrapped by timers (a few hundred calls per step; ~1 µs each). With
 * threads > 1 the timers are wall clock (process CPU time would count the other threads):
 * a kernel's line is then what this thread spent in it, its share of split calls
 * included, so the lines without a split show what stays serial.
 */
import { initBackend } from '../../kernels/backend.js';
import { kernels, setKernelThreads } from '../../kernels/runtime/runtime.js';
import { Rng } from '../../core/rng.js';
import { benchStep, cpuMs } from './step.js';

const [name = 'transformer', len = '64', stepsArg = '10', batch = '32', threadsArg = '1'] = process.argv.slice(2);
const T = Number(len);
const B = Number(batch);
const threads = Number(threadsArg);
await initBackend('wasm');
setKernelThreads(threads);
const clock = threads > 1 ? () => performance.now() : cpuMs;
const K = kernels();
const spent = new Map<string, { ms: number; calls: number; flops: number }>();
/** Multiply-adds x 2 of a product kernel's call (by its parameters), 0 for other kernels. */
const flopsOf = (n: string, a: number[]) => (n === 'gemmPacked' || n === 'gemmSimple' ? 2 * a[0] * a[1] * a[2] : 0);
/** Product calls of the last step, replayed in isolation afterwards (same addresses, arena intact). */
let record: [string, number[]][] | undefined;
const fns = K.fns as unknown as Record<string, (...a: number[]) => void>;
const wrapped: Record<string, (...a: number[]) => void> = {};
for (const [n, f] of Object.entries(fns)) {
  wrapped[n] = (...a: number[]) => {
    const t0 = clock();
    f(...a);
    const s = spent.get(n) ?? { ms: 0, calls: 0, flops: 0 };
    s.ms += clock() - t0;
    s.calls++;
    s.flops += flopsOf(n, a);
    if (record && flopsOf(n, a) > 0) record.push([n, a]);
    spent.set(n, s);
  };
}
// The instance calls its kernels through `direct` (`fns` is a getter over it).
(K as unknown as { direct: unknown }).direct = wrapped;
const step = benchStep(name, T, B);
for (const [mode, fn] of [
  ['train', step.train],
  ['infer', step.infer],
] as const) {
  fn();
  spent.clear();
  const steps = Number(stepsArg);
  let total = 0;
  for (let i = 0; i < steps; i++) {
    const t0 = clock();
    fn();
    total += clock() - t0;
  }
  const per = total / steps;
  let inKernels = 0;
  const lines = [...spent.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([n, s]) => {
      inKernels += s.ms;
      const gf = s.flops ? `  ${(s.flops / s.ms / 1e6).toFixed(1).padStart(5)} GFLOP/s` : '';
      return `  ${n.padEnd(20)} ${(s.ms / steps).toFixed(2).padStart(8)} ms ${((100 * s.ms) / total).toFixed(1).padStart(5)}%  ${(s.calls / steps).toFixed(0).padStart(6)} calls${gf}`;
    });
  console.log(
    `${name} T=${T} B=${B} ${mode}: ${per.toFixed(1)} ms per step; kernels ${((100 * inKernels) / total).toFixed(1)}%, outside ${(per - inKernels / steps).toFixed(1)} ms`,
  );
  console.log(lines.join('\n'));
  // The same product calls again, back to back, outside the step (the arena is released but
  // its memory is still there; only timing matters): in-step rate vs isolated rate.
  record = [];
  fn();
  const calls = record;
  record = undefined;
  const byKernel = new Map<string, { inStep: number; alone: number; flops: number }>();
  for (const [n, a] of calls) {
    const e = byKernel.get(n) ?? { inStep: 0, alone: 0, flops: 0 };
    e.flops += flopsOf(n, a);
    byKernel.set(n, e);
  }
  for (let rep = 0; rep < 3; rep++) {
    for (const [n, a] of calls) {
      const t0 = clock();
      fns[n](...a);
      byKernel.get(n)!.alone += (clock() - t0) / 3;
    }
  }
  for (const [n, e] of byKernel) console.log(`  replayed alone: ${n} ${(e.flops / e.alone / 1e6).toFixed(1)} GFLOP/s (${e.alone.toFixed(2)} ms)`);
  // By shape (M x N x K, A transposed or not), replayed: which products are slow.
  const shapes = new Map<string, { ms: number; flops: number; calls: number }>();
  for (let rep = 0; rep < 3; rep++) {
    for (const [n, a] of calls) {
      const key = `${n} ${a[0]}x${a[1]}x${a[2]}${a[5] !== 1 ? ' At' : ''}`;
      const t0 = clock();
      fns[n](...a);
      const e = shapes.get(key) ?? { ms: 0, flops: 0, calls: 0 };
      e.ms += (clock() - t0) / 3;
      e.flops += flopsOf(n, a) / 3;
      e.calls += 1 / 3;
      shapes.set(key, e);
    }
  }
  for (const [k, e] of [...shapes].sort((x, y) => y[1].ms - x[1].ms).slice(0, 14))
    console.log(
      `    ${k.padEnd(28)} ${e.calls.toFixed(0).padStart(5)} calls ${e.ms.toFixed(2).padStart(7)} ms ${(e.flops / e.ms / 1e6).toFixed(1).padStart(5)} GFLOP/s`,
    );
  if (process.env.REPLAY_RANDOM) {
    // Same calls on random data (uniform in [-1, 1]): does the data itself (denormals) matter?
    const heap = K.heap;
    const rng = new Rng('stepParts/replay');
    for (let i = 16; i < heap.length; i++) heap[i] = rng.uniform() * 2 - 1;
    for (const e of byKernel.values()) e.alone = 0;
    for (let rep = 0; rep < 3; rep++) {
      for (const [n, a] of calls) {
        const t0 = clock();
        fns[n](...a);
        byKernel.get(n)!.alone += (clock() - t0) / 3;
      }
    }
    for (const [n, e] of byKernel) console.log(`  replayed on random data: ${n} ${(e.flops / e.alone / 1e6).toFixed(1)} GFLOP/s (${e.alone.toFixed(2)} ms)`);
  }
}
step.dispose();
K.dispose();
