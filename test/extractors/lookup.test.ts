/**
 * embeddingLookup and lastPosition (extractors/common.ts), the cheap-on-WASM replacements for
 * the harness's tf.gather calls: same values and same gradients as tf.gather, on both backends.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, type BackendName } from '../../kernels/backend.js';
import { embeddingLookup, lastPosition } from '../../extractors/common.js';
import { Rng } from '../../core/rng.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const backend of ['wasm', 'cpu'] as BackendName[]) {
  describe(`lookups match tf.gather (${backend})`, () => {
    it('embeddingLookup: rows and the scatter-added gradient, repeated ids included', async () => {
      await initBackend(backend);
      const rng = new Rng('lookup/embedding');
      const [V, E, N] = [7, 5, 23];
      const table = tf.variable(
        tf.tensor2d(
          Array.from({ length: V * E }, () => rng.normal()),
          [V, E],
        ),
      );
      const ids = tf.tensor1d(
        Array.from({ length: N }, () => rng.int(V)),
        'int32',
      );
      const r = tf.tensor2d(
        Array.from({ length: N * E }, () => rng.normal()),
        [N, E],
      );
      const run = (lookup: () => tf.Tensor) =>
        tf.tidy(() => {
          const y = lookup().dataSync();
          const { grads } = tf.variableGrads(() => tf.sum(tf.mul(lookup(), r)) as tf.Scalar, [table]);
          return { y: Array.from(y), g: Array.from(grads[table.name].dataSync()) };
        });
      const ours = run(() => embeddingLookup(table as tf.Tensor as tf.Tensor2D, ids));
      const ref = run(() => tf.gather(table, ids));
      expect(maxAbsDiff(ours.y, ref.y)).toBe(0);
      expect(maxAbsDiff(ours.g, ref.g)).toBeLessThan(1e-6);
      expect(() => tf.tidy(() => embeddingLookup(table as tf.Tensor as tf.Tensor2D, tf.tensor1d([V], 'int32')))).toThrow(/outside the vocabulary/);
      // Straight into [B, T, E] (23 = 1 x 23 positions here), same values.
      const shaped = tf.tidy(() => Array.from(embeddingLookup(table as tf.Tensor as tf.Tensor2D, ids, [1, N, E]).dataSync()));
      expect(maxAbsDiff(shaped, ref.y)).toBe(0);
      // Both copy paths: a table no larger than the output is staged (above, and this bad id
      // among 8 rows), a larger one is read in place (3 rows of a 7-row table).
      expect(() => tf.tidy(() => embeddingLookup(table as tf.Tensor as tf.Tensor2D, tf.tensor1d([0, 1, 2, 3, 4, 5, 6, -1], 'int32')))).toThrow(
        /outside the vocabulary/,
      );
      const few = tf.tensor1d([6, 0, 6], 'int32');
      const fewOurs = tf.tidy(() => Array.from(embeddingLookup(table as tf.Tensor as tf.Tensor2D, few).dataSync()));
      const fewRef = tf.tidy(() => Array.from(tf.gather(table, few).dataSync()));
      expect(maxAbsDiff(fewOurs, fewRef)).toBe(0);
      tf.dispose([table, ids, r, few]);
    });

    it('lastPosition: x[:, T-1, :] and its gradient', async () => {
      await initBackend(backend);
      const rng = new Rng('lookup/last');
      const [B, T, H] = [3, 4, 5];
      const x = tf.tensor3d(
        Array.from({ length: B * T * H }, () => rng.normal()),
        [B, T, H],
      );
      const r = tf.tensor2d(
        Array.from({ length: B * H }, () => rng.normal()),
        [B, H],
      );
      const run = (pick: (x: tf.Tensor3D) => tf.Tensor) =>
        tf.tidy(() => {
          const y = pick(x).dataSync();
          const [g] = tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(pick(xx as tf.Tensor3D), r)) as tf.Scalar)([x]);
          return { y: Array.from(y), g: Array.from(g.dataSync()) };
        });
      const ours = run((t) => lastPosition(t));
      const ref = run((t) => tf.gather(t, [T - 1], 1).reshape([B, H]));
      expect(maxAbsDiff(ours.y, ref.y)).toBe(0);
      expect(maxAbsDiff(ours.g, ref.g)).toBe(0);
      tf.dispose([x, r]);
    });
  });
}
