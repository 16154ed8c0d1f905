/** Length generalisation: the trained model evaluated at 1x, 2x and 4x its training length. */
import { groupBy, summarize } from '../../harness/store/aggregate.js';
import type { ResultRecord } from '../../harness/store/results.js';
import { groupedBarLayers } from './bars.js';
import {
  byTask,
  completed,
  finiteRow,
  fixedLength,
  meanFields,
  metricScale,
  metricTitle,
  palette,
  panelWidth,
  safeId,
  SCHEMA,
  tip,
  type Chart,
} from './common.js';

/**
 * Grouped bars per evaluation factor (1x, 2x, 4x the training length), one panel per
 * training length; `not-applicable` evaluations (e.g. learned positions past maxLen) are
 * labelled "n/a", never drawn as a zero.
 */
export function lengthGeneralisation(records: ResultRecord[]): Chart[] {
  const p = palette(records);
  const charts: Chart[] = [];
  for (const [task, all] of byTask(records)) {
    const rs = completed(fixedLength(all)).filter((r) => r.lengths.some((l) => l.factor !== 1));
    if (!rs.length) continue;
    const { metric, higherIsBetter } = rs[0].metrics;
    const evals = rs.flatMap((r) => r.lengths.map((l) => ({ ...l, extractor: r.extractor.label, trainLength: r.length })));
    const rows: Record<string, unknown>[] = [];
    for (const group of groupBy(evals, (e) => JSON.stringify([e.extractor, e.trainLength, e.factor])).values()) {
      const { extractor, trainLength, factor, length } = group[0];
      const done = group.filter((e) => e.status === 'completed' && e.value !== undefined && Number.isFinite(e.value));
      const s = summarize(done.map((e) => e.value!));
      const base = { extractor, trainLength, factor, length, seeds: group.length };
      if (s) rows.push(finiteRow({ kind: 'bar', ...base, ...meanFields(s), evaluated: s.n }));
      else {
        const reason = group.find((e) => e.reason)?.reason ?? (group.every((e) => e.status === 'not-applicable') ? 'not applicable' : 'no value');
        rows.push({ kind: 'label', ...base, text: 'n/a', reason });
      }
    }
    for (const group of groupBy(evals, (e) => JSON.stringify([e.trainLength, e.factor])).values()) {
      const chances = group.map((e) => e.chance).filter((c): c is number => c !== undefined && Number.isFinite(c));
      if (chances.length)
        rows.push({ kind: 'chance', trainLength: group[0].trainLength, factor: group[0].factor, length: group[0].length, chance: summarize(chances)!.mean });
    }
    const labels = new Set(rs.map((r) => r.extractor.label));
    const { domain, range } = p.scale(labels);
    const x = {
      field: 'factor',
      type: 'ordinal' as const,
      title: 'evaluated at × the training length',
      axis: { labelExpr: "datum.label + '×'", labelAngle: 0 },
    };
    const layers = groupedBarLayers({
      x,
      domain,
      range,
      yTitle: metricTitle(metric, higherIsBetter),
      yScale: metricScale(
        metric,
        rows.flatMap((r) => [r.mean, r.chance].filter((v): v is number => typeof v === 'number')),
      ),
      tooltip: [
        tip('extractor', 'extractor'),
        tip('trainLength', 'trained at T', 'd'),
        tip('length', 'evaluated at T', 'd'),
        tip('mean', `mean ${metric}`, '.4f'),
        tip('ci', '95% CI'),
        tip('evaluated', 'seeds', 'd'),
      ],
      labelTooltip: [
        tip('extractor', 'extractor'),
        tip('trainLength', 'trained at T', 'd'),
        tip('length', 'evaluated at T', 'd'),
        tip('reason', 'not applicable'),
      ],
    });
    const factors = new Set(evals.map((e) => e.factor)).size;
    const panels = new Set(rs.map((r) => r.length)).size;
    const width = panelWidth(panels, Math.max(160, 16 * labels.size * factors + 40));
    charts.push({
      id: `length-generalisation-${safeId(task)}`,
      section: 'Length generalisation',
      task,
      title: `${task}: trained at one length, evaluated at longer ones`,
      caption: `Each panel is one training length; bars are the held-out ${metric} of the trained model on sequences 1×, 2× and 4× as long (mean over seeds, black: 95% CI), grey ticks are chance at that length. A bar that falls to chance at 2× or 4× did not generalise; "n/a": the extractor cannot read that length (e.g. learned positions past maxLen).`,
      spec: {
        $schema: SCHEMA,
        data: { values: rows },
        facet: {
          column: {
            field: 'trainLength',
            type: 'ordinal',
            header: { labelExpr: "'trained at T = ' + datum.value", labelFontSize: 12, labelFontWeight: 'bold', title: null },
          },
        },
        spec: {
          width,
          height: 230,
          layer: [
            ...layers,
            {
              transform: [{ filter: { field: 'kind', equal: 'chance' } }],
              mark: { type: 'tick', color: '#555', opacity: 0.9, thickness: 2, clip: true, bandSize: (0.85 * width) / factors },
              encoding: { x, y: { field: 'chance', type: 'quantitative' }, tooltip: [tip('length', 'evaluated at T', 'd'), tip('chance', 'chance', '.4f')] },
            },
          ],
        },
      },
    });
  }
  return charts;
}
