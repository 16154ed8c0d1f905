/** Per-step curves across seeds, for the loss and gradient-norm charts: faint single runs under a bold smoothed mean. */
import { curveAcrossSeeds, groupBy, movingAverage, thinIndices } from '../../harness/aggregate.js';
import type { ResultRecord } from '../../harness/results.js';

type WithCurves = Exclude<ResultRecord, { status: 'errored' }>;

/** Smoothing window for a curve of `steps` steps: about 5% of the run (as steps-to-threshold). */
export const smoothingWindow = (steps: number): number => Math.max(1, Math.floor(steps / 20));

/**
 * Rows for a curve chart: kind 'run' (each run, thinned, unsmoothed) and kind 'mean' (per
 * extractor and length: each run smoothed by a trailing moving average, then averaged over
 * seeds step by step; in `log` space both happen on log10 values, a geometric mean).
 */
export function curveRows(rs: readonly WithCurves[], curveOf: (r: WithCurves) => number[], space: 'linear' | 'log'): Record<string, unknown>[] {
  const log = space === 'log';
  const usable = (v: number) => Number.isFinite(v) && (!log || v > 0);
  const rows: Record<string, unknown>[] = [];
  for (const r of rs) {
    const c = curveOf(r);
    for (const i of thinIndices(c.length)) if (usable(c[i])) rows.push({ kind: 'run', extractor: r.extractor.label, length: r.length, seed: r.seed, step: i + 1, value: c[i] });
  }
  for (const group of groupBy(rs, (r) => JSON.stringify([r.extractor.label, r.length])).values()) {
    const window = smoothingWindow(Math.max(...group.map((r) => r.train.steps)));
    const smoothed = group.map((r) => {
      const c = curveOf(r).map((v) => (usable(v) ? (log ? Math.log10(v) : v) : NaN));
      return movingAverage(c, window).map((v) => (log ? 10 ** v : v));
    });
    const points = curveAcrossSeeds(smoothed, space);
    const keep = new Set(thinIndices(points.length).map((k) => points[k]?.index));
    for (const pt of points) if (keep.has(pt.index)) rows.push({ kind: 'mean', extractor: group[0].extractor.label, length: group[0].length, step: pt.index + 1, value: pt.mean, seeds: pt.n, window });
  }
  return rows;
}
