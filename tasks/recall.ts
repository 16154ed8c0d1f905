/**
 * recall: remember the symbol at one position and name it at the end.
 *
 * Input: T-1 symbols, then the query `?` at position T-1 (the readout). Target: the symbol
 * at the queried position T-1-distance (default: the first position, distance T-1).
 *
 * Distractors (`distractors` option):
 * - 'disjoint' (default, leak-free): the answer comes from an alphabet A of k symbols
 *   (A, B, C, ...) and the noise from a disjoint alphabet N of k symbols (a, b, c, ...). Every
 *   sample holds each symbol of A exactly once: the answer at the queried position, the k-1
 *   others ("lures") at distinct random positions; every other position is noise from N. So
 *   the multiset of tokens does not depend on the answer: a position-blind model (one that
 *   sees only which tokens occur, e.g. a bag of words) is exactly at chance 1/k, and a
 *   model must know WHERE each A symbol stood. The lures are needed: with a disjoint noise
 *   alphabet alone, the answer would be the only A symbol of the sequence and a bag of words
 *   would read it off. Needs T >= k + 1 (k A symbols and the query).
 * - 'shared' (fxbench <= 0.x's recall, kept selectable): every position other than the query
 *   is drawn uniformly from the answer alphabet itself. The answer then occurs once more than
 *   any other symbol is expected to, so symbol counts leak it: a position-blind model can
 *   beat chance (its best accuracy at k = 4, guessing the most frequent symbol, is 0.39 at
 *   T = 16 and 0.35 at T = 32, scores (acc - 1/k)/(1 - 1/k) of 0.19 and 0.13; 0.45 at T = 8).
 *
 * Lure density (`lureDensity`, disjoint only): by default each answer symbol occurs once, so
 * the k-1 lures thin out as T grows (3 of 6 open positions at T = 8, 3 of 14 at T = 16). With
 * a density q, each answer symbol occurs m = round(q (T-2) / k) times (at least once, at most
 * what fits): the same fraction of positions holds lures at every length, and every symbol
 * still occurs equally often, so a bag of words stays at chance.
 *
 * Distance (`distance` option):
 * - unset: the queried position is the first one (distance T-1), so the distance grows with T.
 * - a number d: the queried position is T-1-d in every sample.
 * - 'uniform': each sample draws d uniformly from 1..T-2 and a marker `>` stands right
 *   before the queried symbol (at T-2-d), since the position varies and must be cued; one run
 *   then gives accuracy against distance through `byMeta.distance`. (d = T-1 would leave no
 *   room for the marker; the unset default covers the first position.) With 'disjoint' the
 *   lures avoid the marker and the queried position, and the bag of tokens (marker included)
 *   still does not depend on the answer. Needs T >= k + 2 ('disjoint') or T >= 3 ('shared').
 *
 * Worked examples (k = 4, T = 8):
 *   disjoint, distance unset: `C a D b A B d ?` -> C (position 0; D, A, B are the lures).
 *   shared, distance unset:   `C A D A B B D ?` -> C.
 *   disjoint, uniform, d = 3: `A c D > B b C ?` -> B (the symbol after `>`, 3 positions before `?`).
 *
 * Chance: 1/k accuracy (the answer is uniform over k symbols).
 * Meta: { distance } = positions from the queried symbol to the query.
 */
import { z } from 'zod';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import type { Rng } from '../core/rng.js';
import { renderTokens } from './lib/common.js';

const NAME = 'recall';

export const RECALL_DISTRACTORS = ['disjoint', 'shared'] as const;
export type RecallDistractors = (typeof RECALL_DISTRACTORS)[number];

const options = z
  .object({
    /** k: number of answer symbols (the classes). */
    symbols: z.number().int().min(2).max(64).default(4).describe('k: answer symbols (classes); disjoint distractors add k noise symbols'),
    /**
     * Positions between the queried symbol and the query (>= 1); 'uniform': drawn per sample
     * from 1..T-2 with a marker before the queried symbol. Unset: the first symbol (T-1).
     */
    distance: z
      .union([z.number().int().min(1), z.literal('uniform')])
      .optional()
      .describe("positions from the queried symbol to the query; 'uniform' draws 1..T-2 per sample (marked); unset: the first symbol"),
    distractors: z
      .enum(RECALL_DISTRACTORS)
      .default('disjoint')
      .describe(
        "'disjoint': noise from its own alphabet and every answer symbol once per sample (a bag of words is exactly at chance); 'shared': noise from the answer alphabet (the old task: counts leak the answer)",
      ),
    lureDensity: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe(
        'disjoint only: each answer symbol occurs m = round(q (T-2) / k) times, so about this fraction of positions holds lures at every length; unset: once each',
      ),
  })
  .strict()
  .refine((o) => o.lureDensity === undefined || o.distractors === 'disjoint', {
    message: "lureDensity needs distractors 'disjoint' (the shared variant has no lures)",
  });

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

/** Answer symbols: A..Z, then S26, S27, ... */
function answerNames(k: number): string[] {
  return Array.from({ length: k }, (_, i) => (i < UPPER.length ? UPPER[i] : `S${i}`));
}

/** Noise symbols of the disjoint variant: a..z, then n26, n27, ... */
function noiseNames(k: number): string[] {
  return Array.from({ length: k }, (_, i) => (i < LOWER.length ? LOWER[i] : `n${i}`));
}

export const recall = defineTask({
  name: NAME,
  description:
    'Memorisation over a gap: name the symbol seen `distance` positions before the final query. By default noise comes from a disjoint alphabet and every answer symbol occurs once, so only positions tell the answer.',
  example:
    'k=4, T=8: "C a D b A B d ?" -> C (the first symbol; D, A, B are lures, lowercase letters noise); distractors=shared: "C A D A B B D ?" -> C; distance=uniform: "A c D > B b C ?" -> B (after the marker, distance 3).',
  source: 'Copy/recall memory tasks: Hochreiter & Schmidhuber 1997; Bai, Kolter & Koltun 2018 (TCN).',
  options,
  create(opts): Task {
    const k = opts.symbols;
    const disjoint = opts.distractors === 'disjoint';
    const uniform = opts.distance === 'uniform';
    const fixed = typeof opts.distance === 'number' ? opts.distance : undefined;
    const names = answerNames(k);
    // Ids: answers 0..k-1, the query k (as the shared task always had), then the noise
    // alphabet (disjoint), then the marker (uniform distance).
    const query = k;
    const noise0 = disjoint ? k + 1 : 0;
    const tokens = [...names, '?', ...(disjoint ? noiseNames(k) : [])];
    const marker = uniform ? tokens.length : -1;
    if (uniform) tokens.push('>');
    // Positions besides the noise: the query, the queried symbol, the marker, and (disjoint) the k-1 lures.
    const needed = 2 + (uniform ? 1 : 0) + (disjoint ? k - 1 : 0);
    const minLength = Math.max(needed, fixed === undefined ? 2 : fixed + 1);
    const free = new Int32Array(Math.max(minLength, 1));
    return {
      input: { kind: 'tokens', vocab: tokens.length, tokens },
      output: { kind: 'classes', classes: k, labels: names, per: 'sequence' },
      minLength,
      chance: () => ({
        value: 1 / k,
        metric: 'accuracy',
        why: disjoint
          ? `1/k for k=${k} uniform answers; every answer symbol occurs once per sample, so the bag of tokens says nothing about the answer`
          : `1/k for k=${k} uniform answers (the noise shares their alphabet, so symbol counts leak some of the answer to a position-blind model)`,
      }),
      sample(rng: Rng, batchSize: number, length: number): Batch {
        const inputs = new Int32Array(batchSize * length);
        const targets = new Int32Array(batchSize);
        const meta: SampleMeta[] = [];
        const slots = free.length >= length ? free : new Int32Array(length);
        // Copies of each answer symbol: 1, or enough for the lure density, at most what the open positions hold.
        const open = length - 2 - (uniform ? 1 : 0);
        const copies =
          opts.lureDensity === undefined ? 1 : Math.max(1, Math.min(Math.round((opts.lureDensity * (length - 2)) / k), Math.floor((open + 1) / k)));
        const lures = new Int32Array(k * copies);
        for (let b = 0; b < batchSize; b++) {
          const base = b * length;
          const distance = uniform ? 1 + rng.int(length - 2) : (fixed ?? length - 1);
          const at = length - 1 - distance; // the queried position
          if (!disjoint) {
            // The shared task, draw for draw as it always was (the marker overwrites one noise draw).
            for (let t = 0; t < length - 1; t++) inputs[base + t] = rng.int(k);
            if (uniform) inputs[base + at - 1] = marker;
            targets[b] = inputs[base + at];
          } else {
            const answer = rng.int(k);
            // Positions open to lures: all but the query, the queried symbol and the marker.
            let n = 0;
            for (let t = 0; t < length - 1; t++) if (t !== at && !(uniform && t === at - 1)) slots[n++] = t;
            // The k-1 other answer symbols at k-1 distinct random open positions: a partial
            // Fisher-Yates shuffle draws a uniformly random ORDERED tuple of positions, so giving
            // the lures to it in a fixed order places them uniformly at random.
            for (let t = 0; t < length - 1; t++) inputs[base + t] = -1;
            // The lures in a fixed order: every symbol `copies` times, the answer once less (its
            // last copy is at the queried position). With one copy this is the k-1 others, draw
            // for draw as the task always was.
            let count = 0;
            for (let s = 0; s < k; s++) for (let c = s === answer ? 1 : 0; c < copies; c++) lures[count++] = s;
            for (let i = 0; i < count; i++) {
              const j = i + rng.int(n - i);
              [slots[i], slots[j]] = [slots[j], slots[i]];
              inputs[base + slots[i]] = lures[i];
            }
            inputs[base + at] = answer;
            if (uniform) inputs[base + at - 1] = marker;
            for (let t = 0; t < length - 1; t++) if (inputs[base + t] < 0) inputs[base + t] = noise0 + rng.int(k);
            targets[b] = answer;
          }
          inputs[base + length - 1] = query;
          meta.push({ distance });
        }
        return { batchSize, length, inputs, targets, meta };
      },
      decode(batch, i) {
        const T = batch.length;
        return {
          input: renderTokens(tokens, batch.inputs, i * T, (i + 1) * T),
          target: names[batch.targets[i]],
        };
      },
    };
  },
});
