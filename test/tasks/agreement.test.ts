/** agreement: the label is re-derived from the decoded subject noun; attractors and distance recounted. */
import { describe, it, expect } from 'vitest';
import { agreement, AGREEMENT_NOUNS } from '../../tasks/agreement.js';
import { Rng } from '../../core/rng.js';
import { classFrequencies, make, unpadded } from './helpers.js';

const SINGULAR = new Set<string>(AGREEMENT_NOUNS);
/** 'sg', 'pl' or undefined for a non-noun; plural = singular + "s" by construction of the lexicon. */
function nounNumber(w: string): 'sg' | 'pl' | undefined {
  if (SINGULAR.has(w)) return 'sg';
  if (w.endsWith('s') && SINGULAR.has(w.slice(0, -1))) return 'pl';
  return undefined;
}

describe('agreement', () => {
  it('labels the number of the first noun (the subject); meta counts attractors and distance', () => {
    const task = make(agreement);
    const labels = task.output.kind === 'classes' ? task.output.labels : [];
    for (const T of [2, 5, 12, 60]) {
      const b = task.sample(new Rng(T), 400, T);
      for (let i = 0; i < 400; i++) {
        const words = unpadded(task, b, i);
        const s = words.findIndex((w) => nounNumber(w) !== undefined);
        expect(s).toBeGreaterThanOrEqual(0);
        const num = nounNumber(words[s])!;
        expect(labels[b.targets[i]]).toBe(num === 'sg' ? 'singular' : 'plural');
        const later = words.slice(s + 1).map(nounNumber);
        expect(b.meta[i].attractors).toBe(later.filter((n) => n !== undefined && n !== num).length);
        expect(b.meta[i].distance).toBe(words.length - 1 - s);
      }
    }
  });

  it('respects maxAttractors and maxFillers', () => {
    const task = make(agreement, { maxAttractors: 2, maxFillers: 0, modifiers: ['pp'] });
    const b = task.sample(new Rng(30), 500, 40);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const words = unpadded(task, b, i);
      const nouns = words.map(nounNumber).filter((n) => n !== undefined);
      expect(nouns.length - 1).toBe(b.meta[i].attractors); // no fillers: every other noun attracts
      expect(b.meta[i].attractors).toBeLessThanOrEqual(2);
      expect(words).not.toContain('that'); // PPs only
      seen.add(b.meta[i].attractors);
    }
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });

  it('chance 0.5 matches the label distribution', () => {
    const task = make(agreement);
    const freq = classFrequencies(task.sample(new Rng(31), 10_000, 30).targets, 2);
    expect(Math.abs(freq[1] - task.chance(30).value)).toBeLessThan(0.02);
  });
});
