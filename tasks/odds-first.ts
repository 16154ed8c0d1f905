/**
 * odds-first: read a bit string, then write the symbols at odd positions, then those at even
 * positions. The context-sensitive task "Odds First" of Delétang et al. (ICLR 2023), as
 * google-deepmind/neural_networks_chomsky_hierarchy `tasks/cs/odds_first.py` samples it: n fair
 * bits (`vocab_size` 2); the output is `concatenate([x[1::2], x[::2]])`, one symbol per output
 * step (`output_length(n) = n`).
 *
 * Which half comes first follows that code: 0-based indices 1, 3, 5, ... then 0, 2, 4, ... The
 * file's docstring (s_1 s_3 s_5 ... s_2 s_4 ..., counted from 1) puts the other half first, and
 * so does its example `00110101 -> 0100 0111`, for which the code, which produced the paper's
 * results, gives `0111 0100`. The two versions differ only in which half is written first.
 *
 * Layout (tasks/lib/deletang.ts): the n bits, then n blank output steps `_`, T = 2n: the task
 * accepts even T >= 2 (n = T / 2). Targets are per step: the first floor(n/2) output steps hold
 * input bits 1, 3, 5, ... and the remaining ceil(n/2) hold bits 0, 2, 4, ...; mask 1 on all n
 * output steps (`accuracy_mask` all ones in `tasks/task.py`), 0 on the input steps.
 *
 * Worked example (T = 16, n = 8): input 0 0 1 1 0 1 0 1 _ _ _ _ _ _ _ _ -> output steps
 * 0 1 1 1 0 1 0 0 (bits at 0-based positions 1 3 5 7, then 0 2 4 6).
 *
 * Chance: 0.5 per output step: every target is one of the fair input bits.
 * Meta: { n }.
 */
import { z } from 'zod';
import { defineTask, type Task } from './types.js';
import { fairBits, fairBitsChance, multipleMap, stringOutputTask } from './lib/deletang.js';

const options = z.object({}).strict();

export const oddsFirst = defineTask({
  name: 'odds-first',
  description:
    'Odds First (Delétang et al. 2023, context-sensitive): n random bits, then n blank steps on which the model writes the bits at odd (0-based) positions, then those at even positions (T = 2n).',
  example: 'T=16: "0 0 1 1 0 1 0 1 _ _ _ _ _ _ _ _" -> "0 1 1 1 0 1 0 0" on the blank steps (positions 1 3 5 7, then 0 2 4 6).',
  source:
    'Delétang et al., ICLR 2023, "Neural Networks and the Chomsky Hierarchy" (google-deepmind/neural_networks_chomsky_hierarchy, tasks/cs/odds_first.py).',
  options,
  create(): Task {
    return stringOutputTask({
      symbols: ['0', '1'],
      labels: ['0', '1'],
      map: multipleMap(2, 'n symbols, then n output steps (T = 2n)'),
      chance: () => fairBitsChance('each is one of the input bits'),
      draw(rng, input, output, n) {
        fairBits(rng, input, n);
        let j = 0;
        for (let t = 1; t < n; t += 2) output[j++] = input[t];
        for (let t = 0; t < n; t += 2) output[j++] = input[t];
        return { counted: n, meta: { n } };
      },
    });
  },
});
