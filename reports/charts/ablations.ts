/**
 * Ablations: when the results hold several labels of one extractor name with different
 * options (transformer heads 1/2/4/8, positional encoding, residual, norm; RNN width...),
 * one chart per name comparing those variants on every task and length.
 */
import { aggregateCells, groupBy } from '../../harness/store/aggregate.js';
import type { CompletedRecord, ResultRecord } from '../../harness/store/results.js';
import { groupedBarLayers } from './bars.js';
import { ciText, completed, finiteRow, palette, panelWidth, safeId, SCHEMA, tip, type Chart } from './common.js';

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** For each variant label, the options in which the variants differ ("heads=1, positional=none"). */
export function differingOptions(variants: { label: string; options: Record<string, unknown> }[]): Map<string, string> {
  const keys = [...new Set(variants.flatMap((v) => Object.keys(v.options)))].sort();
  const differ = keys.filter((k) => new Set(variants.map((v) => show(v.options[k]))).size > 1);
  return new Map(
    variants.map((v) => [
      v.label,
      differ.length ? differ.map((k) => `${k}=${v.options[k] === undefined ? '(unset)' : show(v.options[k])}`).join(', ') : 'same options',
    ]),
  );
}

export function ablations(records: ResultRecord[]): Chart[] {
  const p = palette(records);
  const charts: Chart[] = [];
  const rs = completed(records);
  for (const [name, ofName] of groupBy(rs, (r) => r.extractor.name)) {
    const byLabel = groupBy(ofName, (r) => r.extractor.label);
    if (byLabel.size < 2) continue;
    const variants = [...byLabel.values()].map((g) => ({ label: g[0].extractor.label, options: g[0].extractor.options }));
    const diff = differingOptions(variants);
    const rows: Record<string, unknown>[] = [];
    for (const g of aggregateCells(ofName)) {
      if (!g.value) continue;
      rows.push(
        finiteRow({
          kind: 'bar',
          task: g.task,
          metric: g.metric,
          panel: `${g.task} (${g.metric}, ${g.higherIsBetter ? 'higher' : 'lower'} is better)`,
          extractor: g.extractor,
          options: diff.get(g.extractor),
          length: g.length,
          mean: g.value.mean,
          lo: g.value.ci95?.[0],
          hi: g.value.ci95?.[1],
          ci: ciText(g.value.ci95),
          seeds: g.value.n,
        }),
      );
    }
    const chances = groupBy(ofName, (r: CompletedRecord) => JSON.stringify([r.task.label, r.length]));
    const panelOf = new Map(rows.map((r) => [r.task as string, r.panel as string]));
    for (const g of chances.values()) rows.push({ kind: 'chance', panel: panelOf.get(g[0].task.label), length: g[0].length, chance: g[0].metrics.chance });
    // Panels share one chart, so their scales follow the data: keep each CI rule within
    // [0, 1.2 × the panel's largest bar or chance] (and accuracy within [0, 1]); the tooltip
    // keeps the full interval.
    const top = new Map<string, number>();
    for (const r of rows) top.set(r.panel as string, Math.max(top.get(r.panel as string) ?? 0, (r.mean as number | undefined) ?? (r.chance as number)));
    for (const r of rows) {
      if (r.lo === undefined) continue;
      const cap = r.metric === 'accuracy' ? 1 : 1.2 * (top.get(r.panel as string) ?? 1);
      r.lo = Math.max(0, r.lo as number);
      r.hi = Math.min(cap, r.hi as number);
    }
    const labels = [...byLabel.keys()];
    const { domain, range } = p.scale(labels);
    const x = { field: 'length', type: 'ordinal' as const, title: 'sequence length T', axis: { labelExpr: "'T = ' + datum.label", labelAngle: 0 } };
    const tooltip = [
      tip('extractor', 'variant'),
      tip('options', 'options'),
      tip('task', 'task'),
      tip('length', 'T', 'd'),
      tip('mean', 'mean', '.4f'),
      tip('ci', '95% CI'),
      tip('seeds', 'seeds', 'd'),
    ];
    const lengths = new Set(rows.map((r) => r.length)).size;
    const panels = [...new Set(rows.filter((r) => r.kind === 'bar').map((r) => r.panel as string))];
    const width = panelWidth(Math.min(3, panels.length), Math.max(160, 16 * labels.length * lengths + 40));
    charts.push({
      id: `ablation-${safeId(name)}`,
      section: 'Ablations',
      title: `Ablation: ${name} variants`,
      caption: `Variants of ${name} that differ only in the options listed under the title, side by side on each task and length (mean over seeds, black: 95% CI, grey ticks: chance). Compare bars within a group: the difference is what the option buys.`,
      spec: {
        $schema: SCHEMA,
        title: {
          text: `${name} variants`,
          subtitle: variants.map((v) => `${v.label}: ${diff.get(v.label)}`),
          anchor: 'start',
          fontSize: 13,
          subtitleFontSize: 12,
          subtitleColor: '#444',
        },
        data: { values: rows },
        facet: { field: 'panel', type: 'nominal', sort: panels, title: null, header: { labelFontSize: 12, labelFontWeight: 'bold', labelLimit: 400 } },
        columns: 3,
        spec: {
          width,
          height: 220,
          layer: [
            ...groupedBarLayers({ x, domain, range, yTitle: 'task metric', tooltip, labelTooltip: tooltip }),
            {
              transform: [{ filter: { field: 'kind', equal: 'chance' } }],
              mark: { type: 'tick', color: '#555', opacity: 0.9, thickness: 2, bandSize: (0.85 * width) / lengths },
              encoding: { x, y: { field: 'chance', type: 'quantitative' }, tooltip: [tip('length', 'T', 'd'), tip('chance', 'chance', '.4f')] },
            },
          ],
        },
        resolve: { scale: { y: 'independent' } },
      },
    });
  }
  return charts;
}
