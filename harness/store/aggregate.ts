/**
 * Stage 5 (aggregate): results records -> plain-data summaries across seeds, for the report
 * and for anyone comparing runs. Pure functions; the statistics come from stats.ts.
 *
 *   aggregateCells(records)    one group per (task label, extractor label, length):
 *                              status counts and the task metric's n, mean, sd, 95% CI
 *   summarize(values)          n, mean, sd, Student-t 95% CI of one sample
 *   groupBy(items, key)        insertion-ordered grouping by a string key
 *   curveAcrossSeeds(curves)   per index (step or position): mean and 95% CI over seeds,
 *                              in linear or log10 space (geometric mean for norms)
 *   movingAverage(xs, w)       trailing moving average (smoothing noisy per-step curves)
 *   binValues(values, max)     equal-width bins for a meta key with many distinct values
 *   thinIndices(n, max)        which indices of a long curve to keep for a chart
 */
import { lengthText } from '../suite/lengthRange.js';
import type { ResultRecord } from './results.js';
import { ci95, mean, sampleSd } from '../../stats/index.js';

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation; null for n = 1. */
  sd: number | null;
  /** Student-t 95% confidence interval for the mean, [lo, hi]; null for n = 1. */
  ci95: [number, number] | null;
}

/** Summary of the finite values of a sample; null when none is finite. */
export function summarize(values: readonly number[]): Summary | null {
  const xs = values.filter((v) => Number.isFinite(v));
  if (!xs.length) return null;
  const ci = ci95(xs);
  return { n: xs.length, mean: mean(xs), sd: sampleSd(xs), ci95: ci ? [ci.lo, ci.hi] : null };
}

/** Group items by a string key, keeping first-seen order of keys and items. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export type StatusCounts = Record<ResultRecord['status'], number>;

export interface CellGroup {
  task: string;
  extractor: string;
  /** The extractor's registered name (several labels can share one, e.g. ablations). */
  extractorName: string;
  length: number;
  /** Seeds of every record in the group, sorted. */
  seeds: number[];
  status: StatusCounts;
  /** The task metric; absent when no run of the group completed. */
  metric?: 'accuracy' | 'mse' | 'cross-entropy';
  higherIsBetter?: boolean;
  /** Chance baseline (mean over the completed runs; it depends on task and length only). */
  chance?: number;
  /** The metric over the completed seeds; null when none completed. */
  value: Summary | null;
}

/** Key of a (task, extractor, length) group; JSON so labels can hold any character. */
export const cellKey = (r: Pick<ResultRecord, 'task' | 'extractor' | 'length' | 'range'>): string =>
  JSON.stringify([r.task.label, r.extractor.label, lengthText(r)]);

/** One group per (task label, extractor label, length) across seeds, in first-seen order. */
export function aggregateCells(records: readonly ResultRecord[]): CellGroup[] {
  return [...groupBy(records, cellKey).values()].map((rs) => {
    const status: StatusCounts = { completed: 0, diverged: 0, errored: 0 };
    for (const r of rs) status[r.status]++;
    const done = rs.flatMap((r) => (r.status === 'completed' ? [r] : []));
    const first = rs[0];
    const group: CellGroup = {
      task: first.task.label,
      extractor: first.extractor.label,
      extractorName: first.extractor.name,
      length: first.length,
      seeds: rs.map((r) => r.seed).sort((a, b) => a - b),
      status,
      value: summarize(done.map((r) => r.metrics.value)),
    };
    if (done.length) {
      group.metric = done[0].metrics.metric;
      group.higherIsBetter = done[0].metrics.higherIsBetter;
      group.chance = mean(done.map((r) => r.metrics.chance));
    }
    return group;
  });
}

export interface CurvePoint {
  /** Index into the curves (a step - 1, or a position). */
  index: number;
  /** Curves with a usable value at this index. */
  n: number;
  /** Mean (geometric in log space). */
  mean: number;
  /** 95% CI of the mean (null for n = 1), back-transformed in log space. */
  lo: number | null;
  hi: number | null;
}

/**
 * Combine curves of several seeds index by index. In `log` space, the mean and its CI are
 * taken over log10 of the positive values and transformed back (a geometric mean): the
 * right average for gradient norms spanning orders of magnitude. Non-finite values (and
 * non-positive ones in log space) are left out; indices past a shorter curve's end just
 * have fewer curves.
 */
export function curveAcrossSeeds(curves: readonly (readonly number[])[], space: 'linear' | 'log' = 'linear'): CurvePoint[] {
  const length = Math.max(0, ...curves.map((c) => c.length));
  const out: CurvePoint[] = [];
  const log = space === 'log';
  for (let i = 0; i < length; i++) {
    const xs: number[] = [];
    for (const c of curves) {
      const v = c[i];
      if (v === undefined || !Number.isFinite(v) || (log && v <= 0)) continue;
      xs.push(log ? Math.log10(v) : v);
    }
    const s = summarize(xs);
    if (!s) continue;
    const back = (x: number) => (log ? 10 ** x : x);
    out.push({ index: i, n: s.n, mean: back(s.mean), lo: s.ci95 ? back(s.ci95[0]) : null, hi: s.ci95 ? back(s.ci95[1]) : null });
  }
  return out;
}

/** Indices 0..n-1 to keep so at most about `max` remain: every k-th, always the last. */
export function thinIndices(n: number, max = 300): number[] {
  const every = Math.max(1, Math.ceil(n / max));
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (i % every === 0 || i === n - 1) out.push(i);
  return out;
}

/**
 * Trailing moving average over `window` values (fewer at the start): out[i] is the mean of
 * xs[max(0, i - window + 1) .. i]. Non-finite values are skipped (NaN when a window has none).
 */
export function movingAverage(xs: readonly number[], window: number): number[] {
  const w = Math.max(1, Math.floor(window));
  return xs.map((_, i) => {
    let sum = 0;
    let n = 0;
    for (let k = Math.max(0, i - w + 1); k <= i; k++) {
      if (Number.isFinite(xs[k])) {
        sum += xs[k];
        n++;
      }
    }
    return n ? sum / n : NaN;
  });
}

export interface Bin {
  /** Inclusive bounds. */
  lo: number;
  hi: number;
  /** Middle of the bounds, where the bin is plotted. */
  mid: number;
}

/**
 * At most `max` equal-width bins covering the distinct values; one bin per value when there
 * are no more than `max` of them. `binOf(v)` gives the bin index of a value.
 */
export function binValues(values: readonly number[], max = 8): { bins: Bin[]; binOf: (v: number) => number } {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  if (distinct.length <= max) {
    const index = new Map(distinct.map((v, i) => [v, i]));
    return { bins: distinct.map((v) => ({ lo: v, hi: v, mid: v })), binOf: (v) => index.get(v) ?? -1 };
  }
  const min = distinct[0];
  const width = (distinct[distinct.length - 1] - min) / max;
  const binOf = (v: number) => Math.min(max - 1, Math.floor((v - min) / width));
  const bins: Bin[] = Array.from({ length: max }, (_, _i) => ({ lo: Infinity, hi: -Infinity, mid: NaN }));
  for (const v of distinct) {
    const b = bins[binOf(v)];
    b.lo = Math.min(b.lo, v);
    b.hi = Math.max(b.hi, v);
  }
  for (const b of bins) b.mid = (b.lo + b.hi) / 2;
  return { bins, binOf };
}
