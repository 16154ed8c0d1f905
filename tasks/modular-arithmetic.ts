/**
 * modular-arithmetic: the value mod 5 of an expression like `1 + 2 * 3 - 4`. The regular task
 * "Modular Arithmetic (Simple)" of Delétang et al. (ICLR 2023), as
 * google-deepmind/neural_networks_chomsky_hierarchy `tasks/regular/modular_arithmetic.py` samples
 * it (the version without brackets; `modulus` 5 and all three operators, as in the paper):
 * an expression of odd length m, numbers at even positions uniform in 0..4, operators at odd
 * positions uniform in {+, -, *}; the class is its value mod 5 with the usual precedence
 * (products first; `a - b` is `a + (-b)`, so `1 - 1 - 1` is 4). Token ids follow the paper's:
 * numbers 0..4, then `+` `-` `*` (5, 6, 7), then `_` (8), which in the paper's vocabulary is the
 * blank operator it never samples, used here for the blank output step.
 *
 * Lengths: the paper draws an input length n and, when n is even, uses n - 1 symbols ("as this
 * length must be odd ... we force it to be by subtracting one"). Here the expression of m (odd)
 * symbols is followed by one blank output step (`output_length` 1), so T = m + 1, and the task
 * accepts even T >= 2 (m = T - 1). The paper's n maps to T = n + 1 for odd n and T = n for even
 * n (n = 2k - 1 and n = 2k give the same samples, at T = 2k). One class per sequence, read at the
 * last position (the blank step), as the paper reads `output[:, -1]` of `[x, _]`.
 *
 * The value is computed exactly mod 5 at every step. (The paper multiplies a term's raw
 * residues in JAX's default int32 before taking `% 5`, which wraps for a product of about 16 or
 * more nonzero factors: a run of 15 `*` in a row, probability about 3^-15 per position, so its
 * labels differ from these on a vanishing fraction of samples.)
 *
 * Worked example (T = 10, m = 9): input 0 * 1 + 4 * 3 - 2 _ -> 0 (0 + 12 - 2 = 10, and 10 mod 5 = 0).
 *
 * Chance: the majority class rate, not 1/5: products make 0 likelier (for m = 3, P(0) = 1/5 +
 * 4/75 = 0.2533 from `a * b`). Computed exactly by propagating the distribution of (sum of the
 * finished terms, current term) mod 5 over the m symbols; it falls toward 1/5 as m grows.
 * Meta: { n } = m, the expression's symbols.
 */
import { z } from 'zod';
import { defineTask, type Task } from './types.js';
import { oneAnswerTask, type LengthMap } from './lib/deletang.js';

const MODULUS = 5;
const PLUS = MODULUS;
const MINUS = MODULUS + 1;
const TIMES = MODULUS + 2;

const options = z.object({}).strict();

const MAP: LengthMap = {
  lengthOf: (n) => (n % 2 === 1 ? n + 1 : n), // the paper's rounding of an even n down to n - 1
  symbolsAt: (T) => Math.max(1, T % 2 === 0 ? T - 1 : T - 2),
  lengths: { accepts: (T) => T % 2 === 0, rule: 'even lengths: an expression of odd length m, then one output step (T = m + 1)' },
};

/** P(value = v) for v = 0..4 over random expressions of m (odd) symbols, exact. */
export function modularDistribution(m: number): Float64Array {
  // State (s, t): s = sum of the finished terms, t = the current (signed) term, both mod 5. [25]
  let p = new Float64Array(MODULUS * MODULUS);
  for (let d = 0; d < MODULUS; d++) p[d] += 1 / MODULUS; // s = 0, t = first number
  for (let k = 1; k < m; k += 2) {
    const next = new Float64Array(MODULUS * MODULUS); // [25]
    for (let s = 0; s < MODULUS; s++) {
      for (let t = 0; t < MODULUS; t++) {
        const q = p[s * MODULUS + t] / (3 * MODULUS);
        if (q === 0) continue;
        for (let d = 0; d < MODULUS; d++) {
          next[((s + t) % MODULUS) * MODULUS + d] += q; // + d
          next[((s + t) % MODULUS) * MODULUS + ((MODULUS - d) % MODULUS)] += q; // - d
          next[s * MODULUS + ((t * d) % MODULUS)] += q; // * d
        }
      }
    }
    p = next;
  }
  const value = new Float64Array(MODULUS); // [5]
  for (let s = 0; s < MODULUS; s++) for (let t = 0; t < MODULUS; t++) value[(s + t) % MODULUS] += p[s * MODULUS + t];
  return value;
}

export const modularArithmetic = defineTask({
  name: 'modular-arithmetic',
  description:
    'Modular Arithmetic, simple version (Delétang et al. 2023, regular): an expression of numbers 0..4 and + - * without brackets, then one blank step, where the model gives its value mod 5 (T = m + 1, m odd).',
  example: 'T=10: "0 * 1 + 4 * 3 - 2 _" -> 0 (0 + 12 - 2 = 10, and 10 mod 5 = 0).',
  source:
    'Delétang et al., ICLR 2023, "Neural Networks and the Chomsky Hierarchy" (google-deepmind/neural_networks_chomsky_hierarchy, tasks/regular/modular_arithmetic.py).',
  options,
  create(): Task {
    const chanceAt = new Map<number, number>(); // m -> majority rate (pure: no draw)
    return oneAnswerTask({
      symbols: ['0', '1', '2', '3', '4', '+', '-', '*'],
      labels: ['0', '1', '2', '3', '4'],
      map: MAP,
      chance(m) {
        let value = chanceAt.get(m);
        if (value === undefined) chanceAt.set(m, (value = Math.max(...modularDistribution(m))));
        return {
          value,
          metric: 'accuracy',
          why: `majority class rate over expressions of ${m} symbols, exact (products make 0 likelier; 1/5 only in the limit)`,
        };
      },
      draw(rng, row, m) {
        let sum = 0; // finished terms, mod 5
        let term = (row[0] = rng.int(MODULUS)); // the current product, sign included, mod 5
        for (let k = 1; k < m; k += 2) {
          const op = (row[k] = PLUS + rng.int(3));
          const d = (row[k + 1] = rng.int(MODULUS));
          if (op === TIMES) term = (term * d) % MODULUS;
          else {
            sum = (sum + term) % MODULUS;
            term = op === MINUS ? (MODULUS - d) % MODULUS : d;
          }
        }
        return { label: (sum + term) % MODULUS, meta: { n: m } };
      },
    });
  },
});
