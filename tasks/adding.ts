/**
 * adding: the adding problem. Each position carries two features, [value, marker]; values
 * are U(0,1), exactly two positions have marker 1, and the target is the sum of the two
 * marked values, read out at the last position.
 *
 * Worked example (T = 5, variant 'anywhere'):
 *   values  0.31 0.82 0.05 0.66 0.47
 *   markers 0    1    0    0    1
 *   -> target 0.82 + 0.47 = 1.29; meta.distance = 4 - 1 = 3 (first marker to readout).
 *
 * Variants:
 *   'anywhere' (default): the two markers sit at two distinct positions drawn uniformly from
 *     all T, as in Bai, Kolter & Koltun's TCN code. Default because it is what the TCN
 *     comparison we mirror used, and because it spreads the dependency distance over
 *     0..T-1 so accuracy can be binned by `distance`.
 *   'halves': one marker uniform in the first half [0, floor(T/2)), one uniform in the second
 *     half [floor(T/2), T), as in Arjovsky, Shah & Bengio 2016 (uRNN). The first marker is
 *     then always at least ~T/2 - 1 positions away from the readout.
 *
 * Chance: MSE 1/6 ≈ 0.167. A model that ignores its input predicts the mean E[X+Y] = 1, and
 * its MSE is Var(X+Y) = 2 · Var(U(0,1)) = 2/12 (the positions do not matter).
 * "Solved" (Pascanu et al. 2013 / Arjovsky et al.): squared error below 0.04 on a sample;
 * see `addingSolved`. The harness decides whether to report it.
 */
import { z } from 'zod';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import type { Rng } from '../core/rng.js';

const NAME = 'adding';

/** A prediction counts as solving a sample when its squared error is below this. */
export const ADDING_SOLVED_THRESHOLD = 0.04;

/** True when `pred` is within the solved threshold of `target` (squared error < 0.04). */
export function addingSolved(pred: number, target: number): boolean {
  return (pred - target) ** 2 < ADDING_SOLVED_THRESHOLD;
}

const options = z
  .object({
    /** Where the two markers may fall; see the file comment. */
    variant: z
      .enum(['anywhere', 'halves'])
      .default('anywhere')
      .describe("where the two markers sit: 'anywhere', two distinct uniform positions (the TCN study); 'halves', one in each half (Arjovsky et al.)"),
  })
  .strict();

export const adding = defineTask({
  name: NAME,
  description: 'The adding problem: sum the two values whose marker is 1 among T random values in [0,1); a regression read out at the last position.',
  example: 'values 0.31 0.82 0.05 0.66 0.47, markers 0 1 0 0 1 -> 1.29 (0.82 + 0.47); distance = 3 from the first marker to the last position.',
  source: 'Hochreiter & Schmidhuber 1997; Arjovsky, Shah & Bengio 2016 (halves); Bai, Kolter & Koltun 2018 TCN code (anywhere).',
  options,
  create(opts): Task {
    const minLength = 2;
    return {
      input: { kind: 'features', dim: 2, names: ['value', 'marker'] },
      output: { kind: 'regression', per: 'sequence' },
      minLength,
      chance: () => ({
        value: 1 / 6,
        metric: 'mse',
        why: 'predicting the mean 1 of X+Y, X,Y ~ U(0,1) independent, gives MSE Var(X+Y) = 2/12 = 1/6',
      }),
      sample(rng: Rng, batchSize: number, length: number): Batch {
        const T = length;
        const inputs = new Float32Array(batchSize * T * 2);
        const targets = new Float32Array(batchSize);
        const meta: SampleMeta[] = [];
        for (let b = 0; b < batchSize; b++) {
          const base = b * T * 2;
          for (let t = 0; t < T; t++) inputs[base + 2 * t] = rng.uniform();
          let p: number;
          let q: number;
          if (opts.variant === 'halves') {
            const half = Math.floor(T / 2);
            p = rng.int(half);
            q = half + rng.int(T - half);
          } else {
            p = rng.int(T);
            q = rng.int(T - 1);
            if (q >= p) q++; // distinct from p, uniform over the other T-1 positions
          }
          inputs[base + 2 * p + 1] = 1;
          inputs[base + 2 * q + 1] = 1;
          // Sum the float32-stored values so the target is exactly what the model can see.
          targets[b] = inputs[base + 2 * p] + inputs[base + 2 * q];
          meta.push({ distance: T - 1 - Math.min(p, q) });
        }
        return { batchSize, length, inputs, targets, meta };
      },
      decode(batch, i) {
        const T = batch.length;
        const parts: string[] = [];
        for (let t = 0; t < T; t++) {
          const v = batch.inputs[(i * T + t) * 2];
          const marked = batch.inputs[(i * T + t) * 2 + 1] === 1;
          parts.push(marked ? `[${v.toFixed(3)}]` : v.toFixed(3));
        }
        return { input: parts.join(' '), target: batch.targets[i].toFixed(4) };
      },
    };
  },
});
