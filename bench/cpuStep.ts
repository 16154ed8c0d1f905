/**
  * Scratch: the fastest of N repeats, in CPU time (the machine is shared), of the bench's train step and
 * inference pass: node dist/bench/bench/cpuStep.js <extractors> <lengths> [steps] [modes, e.g. infer]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../harness/backend.js';
import { buildModel } from '../harness/model.js';
import { Adam, gradData } from '../harness/optimizer.js';
import { extractors } from '../harness/plugins.js';
import { Rng } from '../core/rng.js';

const [names = 'lstm', lens = '64', stepsArg = '5', modesArg = 'train,infer'] = process.argv.slice(2);
const B = 32;
await initBackend('wasm');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const task = { input: { kind: 'tokens', vocab: 32, tokens: [] }, output: { kind: 'classes', classes: 2, labels: ['0', '1'], per: 'sequence' } } as never;
for (const name of names.split(',')) {
  for (const T of lens.split(',').map(Number)) {
    const model = buildModel(task, extractors.get(name), {}, { embedDim: 64, readout: 'last' }, new Rng(1), undefined, T);
    const opt = new Adam(Object.values(model.variables), { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const ids = new Int32Array(B * T).map((_, i) => (i * 7) % 32);
    const t = { inputs: tf.tensor1d(ids, 'int32'), targets: tf.tensor1d(new Int32Array(B).map((_, i) => i % 2), 'int32'), batchSize: B, length: T };
    const vars = Object.values(model.variables);
    const train = () => {
      const { value, grads } = tf.variableGrads(() => model.loss(model.predict(model.extractor.apply(model.embed(t), { training: true })), t), vars);
      opt.step(gradData(Object.values(model.variables), grads));
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    };
    const infer = () => { const y = tf.tidy(() => model.predict(model.extractor.apply(model.embed(t), { training: false }))); y.dataSync(); y.dispose(); };
    const steps = Number(stepsArg);
    const out: string[] = [];
    for (const [mode, fn] of ([['train', train], ['infer', infer]] as const).filter(([m]) => modesArg.split(',').includes(m))) {
      fn();
      let best = Infinity;
      let bestWall = Infinity;
      for (let i = 0; i < steps; i++) {
        const c0 = cpu(), w0 = performance.now();
        fn();
        best = Math.min(best, cpu() - c0);
        bestWall = Math.min(bestWall, performance.now() - w0);
      }
      out.push(`${mode} min ${best.toFixed(1)} ms cpu (${bestWall.toFixed(1)} wall)`);
    }
    console.log(`${name} T=${T}: ${out.join('   ')}`);
    model.dispose();
  }
}
