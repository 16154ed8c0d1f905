/**
 * Accuracy against state size, Zoology's figure (Arora et al. 2023, fig. 2): x the bytes of state
 * an extractor carries per sequence at inference (log scale), y the held-out score, one line per
 * extractor through its widths. Drawn for every task where some extractor was run at two or more
 * widths; one panel per training length, since a Transformer's KV cache grows with T.
 */
import { groupBy, summarize } from '../../harness/store/aggregate.js';
import type { CompletedRecord, ResultRecord } from '../../harness/store/results.js';
import { extractorPalette } from '../palette.js';
import {
  byTask,
  completed,
  finiteRow,
  LEGEND,
  lengthHeader,
  meanFields,
  metricScale,
  metricTitle,
  notCompletedNote,
  panelWidth,
  safeId,
  SCHEMA,
  tip,
  type Chart,
} from './common.js';

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * The line each record belongs to: its extractor name plus the options that vary among that
 * name's records other than the width and the options that change with it (ffDim = 4·dModel in
 * a width sweep: one value per width). Two head counts at one width are two lines; two widths
 * with their feed-forward widths are one. Without a declared width option each label is its own line.
 */
export function widthSeries(rs: readonly CompletedRecord[]): Map<CompletedRecord, string> {
  const out = new Map<CompletedRecord, string>();
  for (const [name, ofName] of groupBy(rs, (r) => r.extractor.name)) {
    const width = ofName[0].extractor.widthOption;
    if (!width || ofName.some((r) => r.extractor.widthOption !== width)) {
      for (const r of ofName) out.set(r, r.extractor.label);
      continue;
    }
    const keys = [...new Set(ofName.flatMap((r) => Object.keys(r.extractor.options)))].sort();
    const varying = keys.filter((k) => k !== width && new Set(ofName.map((r) => show(r.extractor.options[k]))).size > 1);
    const followsWidth = (k: string) =>
      [...groupBy(ofName, (r) => show(r.extractor.options[width])).values()].every((g) => new Set(g.map((r) => show(r.extractor.options[k]))).size === 1);
    const own = varying.filter((k) => !followsWidth(k));
    for (const r of ofName) out.set(r, own.length ? `${name} (${own.map((k) => `${k}=${show(r.extractor.options[k])}`).join(', ')})` : name);
  }
  return out;
}

export function metricVsStateSize(records: ResultRecord[]): Chart[] {
  const charts: Chart[] = [];
  for (const [task, all] of byTask(records)) {
    const rs = completed(all).filter((r) => r.extractor.stateBytes !== undefined && r.extractor.stateBytes > 0);
    if (!rs.length) continue;
    const series = widthSeries(rs);
    // Only where a line has two or more widths at one length: otherwise there is no line to draw.
    const lines = groupBy(rs, (r) => JSON.stringify([series.get(r), r.length]));
    if (![...lines.values()].some((g) => new Set(g.map((r) => r.extractor.stateBytes)).size >= 2)) continue;
    const { metric, higherIsBetter } = rs[0].metrics;
    const points = [...groupBy(rs, (r) => JSON.stringify([r.extractor.label, r.length])).values()].flatMap((g) => {
      const s = summarize(g.map((r) => r.metrics.value));
      if (!s) return [];
      const e = g[0].extractor;
      const width = e.widthOption ? `${e.widthOption}=${show(e.options[e.widthOption])}` : 'width not declared';
      return [
        finiteRow({
          kind: 'mean',
          family: series.get(g[0])!,
          extractor: e.label,
          width,
          length: g[0].length,
          stateBytes: e.stateBytes!,
          ...meanFields(s),
          seeds: s.n,
        }),
      ];
    });
    points.sort((a, b) => a.stateBytes - b.stateBytes);
    const chance = [...new Map(rs.map((r) => [r.length, { kind: 'chance', length: r.length, chance: r.metrics.chance }])).values()].sort(
      (a, b) => a.length - b.length,
    );
    // Colour by line: an extractor name's hue (shades when a name has several lines), as everywhere.
    const families = [...new Map(rs.map((r) => [series.get(r)!, r.extractor.name])).entries()];
    const scale = extractorPalette(families.map(([label, name]) => ({ extractor: { name, label, options: {} } }))).scale(families.map(([label]) => label));
    const color = { field: 'family', type: 'nominal' as const, title: 'extractor', scale, sort: scale.domain, legend: LEGEND };
    const yTitle = metricTitle(metric, higherIsBetter);
    const yScale = metricScale(metric, [...points.map((m) => m.mean), ...chance.map((c) => c.chance)]);
    const x = {
      field: 'stateBytes',
      type: 'quantitative' as const,
      title: 'state per sequence at inference (bytes, log scale; k = 10³)',
      scale: { type: 'log' as const },
      axis: { format: '~s' },
    };
    charts.push({
      id: `metric-vs-state-${safeId(task)}`,
      section: 'Accuracy',
      task,
      title: `${task}: ${metric} vs state size`,
      caption:
        `Zoology's axes: each line is one extractor through the widths it was run at, x the bytes of state it carries per sequence at inference (its recurrent state, or a Transformer's KV cache, which grows with T: one panel per training length), y the held-out ${metric}, mean over seeds with 95% CI bars; the dashed line is chance. ` +
        `${higherIsBetter ? 'Higher' : 'Lower'} and further left is better: the same score with less state. Hover a point for its label, width and state.` +
        notCompletedNote(all),
      spec: {
        $schema: SCHEMA,
        data: { values: [...points, ...chance] },
        facet: { column: { field: 'length', type: 'ordinal', header: lengthHeader } },
        spec: {
          width: panelWidth(chance.length),
          height: 240,
          layer: [
            {
              transform: [{ filter: "datum.kind === 'mean' && isValid(datum.lo)" }],
              mark: { type: 'rule', strokeWidth: 1, opacity: 0.35, clip: true },
              encoding: { x, y: { field: 'lo', type: 'quantitative', scale: yScale }, y2: { field: 'hi' }, color },
            },
            {
              transform: [{ filter: { field: 'kind', equal: 'mean' } }],
              mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 2 },
              encoding: {
                x,
                y: { field: 'mean', type: 'quantitative', title: yTitle, scale: yScale },
                color,
                order: { field: 'stateBytes', type: 'quantitative' },
                tooltip: [
                  tip('extractor', 'extractor'),
                  tip('width', 'width'),
                  tip('stateBytes', 'state (bytes)', ',d'),
                  tip('length', 'T', 'd'),
                  tip('mean', `mean ${metric}`, '.4f'),
                  tip('ci', '95% CI'),
                  tip('seeds', 'seeds', 'd'),
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
  return charts;
}
