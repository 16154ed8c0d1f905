import { describe, expect, it } from 'vitest';
import { sequentialBoundaries, sequentialDecision, spentAlpha, type Spending } from '../../stats/index.js';
import { fixture } from './fixtures.js';

describe('group-sequential boundaries (Lan-DeMets α-spending)', () => {
  const { cases } = fixture<{ spending: Spending; fractions: number[]; alpha: number; z: number[]; spent: number[] }>('sequential');
  it.each(cases.map((c) => [`${c.spending} at ${c.fractions.map((t) => t.toFixed(2)).join(', ')}`, c] as const))(
    '%s against multivariate normal probabilities',
    (_, c) => {
      const b = sequentialBoundaries(c.fractions, c.alpha, c.spending);
      b.z.forEach((z, i) => expect(Math.abs(z - c.z[i]), `look ${i}: ${z} vs ${c.z[i]}`).toBeLessThan(2e-4));
      b.spent.forEach((s, i) => expect(s).toBeCloseTo(c.spent[i], 13));
    },
  );

  it("five equal looks, O'Brien-Fleming type: the published 4.877, 3.357, 2.680, 2.290, 2.031", () => {
    const b = sequentialBoundaries([0.2, 0.4, 0.6, 0.8, 1], 0.05, 'obrien-fleming');
    [4.877, 3.357, 2.68, 2.29, 2.031].forEach((z, i) => expect(b.z[i]).toBeCloseTo(z, 2));
  });

  it('spends all of α by the last look, and one look is the fixed design', () => {
    for (const s of ['obrien-fleming', 'pocock'] as const) expect(spentAlpha(s, 1, 0.05)).toBeCloseTo(0.05, 14);
    expect(sequentialBoundaries([1], 0.05, 'pocock').z[0]).toBeCloseTo(1.959964, 6);
  });

  it('stops at the first look that crosses', () => {
    const b = sequentialBoundaries([0.25, 0.5, 0.75, 1], 0.05, 'pocock');
    const d = sequentialDecision(b, [0.2, 0.01, 0.001, 0.5]);
    expect(d.decidedAt).toBe(1);
    expect(d.looks).toHaveLength(2);
    expect(sequentialDecision(b, [0.2, 0.3, 0.4, 0.5]).decidedAt).toBeNull();
  });

  it('refuses fractions that do not increase inside (0, 1]', () => {
    expect(() => sequentialBoundaries([0.5, 0.5])).toThrow(RangeError);
    expect(() => sequentialBoundaries([0, 1])).toThrow(RangeError);
  });
});
