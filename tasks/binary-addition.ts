/**
 * binary-addition: read two binary numbers, then write their sum. The context-sensitive task
 * "Binary Addition" of Delétang et al. (ICLR 2023), as google-deepmind/neural_networks_chomsky_hierarchy
 * `tasks/cs/binary_addition.py` samples it, for n input symbols (n >= 3):
 *   - the first number's length La is uniform in 1..n-2 (`np.random.randint(1, length - 1)`) and
 *     the second's is Lb = n - 1 - La (one symbol is the `+`, id 2);
 *   - each number is uniform in 1..2^L - 1 (`random.randint(1, 2**L - 1)`: never 0), written in L
 *     little-endian bits (least significant first), zero-filled up to L;
 *   - the output (`output_length(n) = n + 1`) is the sum in little-endian binary without
 *     leading zeros (K bits, its most significant bit 1), then the termination class `end` (the
 *     paper's 2), then zeros up to n + 1 steps.
 * n <= 2 is the paper's special case (no room for `a + b`): one number v uniform in 0..2^n - 2
 * (`np.random.randint(0, 2**length - 1)`, high end excluded) in n little-endian bits, no `+`,
 * and the output is v itself (`0` for v = 0), then `end`. So n = 1 is always `0 -> 0 end`.
 *
 * Layout (tasks/lib/deletang.ts): the n symbols, then n + 1 blank output steps `_` (id 3),
 * T = 2n + 1: the task accepts odd T >= 3 (n = (T - 1) / 2). Targets are per step on the output
 * steps; mask 1 on the sum's K steps and the `end` step, 0 on the zero padding after it and on
 * the input steps: the paper's `accuracy_mask` ("ignores everything after the termination
 * token"). The paper's loss also covers the padding steps; fxbench's loss uses the same mask as
 * its accuracy, so a model here is not trained to write the padding zeros (never scored anyway).
 *
 * Worked example (T = 19, n = 9): input 0 0 1 + 0 1 1 0 1 _ ×10 -> output steps
 * 0 1 0 1 1 end · · · · (4 + 22 = 26 = 01011 little-endian; `·` marks unscored padding).
 *
 * Chance: the best constant guess, scored as the harness scores accuracy (per sample, then
 * averaged over samples): max over the classes c of E[count_c / (K + 1)]. The counted classes are
 * not uniform (the sum's top bit is always 1, one `end` per sample, the lower bits nearly fair),
 * so this is computed exactly: for each La, a dynamic programme over the bit positions (the carry
 * in; the ones so far; whether every sum bit from a position up is 0) gives the joint law of
 * (K, ones of the sum) for uniform L-bit operands, and inclusion-exclusion removes the pairs with
 * a zero operand. It is 1/2 at n = 1 (`0` or `end`), 4/9 at n = 2 (`end`), 1/3 at n = 3 (always
 * 1 + 1 = `0 1 end`), then `1`: 0.417 at n = 4, 0.488 at n = 10, 0.4999 at n = 100.
 * Meta: { n, sumBits: K }.
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import { defineTask, type Chance, type Task } from './types.js';
import { stringOutputTask, type LengthMap } from './lib/deletang.js';

const PLUS = 2;
const END = 2;
const LABELS = ['0', '1', 'end'] as const;

const options = z.object({}).strict();

const MAP: LengthMap = {
  lengthOf: (n) => 2 * n + 1,
  symbolsAt: (T) => Math.max(1, Math.floor((T - 1) / 2)),
  lengths: { accepts: (T) => T % 2 === 1, rule: 'odd lengths: n symbols, then n + 1 output steps (T = 2n + 1)' },
};

/**
 * The law of the sum's length K and ones: `pK[k]` = P(K = k) and `onesK[k]` = E[ones; K = k],
 * k = 1..(array length - 1); index 0 unused (a sum of 0 has no bits and counts nowhere).
 */
interface SumLaw {
  pK: Float64Array;
  onesK: Float64Array;
}

/** The law of a + b for a, b uniform over ALL La-bit and Lb-bit numbers (0 included). */
function allPairsLaw(La: number, Lb: number, size: number): SumLaw {
  const M = Math.max(La, Lb); // the sum has bits 0..M
  // P(an operand of L bits has bit `bit` at position j): fair below L, 0 above.
  const bitP = (j: number, L: number, bit: number) => (j < L ? 0.5 : bit ? 0 : 1);
  // Probability of the operand bits (a_j, b_j) = (ab >> 1, ab & 1) at position j.
  const q = (j: number, ab: number) => bitP(j, La, ab >> 1) * bitP(j, Lb, ab & 1);
  // Forward: F[j][c] = P(carry into j = c); G[j][c] = E[ones among sum bits 0..j-1; carry into j = c].
  const F = Array.from({ length: M + 2 }, () => new Float64Array(2)); // (M+2) x [2]
  const G = Array.from({ length: M + 2 }, () => new Float64Array(2)); // (M+2) x [2]
  F[0][0] = 1;
  for (let j = 0; j <= M; j++) {
    for (let c = 0; c < 2; c++) {
      for (let ab = 0; ab < 4; ab++) {
        const p = q(j, ab);
        if (p === 0) continue;
        const total = (ab >> 1) + (ab & 1) + c;
        F[j + 1][total >> 1] += F[j][c] * p;
        G[j + 1][total >> 1] += (G[j][c] + (total & 1) * F[j][c]) * p;
      }
    }
  }
  // Backward: Z[j][c] = P(sum bits j..M are all 0 | carry into j = c). No carry leaves bit M.
  const Z = Array.from({ length: M + 2 }, () => new Float64Array(2)); // (M+2) x [2]
  Z[M + 1][0] = 1;
  for (let j = M; j >= 0; j--) {
    for (let c = 0; c < 2; c++) {
      for (let ab = 0; ab < 4; ab++) {
        const total = (ab >> 1) + (ab & 1) + c;
        if ((total & 1) === 0) Z[j][c] += q(j, ab) * Z[j + 1][total >> 1];
      }
    }
  }
  // K = k: sum bit k-1 is 1 and bits k..M are 0; bits below k-1 are independent given the carry.
  const pK = new Float64Array(size); // [size]
  const onesK = new Float64Array(size); // [size]
  for (let k = 1; k <= M + 1; k++) {
    for (let c = 0; c < 2; c++) {
      for (let ab = 0; ab < 4; ab++) {
        const total = (ab >> 1) + (ab & 1) + c;
        if ((total & 1) === 0) continue;
        const w = q(k - 1, ab) * Z[k][total >> 1];
        pK[k] += F[k - 1][c] * w;
        onesK[k] += (G[k - 1][c] + F[k - 1][c]) * w;
      }
    }
  }
  return { pK, onesK };
}

/** The law of K and ones of the target at n input symbols, exact (the paper's sampling). */
export function sumLaw(n: number): SumLaw {
  const size = n + 2; // K <= n
  const law: SumLaw = { pK: new Float64Array(size), onesK: new Float64Array(size) }; // [n+2] each
  if (n <= 2) {
    const count = 2 ** n - 1; // v uniform in 0..2^n - 2
    for (let v = 0; v < count; v++) {
      const K = v === 0 ? 1 : Math.floor(Math.log2(v)) + 1;
      law.pK[K] += 1 / count;
      law.onesK[K] += ((v & 1) + ((v >> 1) & 1)) / count;
    }
    return law;
  }
  // The law of a + 0 (one operand 0) depends only on the other's length, and a + 0 = 0 + a.
  const alone = new Map<number, SumLaw>();
  const lawAlone = (L: number) => alone.get(L) ?? alone.set(L, allPairsLaw(L, 0, size)).get(L)!;
  for (let La = 1; La <= n - 2; La++) {
    const Lb = n - 1 - La;
    const [pA, pB] = [2 ** -La, 2 ** -Lb]; // P(operand = 0) over all L-bit numbers
    const all = allPairsLaw(La, Lb, size);
    const aZero = lawAlone(Lb);
    const bZero = lawAlone(La);
    // E[f | a, b != 0] = (E[f] - pA E[f | a = 0] - pB E[f | b = 0]) / ((1 - pA)(1 - pB)), with f(0, 0) = 0.
    const norm = (n - 2) * (1 - pA) * (1 - pB); // and 1/(n - 2): La is uniform in 1..n-2
    for (let k = 1; k < size; k++) {
      law.pK[k] += (all.pK[k] - pA * aZero.pK[k] - pB * bZero.pK[k]) / norm;
      law.onesK[k] += (all.onesK[k] - pA * aZero.onesK[k] - pB * bZero.onesK[k]) / norm;
    }
  }
  return law;
}

function additionChance(n: number): Chance {
  const { pK, onesK } = sumLaw(n);
  const perSample = [0, 0, 0]; // E[count of class c / (K + 1)] for 0, 1, end
  for (let k = 1; k < pK.length; k++) {
    const counts = [k * pK[k] - onesK[k], onesK[k], pK[k]];
    for (let c = 0; c < 3; c++) perSample[c] += counts[c] / (k + 1);
  }
  let best = 0;
  for (let c = 1; c < 3; c++) if (perSample[c] > perSample[best] + 1e-12) best = c;
  return {
    value: perSample[best],
    metric: 'accuracy',
    why: `the best constant guess is always '${LABELS[best]}' (n = ${n}; the sum's top bit is always 1, one 'end' per sample): its rate per sample, averaged, exact`,
  };
}

/** L bits (little-endian) of a number uniform in 1..2^L - 1 into `row` from `at`: fair bits, redrawn while all 0. */
function nonzeroBits(rng: Rng, row: Int32Array, at: number, L: number): void {
  for (;;) {
    let any = 0;
    for (let t = 0; t < L; t++) any |= row[at + t] = rng.int(2);
    if (any) return;
  }
}

export const binaryAddition = defineTask({
  name: 'binary-addition',
  description:
    'Binary Addition (Delétang et al. 2023, context-sensitive): two little-endian binary numbers joined by +, then n + 1 blank steps on which the model writes their sum (little-endian) and an end token (T = 2n + 1).',
  example: 'T=19: "0 0 1 + 0 1 1 0 1 _ ×10" -> "0 1 0 1 1 end · · · ·" on the blank steps (4 + 22 = 26, little-endian; padding not scored).',
  source:
    'Delétang et al., ICLR 2023, "Neural Networks and the Chomsky Hierarchy" (google-deepmind/neural_networks_chomsky_hierarchy, tasks/cs/binary_addition.py).',
  options,
  create(): Task {
    const chanceAt = new Map<number, Chance>(); // n -> chance (pure: no draw)
    return stringOutputTask({
      symbols: ['0', '1', '+'],
      labels: LABELS,
      map: MAP,
      chance(n) {
        let c = chanceAt.get(n);
        if (!c) chanceAt.set(n, (c = additionChance(n)));
        return c;
      },
      draw(rng, input, output, n) {
        let K: number;
        if (n <= 2) {
          const v = rng.int(2 ** n - 1);
          for (let t = 0; t < n; t++) input[t] = (v >> t) & 1;
          K = v === 0 ? 1 : Math.floor(Math.log2(v)) + 1;
          for (let j = 0; j < K; j++) output[j] = (v >> j) & 1;
        } else {
          const La = 1 + rng.int(n - 2);
          const Lb = n - 1 - La;
          nonzeroBits(rng, input, 0, La);
          input[La] = PLUS;
          nonzeroBits(rng, input, La + 1, Lb);
          // Schoolbook addition, least significant bit first; the sum has at most max(La, Lb) + 1 bits.
          let carry = 0;
          K = 0;
          for (let j = 0; j <= Math.max(La, Lb); j++) {
            const total = (j < La ? input[j] : 0) + (j < Lb ? input[La + 1 + j] : 0) + carry;
            output[j] = total & 1;
            carry = total >> 1;
            if (output[j]) K = j + 1; // bits above the top 1 are 0, the paper's padding
          }
        }
        output[K] = END;
        return { counted: K + 1, meta: { n, sumBits: K } };
      },
    });
  },
});
