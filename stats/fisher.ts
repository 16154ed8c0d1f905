/**
 * Fisher's exact test on a 2x2 table, for counts of solved runs: outcomes that split into
 * two clusters across seeds (solved or at chance) are summarised by how many seeds solved,
 * not by a mean.
 */

export interface FisherResult {
  /** Two-sided p: the probability, given the margins, of a table no more likely than the observed one. */
  p: number;
  /** The sample odds ratio (a·d)/(b·c), as scipy.stats.fisher_exact returns it: Infinity when b or c is 0, NaN when a row or column is empty. */
  oddsRatio: number;
}

/**
 * scipy's relative tolerance: a table counts as "no more likely" when its probability is at
 * most the observed one's times (1 + 1e-14), so tables tied with the observed one are
 * included despite rounding. Here probabilities are exact integers over a common
 * denominator, so the tolerance only matters for near-ties, exactly as in scipy.
 */
const RELATIVE_TOLERANCE_DENOMINATOR = 10n ** 14n;

function binomial(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  const kk = Math.min(k, n - k);
  let r = 1n;
  for (let i = 1; i <= kk; i++) r = (r * BigInt(n - kk + i)) / BigInt(i); // exact: r·(n-kk+i) is divisible by i
  return r;
}

/** num / den as a double, for bigints of any size. */
function ratio(num: bigint, den: bigint): number {
  const shift = Math.max(0, den.toString(2).length - 1000);
  return Number(num >> BigInt(shift)) / Number(den >> BigInt(shift));
}

function requireCount(x: number, what: string): void {
  if (!Number.isInteger(x) || x < 0) throw new RangeError(`fisherExact needs non-negative integer counts, got ${what} = ${x}`);
}

/**
 * Fisher's exact test on [[a, b], [c, d]] (rows: arms; columns: solved, not solved), two-sided.
 * Under the null the count `a` is hypergeometric given the margins; p sums the probability
 * of every `a` whose table is no more likely than the observed one. The hypergeometric
 * probabilities are computed exactly as integers (binomial coefficients in bigint), so ties
 * such as symmetric tables are found without rounding. Agrees with scipy.stats.fisher_exact
 * (test/fixtures/stats/fisher.json), including its odds ratio and its p = 1, odds NaN for a
 * table with an empty row or column.
 */
export function fisherExact(a: number, b: number, c: number, d: number): FisherResult {
  for (const [x, n] of [
    [a, 'a'],
    [b, 'b'],
    [c, 'c'],
    [d, 'd'],
  ] as const)
    requireCount(x, n);
  const row1 = a + b;
  const row2 = c + d;
  const col1 = a + c;
  if (row1 === 0 || row2 === 0 || col1 === 0 || b + d === 0) return { p: 1, oddsRatio: NaN };
  const oddsRatio = b > 0 && c > 0 ? (a * d) / (b * c) : Infinity;
  // P(a = x) = C(row1, x) C(row2, col1 - x) / C(row1 + row2, col1)
  const lo = Math.max(0, col1 - row2);
  const hi = Math.min(row1, col1);
  const weights: bigint[] = [];
  for (let x = lo; x <= hi; x++) weights.push(binomial(row1, x) * binomial(row2, col1 - x));
  const observed = weights[a - lo];
  const limit = observed * (RELATIVE_TOLERANCE_DENOMINATOR + 1n);
  let tail = 0n;
  let total = 0n;
  for (const w of weights) {
    total += w;
    if (w * RELATIVE_TOLERANCE_DENOMINATOR <= limit) tail += w;
  }
  return { p: Math.min(1, ratio(tail, total)), oddsRatio };
}
