/** Multiple comparisons: Holm's step-down adjustment (Holm 1979) of a family of p-values. */

/**
 * Holm-adjusted p-values, in the input's order: the i-th smallest p times (m - i + 1),
 * made monotone (never below an adjusted p of a smaller raw p) and capped at 1. Reject
 * hypothesis j at family-wise level α when adjusted[j] <= α. NaN (a test that could not be
 * computed) stays NaN and does not count towards m.
 */
export function holm(ps: readonly number[]): number[] {
  for (const p of ps) if (!(Number.isNaN(p) || (p >= 0 && p <= 1))) throw new RangeError(`holm needs p-values in [0, 1], got ${p}`);
  const valid = ps.map((_p, i) => i).filter((i) => !Number.isNaN(ps[i]));
  const order = valid.sort((i, j) => ps[i] - ps[j]);
  const m = order.length;
  const out = ps.map(() => NaN);
  let running = 0;
  order.forEach((i, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * ps[i]));
    out[i] = running;
  });
  return out;
}
