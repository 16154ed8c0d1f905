import { describe, expect, it } from 'vitest';
import { chiSquaredSf, noncentralTCdf, normalCdf, normalQuantile, regularizedGammaP, regularizedGammaQ, tCdf } from '../../stats/index.js';
import { close, fixture, num } from './fixtures.js';

const FNS: Record<string, (...a: number[]) => number> = { normalCdf, normalQuantile, regularizedGammaP, regularizedGammaQ, chiSquaredSf, noncentralTCdf };
/** Relative tolerance per function: the normal and gamma functions to near double precision, the noncentral t series to 1e-10. */
const REL: Record<string, number> = {
  normalCdf: 1e-13,
  normalQuantile: 1e-13,
  regularizedGammaP: 1e-12,
  regularizedGammaQ: 1e-12,
  chiSquaredSf: 1e-12,
  noncentralTCdf: 1e-10,
};

describe('distributions against scipy', () => {
  const { cases } = fixture<{ fn: string; args: number[]; value: number | string }>('distributions');
  it.each(cases.map((c) => [`${c.fn}(${c.args.join(', ')})`, c] as const))('%s', (_, c) => {
    const got = FNS[c.fn](...c.args);
    expect(close(got, num(c.value), REL[c.fn], 1e-16), `${got} vs ${c.value}`).toBe(true);
  });

  it('the normal quantile inverts the CDF in both tails', () => {
    for (const p of [1e-300, 1e-20, 0.01, 0.4, 0.6, 0.99, 1 - 1e-15]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 15);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(() => normalQuantile(2)).toThrow(RangeError);
  });

  it('the noncentral t with noncentrality 0 is the central t', () => {
    for (const t of [-3, -0.5, 0, 1.2, 4]) expect(noncentralTCdf(t, 6, 0)).toBe(tCdf(t, 6));
  });

  it('chi-square on 2 df has the closed form exp(-x/2)', () => {
    for (const x of [0.1, 1, 5, 30]) expect(chiSquaredSf(x, 2)).toBeCloseTo(Math.exp(-x / 2), 14);
    expect(chiSquaredSf(0, 3)).toBe(1);
  });
});
