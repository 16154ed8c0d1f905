/**
 * The bench's training step and inference pass on one extractor, for the profiling scripts
 * (cpuStep.ts, stepParts.ts): a two-class token task, embedding 64, last-position readout,
 * Adam, the same as `fxbench bench` measures.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../harness/cell/model.js';
import { Adam, gradData } from '../../harness/cell/optimizer.js';
import { extractors } from '../../harness/plugins/registries.js';
import { Rng } from '../../core/rng.js';

const TASK = { input: { kind: 'tokens', vocab: 32, tokens: [] }, output: { kind: 'classes', classes: 2, labels: ['0', '1'], per: 'sequence' } } as never;

/** CPU time of this process in ms (the machine is shared: wall time counts other tenants). */
export const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export interface BenchStep {
  /** One training step: forward, backward, Adam update; reads the loss. */
  train(): void;
  /** One inference pass; reads the predictions. */
  infer(): void;
  dispose(): void;
}

/** A model of extractor `name` (default options) on batches [B, T] of fixed tokens. */
export function benchStep(name: string, T: number, B: number): BenchStep {
  const model = buildModel(TASK, extractors.get(name), extractors.get(name).options.parse({}), { embedDim: 64, readout: 'last' }, new Rng(1), undefined, T);
  const vars = Object.values(model.variables);
  const opt = new Adam(vars, { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const ids = new Int32Array(B * T).map((_, i) => (i * 7) % 32);
  const batch = {
    inputs: tf.tensor1d(ids, 'int32'),
    targets: tf.tensor1d(
      new Int32Array(B).map((_, i) => i % 2),
      'int32',
    ),
    batchSize: B,
    length: T,
  };
  return {
    train() {
      const { value, grads } = tf.variableGrads(() => model.loss(model.predict(model.extractor.apply(model.embed(batch), { training: true })), batch), vars);
      opt.step(gradData(vars, grads));
      value.dataSync(); // outside tidy: reading inside one is ~20x slower
      tf.dispose([value, ...Object.values(grads)]);
    },
    infer() {
      const y = tf.tidy(() => model.predict(model.extractor.apply(model.embed(batch), { training: false }))); // [B, 2]
      y.dataSync();
      y.dispose();
    },
    dispose() {
      model.dispose();
      tf.dispose([batch.inputs, batch.targets]);
    },
  };
}
