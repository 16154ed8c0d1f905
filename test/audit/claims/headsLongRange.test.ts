import { describe, expect, it } from 'vitest';
import { headsLongRange } from '../../../audit/claims/headsLongRange.js';
import { decision, jitter, P, perSeed } from '../fixtures.js';

/** Agreement records with near (distance 2) and far (distance 20) bins; far accuracy per head count. */
const sweep = (far: Record<number, number>) =>
  Object.entries(far).flatMap(([h, acc]) =>
    perSeed([0, 1, 2, 3, 4], (_, __, i) => ({
      exp: 'heads',
      task: 'agreement',
      extractor: `transformer-h${h}`,
      length: P.long,
      chance: 0.5,
      accuracy: 0.8,
      byDistance: [
        { value: 2, n: 100, score: 0.9 },
        { value: 20, n: 100, score: acc + jitter(i, 0.02) },
      ],
    })),
  );

describe('heads-long-range', () => {
  it('supported when the far-distance score rises with log2(heads) on every seed', () => {
    const d = decision(headsLongRange, sweep({ 1: 0.7, 2: 0.75, 4: 0.8, 8: 0.85 }));
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.key.value).toBeCloseTo(0.1, 2); // accuracy +0.05 per doubling = score +0.1
    expect(Object.keys(d.decision.secondary).some((k) => k.includes('8 channels per head'))).toBe(true);
  });

  it('contradicted when it falls; no positive control when no head count learned the far distances', () => {
    expect(decision(headsLongRange, sweep({ 1: 0.85, 2: 0.8, 4: 0.75, 8: 0.7 })).decision.verdict).toBe('contradicted');
    const d = decision(headsLongRange, sweep({ 1: 0.52, 2: 0.55, 4: 0.58, 8: 0.6 }));
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.reason).toContain('No positive control');
  });
});
