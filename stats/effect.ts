/**
 * Effect sizes: Hedges' g (standardised mean difference with the exact small-sample
 * correction), and a seeded percentile bootstrap interval for any effect.
 */
import type { Rng } from '../core/rng.js';
import { differences, mean, sampleVariance } from './descriptive.js';
import { logGamma } from './distributions.js';

/** Hedges' exact correction J(df) = Γ(df/2) / (√(df/2) · Γ((df-1)/2)), about 1 - 3/(4 df - 1). */
export function hedgesCorrection(df: number): number {
  if (!(df > 1)) throw new RangeError(`Hedges' correction needs df > 1, got ${df}`);
  return Math.exp(logGamma(df / 2) - logGamma((df - 1) / 2)) / Math.sqrt(df / 2);
}

export interface EffectSize {
  /** Hedges' g: J(df) · d. */
  g: number;
  /** Cohen's d before the correction. */
  d: number;
  df: number;
}

/** Two independent samples: g = J(n1 + n2 - 2) · (mean x - mean y) / pooled sd. */
export function hedgesG(x: readonly number[], y: readonly number[]): EffectSize {
  if (x.length < 2 || y.length < 2) throw new RangeError(`hedgesG needs two or more values per sample, got ${x.length} and ${y.length}`);
  const df = x.length + y.length - 2;
  const pooled = Math.sqrt(((x.length - 1) * sampleVariance(x)! + (y.length - 1) * sampleVariance(y)!) / df);
  const d = (mean(x) - mean(y)) / pooled;
  return { g: hedgesCorrection(df) * d, d, df };
}

/** Paired samples: g_z = J(n - 1) · mean(x - y) / sd(x - y), the effect the paired t-test sees. */
export function hedgesGPaired(x: readonly number[], y: readonly number[]): EffectSize {
  const diff = differences(x, y);
  if (diff.length < 3) throw new RangeError(`hedgesGPaired needs three or more pairs, got ${diff.length}`);
  const df = diff.length - 1;
  const d = mean(diff) / Math.sqrt(sampleVariance(diff)!);
  return { g: hedgesCorrection(df) * d, d, df };
}

export interface BootstrapInterval {
  /** The statistic on the data as observed. */
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  resamples: number;
  /** Resamples whose statistic was not finite (left out of the quantiles). */
  dropped: number;
}

export interface BootstrapOptions {
  /** The source of the resampling indices: a fork of the run's Rng, so the interval is reproducible. */
  rng: Rng;
  /** Resample pairs (x[i], y[i]) together (arms that share seeds), or x and y independently. */
  paired: boolean;
  resamples?: number;
  level?: number;
}

/** The smallest sorted value whose empirical CDF reaches q (the inverse-CDF quantile). */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Percentile bootstrap interval (Efron 1979) of `statistic(x, y)`. Deterministic for a given
 * Rng seed. With few seeds the bootstrap distribution is coarse (n^n resamples at most) and
 * the interval too narrow; the audit labels it descriptive.
 */
export function bootstrapInterval(
  x: readonly number[],
  y: readonly number[],
  statistic: (x: readonly number[], y: readonly number[]) => number,
  opts: BootstrapOptions,
): BootstrapInterval {
  const level = opts.level ?? 0.95;
  const resamples = opts.resamples ?? 4000;
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap level must be in (0, 1), got ${level}`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`bootstrap resamples must be a positive integer, got ${resamples}`);
  if (!x.length || !y.length) throw new RangeError('bootstrapInterval needs non-empty samples');
  if (opts.paired && x.length !== y.length) throw new RangeError(`a paired bootstrap needs equal lengths, got ${x.length} and ${y.length}`);
  const values: number[] = [];
  const bx = new Array<number>(x.length);
  const by = new Array<number>(y.length);
  for (let b = 0; b < resamples; b++) {
    if (opts.paired) {
      for (let i = 0; i < x.length; i++) {
        const j = opts.rng.int(x.length);
        bx[i] = x[j];
        by[i] = y[j];
      }
    } else {
      for (let i = 0; i < x.length; i++) bx[i] = x[opts.rng.int(x.length)];
      for (let i = 0; i < y.length; i++) by[i] = y[opts.rng.int(y.length)];
    }
    const v = statistic(bx, by);
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const alpha = 1 - level;
  const estimate = statistic(x, y);
  if (!values.length) return { estimate, lo: NaN, hi: NaN, level, resamples, dropped: resamples };
  return { estimate, lo: quantile(values, alpha / 2), hi: quantile(values, 1 - alpha / 2), level, resamples, dropped: resamples - values.length };
}

/** mean(x - y) of paired samples: the effect of a paired comparison, for `bootstrapInterval`. */
export const meanDifference = (x: readonly number[], y: readonly number[]): number => mean(differences(x, y));
