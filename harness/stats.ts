/**
 * Statistics: pure functions, tested against exact values (test/harness/stats.test.ts).
 *
 * - `mean`, `median`, `sampleSd` (n - 1 denominator);
 * - `tQuantile` / `tCdf`: Student's t distribution, exact via the regularized incomplete beta
 *   function (continued fraction) and a bracketed bisection, not a table;
 * - `ci95` / `confidenceInterval`: the two-sided Student-t interval for the mean of a sample
 *   (null for n < 2: one seed says nothing about spread);
 * - `leastSquares`: ordinary least squares, for log-log cost scaling and log-norm profiles.
 */

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function requireNonEmpty(xs: readonly number[], what: string): void {
  if (xs.length === 0) throw new RangeError(`${what} of an empty sample`);
}

/** Arithmetic mean. Throws on an empty sample. */
export function mean(xs: readonly number[]): number {
  requireNonEmpty(xs, 'mean');
  return sum(xs) / xs.length;
}

/** Median (mean of the two middle values for an even count). Throws on an empty sample. */
export function median(xs: readonly number[]): number {
  requireNonEmpty(xs, 'median');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Sample standard deviation (Bessel's n - 1); null for fewer than two values. */
export function sampleSd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) ** 2;
  return Math.sqrt(ss / (xs.length - 1));
}

// Lanczos approximation (g = 7, n = 9), relative error below 1e-15 for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x); // reflection
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  const EPS = 1e-16;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return h;
  }
  return h; // converged to double precision long before for the a, b used here
}

/** The regularized incomplete beta function I_x(a, b), 0 <= x <= 1, a, b > 0. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`regularizedBeta needs a, b > 0, got ${a}, ${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`regularizedBeta needs 0 <= x <= 1, got ${x}`);
  if (x === 0 || x === 1) return x;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function requireDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) throw new RangeError(`degrees of freedom must be positive and finite, got ${df}`);
}

/** P(T > t) for t >= 0: half the regularized incomplete beta I_{df/(df+t²)}(df/2, 1/2). */
function tUpperTail(t: number, df: number): number {
  return 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/** Student's t cumulative distribution function P(T <= t) with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  requireDf(df);
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = tUpperTail(Math.abs(t), df);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * Student's t quantile (inverse CDF): the t with P(T <= t) = p. Solved on the upper tail
 * (so p near 1 keeps its precision) by bisection inside a doubling bracket, to within a
 * relative 1e-14.
 */
export function tQuantile(p: number, df: number): number {
  requireDf(df);
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    throw new RangeError(`tQuantile needs 0 <= p <= 1, got ${p}`);
  }
  if (p === 0.5) return 0;
  const q = p > 0.5 ? 1 - p : p; // the upper tail probability to hit
  let lo = 0;
  let hi = 1;
  while (tUpperTail(hi, df) > q) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) break;
  }
  for (let i = 0; i < 2000 && hi - lo > 1e-14 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tUpperTail(mid, df) > q) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  return p > 0.5 ? t : -t;
}

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
