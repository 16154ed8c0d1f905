/**
 * Per-kernel profile of one training step (tf.profile):
 *   node dist/perf/profile/profile.js <extractor> <length> [batch]   (build: see README.md)
 * Prints the tfjs kernels by total time. Custom ops (the extractors' kernels) appear by their
 * forward only: their backward passes are not profiled kernels (use node --cpu-prof).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../kernels/backend.js';
import { buildModel } from '../../harness/cell/model.js';
import { Adam, gradData } from '../../harness/cell/optimizer.js';
import { extractors } from '../../harness/plugins/registries.js';
import { Rng } from '../../core/rng.js';

const [name = 'lstm', len = '64', batch = '32'] = process.argv.slice(2);
const T = Number(len);
const B = Number(batch);
await initBackend('wasm');
const task = {
  input: { kind: 'tokens' as const, vocab: 32, tokens: [] },
  output: { kind: 'classes' as const, classes: 2, labels: ['0', '1'], per: 'sequence' as const },
} as never;
const model = buildModel(task, extractors.get(name), extractors.get(name).options.parse({}), { embedDim: 64, readout: 'last' }, new Rng(1), undefined, T);
const opt = new Adam(Object.values(model.variables), { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
const ids = new Int32Array(B * T).map((_, i) => (i * 7) % 32);
const t = { inputs: tf.tensor1d(ids, 'int32'), targets: tf.tensor1d(new Int32Array(B), 'int32'), batchSize: B, length: T };
const vars = Object.values(model.variables);
const step = () => {
  const { value, grads } = tf.variableGrads(() => model.loss(model.predict(model.extractor.apply(model.embed(t), { training: true })), t), vars);
  opt.step(gradData(Object.values(model.variables), grads));
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
};
step();
const t0 = performance.now();
const info = await tf.profile(step);
const wall = performance.now() - t0;
const by = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
  const e = by.get(key) ?? { ms: 0, n: 0 };
  e.ms += k.kernelTimeMs as number;
  e.n++;
  by.set(key, e);
}
const total = [...by.values()].reduce((a, b) => a + b.ms, 0);
console.log(`${name} T=${T}: wall ${wall.toFixed(1)} ms (profiled), kernel sum ${total.toFixed(1)} ms, ${info.kernels.length} kernels`);
for (const [k, v] of [...by.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
  console.log(`${v.ms.toFixed(1).padStart(8)} ms ${String(v.n).padStart(5)}x  ${k}`);
