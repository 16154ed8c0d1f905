/**
 * parity: is the number of 1s in a random bit string odd?
 *
 * Input: T bits, each 0 or 1 with probability 1/2. Target: class 1 ("odd") when the count of
 * 1s is odd, else 0 ("even"). Every bit flips the answer, so no position can be ignored and
 * no local statistic helps: the model must carry one bit of state across the whole sequence.
 *
 * Worked example (T = 6): input 1 0 1 1 0 0 -> odd (three 1s).
 *
 * Chance: 0.5 accuracy. With independent fair bits the parity is exactly fair for every T >= 1
 * (flipping the last bit maps the even strings one-to-one onto the odd ones).
 * Meta: { ones } = number of 1s (lets the harness check it is not exploited by counting).
 */
import { z } from 'zod';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import type { Rng } from '../core/rng.js';
import { renderTokens } from './lib/common.js';

const NAME = 'parity';
const TOKENS = ['0', '1'] as const;
const LABELS = ['even', 'odd'] as const;

const options = z.object({}).strict();

export const parity = defineTask({
  name: NAME,
  description: 'Parity of a random bit string: every bit changes the answer, so the whole sequence must be tracked.',
  example: '"1 0 1 1 0 0" -> odd (three 1s).',
  source: 'Minsky & Papert 1969; Hochreiter & Schmidhuber 1997 (long-range parity); Hahn 2020 (Transformers and parity).',
  options,
  create(): Task {
    const minLength = 1;
    return {
      input: { kind: 'tokens', vocab: 2, tokens: TOKENS },
      output: { kind: 'classes', classes: 2, labels: LABELS, per: 'sequence' },
      minLength,
      chance: () => ({ value: 0.5, metric: 'accuracy', why: 'parity of independent fair bits is a fair coin' }),
      sample(rng: Rng, batchSize: number, length: number): Batch {
        const inputs = new Int32Array(batchSize * length);
        const targets = new Int32Array(batchSize);
        const meta: SampleMeta[] = [];
        for (let b = 0; b < batchSize; b++) {
          let ones = 0;
          for (let t = 0; t < length; t++) {
            const bit = rng.int(2);
            inputs[b * length + t] = bit;
            ones += bit;
          }
          targets[b] = ones & 1;
          meta.push({ ones });
        }
        return { batchSize, length, inputs, targets, meta };
      },
      decode(batch, i) {
        const T = batch.length;
        return { input: renderTokens(TOKENS, batch.inputs, i * T, (i + 1) * T), target: LABELS[batch.targets[i]] };
      },
    };
  },
});
