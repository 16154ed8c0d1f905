/**
 * Kaplan–Meier curves of steps-to-solve: per extractor, the fraction of runs not yet solved
 * against training steps, runs that never solved censored at the budget. A curve that drops
 * early and low solved fast on most seeds; one that stays at 1 never solved.
 */
import { groupBy } from '../../harness/store/aggregate.js';
import { timeToSolve } from '../../harness/cell/measure/solve.js';
import type { ResultRecord } from '../../harness/store/results.js';
import { kaplanMeier, type TimeToEvent } from '../../stats/index.js';
import { byTask, completed, extractorColor, lengthHeader, palette, panelWidth, safeId, SCHEMA, tip, type Chart } from './common.js';

export interface SurvivalSeries {
  extractor: string;
  length: number;
  data: TimeToEvent[];
}

/** Step-function rows of each series: (0, 1), every event time, and the end of follow-up; censored runs as their own rows. */
export function kaplanMeierRows(series: readonly SurvivalSeries[]): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const s of series) {
    const km = kaplanMeier(s.data);
    const base = { extractor: s.extractor, length: s.length, runs: km.n, solved: km.events };
    rows.push({ kind: 'curve', ...base, step: 0, survival: 1, lo: 1, hi: 1 });
    for (const r of km.rows) rows.push({ kind: 'curve', ...base, step: r.time, survival: r.survival, lo: r.lo, hi: r.hi, atRisk: r.atRisk });
    const last = km.rows.at(-1);
    if (km.end > (last?.time ?? 0)) rows.push({ kind: 'curve', ...base, step: km.end, survival: last?.survival ?? 1, lo: last?.lo ?? 1, hi: last?.hi ?? 1 });
    for (const d of s.data) if (!d.event) rows.push({ kind: 'censored', ...base, step: d.time, survival: 1 });
  }
  // A censored mark sits on its curve: the survival just after its time.
  for (const c of rows.filter((r) => r.kind === 'censored')) {
    const curve = rows.filter((r) => r.kind === 'curve' && r.extractor === c.extractor && r.length === c.length && (r.step as number) <= (c.step as number));
    c.survival = curve.at(-1)?.survival ?? 1;
  }
  return rows;
}

/** The chart of a set of series (one task), one panel per length. */
export function kaplanMeierSpec(series: readonly SurvivalSeries[], color: ReturnType<typeof extractorColor>, budget: number): Chart['spec'] {
  const lengths = new Set(series.map((s) => s.length)).size;
  const x = { field: 'step', type: 'quantitative' as const, title: 'training steps', scale: { domain: [0, budget] } };
  const y = { field: 'survival', type: 'quantitative' as const, title: 'fraction of runs not yet solved', scale: { domain: [0, 1] } };
  const tooltip = [
    tip('extractor', 'extractor'),
    tip('length', 'T', 'd'),
    tip('step', 'step', 'd'),
    tip('survival', 'not yet solved', '.2f'),
    tip('solved', 'runs solved', 'd'),
    tip('runs', 'runs', 'd'),
  ];
  const curve = { filter: "datum.kind === 'curve'" };
  return {
    $schema: SCHEMA,
    data: { values: kaplanMeierRows(series) },
    facet: { column: { field: 'length', type: 'ordinal', header: lengthHeader } },
    spec: {
      width: panelWidth(lengths),
      height: 220,
      layer: [
        {
          transform: [curve],
          mark: { type: 'area', interpolate: 'step-after', opacity: 0.15 },
          encoding: { x, y: { field: 'lo', type: 'quantitative', scale: { domain: [0, 1] } }, y2: { field: 'hi' }, color },
        },
        { transform: [curve], mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 }, encoding: { x, y, color, tooltip } },
        {
          transform: [{ filter: "datum.kind === 'censored'" }],
          mark: { type: 'tick', thickness: 2, size: 10, orient: 'vertical' },
          encoding: { x, y, color, tooltip },
        },
      ],
    },
    resolve: { scale: { x: 'shared', y: 'shared' } },
  } as Chart['spec'];
}

/** Kaplan–Meier curves of steps-to-solve, one chart per task. */
export function stepsToSolveCurves(records: ResultRecord[]): Chart[] {
  const p = palette(records);
  const charts: Chart[] = [];
  for (const [task, all] of byTask(records)) {
    const rs = completed(all);
    if (!rs.length) continue;
    const times = rs.map((r) => ({ r, t: timeToSolve(r) }));
    const series = [...groupBy(times, ({ r }) => JSON.stringify([r.extractor.label, r.length])).values()].map((g) => ({
      extractor: g[0].r.extractor.label,
      length: g[0].r.length,
      data: g.map((x) => x.t),
    }));
    const proxy = times.some((x) => x.t.source === 'loss-proxy');
    const budget = Math.max(...rs.map((r) => r.train.steps));
    charts.push({
      id: `steps-to-solve-${safeId(task)}`,
      section: 'Training',
      task,
      title: `${task}: runs not yet solved against training steps (Kaplan–Meier)`,
      caption:
        `The fraction of each extractor's runs that have not yet solved the task (its held-out score at least the task's solved threshold, 0.95 of the way from chance to perfect by default) after each training step, one panel per length; shaded: 95% pointwise interval (Greenwood, log-log). Curves that drop early solved fast; a curve that stays at 1 never solved. Ticks: runs censored at the budget of ${budget} steps (not solved by then).` +
        (proxy
          ? " Some runs predate the protocol's stepsToSolve: their time is the step at which the smoothed training loss closed 90% of its drop, counted only when the held-out score solved."
          : ''),
      spec: kaplanMeierSpec(series, extractorColor(p, new Set(series.map((s) => s.extractor))), budget),
    });
  }
  return charts;
}
