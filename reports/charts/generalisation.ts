/** Length generalisation: the trained model evaluated at 1x, 2x and 4x its training length. */
import { groupBy, summarize } from '../../harness/aggregate.js';
import type { ResultRecord } from '../../harness/results.js';
import { groupedBarLayers } from './bars.js';
import { byTask, completed, finiteRow, metricTitle, palette, safeId, SCHEMA, tip, type Chart } from './common.js';

/**
 * Grouped bars per evaluation factor (1x, 2x, 4x the training length), one panel per
 * training length; `not-applicable` evaluations (e.g. learned positions past maxLen) are
 * labelled "n/a", never drawn as a zero.
 */
export function lengthGeneralisation(records: ResultRecord[]): Chart[] {
  const p = palette(records);
  const charts: Chart[] = [];
  for (const [task, all] of byTask(records)) {
    const rs = completed(all).filter((r) => r.lengths.some((l) => l.factor !== 1));
    if (!rs.length) continue;
    const { metric, higherIsBetter } = rs[0].metrics;
    const evals = rs.flatMap((r) => r.lengths.map((l) => ({ ...l, extractor: r.extractor.label, trainLength: r.length })));
    const rows: Record<string, unknown>[] = [];
    for (const group of groupBy(evals, (e) => JSON.stringify([e.extractor, e.trainLength, e.factor])).values()) {
      const { extractor, trainLength, factor, length } = group[0];
      const done = group.filter((e) => e.status === 'completed' && e.value !== undefined && Number.isFinite(e.value));
      const s = summarize(done.map((e) => e.value!));
      const base = { extractor, trainLength, factor, length, seeds: group.length };
      if (s) rows.push(finiteRow({ kind: 'bar', ...base, mean: s.mean, lo: s.ci95?.[0], hi: s.ci95?.[1], evaluated: s.n }));
      else {
        const reason = group.find((e) => e.reason)?.reason ?? (group.every((e) => e.status === 'not-applicable') ? 'not applicable' : 'no value');
        rows.push({ kind: 'label', ...base, text: 'n/a', reason });
      }
    }
    for (const group of groupBy(evals, (e) => JSON.stringify([e.trainLength, e.factor])).values()) {
      const chances = group.map((e) => e.chance).filter((c): c is number => c !== undefined && Number.isFinite(c));
      if (chances.length) rows.push({ kind: 'chance', trainLength: group[0].trainLength, factor: group[0].factor, length: group[0].length, chance: summarize(chances)!.mean });
    }
    const labels = new Set(rs.map((r) => r.extractor.label));
    const { domain, range } = p.scale(labels);
    const x = { field: 'factor', type: 'ordinal' as const, title: 'evaluated at × the training length', axis: { labelExpr: "datum.label + '×'", labelAngle: 0 } };
    const layers = groupedBarLayers({
      x,
      domain,
      range,
      yTitle: metricTitle(metric, higherIsBetter),
      tooltip: [tip('extractor', 'extractor'), tip('trainLength', 'trained at T', 'd'), tip('length', 'evaluated at T', 'd'), tip('mean', `mean ${metric}`, '.4f'), tip('lo', '95% CI low', '.4f'), tip('hi', '95% CI high', '.4f'), tip('evaluated', 'seeds', 'd')],
      labelTooltip: [tip('extractor', 'extractor'), tip('trainLength', 'trained at T', 'd'), tip('length', 'evaluated at T', 'd'), tip('reason', 'not applicable')],
    });
    charts.push({
      id: `length-generalisation-${safeId(task)}`,
      section: 'Length generalisation',
      title: `${task}: trained at one length, evaluated at longer ones`,
      caption: `Each panel is one training length; bars are the held-out ${metric} of the trained model on sequences 1×, 2× and 4× as long (mean over seeds, black: 95% CI), dashes are chance at that length. A bar that falls to chance at 2× or 4× did not generalise; "n/a": the extractor cannot read that length (e.g. learned positions past maxLen).`,
      spec: {
        $schema: SCHEMA,
        data: { values: rows },
        facet: { column: { field: 'trainLength', type: 'ordinal', header: { labelExpr: "'trained at T = ' + datum.value", labelFontSize: 12, labelFontWeight: 'bold', title: null } } },
        spec: {
          width: { step: 22 * Math.max(2, labels.size) },
          height: 230,
          layer: [
            ...layers,
            {
              transform: [{ filter: { field: 'kind', equal: 'chance' } }],
              mark: { type: 'tick', color: '#444', strokeDash: [5, 3], thickness: 2, bandSize: 20 * Math.max(2, labels.size) },
              encoding: { x, y: { field: 'chance', type: 'quantitative' }, tooltip: [tip('length', 'evaluated at T', 'd'), tip('chance', 'chance', '.4f')] },
            },
          ],
        },
      },
    });
  }
  return charts;
}
