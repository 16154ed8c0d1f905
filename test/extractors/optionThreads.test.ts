/**
 * `--threads` for the kernels the IRNN and causal-Transformer options added: the rnn with
 * ReLU (its time loop split by batch rows, rnnReluForward / rnnReluBackward) and the causal
 * Transformer (attention's (sequence, head) pairs, softmaxCausal and its recompute, kept or
 * streamed), run on 1 and on 2 kernel threads, give the same features and gradients, bit for
 * bit, and the work is split. The built module is used (npm test builds dist/ first): the
 * threads are worker threads that load dist/kernels/runtime/thread.js.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../dist/core/rng.js';
import { initBackend } from '../../dist/kernels/backend.js';
import { kernels, setKernelThreads } from '../../dist/kernels/runtime/runtime.js';
import { rnn } from '../../dist/extractors/recurrent/recurrent.js';
import { transformer } from '../../dist/extractors/transformer/transformer.js';
import { attentionOverride } from '../../dist/extractors/transformer/stack.js';
import type { ExtractorDefinition } from '../../extractors/types.js';

const D = 5;

/** Features, and the gradients of sum(y * r) in x and every weight, as raw bytes; and whether a call was split. */
function run(def: ExtractorDefinition, options: Record<string, unknown>, B: number, T: number, threads: number, mask?: number[][]) {
  setKernelThreads(threads);
  const K = kernels();
  const before = K.splitCalls();
  const ext = def.create(def.options.parse(options), { inputDim: D, rng: new Rng('option-threads'), length: T } as Parameters<typeof def.create>[1]);
  const rng = new Rng(`option-threads/x/${def.name}`);
  const x = tf.tensor3d(
    Float32Array.from({ length: B * T * D }, () => rng.uniform() * 2 - 1),
    [B, T, D],
  );
  const r = tf.tensor3d(
    Float32Array.from({ length: B * T * ext.outputDim }, () => rng.uniform() * 2 - 1),
    [B, T, ext.outputDim],
  );
  const m = mask ? tf.tensor2d(mask) : undefined;
  const loss = (xx: tf.Tensor) => tf.sum(tf.mul(ext.apply(xx as tf.Tensor3D, { training: true, mask: m }), r)) as tf.Scalar;
  const y = ext.apply(x, { training: false, mask: m });
  const [gx] = tf.grads(loss)([x]);
  const { grads } = tf.variableGrads(() => loss(x), Object.values(ext.variables));
  const bytes = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).slice().buffer);
  const out = [bytes(y), bytes(gx), ...Object.values(ext.variables).map((v) => bytes(grads[v.name]))];
  const split = K.splitCalls() > before;
  tf.dispose([x, r, y, gx, ...(m ? [m] : []), ...Object.values(grads)]);
  for (const v of Object.values(ext.variables)) v.dispose();
  ext.dispose?.();
  return { out, split };
}

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => {
  setKernelThreads(1);
  delete attentionOverride.mode;
  delete attentionOverride.block;
});

describe('the new options on 1 and 2 kernel threads', () => {
  it("rnn activation 'relu', recurrentInit 'identity', 2 layers: bit-identical", () => {
    const options = { hidden: 24, layers: 2, activation: 'relu', recurrentInit: 'identity' };
    const one = run(rnn, options, 16, 9, 1);
    const two = run(rnn, options, 16, 9, 2);
    expect(two.split).toBe(true);
    two.out.forEach((b, i) => expect(b.equals(one.out[i]), `tensor ${i}`).toBe(true));
    // Not trivially equal: the features and gradients are non-zero.
    expect(new Float32Array(one.out[0].buffer.slice(0)).some((v) => v > 0)).toBe(true);
    expect(new Float32Array(one.out[1].buffer.slice(0)).some((v) => v !== 0)).toBe(true);
  });

  for (const mode of ['probs', 'stream'] as const) {
    it(`transformer causal (${mode}), with left and right padding: bit-identical`, () => {
      attentionOverride.mode = mode;
      attentionOverride.block = mode === 'stream' ? 8 : undefined;
      const [B, T] = [4, 21];
      const mask = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => ((b === 0 && t < 5) || (b === 3 && t > T - 4) ? 0 : 1)));
      const options = { dModel: 16, heads: 4, ffDim: 24, layers: 2, causal: true };
      const one = run(transformer, options, B, T, 1, mask);
      const two = run(transformer, options, B, T, 2, mask);
      expect(two.split).toBe(true);
      two.out.forEach((b, i) => expect(b.equals(one.out[i]), `tensor ${i}`).toBe(true));
      expect(new Float32Array(one.out[1].buffer.slice(0)).some((v) => v !== 0)).toBe(true);
    });
  }
});
