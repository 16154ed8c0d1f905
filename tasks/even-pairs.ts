/**
 * even-pairs: is the number of unequal neighbouring pairs (`01` and `10`) in a bit string even?
 * The regular task "Even Pairs" of Delétang et al. (ICLR 2023), as
 * google-deepmind/neural_networks_chomsky_hierarchy `tasks/regular/even_pairs.py` samples it: n
 * fair bits; class 0 when the count of `01` plus `10` is even, 1 when odd.
 *
 * The count of changes is odd exactly when the first and last bits differ (every change flips
 * the current bit), so a finite automaton that remembers the first bit and the current one
 * decides it; the paper lists it as regular for that reason.
 *
 * Layout (tasks/lib/deletang.ts): the n bits, then one blank output step `_` (the paper's
 * `output_length` is 1), T = n + 1; every T >= 2 (n = T - 1). One class per sequence, read at
 * the last position (the blank step), as the paper reads `output[:, -1]` of `[x, _]`.
 *
 * Worked example (T = 8, n = 7): input 0 1 0 1 0 0 1 _ -> odd (two `10`, three `01`).
 *
 * Chance: n = 1 has no pair, so the class is always even: chance 1 (nothing to score above it).
 * For n >= 2 the class is (first bit) xor (last bit) of independent fair bits: 0.5.
 * Meta: { n, changes } (changes = unequal neighbouring pairs).
 */
import { z } from 'zod';
import { defineTask, type Task } from './types.js';
import { fairBits, ONE_ANSWER_MAP, oneAnswerTask } from './lib/deletang.js';

const options = z.object({}).strict();

export const evenPairs = defineTask({
  name: 'even-pairs',
  description:
    'Even Pairs (Delétang et al. 2023, regular): n random bits then one blank step, where the model says whether the number of 01 and 10 pairs is even (T = n + 1).',
  example: 'T=8: "0 1 0 1 0 0 1 _" -> odd (two 10s and three 01s: five changes).',
  source:
    'Delétang et al., ICLR 2023, "Neural Networks and the Chomsky Hierarchy" (google-deepmind/neural_networks_chomsky_hierarchy, tasks/regular/even_pairs.py).',
  options,
  create(): Task {
    return oneAnswerTask({
      symbols: ['0', '1'],
      labels: ['even', 'odd'],
      map: ONE_ANSWER_MAP,
      chance: (n) =>
        n < 2
          ? { value: 1, metric: 'accuracy', why: 'one bit has no pair: the class is always even' }
          : { value: 0.5, metric: 'accuracy', why: 'the class is first bit xor last bit, two independent fair bits' },
      draw(rng, row, n) {
        fairBits(rng, row, n);
        let changes = 0;
        for (let t = 1; t < n; t++) changes += row[t] ^ row[t - 1];
        return { label: changes & 1, meta: { n, changes } };
      },
    });
  },
});
