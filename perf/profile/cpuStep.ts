/**
 * Scratch: the fastest of N repeats, in CPU time (the machine is shared), of the bench's train step and
 * inference pass: node dist/perf/profile/cpuStep.js <extractors> <lengths> [steps] [modes, e.g. infer]
 */
import { initBackend } from '../../kernels/backend.js';
import { benchStep, cpuMs } from './step.js';

const [names = 'lstm', lens = '64', stepsArg = '5', modesArg = 'train,infer'] = process.argv.slice(2);
const B = 32;
await initBackend('wasm');
for (const name of names.split(',')) {
  for (const T of lens.split(',').map(Number)) {
    const step = benchStep(name, T, B);
    const steps = Number(stepsArg);
    const out: string[] = [];
    for (const [mode, fn] of (
      [
        ['train', step.train],
        ['infer', step.infer],
      ] as const
    ).filter(([m]) => modesArg.split(',').includes(m))) {
      fn();
      let best = Infinity;
      let bestWall = Infinity;
      for (let i = 0; i < steps; i++) {
        const c0 = cpuMs(),
          w0 = performance.now();
        fn();
        best = Math.min(best, cpuMs() - c0);
        bestWall = Math.min(bestWall, performance.now() - w0);
      }
      out.push(`${mode} min ${best.toFixed(1)} ms cpu (${bestWall.toFixed(1)} wall)`);
    }
    console.log(`${name} T=${T}: ${out.join('   ')}`);
    step.dispose();
  }
}
