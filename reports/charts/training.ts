/** Training charts: loss curves and steps to threshold. */
import { groupBy, summarize } from '../../harness/store/aggregate.js';
import type { ResultRecord } from '../../harness/store/results.js';
import { groupedBarLayers } from './bars.js';
import { curveRows, curveSpec, smoothingWindow } from './curves.js';
import { byTask, completed, extractorColor, finiteRow, meanFields, palette, safeId, SCHEMA, tip, type Chart } from './common.js';

type WithCurves = Exclude<ResultRecord, { status: 'errored' }>;

/** Training loss per step, one line per run, one panel per length. */
export function lossCurves(records: ResultRecord[]): Chart[] {
  const p = palette(records);
  const charts: Chart[] = [];
  const withCurves = records.filter((r): r is WithCurves => r.status !== 'errored');
  for (const [task, rs] of byTask(withCurves)) {
    const rows = curveRows(rs, (r) => r.curves.loss, 'linear');
    if (!rows.length) continue;
    const labels = new Set(rs.map((r) => r.extractor.label));
    const color = extractorColor(p, labels);
    const window = smoothingWindow(Math.max(...rs.map((r) => r.train.steps)));
    const x = { field: 'step', type: 'quantitative' as const, title: 'training step' };
    const y = { field: 'value', type: 'quantitative' as const, title: 'training loss', scale: { zero: false } };
    charts.push({
      id: `loss-${safeId(task)}`,
      section: 'Training',
      task,
      title: `${task}: training loss over training`,
      caption: `Training loss (the objective), one panel per length. Bold: each extractor's mean over seeds, smoothed over ${window} step${window > 1 ? 's' : ''}; faint: single runs. Lines that fall early learned fast; flat lines learned nothing. Diverged runs end where the loss stopped being finite.`,
      spec: curveSpec(rows, new Set(rs.map((r) => r.length)).size, {
        x,
        y,
        color,
        runOpacity: 0.22,
        runLabel: 'loss',
        meanLabel: 'smoothed mean loss',
        format: '.4f',
      }),
    });
  }
  return charts;
}

/** Steps until the smoothed training loss closed 90% of its drop: grouped bars per length, "never" where no seed got there. */
export function stepsToThreshold(records: ResultRecord[]): Chart[] {
  const p = palette(records);
  const charts: Chart[] = [];
  for (const [task, all] of byTask(records)) {
    const rs = completed(all);
    if (!rs.length) continue;
    const rows: Record<string, unknown>[] = [];
    for (const group of groupBy(rs, (r) => JSON.stringify([r.extractor.label, r.length])).values()) {
      const reached = group.map((r) => r.stepsToThreshold).filter((s): s is number => s !== null);
      const base = { extractor: group[0].extractor.label, length: group[0].length, runs: group.length, reached: reached.length, budget: group[0].train.steps };
      const s = summarize(reached);
      if (s) rows.push(finiteRow({ kind: 'bar', ...base, ...meanFields(s) }));
      else rows.push({ kind: 'label', ...base, text: 'never' });
    }
    const labels = new Set(rs.map((r) => r.extractor.label));
    const { domain, range } = p.scale(labels);
    const budget = Math.max(...rs.map((r) => r.train.steps));
    const layers = groupedBarLayers({
      x: { field: 'length', type: 'ordinal', title: 'sequence length T', axis: { labelExpr: "'T = ' + datum.label", labelAngle: 0 } },
      domain,
      range,
      yTitle: 'steps to 90% of the loss drop',
      yScale: { domain: [0, budget] },
      tooltip: [
        tip('extractor', 'extractor'),
        tip('length', 'T', 'd'),
        tip('mean', 'mean steps', '.1f'),
        tip('ci', '95% CI'),
        tip('reached', 'seeds that got there', 'd'),
        tip('runs', 'seeds', 'd'),
        tip('budget', 'step budget', 'd'),
      ],
      labelTooltip: [
        tip('extractor', 'extractor'),
        tip('length', 'T', 'd'),
        tip('text', 'reached'),
        tip('runs', 'seeds', 'd'),
        tip('budget', 'step budget', 'd'),
      ],
    });
    charts.push({
      id: `steps-to-threshold-${safeId(task)}`,
      section: 'Training',
      task,
      title: `${task}: steps to close 90% of the loss drop`,
      caption: `How many of the ${budget} training steps the smoothed loss took to close 90% of the gap between its start and its minimum: shorter bars learned faster (only seeds that got there count; hover for how many). "never": no seed did.`,
      spec: {
        $schema: SCHEMA,
        width: Math.max(200, 22 * labels.size * new Set(rs.map((r) => r.length)).size + 60),
        height: 240,
        data: { values: rows },
        layer: layers,
      },
    });
  }
  return charts;
}
