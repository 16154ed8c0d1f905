/**
 * A two-way cluster bootstrap of a paired difference measured per seed and per cluster (for
 * the audit: per training seed and per test file). Both are samples: a second set of seeds
 * would train other models, a second set of files would be other text. Resampling seeds and
 * files independently, with replacement (Davison & Hinkley 1997, §3.8; the "pigeonhole"
 * bootstrap of Owen 2007), gives an interval that holds for new text as well as new seeds,
 * where a t-test over seeds alone treats the test files as the whole population.
 *
 * The statistic is the mean over seeds of the sample-weighted mean over files of d[s][f]
 * (so a file with more test samples counts more, as in the plain accuracy). The p-value is
 * the bootstrap's two-sided sign test, 2 min(P(θ* ≤ 0), P(θ* ≥ 0)), at least 1/B. Power at an
 * effect δ is the normal approximation with the bootstrap standard error; the seeds needed
 * split that error into a seed part (shrinking as 1/n) and a file part (which more seeds do
 * not reduce), each estimated by resampling one way only.
 */
import type { Rng } from '../core/rng.js';
import { normalCdf, normalQuantile } from './distributions.js';

export interface ClusterBootstrap {
  estimate: number;
  /** Percentile interval at `level`. */
  ci: [number, number];
  p: number;
  /** Standard error of the two-way bootstrap, and of resampling seeds only and files only. */
  se: number;
  seSeeds: number;
  seFiles: number;
  resamples: number;
}

/** d[s][f]: the difference for seed s on file f; w[s][f]: its weight (samples; 0 where the file was not evaluated). */
function statistic(d: readonly (readonly number[])[], w: readonly (readonly number[])[], seeds: readonly number[], files: readonly number[]): number {
  let total = 0;
  let counted = 0;
  for (const s of seeds) {
    let num = 0;
    let den = 0;
    for (const f of files) {
      num += w[s][f] * d[s][f];
      den += w[s][f];
    }
    if (den > 0) {
      total += num / den;
      counted++;
    }
  }
  return counted ? total / counted : NaN;
}

const sd = (xs: readonly number[]) => {
  const finite = xs.filter(Number.isFinite);
  const m = finite.reduce((a, b) => a + b, 0) / finite.length;
  return Math.sqrt(finite.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, finite.length - 1));
};

export function twoWayClusterBootstrap(
  d: readonly (readonly number[])[],
  w: readonly (readonly number[])[],
  opts: { rng: Rng; resamples?: number; level?: number },
): ClusterBootstrap {
  const S = d.length;
  const F = S ? d[0].length : 0;
  if (!S || !F) throw new RangeError('a cluster bootstrap needs at least one seed and one file');
  if (w.length !== S || d.some((row, s) => row.length !== F || w[s].length !== F)) throw new RangeError('d and w must both be seeds x files');
  const B = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const all = (n: number) => Array.from({ length: n }, (_, i) => i);
  const draw = (n: number) => Array.from({ length: n }, () => opts.rng.int(n));
  const estimate = statistic(d, w, all(S), all(F));
  const both: number[] = [];
  const seedsOnly: number[] = [];
  const filesOnly: number[] = [];
  for (let b = 0; b < B; b++) {
    const [s, f] = [draw(S), draw(F)];
    both.push(statistic(d, w, s, f));
    seedsOnly.push(statistic(d, w, s, all(F)));
    filesOnly.push(statistic(d, w, all(S), f));
  }
  const sorted = both.filter(Number.isFinite).sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(p * sorted.length)))];
  const below = sorted.filter((x) => x <= 0).length / sorted.length;
  const above = sorted.filter((x) => x >= 0).length / sorted.length;
  return {
    estimate,
    ci: [q((1 - level) / 2), q(1 - (1 - level) / 2)],
    p: Math.min(1, Math.max(1 / B, 2 * Math.min(below, above))),
    se: sd(both),
    seSeeds: sd(seedsOnly),
    seFiles: sd(filesOnly),
    resamples: B,
  };
}

/** Two-sided power of a normal test at level alpha for an effect delta with standard error se. */
export function normalPower(delta: number, se: number, alpha: number): number {
  if (!(se > 0)) return NaN;
  const z = normalQuantile(1 - alpha / 2);
  const k = Math.abs(delta) / se;
  return normalCdf(k - z) + normalCdf(-k - z);
}

/**
 * Seeds at which the cluster bootstrap reaches `power` for `delta`: the seed part of the
 * variance shrinks as n0 / n, the file part stays. Null when the file part alone is too large
 * (more seeds cannot decide it: more test files would) or beyond `maxN`.
 */
export function clusterSeedsNeeded(
  delta: number,
  b: Pick<ClusterBootstrap, 'seSeeds' | 'seFiles'>,
  n0: number,
  alpha: number,
  power = 0.8,
  maxN = 1000,
): number | null {
  for (let n = 2; n <= maxN; n++) {
    const se = Math.sqrt((b.seSeeds ** 2 * n0) / n + b.seFiles ** 2);
    if (normalPower(delta, se, alpha) >= power) return n;
  }
  return null;
}
