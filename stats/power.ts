/**
 * Power, for saying what an inconclusive result could have detected: the minimum detectable
 * effect at 80% power for the observed variance, and how many seeds would decide.
 *
 * - paired t-test: exact, through the noncentral t distribution;
 * - Fisher's exact test on counts of solved runs: exact, summing both arms' binomial
 *   probabilities over the tables the test rejects;
 * - log-rank: Schoenfeld's (1981) approximation in the number of events.
 */
import { noncentralTCdf, normalQuantile, tQuantile } from './distributions.js';

function requireAlphaPower(alpha: number, power?: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`α must be in (0, 1), got ${alpha}`);
  if (power !== undefined && !(power > 0 && power < 1)) throw new RangeError(`power must be in (0, 1), got ${power}`);
}

/** Power of the two-sided paired t-test at level α to detect a mean difference `delta` when the differences have sd `sd`, with n pairs. */
export function pairedTTestPower(delta: number, sd: number, n: number, alpha = 0.05): number {
  requireAlphaPower(alpha);
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`power needs n >= 2 pairs, got ${n}`);
  if (!(sd > 0)) throw new RangeError(`power needs a positive sd, got ${sd}`);
  const df = n - 1;
  const c = tQuantile(1 - alpha / 2, df);
  const ncp = (delta * Math.sqrt(n)) / sd;
  return 1 - noncentralTCdf(c, df, ncp) + noncentralTCdf(-c, df, ncp);
}

/** The smallest |mean difference| the paired t-test detects with probability `power` (n pairs, differences' sd `sd`). */
export function pairedTTestMde(sd: number, n: number, alpha = 0.05, power = 0.8): number {
  requireAlphaPower(alpha, power);
  let lo = 0;
  let hi = sd;
  while (pairedTTestPower(hi, sd, n, alpha) < power) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (pairedTTestPower(mid, sd, n, alpha) < power) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The fewest pairs (seeds) at which the paired t-test reaches `power` for a difference `delta`; null beyond `maxN`. */
export function pairedTTestSeedsNeeded(delta: number, sd: number, alpha = 0.05, power = 0.8, maxN = 10_000): number | null {
  requireAlphaPower(alpha, power);
  if (delta === 0) return null;
  if (pairedTTestPower(delta, sd, maxN, alpha) < power) return null;
  let lo = 2;
  let hi = maxN; // power rises with n: bisect for the first n that reaches it
  if (pairedTTestPower(delta, sd, lo, alpha) >= power) return lo;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (pairedTTestPower(delta, sd, mid, alpha) >= power) hi = mid;
    else lo = mid;
  }
  return hi;
}

function binomialRow(n: number): bigint[] {
  const row = [1n];
  for (let k = 1; k <= n; k++) row.push((row[k - 1] * BigInt(n - k + 1)) / BigInt(k));
  return row;
}

/** The same relative tolerance as fisherExact (scipy's). */
const TOL = 10n ** 14n;

/**
 * reject[a][c]: Fisher's two-sided test rejects [[a, n1 - a], [c, n2 - c]] at α. Computed per
 * column total with exact integer weights, the same rule as fisherExact.
 */
function fisherRejects(n1: number, n2: number, alpha: number): boolean[][] {
  const r1 = binomialRow(n1);
  const r2 = binomialRow(n2);
  const reject = Array.from({ length: n1 + 1 }, () => new Array<boolean>(n2 + 1).fill(false));
  for (let k = 0; k <= n1 + n2; k++) {
    if (k === 0 || k === n1 + n2) continue; // an empty column: p = 1
    const lo = Math.max(0, k - n2);
    const hi = Math.min(n1, k);
    const w: bigint[] = [];
    for (let x = lo; x <= hi; x++) w.push(r1[x] * r2[k - x]);
    const sorted = [...w].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const prefix: bigint[] = [0n];
    for (const v of sorted) prefix.push(prefix[prefix.length - 1] + v);
    const total = prefix[prefix.length - 1];
    const limit = BigInt(Math.floor(alpha * 1e15));
    w.forEach((wx, i) => {
      // the number of weights <= wx (1 + 1e-14): binary search in the sorted weights
      let a = 0;
      let b = sorted.length;
      while (a < b) {
        const m = (a + b) >> 1;
        if (sorted[m] * TOL <= wx * (TOL + 1n)) a = m + 1;
        else b = m;
      }
      // p <= α  <=>  tail · 1e15 <= α·1e15 · total (α to 15 digits)
      if (prefix[a] * 10n ** 15n <= limit * total) reject[lo + i][k - lo - i] = true;
    });
  }
  return reject;
}

function binomialPmf(n: number, p: number): number[] {
  const out: number[] = [];
  let c = 1;
  for (let k = 0; k <= n; k++) {
    out.push(c * p ** k * (1 - p) ** (n - k));
    c = (c * (n - k)) / (k + 1);
  }
  return out;
}

/** Exact power of Fisher's two-sided test at α: arm 1 solves with probability p1 on each of n1 seeds, arm 2 with p2 on n2. */
export function fisherPower(p1: number, p2: number, n1: number, n2: number, alpha = 0.05): number {
  requireAlphaPower(alpha);
  for (const p of [p1, p2]) if (!(p >= 0 && p <= 1)) throw new RangeError(`solve probabilities must be in [0, 1], got ${p}`);
  const reject = fisherRejects(n1, n2, alpha);
  const b1 = binomialPmf(n1, p1);
  const b2 = binomialPmf(n2, p2);
  let power = 0;
  for (let a = 0; a <= n1; a++) for (let c = 0; c <= n2; c++) if (reject[a][c]) power += b1[a] * b2[c];
  return power;
}

/** The fewest seeds per arm at which Fisher's test reaches `power` for solve rates p1 against p2; null beyond `maxN`. */
export function fisherSeedsNeeded(p1: number, p2: number, alpha = 0.05, power = 0.8, maxN = 100): number | null {
  requireAlphaPower(alpha, power);
  for (let n = 1; n <= maxN; n++) if (fisherPower(p1, p2, n, n, alpha) >= power) return n;
  return null;
}

/**
 * The smallest solve rate p1 above `p0` (the other arm's rate) that Fisher's test detects
 * with probability `power` with n seeds per arm; null when even p1 = 1 is not enough (with
 * 3 seeds per arm, the best possible table [[3, 0], [0, 3]] has p = 0.1).
 */
export function fisherMde(p0: number, n: number, alpha = 0.05, power = 0.8): number | null {
  requireAlphaPower(alpha, power);
  if (fisherPower(1, p0, n, n, alpha) < power) return null;
  let lo = p0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (fisherPower(mid, p0, n, n, alpha) < power) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Schoenfeld: events needed for the two-sided log-rank test to detect hazard ratio `hr` with `power` (share `allocation` in the first arm). */
export function logRankEventsNeeded(hr: number, alpha = 0.05, power = 0.8, allocation = 0.5): number {
  requireAlphaPower(alpha, power);
  if (!(hr > 0) || hr === 1) throw new RangeError(`a hazard ratio to detect must be positive and not 1, got ${hr}`);
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return Math.ceil((z * z) / (allocation * (1 - allocation) * Math.log(hr) ** 2));
}

/** Schoenfeld: the hazard ratio (> 1) the log-rank test detects with `power` given `events` events in all. */
export function logRankMdeHazardRatio(events: number, alpha = 0.05, power = 0.8, allocation = 0.5): number {
  requireAlphaPower(alpha, power);
  if (!(events > 0)) return Infinity;
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return Math.exp(z / Math.sqrt(allocation * (1 - allocation) * events));
}
