/**
 * cycle-navigation: where on a cycle of 5 states does a walk end? The regular task "Cycle
 * Navigation" of Delétang et al. (ICLR 2023), as google-deepmind/neural_networks_chomsky_hierarchy
 * `tasks/regular/cycle_navigation.py` samples it: n actions drawn uniformly from {0, 1, 2}, meaning
 * a move of action - 1 (id 0 `-1` left, id 1 `0` stay, id 2 `+1` right); starting at state 0, the
 * class is the final state, (sum of moves) mod 5 (the paper's fixed `_cycle_length` 5).
 *
 * Layout (tasks/lib/deletang.ts): the n actions, then one blank output step `_` (the paper's
 * `output_length` is 1), T = n + 1; every T >= 2 (n = T - 1). One class per sequence, read at
 * the last position (the blank step), as the paper reads `output[:, -1]` of `[x, _]`.
 *
 * Worked example (T = 6, n = 5): input +1 -1 0 -1 -1 _ -> 3 (net move -2, and -2 mod 5 = 3).
 *
 * Chance: the majority class rate, not 1/5: after n moves the final state is not uniform (n = 1
 * reaches only 4, 0 and 1, each with probability 1/3). It is the largest of the 5 final-state
 * probabilities, computed exactly by propagating the distribution over the states n times; it
 * falls toward 1/5 as n grows.
 * Meta: { n }.
 */
import { z } from 'zod';
import { defineTask, type Task } from './types.js';
import { ONE_ANSWER_MAP, oneAnswerTask } from './lib/deletang.js';

/** States on the cycle (the paper's `_cycle_length`). */
const STATES = 5;

const options = z.object({}).strict();

/** P(final state = k) for k = 0..4 after n uniform moves in {-1, 0, +1} from state 0. */
export function cycleDistribution(n: number): Float64Array {
  let p = new Float64Array(STATES); // [5]
  p[0] = 1;
  for (let t = 0; t < n; t++) {
    const next = new Float64Array(STATES); // [5]
    for (let k = 0; k < STATES; k++) for (const move of [-1, 0, 1]) next[(k + move + STATES) % STATES] += p[k] / 3;
    p = next;
  }
  return p;
}

export const cycleNavigation = defineTask({
  name: 'cycle-navigation',
  description:
    'Cycle Navigation (Delétang et al. 2023, regular): n moves (left, stay, right) on a cycle of 5 states from state 0, then one blank step, where the model names the final state (T = n + 1).',
  example: 'T=6: "+1 -1 0 -1 -1 _" -> 3 (net move -2, and -2 mod 5 = 3).',
  source:
    'Delétang et al., ICLR 2023, "Neural Networks and the Chomsky Hierarchy" (google-deepmind/neural_networks_chomsky_hierarchy, tasks/regular/cycle_navigation.py).',
  options,
  create(): Task {
    const chanceAt = new Map<number, number>(); // n -> majority rate (pure: no draw)
    return oneAnswerTask({
      symbols: ['-1', '0', '+1'],
      labels: ['0', '1', '2', '3', '4'],
      map: ONE_ANSWER_MAP,
      chance(n) {
        let value = chanceAt.get(n);
        if (value === undefined) chanceAt.set(n, (value = Math.max(...cycleDistribution(n))));
        return {
          value,
          metric: 'accuracy',
          why: `majority class rate: the most likely final state's probability after ${n} uniform moves in {-1, 0, +1} mod 5, exact (1/5 only in the limit)`,
        };
      },
      draw(rng, row, n) {
        let state = 0;
        for (let t = 0; t < n; t++) {
          row[t] = rng.int(3);
          state = (state + row[t] - 1 + STATES) % STATES;
        }
        return { label: state, meta: { n } };
      },
    });
  },
});
