/**
 * The Transformer's key padding mask (`apply(x, { mask })`, 1 = token, 0 = padding), beyond
 * the PyTorch golden fixtures (golden.test.ts, "-mask"): padded positions cannot reach the
 * tokens' features, forward or backward, and a token's features do not depend on how much
 * left padding precedes it (without positions, which would shift with the padding).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../kernels/backend.js';
import { Rng } from '../../../core/rng.js';
import { transformer } from '../../../extractors/transformer/transformer.js';
import type { Extractor } from '../../../extractors/types.js';

const D = 3;

function make(options: Record<string, unknown>): Extractor {
  return transformer.create(transformer.options.parse({ dModel: 8, heads: 2, ffDim: 12, layers: 2, ...options }), { inputDim: D, rng: new Rng('mask-test') });
}

function randomInput(rng: Rng, B: number, T: number): Float32Array {
  return Float32Array.from({ length: B * T * D }, () => rng.uniform() * 2 - 1);
}

/** Features [B, T, H] of x under the mask, and d sum(y * r over the tokens) / dx. */
function run(ext: Extractor, x: Float32Array, mask: number[][] | undefined, B: number, T: number) {
  return tf.tidy(() => {
    const m = mask ? tf.tensor2d(mask) : undefined;
    const tokens = tf.tensor3d(Float32Array.from(mask ? mask.flat() : new Array(B * T).fill(1)), [B, T, 1]);
    const xt = tf.tensor3d(x, [B, T, D]);
    const y = ext.apply(xt, { training: true, mask: m });
    const [gx] = tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(ext.apply(xx as tf.Tensor3D, { training: true, mask: m }), tokens)))([xt]);
    return { y: y.arraySync() as number[][][], gx: gx.arraySync() as number[][][] };
  });
}

describe('transformer key padding mask', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const norm of ['post', 'pre'] as const) {
    it(`${norm}-norm: the values at padded positions change no token's features, and get no gradient from them`, () => {
      const ext = make({ norm });
      const [B, T] = [3, 7];
      const mask = [
        [0, 0, 0, 1, 1, 1, 1],
        [1, 1, 1, 1, 1, 1, 1],
        [0, 0, 0, 0, 0, 0, 1],
      ];
      const rng = new Rng(`mask/${norm}`);
      const x = randomInput(rng, B, T);
      const x2 = Float32Array.from(x, (v, i) => (mask.flat()[Math.floor(i / D)] === 0 ? v + 3 * (rng.uniform() - 0.5) : v));
      const a = run(ext, x, mask, B, T);
      const b = run(ext, x2, mask, B, T);
      for (let s = 0; s < B; s++) {
        for (let t = 0; t < T; t++) {
          if (mask[s][t] === 0) {
            expect(a.gx[s][t], `d(tokens)/d(pad x) at ${s},${t}`).toEqual([0, 0, 0]);
          } else {
            expect(b.y[s][t], `features at ${s},${t}`).toEqual(a.y[s][t]); // bit for bit
          }
        }
      }
      // Without the mask the same change does reach the tokens (the test above can fail).
      const c = run(ext, x, undefined, B, T);
      const d = run(ext, x2, undefined, B, T);
      expect(Math.abs(c.y[0][6][0] - d.y[0][6][0])).toBeGreaterThan(1e-4);
      for (const v of Object.values(ext.variables)) v.dispose();
      ext.dispose?.();
    });
  }

  it('without positions, more left padding leaves the last position unchanged', () => {
    const ext = make({ positional: 'none' });
    const rng = new Rng('mask/left');
    const tokens = randomInput(rng, 1, 4); // one sequence of 4 tokens
    const ys: number[][] = [];
    for (const pads of [0, 3, 12]) {
      const T = 4 + pads;
      const x = new Float32Array(T * D);
      for (let i = 0; i < pads * D; i++) x[i] = rng.uniform() * 2 - 1; // padding's embedding: anything
      x.set(tokens, pads * D);
      const mask = [Array.from({ length: T }, (_, t) => (t < pads ? 0 : 1))];
      ys.push(run(ext, x, mask, 1, T).y[0][T - 1]);
    }
    for (const y of ys.slice(1)) for (let c = 0; c < y.length; c++) expect(Math.abs(y[c] - ys[0][c])).toBeLessThan(1e-5);
    for (const v of Object.values(ext.variables)) v.dispose();
    ext.dispose?.();
  });

  it('declares padding "masked"', () => {
    expect(transformer.padding).toBe('masked');
  });
});
