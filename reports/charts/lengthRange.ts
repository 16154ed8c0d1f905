/**
 * Length generalisation over a range (Delétang et al. 2023): a model trained on lengths drawn
 * from one range, tested at every length of another. One panel per task and range: the
 * held-out metric against the tested length, a line per extractor (mean over seeds, band:
 * 95% interval), the training range shaded, chance dashed.
 */
import { groupBy, summarize } from '../../harness/store/aggregate.js';
import type { ResultRecord } from '../../harness/store/results.js';
import { rangeText } from '../../harness/suite/lengthRange.js';
import { byTask, completed, extractorColor, finiteRow, meanFields, metricScale, metricTitle, palette, safeId, SCHEMA, tip, type Chart } from './common.js';

export function lengthRangeCurves(records: ResultRecord[]): Chart[] {
  const p = palette(records);
  const charts: Chart[] = [];
  for (const [task, all] of byTask(records)) {
    const ranged = completed(all).filter((r) => r.range);
    for (const [text, rs] of groupBy(ranged, (r) => rangeText(r.range!))) {
      const { metric, higherIsBetter } = rs[0].metrics;
      const range = rs[0].range!;
      const points = rs.flatMap((r) =>
        r.lengths.flatMap((l) =>
          l.status === 'completed' && l.value !== undefined && Number.isFinite(l.value)
            ? [{ extractor: r.extractor.label, length: l.length, value: l.value, chance: l.chance }]
            : [],
        ),
      );
      if (!points.length) continue;
      const rows: Record<string, unknown>[] = [];
      for (const g of groupBy(points, (x) => JSON.stringify([x.extractor, x.length])).values()) {
        const s = summarize(g.map((x) => x.value))!;
        rows.push(
          finiteRow({
            kind: 'mean',
            extractor: g[0].extractor,
            length: g[0].length,
            ...meanFields(s),
            seeds: s.n,
          }),
        );
      }
      for (const g of groupBy(points, (x) => String(x.length)).values()) {
        const c = g.map((x) => x.chance).filter((v): v is number => v !== undefined && Number.isFinite(v));
        if (c.length) rows.push({ kind: 'chance', length: g[0].length, chance: summarize(c)!.mean });
      }
      const color = extractorColor(p, new Set(rs.map((r) => r.extractor.label)));
      const lo = Math.min(range.train[0], ...points.map((x) => x.length));
      const hi = Math.max(range.test[1], ...points.map((x) => x.length));
      const x = { field: 'length', type: 'quantitative' as const, title: 'tested at length T', scale: { domain: [lo, hi] } };
      const yScale = metricScale(
        metric,
        rows.flatMap((r) => [r.mean, r.lo, r.hi, r.chance].filter((v): v is number => typeof v === 'number')),
      );
      const y = { field: 'mean', type: 'quantitative' as const, title: metricTitle(metric, higherIsBetter), scale: yScale };
      charts.push({
        id: `length-range-${safeId(`${task}-${text}`)}`,
        section: 'Length generalisation',
        task,
        title: `${task}: trained on lengths ${range.train[0]}-${range.train[1]}, tested on ${range.test[0]}-${range.test[1]}`,
        caption: `Each training batch drew one length from ${range.train[0]}-${range.train[1]} (shaded); the trained model was tested at every length shown, on its own held-out samples. Lines: mean ${metric} over seeds; bands: 95% interval; dashed: chance. The score of each run is the mean over tested lengths (Delétang et al. 2023).`,
        spec: {
          $schema: SCHEMA,
          width: 560,
          height: 260,
          layer: [
            {
              data: { values: [{ from: range.train[0], to: range.train[1] }] },
              mark: { type: 'rect', color: '#999', opacity: 0.15 },
              encoding: {
                x: { field: 'from', type: 'quantitative', scale: { domain: [lo, hi] } },
                x2: { field: 'to' },
                tooltip: [tip('from', 'trained from T', 'd'), tip('to', 'to T', 'd')],
              },
            },
            {
              data: { values: rows },
              layer: [
                {
                  transform: [{ filter: { field: 'kind', equal: 'chance' } }],
                  mark: { type: 'line', strokeDash: [6, 4], color: '#555', strokeWidth: 1.5 },
                  encoding: { x, y: { field: 'chance', type: 'quantitative', scale: yScale } },
                },
                {
                  transform: [{ filter: 'datum.kind === "mean" && isValid(datum.lo)' }],
                  mark: { type: 'area', opacity: 0.15 },
                  encoding: { x, y: { field: 'lo', type: 'quantitative', scale: yScale, title: y.title }, y2: { field: 'hi' }, color },
                },
                {
                  transform: [{ filter: { field: 'kind', equal: 'mean' } }],
                  mark: { type: 'line', point: { size: 20 } },
                  encoding: {
                    x,
                    y,
                    color,
                    tooltip: [
                      tip('extractor', 'extractor'),
                      tip('length', 'T', 'd'),
                      tip('mean', `mean ${metric}`, '.4f'),
                      tip('ci', '95% CI'),
                      tip('seeds', 'seeds', 'd'),
                    ],
                  },
                },
              ],
            },
          ],
        },
      });
    }
  }
  return charts;
}
