/**
 * reverse-string: read a bit string, then write it reversed. The deterministic context-free
 * task "Reverse String" of Delétang et al. (ICLR 2023), as
 * google-deepmind/neural_networks_chomsky_hierarchy `tasks/dcf/reverse_string.py` samples it: n
 * fair bits (the paper's binary alphabet, `vocab_size` 2 of `tasks/cs/duplicate_string.py`,
 * whose sampler it reuses); the output is s_n ... s_1, one symbol per output step
 * (`output_length(n) = n`).
 *
 * Layout (tasks/lib/deletang.ts): the n bits, then n blank output steps `_`, T = 2n: the task
 * accepts even T >= 2 (n = T / 2). Targets are per step: output step j (position n + j) holds
 * s_{n-j} (0-based: input bit n-1-j), mask 1 on all n output steps and 0 on the input steps,
 * as the paper's model input `[x, _ * n]` is read on its last n steps (`training/utils.py`) and
 * scored on every one of them (`tasks/task.py`, `accuracy_mask` all ones).
 *
 * Worked example (T = 12, n = 6): input 0 1 1 0 1 0 _ _ _ _ _ _ -> output steps 0 1 0 1 1 0.
 *
 * Chance: 0.5 per output step: every target is one of the fair input bits.
 * Meta: { n }.
 */
import { z } from 'zod';
import { defineTask, type Task } from './types.js';
import { fairBits, fairBitsChance, multipleMap, stringOutputTask } from './lib/deletang.js';

const options = z.object({}).strict();

export const reverseString = defineTask({
  name: 'reverse-string',
  description:
    'Reverse String (Delétang et al. 2023, deterministic context-free): n random bits, then n blank steps on which the model writes the bits in reverse order (T = 2n).',
  example: 'T=12: "0 1 1 0 1 0 _ _ _ _ _ _" -> "0 1 0 1 1 0" on the six blank steps (the input read backwards).',
  source:
    'Delétang et al., ICLR 2023, "Neural Networks and the Chomsky Hierarchy" (google-deepmind/neural_networks_chomsky_hierarchy, tasks/dcf/reverse_string.py).',
  options,
  create(): Task {
    return stringOutputTask({
      symbols: ['0', '1'],
      labels: ['0', '1'],
      map: multipleMap(2, 'n symbols, then n output steps (T = 2n)'),
      chance: () => fairBitsChance('each is one of the input bits'),
      draw(rng, input, output, n) {
        fairBits(rng, input, n);
        for (let j = 0; j < n; j++) output[j] = input[n - 1 - j];
        return { counted: n, meta: { n } };
      },
    });
  },
});
