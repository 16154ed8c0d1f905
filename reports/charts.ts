/**
 * Stage 6 (chart specs): one builder per chart, each a pure function of the results that
 * returns a Vega-Lite spec with a caption saying how to read it, or nothing when the
 * results hold no data for it.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CompletedRecord, ResultRecord } from '../harness/results.js';

export interface Chart {
  /** File-name-safe id, unique within a report. */
  id: string;
  title: string;
  /** One line: how to read this chart. */
  caption: string;
  spec: TopLevelSpec;
}

const completed = (rs: ResultRecord[]) => rs.filter((r): r is CompletedRecord => r.status === 'completed');
const byTask = <T extends ResultRecord>(rs: T[]) => {
  const m = new Map<string, T[]>();
  for (const r of rs) m.set(r.task.label, [...(m.get(r.task.label) ?? []), r]);
  return m;
};
const safeId = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '_');

const extractorColor = { field: 'extractor', type: 'nominal', title: 'extractor' } as const;

/** The task's metric against sequence length, one line per extractor, chance as a dashed rule. */
export function metricVsLength(records: ResultRecord[]): Chart[] {
  const charts: Chart[] = [];
  for (const [task, rs] of byTask(completed(records))) {
    const metric = rs[0].metrics.metric;
    const higher = rs[0].metrics.higherIsBetter;
    const values = rs.map((r) => ({ extractor: r.extractor.label, length: r.length, seed: r.seed, value: r.metrics.value }));
    const chance = [...new Map(rs.map((r) => [r.length, { length: r.length, chance: r.metrics.chance }])).values()];
    charts.push({
      id: `metric-vs-length-${safeId(task)}`,
      title: `${task}: ${metric} vs sequence length`,
      caption: `Each line is an extractor (mean over seeds, dots are single seeds); the dashed line is chance. ${higher ? 'Higher' : 'Lower'} is better; a line that meets the dashed one has learned nothing at that length.`,
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: 420,
        height: 260,
        layer: [
          {
            data: { values },
            mark: { type: 'line', point: true },
            encoding: {
              x: { field: 'length', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'sequence length T', axis: { values: [...new Set(values.map((v) => v.length))] } },
              y: { aggregate: 'mean', field: 'value', type: 'quantitative', title: metric },
              color: extractorColor,
              tooltip: [{ field: 'extractor' }, { field: 'length' }, { aggregate: 'mean', field: 'value', title: metric, format: '.3f' }],
            },
          },
          {
            data: { values: chance },
            mark: { type: 'line', strokeDash: [6, 4], color: '#888' },
            encoding: {
              x: { field: 'length', type: 'quantitative' },
              y: { field: 'chance', type: 'quantitative' },
              tooltip: [{ field: 'chance', format: '.3f', title: 'chance' }],
            },
          },
        ],
      },
    });
  }
  return charts;
}

/** Thin a curve to at most `max` points so long runs keep the report small. */
function thin(curve: number[], max = 300): { step: number; value: number }[] {
  const every = Math.max(1, Math.ceil(curve.length / max));
  const out: { step: number; value: number }[] = [];
  curve.forEach((value, i) => {
    if (i % every === 0 || i === curve.length - 1) out.push({ step: i + 1, value });
  });
  return out;
}

function curveChart(records: ResultRecord[], which: 'gradNorm' | 'loss'): Chart[] {
  const charts: Chart[] = [];
  const withCurves = records.filter((r): r is Exclude<ResultRecord, { status: 'errored' }> => r.status !== 'errored');
  for (const [task, rs] of byTask(withCurves)) {
    const values = rs.flatMap((r) =>
      thin(r.curves[which])
        .filter((p) => Number.isFinite(p.value) && (which === 'loss' || p.value > 0))
        .map((p) => ({ extractor: r.extractor.label, length: `T=${r.length}`, seed: r.seed, step: p.step, value: p.value })),
    );
    if (!values.length) continue;
    const grad = which === 'gradNorm';
    charts.push({
      id: `${grad ? 'grad-norm' : 'loss'}-${safeId(task)}`,
      title: `${task}: ${grad ? 'global gradient norm (before clipping)' : 'training loss'} over training`,
      caption: grad
        ? 'Log scale. A line sinking by orders of magnitude means vanishing gradients; spikes far above the rest mean exploding ones. One panel per length.'
        : 'Training loss per step, one panel per length: lines that fall early learned fast; flat lines learned nothing.',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values },
        facet: { column: { field: 'length', type: 'nominal', title: null, sort: { field: 'length' } } },
        spec: {
          width: 260,
          height: 200,
          mark: { type: 'line', strokeWidth: 1.2, opacity: 0.85 },
          encoding: {
            x: { field: 'step', type: 'quantitative', title: 'training step' },
            y: { field: 'value', type: 'quantitative', title: grad ? '‖∇‖ (log)' : 'loss', scale: grad ? { type: 'log' } : { zero: false } },
            color: extractorColor,
            detail: { field: 'seed', type: 'nominal' },
            tooltip: [{ field: 'extractor' }, { field: 'step' }, { field: 'value', format: '.4g' }],
          },
        },
        resolve: { scale: { y: 'shared' } },
      },
    });
  }
  return charts;
}

export const gradNormOverTraining = (rs: ResultRecord[]) => curveChart(rs, 'gradNorm');
export const lossCurves = (rs: ResultRecord[]) => curveChart(rs, 'loss');

/** The report's charts in reading order. */
export const CHART_BUILDERS: ((rs: ResultRecord[]) => Chart[])[] = [metricVsLength, gradNormOverTraining, lossCurves];

export function buildCharts(records: ResultRecord[]): Chart[] {
  return CHART_BUILDERS.flatMap((b) => b(records));
}
