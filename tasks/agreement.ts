/**
 * agreement: subject-verb number agreement in generated English (Linzen, Dupoux & Goldberg
 * 2016; templates in the spirit of Marvin & Linzen 2018).
 *
 * A sentence prefix is built as: subject NP, then modifiers, each containing one noun; the
 * model reads the prefix and must predict the number of the verb that would come next, i.e.
 * the number of the SUBJECT noun (2 classes). Modifiers are
 *   PP               near the (old) keys
 *   subject relative that praised the (old) keys
 *   object relative  that the (old) keys praised
 * (relative-clause verbs are past tense, so they carry no number cue). `attractors` of the
 * modifiers have a noun of the OPPOSITE number to the subject (uniform 0..maxAttractors);
 * `fillers` have a noun of the SAME number (uniform 0..maxFillers), so distance and attractor
 * count vary independently. Modifiers are shuffled. Determiners are drawn from the noun's
 * number ('the' for both, 'this'/'a' singular, 'these'/'some' plural), adjectives appear with
 * probability 0.3. Every plural noun is its singular + "s".
 *
 * Layout: the prefix ENDS at the readout (position T-1, the verb would be at T) and is
 * left-padded with `<pad>` (id 0). When it would not fit in T, modifiers are dropped from the
 * end until it does (meta reports what was kept); minLength 2 fits `det noun`.
 *
 * Worked example (T = 10):
 *   <pad> the author near the keys that the guards praised -> singular
 * The subject `author` is singular; `keys` and `guards` are attractors (plural nouns between
 * the subject and the verb); distance = 7 tokens between `author` and the verb position.
 *
 * Chance: 0.5 accuracy (subject number is a fair coin).
 * Meta: { distance: tokens strictly between the subject noun and the verb position
 *         (= T-1 - subject position), attractors: opposite-number nouns in between }.
 */
import { z } from 'zod';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import type { Rng } from '../core/rng.js';
import { KeyMask, PAD, renderTokens, writeLeftPadded } from './lib/common.js';

const NAME = 'agreement';

/** Singular nouns; the plural is the singular + "s" for all of them. */
export const AGREEMENT_NOUNS = [
  'author',
  'pilot',
  'surgeon',
  'farmer',
  'manager',
  'customer',
  'officer',
  'teacher',
  'senator',
  'dancer',
  'student',
  'painter',
  'guard',
  'minister',
  'architect',
  'lawyer',
  'key',
  'cabinet',
  'table',
  'car',
  'house',
  'window',
  'book',
  'letter',
  'picture',
  'road',
  'ship',
  'tower',
  'garden',
  'bottle',
  'chair',
  'door',
] as const;
const PREPOSITIONS = ['near', 'behind', 'beside', 'with', 'from', 'above', 'under', 'without'] as const;
const RC_VERBS = ['saw', 'liked', 'praised', 'helped', 'admired', 'knew', 'met', 'called', 'visited', 'followed'] as const;
const ADJECTIVES = ['old', 'young', 'tall', 'small', 'famous', 'new', 'quiet', 'busy'] as const;
const DETS_SG = ['the', 'this', 'a'] as const;
const DETS_PL = ['the', 'these', 'some'] as const;
const LABELS = ['singular', 'plural'] as const;
const ADJECTIVE_P = 0.3;

/** Vocabulary: pad first, then every word once. */
const WORDS: readonly string[] = [
  ...new Set<string>([...AGREEMENT_NOUNS, ...AGREEMENT_NOUNS.map((n) => `${n}s`), ...PREPOSITIONS, ...RC_VERBS, ...ADJECTIVES, ...DETS_SG, ...DETS_PL, 'that']),
];
const TOKENS: readonly string[] = [PAD, ...WORDS];
const ID = new Map(TOKENS.map((t, i) => [t, i]));
const id = (w: string): number => ID.get(w)!;

const options = z
  .object({
    maxAttractors: z.number().int().min(0).max(20).default(4).describe('Most modifiers whose noun has the opposite number (Linzen et al. report up to 4).'),
    maxFillers: z.number().int().min(0).max(20).default(2).describe('Most modifiers whose noun has the same number as the subject.'),
    modifiers: z
      .array(z.enum(['pp', 'subject-rc', 'object-rc']))
      .min(1)
      .default(['pp', 'subject-rc', 'object-rc'])
      .describe("which modifier kinds may appear: 'pp' (prepositional phrase), 'subject-rc', 'object-rc' (relative clauses)"),
  })
  .strict();

/** Appends `det (adj) noun` for a noun of number `plural`; returns the noun's index in `out`. */
function nounPhrase(rng: Rng, plural: boolean, out: number[]): number {
  out.push(id(rng.pick(plural ? DETS_PL : DETS_SG)));
  if (rng.uniform() < ADJECTIVE_P) out.push(id(rng.pick(ADJECTIVES)));
  const noun = rng.pick(AGREEMENT_NOUNS);
  out.push(id(plural ? `${noun}s` : noun));
  return out.length - 1;
}

export const agreement = defineTask({
  name: NAME,
  description:
    'Generated English subject-verb agreement: predict the verb number after a subject followed by prepositional phrases and relative clauses whose nouns may have the opposite number (attractors).',
  example: '"<pad> the author near the keys that the guards praised" -> singular (subject "author"; "keys", "guards" are plural attractors; distance 7).',
  source: 'Linzen, Dupoux & Goldberg 2016; Marvin & Linzen 2018.',
  options,
  create(opts): Task {
    const minLength = 2;
    return {
      input: { kind: 'tokens', vocab: TOKENS.length, tokens: TOKENS },
      output: { kind: 'classes', classes: 2, labels: LABELS, per: 'sequence' },
      minLength,
      pads: () => true, // a prefix is usually shorter than T
      chance: () => ({ value: 0.5, metric: 'accuracy', why: 'the subject is singular or plural with probability 1/2' }),
      sample(rng: Rng, batchSize: number, length: number): Batch {
        const inputs = new Int32Array(batchSize * length);
        const targets = new Int32Array(batchSize);
        const meta: SampleMeta[] = [];
        const keyMask = new KeyMask(batchSize, length);
        const words: number[] = [];
        for (let b = 0; b < batchSize; b++) {
          const plural = rng.int(2) === 1;
          const nAttr = rng.int(opts.maxAttractors + 1);
          const nFill = rng.int(opts.maxFillers + 1);
          // true = attractor (opposite number), false = filler (same number), in random order.
          const kinds = rng.shuffle([...Array<boolean>(nAttr).fill(true), ...Array<boolean>(nFill).fill(false)]);
          words.length = 0;
          const subject = nounPhrase(rng, plural, words);
          let attractors = 0;
          for (const isAttractor of kinds) {
            const start = words.length;
            const nounPlural = isAttractor ? !plural : plural;
            const kind = rng.pick(opts.modifiers);
            if (kind === 'pp') {
              words.push(id(rng.pick(PREPOSITIONS)));
              nounPhrase(rng, nounPlural, words);
            } else if (kind === 'subject-rc') {
              words.push(id('that'), id(rng.pick(RC_VERBS)));
              nounPhrase(rng, nounPlural, words);
            } else {
              words.push(id('that'));
              nounPhrase(rng, nounPlural, words);
              words.push(id(rng.pick(RC_VERBS)));
            }
            if (words.length > length) {
              words.length = start; // does not fit: drop this modifier and stop adding more
              break;
            }
            if (isAttractor) attractors++;
          }
          writeLeftPadded(inputs, b, length, words, keyMask);
          targets[b] = plural ? 1 : 0;
          meta.push({ distance: words.length - 1 - subject, attractors });
        }
        return { batchSize, length, inputs, targets, keyMask: keyMask.done(), meta };
      },
      decode(batch, i) {
        const T = batch.length;
        return { input: renderTokens(TOKENS, batch.inputs, i * T, (i + 1) * T, ' ', 0), target: LABELS[batch.targets[i]] };
      },
    };
  },
});
