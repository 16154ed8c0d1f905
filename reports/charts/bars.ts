/** Grouped bars shared by the steps-to-threshold, length-generalisation and ablation charts. */

/**
 * Grouped bars: x = an ordinal field, one bar per extractor beside each other, a 95% CI
 * rule on each bar, and a vertical label (e.g. "never", "n/a") where a group has no value.
 * Rows: kind 'bar' (mean, lo?, hi?) and kind 'label' (text) share the x and extractor fields.
 */
export function groupedBarLayers(opts: { x: Record<string, unknown>; domain: string[]; range: string[]; yTitle: string; yScale?: Record<string, unknown>; tooltip: Record<string, unknown>[]; labelTooltip: Record<string, unknown>[] }) {
  const color = { field: 'extractor', type: 'nominal' as const, title: 'extractor', scale: { domain: opts.domain, range: opts.range }, sort: opts.domain, legend: { labelLimit: 240 } };
  const xOffset = { field: 'extractor', type: 'nominal' as const, scale: { domain: opts.domain, paddingInner: 0.08 }, sort: opts.domain };
  return [
    {
      transform: [{ filter: { field: 'kind', equal: 'bar' } }],
      mark: { type: 'bar' as const, opacity: 0.9, cornerRadiusEnd: 2 },
      encoding: { x: opts.x, xOffset, y: { field: 'mean', type: 'quantitative' as const, title: opts.yTitle, ...(opts.yScale ? { scale: opts.yScale } : {}) }, color, tooltip: opts.tooltip },
    },
    {
      transform: [{ filter: { field: 'kind', equal: 'bar' } }, { filter: 'isValid(datum.lo)' }],
      mark: { type: 'rule' as const, color: '#222', strokeWidth: 1.2 },
      encoding: { x: opts.x, xOffset, y: { field: 'lo', type: 'quantitative' as const }, y2: { field: 'hi' }, tooltip: opts.tooltip },
    },
    {
      transform: [{ filter: { field: 'kind', equal: 'label' } }],
      mark: { type: 'text' as const, angle: 270, align: 'left' as const, baseline: 'middle' as const, dx: 4, fontSize: 11, fontStyle: 'italic' as const },
      encoding: { x: opts.x, xOffset, y: { datum: 0, type: 'quantitative' as const }, text: { field: 'text', type: 'nominal' as const }, color, tooltip: opts.labelTooltip },
    },
  ];
}
