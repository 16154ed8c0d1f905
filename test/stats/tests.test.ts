/** The hypothesis tests: Fisher, paired t, TOST, Wilcoxon, against scipy or enumeration. */
import { describe, expect, it } from 'vitest';
import { fisherExact, pairedTTest, tost, wilcoxonSignedRank } from '../../stats/index.js';
import { close, fixture, num } from './fixtures.js';

describe('fisherExact', () => {
  const { cases } = fixture<{ table: [[number, number], [number, number]]; p: number; oddsRatio: number | string }>('fisher');
  it.each(cases.map((c) => [JSON.stringify(c.table), c] as const))('%s as scipy.stats.fisher_exact', (_, c) => {
    const [[a, b], [cc, d]] = c.table;
    const r = fisherExact(a, b, cc, d);
    expect(close(r.p, c.p, 1e-12), `p ${r.p} vs ${c.p}`).toBe(true);
    expect(close(r.oddsRatio, num(c.oddsRatio), 1e-14), `odds ${r.oddsRatio} vs ${c.oddsRatio}`).toBe(true);
  });

  it('3 of 3 seeds against 0 of 3 cannot reach p < 0.05: the smallest p with three seeds per arm is 0.1', () => {
    // C(3,3)C(3,0)/C(6,3) = 1/20 on each side: p = 2/20
    expect(fisherExact(3, 0, 0, 3).p).toBeCloseTo(0.1, 15);
    expect(fisherExact(5, 0, 0, 5).p).toBeCloseTo(2 / 252, 15);
  });

  it('refuses counts that are not non-negative integers', () => {
    expect(() => fisherExact(1.5, 2, 3, 4)).toThrow(RangeError);
    expect(() => fisherExact(-1, 2, 3, 4)).toThrow(RangeError);
  });
});

describe('pairedTTest', () => {
  const { cases } = fixture<{ x: number[]; y: number[]; t: number; df: number; p: number }>('pairedTTest');
  it.each(cases.map((c) => [`n=${c.x.length}`, c] as const))('%s as scipy.stats.ttest_rel', (_, c) => {
    const r = pairedTTest(c.x, c.y);
    expect(r.df).toBe(c.df);
    expect(close(r.t, c.t, 1e-11)).toBe(true);
    expect(close(r.p, c.p, 1e-10), `p ${r.p} vs ${c.p}`).toBe(true);
  });

  it('constant differences: infinite t and p 0; no difference at all: undefined', () => {
    expect(pairedTTest([1, 1, 1], [0.25, 0.25, 0.25])).toEqual({ t: Infinity, df: 2, p: 0 });
    const r = pairedTTest([1, 2], [1, 2]);
    expect(r.t).toBeNaN();
    expect(r.p).toBeNaN();
    expect(() => pairedTTest([1], [2])).toThrow(RangeError);
    expect(() => pairedTTest([1, 2], [2])).toThrow(RangeError);
  });
});

describe('tost', () => {
  const { cases } = fixture<{ x: number[]; y: number[]; margin: number; p: number; pLower: number; pUpper: number }>('tost');
  it.each(cases.map((c) => [`n=${c.x.length}, margin ${c.margin}`, c] as const))('%s as two scipy one-sided t-tests', (_, c) => {
    const r = tost(c.x, c.y, c.margin);
    expect(close(r.pLower, c.pLower, 1e-9, 1e-14), `lower ${r.pLower} vs ${c.pLower}`).toBe(true);
    expect(close(r.pUpper, c.pUpper, 1e-9, 1e-14), `upper ${r.pUpper} vs ${c.pUpper}`).toBe(true);
    expect(r.p).toBe(Math.max(r.pLower, r.pUpper));
  });

  it('identical differences: certain inside the margin, refused outside; a margin must be positive', () => {
    expect(tost([1, 1, 1], [0.95, 0.95, 0.95], 0.1).p).toBe(0);
    expect(tost([1, 1, 1], [0.8, 0.8, 0.8], 0.1).p).toBe(1);
    expect(() => tost([1, 2], [1, 2], 0)).toThrow(RangeError);
  });
});

describe('wilcoxonSignedRank', () => {
  const { cases } = fixture<{ x: number[]; y: number[]; p: number; method: string; source: string }>('wilcoxon');
  it.each(cases.map((c, i) => [`#${i} n=${c.x.length} (${c.method}, ${c.source})`, c] as const))('%s', (_, c) => {
    const r = wilcoxonSignedRank(c.x, c.y);
    expect(r.method === 'exact' ? 'exact' : 'approx').toBe(c.method);
    expect(close(r.p, c.p, 1e-11), `p ${r.p} vs ${c.p}`).toBe(true);
  });

  it('three seeds can never reach p < 0.05: the smallest exact p is 2/8', () => {
    expect(wilcoxonSignedRank([1, 1, 1], [0, 0.1, 0.2]).p).toBe(0.25);
  });

  it('drops zero differences, also those that are zero only up to rounding', () => {
    const r = wilcoxonSignedRank([0.1 + 0.2, 1, 2, 3], [0.3, 0, 0, 0]);
    expect(r.n).toBe(3);
    expect(wilcoxonSignedRank([1, 2], [1, 2])).toEqual({ p: 1, rPlus: 0, n: 0, method: 'exact' });
  });
});
