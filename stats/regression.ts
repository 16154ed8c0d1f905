/** Least-squares fits: straight lines and power laws (log-log). */
import { sum } from './descriptive.js';

/**
 * Ordinary least squares fit y = slope * x + intercept. Throws for fewer than two pairs or
 * unequal counts; the slope is NaN when every x is the same. Used by
 * harness/measure/gradients.ts (profile slopes) and the report (log-log cost scaling).
 */
export function leastSquares(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number } {
  const n = xs.length;
  if (n < 2 || ys.length !== n) throw new Error(`leastSquares needs two or more (x, y) pairs of equal count, got ${n} and ${ys.length}`);
  const mx = sum(xs) / n;
  const my = sum(ys) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const slope = sxx === 0 ? NaN : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * Power-law fit y = 10^intercept · x^slope by least squares on (log10 x, log10 y); pairs
 * with a non-positive or non-finite x or y are left out. Null when fewer than two distinct
 * x remain.
 */
export function logLogFit(xs: readonly number[], ys: readonly number[]): { slope: number; intercept: number } | null {
  if (ys.length !== xs.length) throw new Error(`logLogFit needs equal counts, got ${xs.length} and ${ys.length}`);
  const lx: number[] = [];
  const ly: number[] = [];
  xs.forEach((x, i) => {
    const y = ys[i];
    if (x > 0 && y > 0 && Number.isFinite(x) && Number.isFinite(y)) {
      lx.push(Math.log10(x));
      ly.push(Math.log10(y));
    }
  });
  if (new Set(lx).size < 2) return null;
  return leastSquares(lx, ly);
}
