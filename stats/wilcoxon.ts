/**
 * The Wilcoxon signed-rank test of paired samples, two-sided: the rank-based counterpart of
 * the paired t-test, for differences that are not near normal.
 */
import { normalCdf } from './distributions.js';

/** Differences this close to 0 (relative to the values) count as 0, and |d| this close count as tied: 0.3 - 0.1 and 0.5 - 0.3 are one tie. */
const RELATIVE_EPS = 1e-12;
/** Exact below this many nonzero differences (as scipy); the normal approximation above. */
export const WILCOXON_EXACT_MAX_N = 50;

export interface WilcoxonResult {
  p: number;
  /** Sum of the ranks of the positive differences (midranks for ties). */
  rPlus: number;
  /** Nonzero differences, the ones ranked. */
  n: number;
  method: 'exact' | 'normal';
}

/** Midranks (1-based) of |d|, sorted or not; values within the relative tolerance are tied. */
function midranks(abs: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = abs.map((_v, i) => i).sort((i, j) => abs[i] - abs[j]);
  const ranks = new Array<number>(abs.length);
  const tieSizes: number[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i + 1;
    while (j < order.length && abs[order[j]] - abs[order[i]] <= RELATIVE_EPS * abs[order[j]]) j++;
    const r = (i + 1 + j) / 2; // mean of ranks i+1 .. j
    for (let k = i; k < j; k++) ranks[order[k]] = r;
    if (j - i > 1) tieSizes.push(j - i);
    i = j;
  }
  return { ranks, tieSizes };
}

/**
 * Two-sided Wilcoxon signed-rank test of x - y, zero differences dropped (Wilcoxon's
 * convention, scipy's `zero_method="wilcox"`).
 *
 * Up to 50 nonzero differences the p-value is exact: the null distribution of the rank sum
 * is built by counting sign assignments (dynamic programming over doubled midranks, which
 * are integers), so it is exact also with ties, conditional on the tie pattern (scipy's
 * exact mode ignores ties; test/fixtures/stats/wilcoxon.json checks those cases by
 * enumeration). Above 50, the normal approximation with the tie correction and no
 * continuity correction, as scipy. With no nonzero difference p = 1.
 */
export function wilcoxonSignedRank(x: readonly number[], y: readonly number[]): WilcoxonResult {
  if (x.length !== y.length) throw new RangeError(`wilcoxonSignedRank needs paired samples of equal length, got ${x.length} and ${y.length}`);
  const d: number[] = [];
  x.forEach((v, i) => {
    const diff = v - y[i];
    if (!Number.isFinite(diff)) throw new RangeError('wilcoxonSignedRank needs finite values');
    if (Math.abs(diff) > RELATIVE_EPS * Math.max(Math.abs(v), Math.abs(y[i]))) d.push(diff);
  });
  const n = d.length;
  if (n === 0) return { p: 1, rPlus: 0, n: 0, method: 'exact' };
  const { ranks, tieSizes } = midranks(d.map(Math.abs));
  const rPlus = d.reduce((s, v, i) => s + (v > 0 ? ranks[i] : 0), 0);
  if (n > WILCOXON_EXACT_MAX_N) {
    const mean = (n * (n + 1)) / 4;
    const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieSizes.reduce((s, t) => s + t * t * t - t, 0) / 48;
    const z = (Math.min(rPlus, (n * (n + 1)) / 2 - rPlus) - mean) / Math.sqrt(variance);
    return { p: Math.min(1, 2 * normalCdf(-Math.abs(z))), rPlus, n, method: 'normal' };
  }
  // counts[s]: how many of the 2^n sign assignments give doubled rank sum s.
  const doubled = ranks.map((r) => Math.round(2 * r));
  const total = doubled.reduce((s, r) => s + r, 0);
  let counts = new Float64Array(total + 1);
  counts[0] = 1;
  let reach = 0;
  for (const r of doubled) {
    const next = counts.slice();
    for (let s = 0; s <= reach; s++) if (counts[s]) next[s + r] += counts[s];
    counts = next;
    reach += r;
  }
  const observed = Math.round(2 * rPlus);
  const centre = total / 2;
  const dev = Math.abs(observed - centre);
  let extreme = 0;
  for (let s = 0; s <= total; s++) if (Math.abs(s - centre) >= dev) extreme += counts[s];
  return { p: Math.min(1, extreme / 2 ** n), rPlus, n, method: 'exact' };
}
