/**
 * duplicate-string: read a bit string, then write it twice. The context-sensitive task "Duplicate
 * String" of Delétang et al. (ICLR 2023), as google-deepmind/neural_networks_chomsky_hierarchy
 * `tasks/cs/duplicate_string.py` samples it: n fair bits (`vocab_size` 2, "We use 2 in the
 * paper"); the output is s_1 ... s_n s_1 ... s_n without separator, one symbol per output step
 * (`output_length(n) = 2n`).
 *
 * Layout (tasks/lib/deletang.ts): the n bits, then 2n blank output steps `_`, T = 3n: the task
 * accepts T divisible by 3, T >= 3 (n = T / 3). Targets are per step: output step j (position
 * n + j) holds input bit j mod n; mask 1 on all 2n output steps (the paper scores every one,
 * `accuracy_mask` all ones in `tasks/task.py`), 0 on the input steps.
 *
 * Worked example (T = 9, n = 3): input 1 0 1 _ _ _ _ _ _ -> output steps 1 0 1 1 0 1.
 *
 * Chance: 0.5 per output step: every target is one of the fair input bits.
 * Meta: { n }.
 */
import { z } from 'zod';
import { defineTask, type Task } from './types.js';
import { fairBits, fairBitsChance, multipleMap, stringOutputTask } from './lib/deletang.js';

const options = z.object({}).strict();

export const duplicateString = defineTask({
  name: 'duplicate-string',
  description:
    'Duplicate String (Delétang et al. 2023, context-sensitive): n random bits, then 2n blank steps on which the model writes the string twice (T = 3n).',
  example: 'T=9: "1 0 1 _ _ _ _ _ _" -> "1 0 1 1 0 1" on the six blank steps (the input, twice).',
  source:
    'Delétang et al., ICLR 2023, "Neural Networks and the Chomsky Hierarchy" (google-deepmind/neural_networks_chomsky_hierarchy, tasks/cs/duplicate_string.py).',
  options,
  create(): Task {
    return stringOutputTask({
      symbols: ['0', '1'],
      labels: ['0', '1'],
      map: multipleMap(3, 'n symbols, then 2n output steps (T = 3n)'),
      chance: () => fairBitsChance('each is one of the input bits'),
      draw(rng, input, output, n) {
        fairBits(rng, input, n);
        for (let j = 0; j < 2 * n; j++) output[j] = input[j % n];
        return { counted: 2 * n, meta: { n } };
      },
    });
  },
});
