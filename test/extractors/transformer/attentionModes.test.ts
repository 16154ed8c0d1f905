/**
 * The two ways attention keeps what its backward pass needs (extractors/attention.ts): every
 * head's probabilities, or streaming blocks of query rows with only the softmax statistics
 * kept and P recomputed in the backward pass. Both must give the same outputs and gradients,
 * bit for bit (the recomputation repeats the forward pass's operations in order), with and
 * without a key mask, for blocks that do and do not divide T.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../kernels/backend.js';
import { Rng } from '../../../core/rng.js';
import { transformer } from '../../../extractors/transformer/transformer.js';
import { attentionMode, attentionOverride } from '../../../extractors/transformer/stack.js';
import { attentionDims } from '../../../extractors/transformer/attention.js';
import { kernels } from '../../../kernels/runtime/runtime.js';

const [B, T, D] = [3, 37, 5];

function run(mask: number[][] | undefined) {
  const ext = transformer.create(transformer.options.parse({ dModel: 8, heads: 2, ffDim: 12, layers: 2 }), { inputDim: D, rng: new Rng('attention-modes') });
  try {
    const rng = new Rng('attention-modes/x');
    const x = tf.tensor3d(
      Float32Array.from({ length: B * T * D }, () => rng.uniform() * 2 - 1),
      [B, T, D],
    );
    const r = tf.tensor3d(
      Float32Array.from({ length: B * T * 8 }, () => rng.uniform() * 2 - 1),
      [B, T, 8],
    );
    const m = mask ? tf.tensor2d(mask) : undefined;
    const names = Object.keys(ext.variables);
    const y = tf.tidy(() => ext.apply(x, { training: false, mask: m }));
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(ext.apply(x, { training: true, mask: m }), r)) as tf.Scalar,
      names.map((n) => ext.variables[n]),
    );
    const [gx] = tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(ext.apply(xx as tf.Tensor3D, { training: true, mask: m }), r)))([x]);
    const out = {
      y: Array.from(y.dataSync()),
      loss: value.dataSync()[0],
      gx: Array.from(gx.dataSync()),
      grads: names.map((n) => Array.from(grads[ext.variables[n].name].dataSync())),
    };
    tf.dispose([x, r, y, value, gx, ...Object.values(grads), ...(m ? [m] : [])]);
    return out;
  } finally {
    for (const v of Object.values(ext.variables)) v.dispose();
    ext.dispose?.();
  }
}

describe('attention: kept probabilities and streaming agree', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterEach(() => {
    delete attentionOverride.mode;
    delete attentionOverride.block;
  });

  const padded = [Array.from({ length: T }, (_, t) => (t < 11 ? 0 : 1)), new Array(T).fill(1), Array.from({ length: T }, (_, t) => (t < T - 1 ? 0 : 1))];
  for (const mask of [undefined, padded]) {
    for (const block of [8, 5, 64]) {
      it(`block ${block}${mask ? ', key mask' : ''}: outputs and gradients bit for bit`, () => {
        attentionOverride.mode = 'probs';
        const a = run(mask);
        attentionOverride.mode = 'stream';
        attentionOverride.block = block;
        const b = run(mask);
        expect(b.y).toEqual(a.y);
        expect(b.loss).toBe(a.loss);
        expect(b.gx).toEqual(a.gx);
        expect(b.grads).toEqual(a.grads);
        expect(a.gx.some((v) => v !== 0)).toBe(true);
      });
    }
  }

  it('streams beyond the probabilities budget (T = 4096 at batch 8)', () => {
    expect(attentionMode(attentionDims(32, 256, 128, 4), 2)).toBe('probs');
    expect(attentionMode(attentionDims(8, 4096, 128, 4), 2)).toBe('stream');
  });

  it('a training step leaves no kernel memory pinned', () => {
    run(padded);
    expect(kernels().pinnedBytes()).toBe(0);
  });
});
