/**
 * Paired Student-t tests: a two-sided test of a mean difference, and two one-sided tests
 * (TOST) of equivalence within a margin. Paired because the audit's arms share each seed's
 * data and initial weights: the seed-to-seed variation cancels in the differences.
 */
import { differences, mean, sampleSd } from './descriptive.js';
import { tCdf } from './distributions.js';

export interface TTestResult {
  /** mean(x - y) / (sd(x - y) / √n); ±Infinity when every difference is the same nonzero value, NaN when all are 0. */
  t: number;
  df: number;
  /** Two-sided p. */
  p: number;
}

function pairedDifferences(x: readonly number[], y: readonly number[], what: string): number[] {
  const d = differences(x, y);
  if (d.length < 2) throw new RangeError(`${what} needs at least two pairs, got ${d.length}`);
  if (!d.every(Number.isFinite)) throw new RangeError(`${what} needs finite values`);
  return d;
}

/** Two-sided paired t-test of mean(x - y) = 0, as scipy.stats.ttest_rel. */
export function pairedTTest(x: readonly number[], y: readonly number[]): TTestResult {
  const d = pairedDifferences(x, y, 'pairedTTest');
  const n = d.length;
  const m = mean(d);
  const sd = sampleSd(d)!;
  const df = n - 1;
  if (sd === 0) return m === 0 ? { t: NaN, df, p: NaN } : { t: m > 0 ? Infinity : -Infinity, df, p: 0 };
  const t = m / (sd / Math.sqrt(n));
  return { t, df, p: Math.min(1, 2 * tCdf(-Math.abs(t), df)) };
}

export interface TostResult {
  /** The larger of the two one-sided p: equivalence within ±margin is shown when p <= α. */
  p: number;
  /** H0: mean(x - y) <= -margin, against > -margin. */
  pLower: number;
  /** H0: mean(x - y) >= +margin, against < +margin. */
  pUpper: number;
  df: number;
}

/**
 * Paired two one-sided tests (Schuirmann 1987): is mean(x - y) inside (-margin, +margin)?
 * p is the larger of the two one-sided p-values. With every difference equal (sd 0) the
 * answer is certain: p = 0 inside the margin, 1 outside.
 */
export function tost(x: readonly number[], y: readonly number[], margin: number): TostResult {
  if (!(margin > 0) || !Number.isFinite(margin)) throw new RangeError(`tost needs a positive equivalence margin, got ${margin}`);
  const d = pairedDifferences(x, y, 'tost');
  const n = d.length;
  const m = mean(d);
  const sd = sampleSd(d)!;
  const df = n - 1;
  if (sd === 0) {
    const pLower = m > -margin ? 0 : 1;
    const pUpper = m < margin ? 0 : 1;
    return { p: Math.max(pLower, pUpper), pLower, pUpper, df };
  }
  const se = sd / Math.sqrt(n);
  const pLower = 1 - tCdf((m + margin) / se, df);
  const pUpper = tCdf((m - margin) / se, df);
  return { p: Math.max(pLower, pUpper), pLower, pUpper, df };
}
