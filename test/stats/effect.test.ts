import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { bootstrapInterval, hedgesCorrection, hedgesG, hedgesGPaired, meanDifference } from '../../stats/index.js';
import { close, fixture } from './fixtures.js';

describe("Hedges' g", () => {
  const { cases } = fixture<{ kind: 'independent' | 'paired'; x: number[]; y: number[]; g: number; d: number; J: number }>('hedgesG');
  it.each(cases.map((c, i) => [`#${i} ${c.kind} n=${c.x.length},${c.y.length}`, c] as const))('%s', (_, c) => {
    if (c.kind === 'paired' && c.x.length < 3) {
      expect(() => hedgesGPaired(c.x, c.y)).toThrow(RangeError); // J(1) = 0: no effect size from two pairs
      return;
    }
    const r = c.kind === 'paired' ? hedgesGPaired(c.x, c.y) : hedgesG(c.x, c.y);
    expect(close(r.d, c.d, 1e-12)).toBe(true);
    expect(close(r.g, c.g, 1e-12)).toBe(true);
    expect(close(hedgesCorrection(r.df), c.J, 1e-13)).toBe(true);
  });

  it('the correction approaches 1 - 3 / (4 df - 1)', () => {
    expect(hedgesCorrection(100)).toBeCloseTo(1 - 3 / 399, 5);
  });
});

describe('bootstrapInterval', () => {
  const { cases } = fixture<{ x: number[]; y: number[]; atoms: number[]; probabilities: number[] }>('bootstrap');
  const B = 20_000;
  // Monte Carlo slack on the CDF at an endpoint: 4 standard errors of an empirical quantile's level.
  const slack = 4 * Math.sqrt((0.025 * 0.975) / B);

  it.each(cases.map((c, i) => [`#${i} n=${c.x.length}`, c] as const))(
    "%s: the endpoints are the exact bootstrap distribution's 2.5% and 97.5% quantiles, within Monte Carlo error",
    (_, c) => {
      const r = bootstrapInterval(c.x, c.y, meanDifference, { rng: new Rng(7).fork('bootstrap'), paired: true, resamples: B });
      const cdf = (v: number, strict: boolean) => c.atoms.reduce((s, a, i) => s + ((strict ? a < v - 1e-9 : a <= v + 1e-9) ? c.probabilities[i] : 0), 0);
      for (const [v, q] of [
        [r.lo, 0.025],
        [r.hi, 0.975],
      ] as const) {
        expect(
          c.atoms.some((a) => Math.abs(a - v) < 1e-9),
          `${v} is an atom`,
        ).toBe(true);
        expect(cdf(v, false)).toBeGreaterThanOrEqual(q - slack);
        expect(cdf(v, true)).toBeLessThanOrEqual(q + slack);
      }
      expect(r.estimate).toBeCloseTo(c.x.reduce((s, v, i) => s + v - c.y[i], 0) / c.x.length, 14);
    },
  );

  it('is deterministic for a seed and differs across seeds', () => {
    const x = [0.9, 0.5, 0.7, 1, 0.6, 0.8];
    const y = [0.3, 0.4, 0.2, 0.5, 0.35, 0.3];
    const run = (seed: number) => bootstrapInterval(x, y, meanDifference, { rng: new Rng(seed), paired: true, resamples: 500 });
    expect(run(1)).toEqual(run(1));
    const unpaired = (seed: number) =>
      bootstrapInterval(x, y, (a, b) => a.reduce((s, v) => s + v, 0) - b.reduce((s, v) => s + v, 0), { rng: new Rng(seed), paired: false, resamples: 200 });
    const [a, b] = [unpaired(1), unpaired(2)];
    expect(a.estimate).toBe(b.estimate);
    expect([a.lo, a.hi]).not.toEqual([b.lo, b.hi]);
    expect(() => bootstrapInterval([1, 2], [1], meanDifference, { rng: new Rng(1), paired: true })).toThrow(RangeError);
  });
});
