import { describe, expect, it } from 'vitest';
import { holm } from '../../stats/index.js';
import { fixture } from './fixtures.js';

describe('holm', () => {
  const { cases } = fixture<{ p: number[]; adjusted: number[] }>('holm');
  it.each(cases.map((c) => [`${c.p.length} p-values`, c] as const))('%s', (_, c) => {
    const adj = holm(c.p);
    adj.forEach((a, i) => expect(a).toBeCloseTo(c.adjusted[i], 15));
  });

  it('by hand: 0.01, 0.04, 0.03, 0.005 -> 0.03, 0.06, 0.06, 0.02', () => {
    // sorted 0.005 0.01 0.03 0.04: ×4 = 0.02, ×3 = 0.03, ×2 = 0.06, ×1 = 0.04 -> monotone 0.06
    const adj = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 15));
  });

  it('keeps NaN out of the family and refuses values outside [0, 1]', () => {
    const adj = holm([0.01, NaN, 0.04]);
    expect(adj[1]).toBeNaN();
    expect(adj[0]).toBeCloseTo(0.02, 15);
    expect(adj[2]).toBeCloseTo(0.04, 15);
    expect(() => holm([1.2])).toThrow(RangeError);
  });
});
