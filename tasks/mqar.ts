/**
 * mqar: multi-query associative recall (Arora, Eyuboglu et al. 2023, "Zoology"), in the layout
 * of Zoology's generator (`zoology/data/associative_recall.py`, `multiquery_ar`).
 *
 * Vocabulary of V ids: 0 is the blank `_`; keys are ids 1..V/2-1 (`k1`, `k2`, ...); values are
 * ids V/2..V-1 (`v0`, `v1`, ...), |values| = V - floor(V/2). A sample of length T:
 *   positions 0..2N-1   : N key-value pairs `k v k v ...`, N distinct keys and N distinct values
 *   positions 2N, 2N+2..: query slots (every other position, as Zoology: in language-model form
 *                         the value would follow its key). Q distinct keys of the context are
 *                         queried, key i at slot g_i (position 2N + 2 g_i)
 *   every other position: a random id from the whole vocabulary (`fill: random`, Zoology's
 *                         `random_non_queries`) or the blank (`fill: blank`)
 * Targets are per step: at each query position, the value paired with the queried key (mask 1
 * there, 0 elsewhere). The head predicts over the |values| value ids only (class c = value id
 * V/2 + c); Zoology's language model predicts over all V, which a trained model narrows to the
 * values anyway, and which gives the same chance.
 *
 * Query slots are drawn per sample without replacement with p(g) ∝ (g+1)^(a-1), g = 0..S-1,
 * S = floor((T - 2N)/2) (Zoology's power law, `power_a`; a = 0.01 puts most queries soon after
 * the context, a = 1 is uniform). Zoology assigns the drawn slots to the keys in context order,
 * so the first pair tends to be queried first; here the queried pairs are taken in a random
 * order (all N by default, as `multiquery_ar`; Q < N as `associative_recall`'s num_queries).
 *
 * Worked example (V = 16, N = 2, Q = 2, fill blank, T = 12; query slots at 4, 6, 8, 10):
 *   input   k3 v5 k1 v2 k1 _ _ _ k3 _ _ _
 *   targets at t=4: v2 (k1's value, 1 position back), at t=8: v5 (k3's value, 7 back)
 * because each query must be answered with the value that followed the same key in the context.
 *
 * Chance: accuracy 1/|values|: each pair's value is uniform over the value ids and independent of
 * its key, so a model that ignores the input cannot beat guessing one value. (A model that
 * answers with one of the context's N values at random scores 1/N, about what a position-blind
 * bag of the tokens so far can reach.)
 * Meta: per step (`stepMeta.distance`, at the query positions): the query's position minus its
 * pair's value position, so `byMeta.distance` bins single queries (counts are queries).
 * minLength = 2N + 2Q (every query needs a slot). Nothing is padded: no `keyMask`.
 */
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import { renderTokens } from './lib/common.js';

const NAME = 'mqar';
/** The blank id (filler when `fill` is `blank`; with `random` fillers it is one id among all). */
const BLANK = 0;

const options = z
  .object({
    vocab: z
      .number()
      .int()
      .min(6)
      .max(65536)
      .default(256)
      .describe('vocabulary size V: keys are ids 1..V/2-1, values V/2..V-1 (Zoology vocab_size; its experiments use 8192)'),
    pairs: z.number().int().min(1).default(8).describe('key-value pairs N at the start of each sample (Zoology num_kv_pairs)'),
    queries: z.number().int().min(1).optional().describe('queries Q <= N, each of a different key (unset: every key once, as multiquery_ar)'),
    powerA: z.number().positive().max(1).default(0.01).describe('query slots drawn with p(slot g) ∝ (g+1)^(a-1) (Zoology power_a; 1 = uniform)'),
    fill: z
      .enum(['random', 'blank'])
      .default('random')
      .describe('other positions: random ids from the whole vocabulary (Zoology random_non_queries) or the blank id 0'),
  })
  .strict();

export type MqarOptions = z.output<typeof options>;

/** Printed token names: `_`, keys `k1`..`k{V/2-1}`, values `v0`..`v{|values|-1}`. */
function tokenNames(V: number): string[] {
  const half = Math.floor(V / 2);
  return Array.from({ length: V }, (_, id) => (id === BLANK ? '_' : id < half ? `k${id}` : `v${id - half}`));
}

/**
 * `count` distinct slots of 0..S-1, drawn one after another with probability proportional to
 * the remaining weights (what numpy's `choice(replace=False, p=...)`, Zoology's draw, amounts to).
 */
function drawSlots(rng: Rng, weights: Float64Array, count: number): number[] {
  const w = weights.slice();
  let total = w.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  for (let q = 0; q < count; q++) {
    let u = rng.uniform() * total;
    let g = 0;
    // The last positive weight takes any rounding remainder.
    for (; g < w.length - 1; g++) {
      if (w[g] > 0 && u < w[g]) break;
      u -= w[g];
    }
    while (w[g] === 0) g--;
    out.push(g);
    total -= w[g];
    w[g] = 0;
  }
  return out;
}

/** The first `count` entries of a uniform random permutation of 0..n-1 (partial Fisher-Yates). */
function distinct(rng: Rng, n: number, count: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(n - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

export const mqar = defineTask({
  name: NAME,
  description:
    'Multi-query associative recall: N key-value pairs, then queries of the keys among filler; at each query, name the value that followed that key (one answer per query).',
  example:
    'V=16, N=2, fill=blank, T=12: "k3 v5 k1 v2 k1 _ _ _ k3 _ _ _" -> v2 at t=4 (distance 1), v5 at t=8 (distance 7): each query is answered with the value that followed its key.',
  source: 'Arora, Eyuboglu et al. 2023, Zoology (HazyResearch/zoology, zoology/data/associative_recall.py).',
  options,
  create(opts): Task {
    const V = opts.vocab;
    const half = Math.floor(V / 2);
    const nKeys = half - 1; // ids 1..half-1
    const nValues = V - half;
    const N = opts.pairs;
    const Q = opts.queries ?? N;
    if (N > nKeys)
      throw new UsageError(
        `task ${NAME}: pairs = ${N} needs ${N} distinct keys, but vocab = ${V} has ${nKeys} (ids 1..${half - 1}): raise vocab to at least ${2 * (N + 1)} or lower pairs`,
      );
    if (Q > N) throw new UsageError(`task ${NAME}: queries = ${Q} exceeds pairs = ${N}: each query asks a different key, so give queries <= ${N}`);
    const tokens = tokenNames(V);
    const labels = tokens.slice(half);
    const minLength = 2 * N + 2 * Q;
    const weightsFor = new Map<number, Float64Array>(); // power-law slot weights per slot count S (pure: no draw)
    return {
      input: { kind: 'tokens', vocab: V, tokens },
      output: { kind: 'classes', classes: nValues, labels, per: 'step' },
      minLength,
      chance: () => ({
        value: 1 / nValues,
        metric: 'accuracy',
        why: `1/|values| for |values| = ${nValues} value ids, each pair's value uniform and independent of its key`,
      }),
      sample(rng: Rng, batchSize: number, length: number): Batch {
        const T = length;
        const S = Math.floor((T - 2 * N) / 2); // query slots
        let weights = weightsFor.get(S);
        if (!weights) {
          weights = Float64Array.from({ length: S }, (_, g) => (g + 1) ** (opts.powerA - 1));
          weightsFor.set(S, weights);
        }
        const inputs = new Int32Array(batchSize * T);
        const targets = new Int32Array(batchSize * T);
        const mask = new Float32Array(batchSize * T);
        const distance = new Float64Array(batchSize * T).fill(NaN);
        const meta: SampleMeta[] = [];
        const isFill = new Uint8Array(T);
        for (let b = 0; b < batchSize; b++) {
          const base = b * T;
          const keys = distinct(rng, nKeys, N).map((k) => 1 + k);
          const values = distinct(rng, nValues, N).map((v) => half + v);
          isFill.fill(1);
          for (let i = 0; i < N; i++) {
            inputs[base + 2 * i] = keys[i];
            inputs[base + 2 * i + 1] = values[i];
            isFill[2 * i] = isFill[2 * i + 1] = 0;
          }
          const asked = distinct(rng, N, Q); // which pairs are queried, in random order
          const slots = drawSlots(rng, weights, Q);
          for (let q = 0; q < Q; q++) {
            const i = asked[q];
            const t = 2 * N + 2 * slots[q];
            inputs[base + t] = keys[i];
            targets[base + t] = values[i] - half;
            mask[base + t] = 1;
            distance[base + t] = t - (2 * i + 1);
            isFill[t] = 0;
          }
          for (let t = 0; t < T; t++) if (isFill[t]) inputs[base + t] = opts.fill === 'random' ? rng.int(V) : BLANK;
          meta.push({});
        }
        return { batchSize, length, inputs, targets, mask, meta, stepMeta: { distance } };
      },
      decode(batch, i) {
        const T = batch.length;
        const answers: string[] = [];
        for (let t = 0; t < T; t++) {
          const k = i * T + t;
          if (batch.mask?.[k]) answers.push(`t=${t}: ${labels[batch.targets[k]]} (distance ${batch.stepMeta?.distance[k]})`);
        }
        return { input: renderTokens(tokens, batch.inputs, i * T, (i + 1) * T), target: answers.join('; ') };
      },
    };
  },
});
