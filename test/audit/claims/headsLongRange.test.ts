import { describe, expect, it } from 'vitest';
import { headsLongRange } from '../../../audit/claims/headsLongRange.js';
import { decision, jitter, P, perSeed } from '../fixtures.js';

/** Agreement records with near (distance 2) and far (distance 20) bins; far (and optionally near) accuracy per head count. */
const sweep = (far: Record<number, number>, near: Record<number, number> = {}) =>
  Object.entries(far).flatMap(([h, acc]) =>
    perSeed([0, 1, 2, 3, 4], (_, __, i) => ({
      exp: 'heads',
      task: 'agreement',
      extractor: `transformer-h${h}`,
      length: P.long,
      chance: 0.5,
      accuracy: 0.8,
      byDistance: [
        { value: 2, n: 100, score: near[Number(h)] ?? 0.9 },
        { value: 20, n: 100, score: acc + jitter(i, 0.02) },
      ],
    })),
  );

describe('heads-long-range (v3: the heads x distance interaction, far minus near)', () => {
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

  it('reads the interaction: heads that help near and far alike give no effect, not support', () => {
    // Both bins rise by 0.05 accuracy per doubling: far minus near stays flat.
    const alike = sweep({ 1: 0.7, 2: 0.75, 4: 0.8, 8: 0.85 }, { 1: 0.75, 2: 0.8, 4: 0.85, 8: 0.9 });
    const d = decision(headsLongRange, alike);
    expect(d.decision.verdict).toBe('no effect');
    expect(d.decision.secondary['far-distance score slope per doubling (descriptive)']).toBeCloseTo(0.1, 2);
  });
});
