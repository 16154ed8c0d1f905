import { describe, expect, it } from 'vitest';
import { ci95, confidenceInterval, leastSquares, logGamma, logLogFit, mean, median, regularizedBeta, sampleSd, tCdf, tQuantile } from '../../stats/index.js';

describe('mean, median, sample sd', () => {
  it('mean', () => {
    // (2 + 4 + 4 + 4 + 5 + 5 + 7 + 9) / 8 = 40 / 8 = 5
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    expect(mean([0.5])).toBe(0.5);
    expect(() => mean([])).toThrow(RangeError);
  });

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2); // sorted 1 2 3 -> middle 2
    expect(median([4, 1, 3, 2])).toBe(2.5); // sorted 1 2 3 4 -> (2 + 3) / 2
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(RangeError);
  });

  it('sample standard deviation uses n - 1', () => {
    // deviations from 5: -3 -1 -1 -1 0 0 2 4; squares sum 9+1+1+1+0+0+4+16 = 32; 32 / 7; sqrt = 2.1380899352993950
    expect(sampleSd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 14);
    expect(sampleSd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935299395, 14);
    // [1, 2, 3]: squares 1 + 0 + 1 = 2; 2 / 2 = 1
    expect(sampleSd([1, 2, 3])).toBe(1);
    expect(sampleSd([3, 3])).toBe(0);
    expect(sampleSd([1])).toBeNull();
    expect(sampleSd([])).toBeNull();
  });
});

describe('Student t distribution', () => {
  it('log gamma at exact points', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14); // Γ(1) = 1
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13); // Γ(5) = 4! = 24
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13); // Γ(1/2) = √π
  });

  it('regularized incomplete beta at closed forms', () => {
    // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(regularizedBeta(0.5, 3, 1)).toBeCloseTo(0.125, 14);
    expect(regularizedBeta(0.2, 1, 2)).toBeCloseTo(1 - 0.64, 14);
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
  });

  it('CDF at closed forms', () => {
    expect(tCdf(0, 7)).toBe(0.5);
    // df 1 is Cauchy: F(t) = 1/2 + atan(t)/π; F(1) = 1/2 + (π/4)/π = 0.75
    expect(tCdf(1, 1)).toBeCloseTo(0.75, 14);
    expect(tCdf(-1, 1)).toBeCloseTo(0.25, 14);
    // df 2: F(t) = 1/2 + t / (2 √(2 + t²)); F(1) = 1/2 + 1/(2√3) = 0.7886751345948129
    expect(tCdf(1, 2)).toBeCloseTo(0.7886751345948129, 13);
    expect(tCdf(Infinity, 3)).toBe(1);
    expect(tCdf(-Infinity, 3)).toBe(0);
  });

  it('97.5% quantiles match the tables to 6 decimals', () => {
    // df 1: tan(π (0.975 - 1/2)) = tan(0.475 π) = 12.706204736...
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706205, 6);
    expect(tQuantile(0.975, 1)).toBeCloseTo(Math.tan(0.475 * Math.PI), 10);
    // df 2: t = (2p - 1) / √(2 p (1 - p)) = 0.95 / √0.04875 = 4.302652729...
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.302653, 6);
    expect(tQuantile(0.975, 2)).toBeCloseTo(0.95 / Math.sqrt(0.04875), 10);
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.776445, 6);
    expect(tQuantile(0.975, 9)).toBeCloseTo(2.262157, 6);
    expect(tQuantile(0.975, 29)).toBeCloseTo(2.04523, 6);
    expect(tQuantile(0.975, 120)).toBeCloseTo(1.97993, 6);
    // large df tends to the normal quantile 1.959964
    expect(tQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5);
  });

  it('other quantiles: symmetry, the median, extremes', () => {
    expect(tQuantile(0.5, 3)).toBe(0);
    expect(tQuantile(0.025, 9)).toBeCloseTo(-2.262157, 6);
    expect(tQuantile(0.995, 3)).toBeCloseTo(5.840909, 6); // table: t(0.995, 3) = 5.841
    expect(tQuantile(0.95, 10)).toBeCloseTo(1.812461, 6); // table: t(0.95, 10) = 1.812
    expect(tQuantile(1, 3)).toBe(Infinity);
    expect(tQuantile(0, 3)).toBe(-Infinity);
    expect(() => tQuantile(1.5, 3)).toThrow(RangeError);
    expect(() => tQuantile(0.9, 0)).toThrow(RangeError);
    // the quantile inverts the CDF
    for (const df of [1, 3, 17]) for (const p of [0.6, 0.9, 0.999]) expect(tCdf(tQuantile(p, df), df)).toBeCloseTo(p, 12);
  });
});

describe('confidence interval for the mean', () => {
  it('[1, 2, 3]: mean 2, sd 1, half width t(0.975, 2) / √3', () => {
    // 4.302652729749464 / 1.7320508075688772 = 2.4841377117503...
    const ci = ci95([1, 2, 3])!;
    expect(ci.halfWidth).toBeCloseTo(2.484138, 6);
    expect(ci.lo).toBeCloseTo(2 - 2.484138, 6);
    expect(ci.hi).toBeCloseTo(2 + 2.484138, 6);
  });

  it('two values: df 1', () => {
    // [0, 2]: mean 1, sd √2, se = √2/√2 = 1, half width = 12.706205
    const ci = ci95([0, 2])!;
    expect(ci.lo).toBeCloseTo(1 - 12.706205, 5);
    expect(ci.hi).toBeCloseTo(1 + 12.706205, 5);
  });

  it('ten values at 90%', () => {
    // 1..10: mean 5.5, sd √(82.5/9) = 3.0276504, se = 0.9574271; t(0.95, 9) = 1.8331129; half = 1.7551
    const ci = confidenceInterval([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)!;
    expect(ci.halfWidth).toBeCloseTo(1.8331129 * 0.9574271, 5);
  });

  it('a single seed gives no interval; identical values give a zero-width one', () => {
    expect(ci95([0.7])).toBeNull();
    expect(ci95([])).toBeNull();
    expect(ci95([0.5, 0.5, 0.5])).toEqual({ lo: 0.5, hi: 0.5, halfWidth: 0 });
  });
});

describe('least squares', () => {
  it('an exact line', () => {
    // y = 2x + 1
    expect(leastSquares([0, 1, 2, 3], [1, 3, 5, 7])).toEqual({ slope: 2, intercept: 1 });
  });

  it('a noisy fit', () => {
    // x 1 2 3, y 1 2 4: mean x 2, mean y 7/3; Sxy = (-1)(-4/3) + 0 + (1)(5/3) = 3; Sxx = 2
    // slope 3/2, intercept 7/3 - 3 = -2/3
    const fit = leastSquares([1, 2, 3], [1, 2, 4]);
    expect(fit.slope).toBeCloseTo(1.5, 14);
    expect(fit.intercept).toBeCloseTo(-2 / 3, 14);
  });

  it('degenerate input', () => {
    expect(() => leastSquares([1], [1])).toThrow();
    expect(() => leastSquares([1, 2], [1])).toThrow();
    expect(leastSquares([2, 2], [1, 3]).slope).toBeNaN();
  });

  it('log-log: a power law y = 3 x² gives slope 2 and intercept log10 3', () => {
    const xs = [1, 2, 4, 8];
    const fit = logLogFit(
      xs,
      xs.map((x) => 3 * x * x),
    )!;
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.intercept).toBeCloseTo(Math.log10(3), 12);
    // ms per step 10, 20, 40 at T 16, 32, 64 -> linear in T: slope 1
    expect(logLogFit([16, 32, 64], [10, 20, 40])!.slope).toBeCloseTo(1, 12);
    // zero and non-finite pairs are dropped; one distinct x left: no fit
    expect(logLogFit([1, 2, 4], [0, 5, NaN])).toBeNull();
    expect(logLogFit([4, 4], [1, 2])).toBeNull();
  });
});
