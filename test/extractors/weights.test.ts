/** saveWeights / loadWeights: PyTorch-named records in and out of an extractor. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../kernels/backend.js';
import { Rng } from '../../core/rng.js';
import { builtinExtractors } from '../../extractors/index.js';
import type { Extractor } from '../../extractors/types.js';
import { loadWeights, saveWeights, type WeightRecord } from '../../extractors/weights.js';

function create(name: string, options: Record<string, unknown>, seed: number): Extractor {
  const def = builtinExtractors.find((d) => d.name === name)!;
  return def.create(def.options.parse(options), { inputDim: 3, rng: new Rng(seed), length: 8 });
}

function free(ext: Extractor): void {
  ext.dispose?.();
  for (const v of Object.values(ext.variables)) v.dispose();
}

const configs: [string, Record<string, unknown>][] = [
  ['rnn', { hidden: 4, layers: 2 }],
  ['lstm', { hidden: 4 }],
  ['gru', { hidden: 4 }],
  ['transformer', { dModel: 4, heads: 2, ffDim: 6, layers: 1, positional: 'learned', maxLen: 5 }],
  ['tcn', { channels: 4, kernel: 2, levels: 2 }],
];

/** A copy of a record, so tests can break one entry without touching the original. */
const clone = (r: WeightRecord): WeightRecord => JSON.parse(JSON.stringify(r)) as WeightRecord;

describe('weights', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const [name, options] of configs) {
    it(`${name}: save from one extractor, load into another, same outputs`, () => {
      const a = create(name, options, 1);
      const b = create(name, options, 2);
      try {
        const x = tf.tensor3d(
          Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i)),
          [2, 5, 3],
        );
        const ya = tf.tidy(() => Array.from(a.apply(x, { training: false }).dataSync()));
        const yb0 = tf.tidy(() => Array.from(b.apply(x, { training: false }).dataSync()));
        expect(yb0).not.toEqual(ya); // different seeds, different weights
        const record = saveWeights(a);
        expect(Object.keys(record).sort()).toEqual(Object.keys(a.variables).sort());
        for (const [n, w] of Object.entries(record)) {
          expect(w.shape).toEqual(a.variables[n].shape);
          expect(w.data).toHaveLength(a.variables[n].size);
        }
        // The record is plain JSON.
        loadWeights(b, JSON.parse(JSON.stringify(record)) as WeightRecord);
        const yb = tf.tidy(() => Array.from(b.apply(x, { training: false }).dataSync()));
        expect(yb).toEqual(ya);
        // assign() keeps the variable objects (an optimiser holding them still sees the new values).
        expect(saveWeights(b)).toEqual(record);
        x.dispose();
      } finally {
        free(a);
        free(b);
      }
    });
  }

  describe('refusals name the weight and the fix, in one line, and assign nothing', () => {
    const cases: { what: string; edit: (r: WeightRecord) => WeightRecord; pattern: RegExp }[] = [
      {
        what: 'unknown name',
        edit: (r) => ({ ...r, 'rnn.weight_ih_l0': r.weight_ih_l0 }),
        pattern: /unknown weight "rnn\.weight_ih_l0".*remove it/,
      },
      {
        what: 'missing name',
        edit: (r) => {
          const { bias_hh_l1: _, ...rest } = r;
          return rest;
        },
        pattern: /"bias_hh_l1" is missing.*add it \(shape \[4\]\)/,
      },
      {
        what: 'shape mismatch (transposed)',
        edit: (r) => ({ ...r, weight_ih_l0: { shape: [3, 4], data: r.weight_ih_l0.data } }),
        pattern: /"weight_ih_l0" has shape \[3,4\] but the extractor expects \[4, 3\].*transpose/,
      },
      {
        what: 'rank mismatch',
        edit: (r) => ({ ...r, bias_ih_l0: { shape: [4, 1], data: r.bias_ih_l0.data } }),
        pattern: /"bias_ih_l0" has shape \[4,1\] but the extractor expects \[4\]/,
      },
      {
        what: 'data length mismatch',
        edit: (r) => ({ ...r, weight_hh_l1: { shape: [4, 4], data: r.weight_hh_l1.data.slice(1) } }),
        pattern: /"weight_hh_l1" has 15 values but shape \[4, 4\] needs 16/,
      },
    ];
    for (const c of cases) {
      it(c.what, () => {
        const a = create('rnn', { hidden: 4, layers: 2 }, 1);
        const b = create('rnn', { hidden: 4, layers: 2 }, 2);
        try {
          const before = saveWeights(b);
          const bad = c.edit(clone(saveWeights(a)));
          let message = '';
          try {
            loadWeights(b, bad);
          } catch (e) {
            message = (e as Error).message;
          }
          expect(message).toMatch(c.pattern);
          expect(message).not.toContain('\n');
          expect(saveWeights(b)).toEqual(before);
        } finally {
          free(a);
          free(b);
        }
      });
    }
  });
});
