/** Descriptive statistics of a sample: sum, mean, median, sample standard deviation. */

export function sum(xs: readonly number[]): number {
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

/** Sample variance (Bessel's n - 1); null for fewer than two values. */
export function sampleVariance(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) ** 2;
  return ss / (xs.length - 1);
}

/** Sample standard deviation (Bessel's n - 1); null for fewer than two values. */
export function sampleSd(xs: readonly number[]): number | null {
  const v = sampleVariance(xs);
  return v === null ? null : Math.sqrt(v);
}

/** x[i] - y[i]; throws when the samples are not paired (unequal lengths). */
export function differences(x: readonly number[], y: readonly number[]): number[] {
  if (x.length !== y.length) throw new RangeError(`paired samples need equal lengths, got ${x.length} and ${y.length}`);
  return x.map((v, i) => v - y[i]);
}
