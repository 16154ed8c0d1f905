/** Per-step curves across seeds, for the loss and gradient-norm charts: faint single runs under a bold smoothed mean. */
import { curveAcrossSeeds, groupBy, movingAverage, thinIndices } from '../../harness/store/aggregate.js';
import type { ResultRecord } from '../../harness/store/results.js';
import { lengthHeader, panelWidth, SCHEMA, tip } from './common.js';

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
    for (const i of thinIndices(c.length))
      if (usable(c[i])) rows.push({ kind: 'run', extractor: r.extractor.label, length: r.length, seed: r.seed, step: i + 1, value: c[i] });
  }
  for (const group of groupBy(rs, (r) => JSON.stringify([r.extractor.label, r.length])).values()) {
    const window = smoothingWindow(Math.max(...group.map((r) => r.train.steps)));
    const smoothed = group.map((r) => {
      const c = curveOf(r).map((v) => (usable(v) ? (log ? Math.log10(v) : v) : NaN));
      return movingAverage(c, window).map((v) => (log ? 10 ** v : v));
    });
    const points = curveAcrossSeeds(smoothed, space);
    const keep = new Set(thinIndices(points.length).map((k) => points[k]?.index));
    for (const pt of points)
      if (keep.has(pt.index))
        rows.push({ kind: 'mean', extractor: group[0].extractor.label, length: group[0].length, step: pt.index + 1, value: pt.mean, seeds: pt.n, window });
  }
  return rows;
}

/** What differs between the curve charts: the axes' encodings, how faint a run is, and the value's tooltip. */
export interface CurveStyle<X, Y, C> {
  x: X;
  y: Y;
  color: C;
  runOpacity: number;
  /** Tooltip title of a run's value and of the mean's, and their d3 format. */
  runLabel: string;
  meanLabel: string;
  format: string;
}

/**
 * The spec of a curve chart over `curveRows` rows: one panel per length, faint single runs
 * under the bold smoothed mean, then any `extra` layers (e.g. event marks).
 */
export function curveSpec<X, Y, C, E>(rows: Record<string, unknown>[], panels: number, s: CurveStyle<X, Y, C>, extra: E[] = []) {
  const { x, y, color } = s;
  return {
    $schema: SCHEMA,
    data: { values: rows },
    facet: { column: { field: 'length', type: 'ordinal' as const, header: lengthHeader } },
    spec: {
      width: panelWidth(panels),
      height: 210,
      layer: [
        {
          transform: [{ filter: { field: 'kind', equal: 'run' } }],
          mark: { type: 'line' as const, strokeWidth: 1, opacity: s.runOpacity },
          encoding: {
            x,
            y,
            color,
            detail: { field: 'seed', type: 'nominal' as const },
            tooltip: [tip('extractor', 'extractor'), tip('seed', 'seed'), tip('step', 'step', 'd'), tip('value', s.runLabel, s.format)],
          },
        },
        {
          transform: [{ filter: { field: 'kind', equal: 'mean' } }],
          mark: { type: 'line' as const, strokeWidth: 2.4 },
          encoding: {
            x,
            y,
            color,
            tooltip: [tip('extractor', 'extractor'), tip('step', 'step', 'd'), tip('value', s.meanLabel, s.format), tip('seeds', 'seeds', 'd')],
          },
        },
        ...extra,
      ],
    },
    resolve: { scale: { y: 'shared' as const } },
  };
}
