/** Grouped bars shared by the steps-to-threshold, length-generalisation and ablation charts. */
import { LEGEND } from './common.js';

/**
 * Grouped bars: x = an ordinal field, one bar per extractor beside each other, a 95% CI
 * rule on each bar, and a vertical label (e.g. "never", "n/a") at the top where a group has no value.
 * Rows: kind 'bar' (mean, lo?, hi?) and kind 'label' (text) share the x and extractor fields.
 */
export function groupedBarLayers(opts: {
  x: Record<string, unknown>;
  domain: string[];
  range: string[];
  yTitle: string;
  yScale?: Record<string, unknown>;
  tooltip: Record<string, unknown>[];
  labelTooltip: Record<string, unknown>[];
}) {
  const color = {
    field: 'extractor',
    type: 'nominal' as const,
    title: 'extractor',
    scale: { domain: opts.domain, range: opts.range },
    sort: opts.domain,
    legend: LEGEND,
  };
  const xOffset = { field: 'extractor', type: 'nominal' as const, scale: { domain: opts.domain, paddingInner: 0.08 }, sort: opts.domain };
  return [
    {
      transform: [{ filter: { field: 'kind', equal: 'bar' } }],
      mark: { type: 'bar' as const, opacity: 0.9, cornerRadiusEnd: 2 },
      encoding: {
        x: opts.x,
        xOffset,
        y: { field: 'mean', type: 'quantitative' as const, title: opts.yTitle, ...(opts.yScale ? { scale: opts.yScale } : {}) },
        color,
        tooltip: opts.tooltip,
      },
    },
    {
      transform: [{ filter: "datum.kind === 'bar' && isValid(datum.lo)" }],
      mark: { type: 'rule' as const, color: '#222', strokeWidth: 1.2, clip: true },
      encoding: { x: opts.x, xOffset, y: { field: 'lo', type: 'quantitative' as const }, y2: { field: 'hi' }, tooltip: opts.tooltip },
    },
    {
      transform: [{ filter: { field: 'kind', equal: 'label' } }],
      // Vertical, hanging from the top of the plot: clear of chance lines and bars.
      mark: {
        type: 'text' as const,
        angle: 270,
        align: 'right' as const,
        baseline: 'middle' as const,
        dx: -4,
        fontSize: 11,
        fontStyle: 'italic' as const,
        color: '#333',
      },
      encoding: { x: opts.x, xOffset, y: { value: 0 }, text: { field: 'text', type: 'nominal' as const }, tooltip: opts.labelTooltip },
    },
  ];
}
