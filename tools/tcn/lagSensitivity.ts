/**
 * Evidence for docs/tcn-recall-distances.md: for the TCN, per lag L (positions between an
 * input and the readout), the minimum number of residual blocks whose convolution path a
 * signal must take to cover L (the others contribute lag 0 through their residual), and the
 * sensitivity ||dLoss/dx_{T-1-L}|| at initialisation (mean over init seeds and a batch),
 * relative to the readout's own position.
 *
 *   npx tsc -p tools/tcn && node dist/tools/tools/tcn/lagSensitivity.js [kernel=3] [levels=4] [seeds=8] [options JSON]
 */
import { initBackend } from '../../kernels/backend.js';
import { buildModel, batchTensorList } from '../../harness/cell/model.js';
import { sensitivityProfile } from '../../harness/cell/measure/gradients.js';
import { extractors, tasks } from '../../harness/plugins/registries.js';
import { Rng } from '../../core/rng.js';
import { receptiveField } from '../../extractors/tcn/tcn.js';

/** Minimum number of blocks with a non-zero lag (s_i in 0..2(k-1), lag = sum s_i 2^i); undefined if unreachable. */
export function convBlocksNeeded(lag: number, kernel: number, levels: number): number | undefined {
  const smax = 2 * (kernel - 1);
  let best: number | undefined;
  const rec = (i: number, left: number, used: number) => {
    if (best !== undefined && used >= best) return;
    if (left === 0) {
      best = used;
      return;
    }
    if (i < 0) return;
    const d = 2 ** i;
    for (let s = Math.min(smax, Math.floor(left / d)); s >= 0; s--) rec(i - 1, left - s * d, used + (s > 0 ? 1 : 0));
  };
  rec(levels - 1, lag, 0);
  return best;
}

const [kArg = '3', lArg = '4', sArg = '8', optArg = '{}'] = process.argv.slice(2);
const kernel = Number(kArg);
const levels = Number(lArg);
const extra = JSON.parse(optArg) as Record<string, unknown>;
await initBackend('wasm');
const field = receptiveField({ kernel, levels, channels: 64, weightNorm: false, init: 'pytorch' });
const T = field; // every lag 0..field-1 is inside the sequence
const def = tasks.get('recall');
const task = def.create(def.options.parse({ symbols: 4 }));
const sums = new Float64Array(T);
for (let s = 0; s < Number(sArg); s++) {
  const rng = new Rng(`lag/${s}`);
  const model = buildModel(
    task,
    extractors.get('tcn'),
    extractors.get('tcn').options.parse({ channels: 64, kernel, levels, ...extra }),
    { embedDim: 64, readout: 'last' },
    rng.fork('init'),
    undefined,
    T,
  );
  const t = model.toTensors(task.sample(rng.fork('data'), 32, T));
  const p = sensitivityProfile(model, t);
  for (let i = 0; i < T; i++) sums[i] += p[i] / p[T - 1];
  batchTensorList(t).forEach((x) => x.dispose());
  model.dispose();
}
console.log(
  `tcn kernel ${kernel}, levels ${levels}, ${JSON.stringify(extra)}: receptive field ${field}; lag, conv blocks needed, sensitivity at init relative to lag 0 (mean of ${sArg} inits)`,
);
const byBlocks = new Map<number, number[]>();
for (let lag = 0; lag < T; lag++) {
  const n = convBlocksNeeded(lag, kernel, levels)!;
  const rel = sums[T - 1 - lag] / Number(sArg);
  if (!byBlocks.has(n)) byBlocks.set(n, []);
  byBlocks.get(n)!.push(rel);
  console.log(`${lag}\t${n}\t${rel.toExponential(2)}`);
}
for (const [n, v] of [...byBlocks.entries()].sort((a, b) => a[0] - b[0])) {
  const g = Math.exp(v.reduce((a, x) => a + Math.log(x), 0) / v.length);
  console.log(
    `conv blocks ${n}: ${v.length} lags, geometric-mean relative sensitivity ${g.toExponential(2)} (min ${Math.min(...v).toExponential(2)}, max ${Math.max(...v).toExponential(2)})`,
  );
}
