/**
 * parity-check: is the number of 1s in a bit string odd? The regular task "Parity Check" of
 * Delétang et al. (ICLR 2023), as google-deepmind/neural_networks_chomsky_hierarchy
 * `tasks/regular/parity_check.py` samples it: n fair bits, class 1 when the count of 1s is odd.
 *
 * Layout (tasks/lib/deletang.ts): the n bits, then one blank output step `_` (the paper's
 * `output_length` is 1, `tasks/task.py`), T = n + 1; every T >= 2 (n = T - 1). The answer is one
 * class per sequence, read at the last position, the blank step: the paper's model input
 * `[x, _]` read at `output[:, -1]` (`training/utils.py`). Unlike fxbench's `parity`, the model gets
 * one step after the last bit before it must answer, as in the paper.
 *
 * Worked example (T = 6, n = 5): input 0 1 1 1 1 _ -> even (four 1s).
 *
 * Chance: 0.5 accuracy for every n >= 1: flipping the last bit maps the even strings one-to-one
 * onto the odd ones. Meta: { n, ones }.
 */
import { z } from 'zod';
import { defineTask, type Task } from './types.js';
import { fairBits, ONE_ANSWER_MAP, oneAnswerTask } from './lib/deletang.js';

const options = z.object({}).strict();

export const parityCheck = defineTask({
  name: 'parity-check',
  description:
    'Parity Check (Delétang et al. 2023, regular): n random bits then one blank step, where the model says whether the count of 1s is odd (T = n + 1).',
  example: 'T=6: "0 1 1 1 1 _" -> even (four 1s).',
  source:
    'Delétang et al., ICLR 2023, "Neural Networks and the Chomsky Hierarchy" (google-deepmind/neural_networks_chomsky_hierarchy, tasks/regular/parity_check.py).',
  options,
  create(): Task {
    return oneAnswerTask({
      symbols: ['0', '1'],
      labels: ['even', 'odd'],
      map: ONE_ANSWER_MAP,
      chance: () => ({ value: 0.5, metric: 'accuracy', why: 'the parity of independent fair bits is a fair coin' }),
      draw(rng, row, n) {
        const ones = fairBits(rng, row, n);
        return { label: ones & 1, meta: { n, ones } };
      },
    });
  },
});
