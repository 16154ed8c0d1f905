/** Student-t confidence intervals for the mean of a sample. */
import { mean, sampleSd } from './descriptive.js';
import { tQuantile } from './distributions.js';

export interface Interval {
  lo: number;
  hi: number;
  /** Half the width: t(1 - α/2, n - 1) · sd / √n. */
  halfWidth: number;
}

/** Two-sided Student-t confidence interval for the mean at `level` (0.95: 95%); null for n < 2. */
export function confidenceInterval(xs: readonly number[], level = 0.95): Interval | null {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
  const sd = sampleSd(xs);
  if (sd === null) return null;
  const m = mean(xs);
  const halfWidth = (tQuantile(1 - (1 - level) / 2, xs.length - 1) * sd) / Math.sqrt(xs.length);
  return { lo: m - halfWidth, hi: m + halfWidth, halfWidth };
}

/** The 95% Student-t confidence interval for the mean; null for n < 2. */
export const ci95 = (xs: readonly number[]): Interval | null => confidenceInterval(xs, 0.95);
