/**
 * Example task plugin: which of k symbols occurs most often? The answer depends on counts
 * only, not on order or distance: an order-insensitive control for the order-sensitive
 * tasks (recall, copy).
 *
 * Worked example (k = 3, T = 7): "A C C B C A C" -> C (C occurs 4 times; A 2, B 1).
 * Ties go to the symbol that reached the top count last, so every sample has one answer.
 *
 *   fxbench run --plugin ./examples/plugins/majority-task.mjs --tasks majority --extractors lstm,transformer --lengths 16
 */
import { z } from 'zod';

const names = (k) => Array.from({ length: k }, (_, i) => String.fromCharCode(65 + i));

export const tasks = [
  {
    name: 'majority',
    description: 'name the most frequent of k symbols (ties: the one that reached the top count last); order does not matter',
    example: 'k=3, T=7: "A C C B C A C" -> C (4 of 7)',
    source: 'fxbench example plugin',
    options: z.object({ symbols: z.number().int().min(2).max(26).default(4) }).strict(),
    create({ symbols: k }) {
      const labels = names(k);
      return {
        input: { kind: 'tokens', vocab: k, tokens: labels },
        output: { kind: 'classes', classes: k, labels, per: 'sequence' },
        minLength: 1,
        // The most frequent symbol of uniform draws is uniform over the k symbols by symmetry.
        chance: () => ({ value: 1 / k, metric: 'accuracy', why: `1/k for k=${k} symbols, by symmetry` }),
        sample(rng, batchSize, length) {
          const inputs = new Int32Array(batchSize * length);
          const targets = new Int32Array(batchSize);
          const meta = [];
          for (let b = 0; b < batchSize; b++) {
            const counts = new Array(k).fill(0);
            let best = 0;
            for (let t = 0; t < length; t++) {
              const s = rng.int(k);
              inputs[b * length + t] = s;
              counts[s]++;
              if (counts[s] >= counts[best]) best = s; // >= : ties go to the symbol seen last
            }
            targets[b] = best;
            const sorted = [...counts].sort((x, y) => y - x);
            meta.push({ margin: sorted[0] - (sorted[1] ?? 0) });
          }
          return { batchSize, length, inputs, targets, meta };
        },
        decode(batch, i) {
          const row = Array.from(batch.inputs.subarray(i * batch.length, (i + 1) * batch.length));
          return { input: row.map((s) => labels[s]).join(' '), target: labels[batch.targets[i]] };
        },
      };
    },
  },
];
