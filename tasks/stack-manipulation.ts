/**
 * stack-manipulation: read a stack and a list of stack operations, then write the resulting stack
 * top to bottom. The deterministic context-free task "Stack Manipulation" of Delétang et al.
 * (ICLR 2023), as google-deepmind/neural_networks_chomsky_hierarchy
 * `tasks/dcf/stack_manipulation.py` samples it, for n input symbols:
 *   - the initial stack's length s0 is uniform in 1..n-1 (`np.random.randint(1, length)`), its
 *     s0 bits fair, given bottom to top;
 *   - the other n - s0 symbols are actions, each uniform among POP, PUSH 0, PUSH 1 (ids 2, 3, 4,
 *     the paper's); POP on an empty stack does nothing;
 *   - n = 1 (no room for an action) is the paper's special case: one bit, a stack of one.
 * The output (`output_length(n) = n + 1`) is the final stack top to bottom, then the termination
 * class `end` (the paper's 2), then zeros up to n + 1 steps.
 *
 * Layout (tasks/lib/deletang.ts): the n symbols, then n + 1 blank output steps `_` (id 5),
 * T = 2n + 1: the task accepts odd T >= 3 (n = (T - 1) / 2). Targets are per step on the output
 * steps; mask 1 on the final stack's steps and the `end` step, 0 on the zero padding after it and
 * on the input steps: the paper's `accuracy_mask` ("ignores everything after the termination
 * token"). The paper's loss also covers the padding steps; fxbench's loss uses the same mask as
 * its accuracy, so a model here is not trained to write the padding zeros (never scored anyway).
 *
 * Worked example (T = 15, n = 7): input 0 1 1 0 PUSH1 POP POP _ _ _ _ _ _ _ _ -> output steps
 * 1 1 0 end · · · · (the stack 0 1 1 0, bottom to top, gains a 1 and loses it and then its top 0;
 * `·` marks the padding steps that are not scored).
 *
 * Chance: the best constant guess, scored as the harness scores accuracy (per sample, then
 * averaged over samples). Counted steps are the S bits of the final stack, each a fair bit
 * independent of S (initial and pushed bits are fair), and one `end`, so always `end` scores
 * E[1/(S+1)] and always one bit E[S/(2(S+1))]; the chance is the larger: `end` for n <= 4, a bit
 * from n = 5 on (just under 1/2 for long inputs). The law of S is exact: the stack size is a walk,
 * +1 with probability 2/3 (PUSH) and -1 with 1/3 (POP), held at 0, computed backwards from the
 * end over every initial size (n = 1: 1/2; n = 2: 5/9). (The harness's empirical chance guesses
 * the class most frequent over all counted steps, a bit from n = 3 on, so it is lower at n = 3, 4.)
 * Meta: { n, initial: s0, final: S }.
 */
import { z } from 'zod';
import { defineTask, type Chance, type Task } from './types.js';
import { stringOutputTask, type LengthMap } from './lib/deletang.js';

const POP = 2;
const END = 2;

const options = z.object({}).strict();

const MAP: LengthMap = {
  lengthOf: (n) => 2 * n + 1,
  symbolsAt: (T) => Math.max(1, Math.floor((T - 1) / 2)),
  lengths: { accepts: (T) => T % 2 === 1, rule: 'odd lengths: n symbols, then n + 1 output steps (T = 2n + 1)' },
};

/** Exact expectations over the final stack size S after n input symbols: E[S], E[1/(S+1)], E[S/(S+1)]. */
export function stackSizeExpectations(n: number): { mean: number; invPlusOne: number; ratio: number } {
  if (n === 1) return { mean: 1, invPlusOne: 1 / 2, ratio: 1 / 2 }; // one bit: a stack of one
  // V[g][s]: E[g(final S)] from stack size s with k actions left, for k = 0, 1, ...; s in 0..n-k.
  const gs = [(s: number) => s, (s: number) => 1 / (s + 1), (s: number) => s / (s + 1)];
  let V = gs.map((g) => Float64Array.from({ length: n + 1 }, (_, s) => g(s))); // 3 x [n+1]
  const sums = [0, 0, 0];
  // An initial stack of s0 = n - k bits has k actions left: read V at s0 once it holds k actions.
  for (let k = 1; k <= n - 1; k++) {
    V = V.map((v) => {
      const next = new Float64Array(n + 1); // [n+1]; entries above n - k are never read again
      for (let s = 0; s <= n - k; s++) next[s] = v[Math.max(s - 1, 0)] / 3 + (2 * v[s + 1]) / 3;
      return next;
    });
    for (let g = 0; g < 3; g++) sums[g] += V[g][n - k];
  }
  return { mean: sums[0] / (n - 1), invPlusOne: sums[1] / (n - 1), ratio: sums[2] / (n - 1) };
}

function stackChance(n: number): Chance {
  const e = stackSizeExpectations(n);
  const [end, bit] = [e.invPlusOne, e.ratio / 2];
  const facts = `n = ${n}, E[S] = ${+e.mean.toFixed(3)} fair stack bits then one 'end', accuracy averaged per sample; exact`;
  return end >= bit
    ? { value: end, metric: 'accuracy', why: `the best constant guess is always 'end': E[1/(S+1)] (${facts})` }
    : { value: bit, metric: 'accuracy', why: `the best constant guess is always one bit: E[S/(2(S+1))] (${facts})` };
}

export const stackManipulation = defineTask({
  name: 'stack-manipulation',
  description:
    'Stack Manipulation (Delétang et al. 2023, deterministic context-free): a stack (bottom to top) and POP / PUSH 0 / PUSH 1 actions, then n + 1 blank steps on which the model writes the final stack top to bottom and an end token (T = 2n + 1).',
  example: 'T=15: "0 1 1 0 PUSH1 POP POP _ _ _ _ _ _ _ _" -> "1 1 0 end · · · ·" on the blank steps (the final stack 0 1 1, top first; padding not scored).',
  source:
    'Delétang et al., ICLR 2023, "Neural Networks and the Chomsky Hierarchy" (google-deepmind/neural_networks_chomsky_hierarchy, tasks/dcf/stack_manipulation.py).',
  options,
  create(): Task {
    const chanceAt = new Map<number, Chance>(); // n -> chance (pure: no draw)
    return stringOutputTask({
      symbols: ['0', '1', 'POP', 'PUSH0', 'PUSH1'],
      labels: ['0', '1', 'end'],
      map: MAP,
      chance(n) {
        let c = chanceAt.get(n);
        if (!c) chanceAt.set(n, (c = stackChance(n)));
        return c;
      },
      draw(rng, input, output, n) {
        const stack: number[] = [];
        let initial = 1;
        if (n === 1) stack.push((input[0] = rng.int(2)));
        else {
          initial = 1 + rng.int(n - 1);
          for (let t = 0; t < initial; t++) stack.push((input[t] = rng.int(2)));
          for (let t = initial; t < n; t++) {
            const action = (input[t] = POP + rng.int(3));
            if (action === POP)
              stack.pop(); // a no-op on an empty stack
            else stack.push(action - 3); // PUSH 0 is id 3, PUSH 1 id 4
          }
        }
        const S = stack.length;
        for (let j = 0; j < S; j++) output[j] = stack[S - 1 - j]; // top first
        output[S] = END; // the rest stays 0, the paper's padding
        return { counted: S + 1, meta: { n, initial, final: S } };
      },
    });
  },
});
