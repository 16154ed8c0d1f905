/**
 * What every chart builder shares: the Chart type, record selection, ids, the extractor
 * colour encoding, axis titles with units, and tooltip fields.
 */
import type { TopLevelSpec } from 'vega-lite';
import { groupBy, type Summary } from '../../harness/store/aggregate.js';
import type { CompletedRecord, ResultRecord } from '../../harness/store/results.js';
import { extractorPalette, type Palette } from '../palette.js';

export interface Chart {
  /** File-name-safe id, unique within a report. */
  id: string;
  /** The report section it belongs to (the table of contents groups charts by it). */
  section: Section;
  /** The task label, for charts of one task; the title then starts with `${task}: `. */
  task?: string;
  title: string;
  /** One line: how to read this chart. */
  caption: string;
  spec: TopLevelSpec;
}

/** Sections in reading order. */
export const SECTIONS = ['Accuracy', 'Length generalisation', 'Ablations', 'Gradients', 'Training', 'Tuning', 'Cost'] as const;
export type Section = (typeof SECTIONS)[number];

/** A chart builder: a pure function of all the records (so colours agree across charts). */
export type ChartBuilder = (records: ResultRecord[]) => Chart[];

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export const completed = (rs: readonly ResultRecord[]): CompletedRecord[] => rs.filter((r): r is CompletedRecord => r.status === 'completed');
/** Records of one fixed length each: charts with length on an axis leave length-range records (trained on many lengths) to their own chart. */
export const fixedLength = <T extends ResultRecord>(rs: readonly T[]): T[] => rs.filter((r) => !r.range);
export const byTask = <T extends ResultRecord>(rs: readonly T[]): Map<string, T[]> => groupBy(rs, (r) => r.task.label);
export const sortedLengths = (rs: readonly { length: number }[]): number[] => [...new Set(rs.map((r) => r.length))].sort((a, b) => a - b);

/** File-name-safe id fragment; a short hash keeps ids of labels differing only in punctuation apart. */
export function safeId(s: string): string {
  const base = s.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'x';
  if (base === s) return s;
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) >>> 0;
  return `${base}-${h.toString(36).slice(0, 5)}`;
}

export const palette = (rs: readonly ResultRecord[]): Palette => extractorPalette(rs);

/** Colour by extractor label with the report-wide fixed colours. */
export function extractorColor(p: Palette, labels: Iterable<string>, field = 'extractor', title = 'extractor') {
  const scale = p.scale(labels);
  return { field, type: 'nominal' as const, title, scale, sort: scale.domain, legend: LEGEND };
}

/** Legend symbols at full opacity, whatever the layer (bands, faint dots) the legend is merged from. */
export const LEGEND = {
  orient: 'right' as const,
  labelLimit: 240,
  symbolOpacity: 1,
  symbolType: 'circle',
  symbolSize: 90,
  labelFontSize: 12,
  titleFontSize: 12,
};

/**
 * Width of each of `panels` side-by-side facet panels so the chart and its legend fit the
 * page (about 1000 px of plot area), between 150 and `max` px.
 */
export const panelWidth = (panels: number, max = 300): number => Math.max(150, Math.min(max, Math.floor(1000 / Math.max(1, panels)) - 70));

const METRIC_TITLES: Record<CompletedRecord['metrics']['metric'], string> = {
  accuracy: 'accuracy (fraction correct)',
  mse: 'mean squared error',
  'cross-entropy': 'cross-entropy (nats per step)',
};

/** Axis title of a task metric, with its unit and which way is better. */
export const metricTitle = (metric: CompletedRecord['metrics']['metric'], higherIsBetter: boolean): string =>
  `${METRIC_TITLES[metric]}, ${higherIsBetter ? 'higher' : 'lower'} is better`;

/**
 * The y scale of a task metric: accuracy on [0, 1]; other metrics (all non-negative) from 0
 * to a little above the largest plotted value. Confidence intervals do not widen it (their
 * marks are clipped): with two seeds t(0.975, 1) = 12.7 would squash every line flat.
 */
export function metricScale(metric: CompletedRecord['metrics']['metric'], values: readonly number[]): { domain: [number, number]; nice?: boolean } {
  if (metric === 'accuracy') return { domain: [0, 1] };
  const max = Math.max(0, ...values.filter((v) => Number.isFinite(v)));
  return { domain: [0, max > 0 ? max * 1.1 : 1], nice: true };
}

/** A log y scale spanning the plotted values (about a factor 3 of room each side), CI marks clipped. */
export function logScaleOf(values: readonly number[]): { type: 'log'; domain?: [number, number] } {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  if (!pos.length) return { type: 'log' };
  return { type: 'log', domain: [Math.min(...pos) / 3, Math.max(...pos) * 3] };
}

/** Sequence-length axis on a log2 scale with a tick at each length used. */
export function lengthAxis(lengths: number[], title = 'sequence length T (positions, log scale)') {
  return {
    field: 'length',
    type: 'quantitative' as const,
    title,
    scale: { type: 'log' as const, base: 2, nice: false, padding: 12 },
    axis: { values: lengths, format: 'd' },
  };
}

/** A tooltip field; quantitative fields get a number format. */
export function tip(field: string, title: string, format?: string) {
  return format ? { field, title, type: 'quantitative' as const, format } : { field, title, type: 'nominal' as const };
}

/** Number of records of a task that are not completed (left out of charts of results). */
export function notCompletedNote(rs: readonly ResultRecord[]): string {
  const n = rs.filter((r) => r.status !== 'completed').length;
  return n ? ` ${n} diverged or errored run${n > 1 ? 's are' : ' is'} left out (see the summary table).` : '';
}

/** A 95% CI for tooltips, 3 significant digits: "[0.512, 0.689]", or "none (one seed)". */
/** A summary's fields as chart rows carry them: mean, 95% interval ends and its text. */
export const meanFields = (s: Summary) => ({ mean: s.mean, lo: s.ci95?.[0], hi: s.ci95?.[1], ci: ciText(s.ci95) });

export function ciText(ci: readonly [number, number] | null | undefined): string {
  const num = (x: number) => Number(x.toPrecision(3)).toString();
  return ci ? `[${num(ci[0])}, ${num(ci[1])}]` : 'none (one seed)';
}

/** Drop non-finite numbers (JSON would turn them into null) from a row's numeric fields. */
export function finiteRow<T extends Record<string, unknown>>(row: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (typeof v !== 'number' || Number.isFinite(v)) out[k] = v;
  return out as T;
}

/** Panel header for a length facet: "T = 16". */
export const lengthHeader = { labelExpr: "'T = ' + datum.value", labelFontSize: 12, labelFontWeight: 'bold' as const, title: null };
