/** Accuracy charts: the task metric against sequence length, and against per-sample meta (distance, attractors). */
import { aggregateCells, binValues, groupBy, summarize } from '../../harness/store/aggregate.js';
import type { ResultRecord } from '../../harness/store/results.js';
import {
  byTask,
  ciText,
  completed,
  extractorColor,
  finiteRow,
  fixedLength,
  lengthAxis,
  lengthHeader,
  meanFields,
  metricScale,
  metricTitle,
  notCompletedNote,
  palette,
  panelWidth,
  safeId,
  SCHEMA,
  sortedLengths,
  tip,
  type Chart,
} from './common.js';

/** Chance as a dashed rule when it is the same at every length, else as a dashed line over length. */
function chanceLayer(chance: { length: number; chance: number }[]) {
  const constant = new Set(chance.map((c) => c.chance)).size === 1;
  const mark = constant
    ? { type: 'rule' as const, strokeDash: [6, 4], color: '#555', strokeWidth: 1.5 }
    : { type: 'line' as const, strokeDash: [6, 4], color: '#555', strokeWidth: 1.5 };
  return {
    data: { values: constant ? [{ chance: chance[0].chance, label: 'chance' }] : chance.map((c) => ({ ...c, label: 'chance' })) },
    mark,
    encoding: {
      ...(constant ? {} : { x: { field: 'length', type: 'quantitative' as const } }),
      y: { field: 'chance', type: 'quantitative' as const },
      tooltip: [tip('label', 'baseline'), tip('chance', 'chance', '.4f')],
    },
  };
}

/**
 * The task's metric against sequence length: one line per extractor through the mean over
 * seeds, a band for its Student-t 95% confidence interval, single seeds as dots, chance as
 * a dashed rule.
 */
export function metricVsLength(records: ResultRecord[]): Chart[] {
  const p = palette(records);
  const charts: Chart[] = [];
  for (const [task, all] of byTask(fixedLength(records))) {
    const rs = completed(all);
    if (!rs.length) continue;
    const { metric, higherIsBetter } = rs[0].metrics;
    const groups = aggregateCells(rs).filter((g) => g.value);
    const means = groups.map((g) =>
      finiteRow({
        extractor: g.extractor,
        length: g.length,
        mean: g.value!.mean,
        lo: g.value!.ci95?.[0],
        hi: g.value!.ci95?.[1],
        ci: ciText(g.value!.ci95),
        n: g.value!.n,
        sd: g.value!.sd ?? undefined,
      }),
    );
    const bands = means.filter((m) => m.lo !== undefined);
    const seeds = rs.map((r) => finiteRow({ extractor: r.extractor.label, length: r.length, seed: r.seed, value: r.metrics.value }));
    const chance = [...new Map(rs.map((r) => [r.length, { length: r.length, chance: r.metrics.chance }])).values()].sort((a, b) => a.length - b.length);
    const labels = new Set(rs.map((r) => r.extractor.label));
    const color = extractorColor(p, labels);
    const x = lengthAxis(sortedLengths(rs));
    const single = sortedLengths(rs).length === 1;
    const yTitle = metricTitle(metric, higherIsBetter);
    const yScale = metricScale(metric, [...seeds.map((s) => s.value), ...means.map((m) => m.mean), ...chance.map((c) => c.chance)]);
    charts.push({
      id: `metric-vs-length-${safeId(task)}`,
      section: 'Accuracy',
      task,
      title: `${task}: ${metric} vs sequence length`,
      caption:
        `Each line is an extractor's mean over seeds, its shaded band the 95% confidence interval (Student t), dots single seeds; the dashed line is chance. ${higherIsBetter ? 'Higher' : 'Lower'} is better: a line that meets the dashed one has learned nothing at that length.` +
        notCompletedNote(all),
      spec: {
        $schema: SCHEMA,
        width: 460,
        height: 280,
        layer: [
          {
            data: { values: seeds },
            mark: { type: 'point' as const, size: 22, strokeWidth: 1, opacity: 0.55 },
            encoding: {
              x,
              y: { field: 'value', type: 'quantitative' as const, title: yTitle, scale: yScale },
              color,
              tooltip: [tip('extractor', 'extractor'), tip('length', 'T', 'd'), tip('seed', 'seed'), tip('value', metric, '.4f')],
            },
          },
          ...(bands.length
            ? [
                {
                  data: { values: bands },
                  // One length: an area over one x is invisible, so the interval is a rule.
                  mark: single ? { type: 'rule' as const, strokeWidth: 2, opacity: 0.6 } : { type: 'area' as const, clip: true, opacity: 0.12 },
                  encoding: { x, y: { field: 'lo', type: 'quantitative' as const, title: yTitle, scale: yScale }, y2: { field: 'hi' }, color },
                },
              ]
            : []),
          {
            data: { values: means },
            // A line needs two lengths; at one it is a point.
            mark: single ? { type: 'point' as const, size: 70, filled: true } : { type: 'line' as const, point: { size: 55, filled: true }, strokeWidth: 2.2 },
            encoding: {
              x,
              y: { field: 'mean', type: 'quantitative' as const, title: yTitle, scale: yScale },
              color,
              tooltip: [
                tip('extractor', 'extractor'),
                tip('length', 'T', 'd'),
                tip('mean', `mean ${metric}`, '.4f'),
                tip('ci', '95% CI'),
                tip('n', 'seeds', 'd'),
              ],
            },
          },
          chanceLayer(chance),
        ],
      },
    });
  }
  return charts;
}

/** At most this many points per line in the meta charts. */
const MAX_BINS = 8;

const META_AXES: Record<string, { title: string; what: string }> = {
  distance: { title: 'dependency distance (positions)', what: 'dependency distance' },
  attractors: { title: 'attractors (opposite-number nouns)', what: 'attractor count' },
};

/**
 * The held-out score binned by a per-sample meta key (`distance`, `attractors`), one panel
 * per training length: mean over seeds with 95% CI bars. Only for keys that take two or more
 * values within some run (a single bin per run is just the metric-vs-length chart again).
 */
export function metricByMeta(records: ResultRecord[]): Chart[] {
  const p = palette(records);
  const charts: Chart[] = [];
  for (const [task, all] of byTask(records)) {
    const rs = completed(all);
    for (const key of Object.keys(META_AXES)) {
      const having = rs.filter((r) => (r.byMeta[key]?.length ?? 0) > 0);
      if (!having.some((r) => r.byMeta[key].length >= 2)) continue;
      const { metric, higherIsBetter } = having[0].metrics;
      // Many distinct values (e.g. distances at T = 256) make tiny, noisy bins: merge them into
      // at most MAX_BINS equal-width ranges per length, each run's score weighted by samples.
      let merged = false;
      const perRun: { extractor: string; length: number; bin: number; range: string; x: number; score: number; samples: number }[] = [];
      for (const [length, ofLength] of groupBy(having, (r) => String(r.length))) {
        const { bins, binOf } = binValues(
          ofLength.flatMap((r) => r.byMeta[key].map((b) => b.value)),
          MAX_BINS,
        );
        merged ||= bins.some((b) => b.lo !== b.hi);
        for (const r of ofLength) {
          for (const [bin, bs] of groupBy(r.byMeta[key], (b) => String(binOf(b.value)))) {
            const samples = bs.reduce((a, b) => a + b.n, 0);
            const { lo, hi, mid } = bins[Number(bin)];
            perRun.push({
              extractor: r.extractor.label,
              length: Number(length),
              bin: Number(bin),
              range: lo === hi ? String(lo) : `${lo}–${hi}`,
              x: mid,
              score: bs.reduce((a, b) => a + b.n * b.score, 0) / samples,
              samples,
            });
          }
        }
      }
      const means = [...groupBy(perRun, (b) => JSON.stringify([b.extractor, b.length, b.bin])).values()].map((bs) => {
        const s = summarize(bs.map((b) => b.score))!;
        return finiteRow({
          kind: 'mean',
          extractor: bs[0].extractor,
          length: bs[0].length,
          x: bs[0].x,
          range: bs[0].range,
          ...meanFields(s),
          seeds: s.n,
          samples: bs.reduce((a, b) => a + b.samples, 0),
        });
      });
      means.sort((a, b) => a.x - b.x);
      const chance = [...new Map(having.map((r) => [r.length, { kind: 'chance', length: r.length, chance: r.metrics.chance }])).values()];
      const labels = new Set(having.map((r) => r.extractor.label));
      const axis = META_AXES[key];
      const yTitle = metricTitle(metric, higherIsBetter);
      const yScale = metricScale(metric, [...means.map((m) => m.mean), ...chance.map((c) => c.chance)]);
      charts.push({
        id: `metric-by-${key}-${safeId(task)}`,
        section: 'Accuracy',
        task,
        title: `${task}: ${metric} vs ${axis.what}`,
        caption: `The held-out ${metric} of the samples at each ${axis.what}, one panel per training length: a line that falls toward the dashed chance line as the ${axis.what} grows marks where the extractor stops carrying the dependency. Bars: 95% CI over seeds${merged ? `; values are merged into up to ${MAX_BINS} equal ranges per length (each run's score weighted by its samples)` : ''}. Hover for sample counts.`,
        spec: {
          $schema: SCHEMA,
          data: { values: [...means, ...chance] },
          facet: { column: { field: 'length', type: 'ordinal', header: lengthHeader } },
          spec: {
            width: panelWidth(chance.length),
            height: 220,
            layer: [
              {
                transform: [{ filter: "datum.kind === 'mean' && isValid(datum.lo)" }],
                mark: { type: 'rule', strokeWidth: 1, opacity: 0.3, clip: true },
                encoding: {
                  x: { field: 'x', type: 'quantitative' },
                  y: { field: 'lo', type: 'quantitative', scale: yScale },
                  y2: { field: 'hi' },
                  color: extractorColor(p, labels),
                },
              },
              {
                transform: [{ filter: { field: 'kind', equal: 'mean' } }],
                mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 2 },
                encoding: {
                  x: { field: 'x', type: 'quantitative', title: axis.title, axis: { tickMinStep: 1 } },
                  y: { field: 'mean', type: 'quantitative', title: yTitle, scale: yScale },
                  color: extractorColor(p, labels),
                  tooltip: [
                    tip('extractor', 'extractor'),
                    tip('length', 'T', 'd'),
                    tip('range', key),
                    tip('mean', `mean ${metric}`, '.4f'),
                    tip('ci', '95% CI'),
                    tip('seeds', 'seeds', 'd'),
                    tip('samples', 'samples', 'd'),
                  ],
                },
              },
              {
                transform: [{ filter: { field: 'kind', equal: 'chance' } }],
                mark: { type: 'rule', strokeDash: [6, 4], color: '#555', strokeWidth: 1.5 },
                encoding: { y: { field: 'chance', type: 'quantitative' }, tooltip: [tip('chance', 'chance', '.4f')] },
              },
            ],
          },
          resolve: { scale: { x: 'independent' } },
        },
      });
    }
  }
  return charts;
}
