/**
 * The numbers first: one line per (task, extractor, length) with the test metric's mean and
 * Student-t 95% interval over the completed seeds, the seeds run, how many solved the task
 * (score at or above its solved threshold on test), and the extractor's parameters. `run`
 * prints it when it ends; a warning follows when parameter counts differ more than 2x.
 */
import { isSolved } from '../harness/cell/measure/solve.js';
import { aggregateCells, cellKey, groupBy } from '../harness/store/aggregate.js';
import type { ResultRecord } from '../harness/store/results.js';
import { distinctLabels } from './labels.js';
import { lengthText } from '../harness/suite/lengthRange.js';

export interface SummaryRow {
  task: string;
  extractor: string;
  length: number;
  /** The length as tables show it: `64`, or a length range's `1-40:41-500` (its test score). */
  lengthText: string;
  metric: string;
  /** Mean of the completed seeds' test metric; null when none completed. */
  mean: number | null;
  ci95: [number, number] | null;
  chance: number | null;
  seeds: number;
  completed: number;
  solved: number;
  params: number | null;
}

export function summaryRows(allRecords: readonly ResultRecord[]): SummaryRow[] {
  const records = distinctLabels(allRecords);
  // aggregateCells groups by cellKey in first-seen order, so its groups and these line up one to one.
  const groups = [...groupBy(records, cellKey).values()];
  const rows = aggregateCells(records).map((g, i): SummaryRow => {
    const done = groups[i].flatMap((r) => (r.status === 'completed' ? [r] : []));
    return {
      task: g.task,
      extractor: g.extractor,
      length: g.length,
      lengthText: lengthText(groups[i][0]),
      metric: g.metric ?? '-',
      mean: g.value?.mean ?? null,
      // Every metric is at least 0 and accuracy at most 1: a Student-t interval of few seeds can leave that range, so it is cut to it.
      ci95: g.value?.ci95 ? [Math.max(0, g.value.ci95[0]), g.metric === 'accuracy' ? Math.min(1, g.value.ci95[1]) : g.value.ci95[1]] : null,
      chance: g.chance ?? null,
      seeds: g.seeds.length,
      completed: g.status.completed,
      solved: done.filter(isSolved).length,
      params: groups[i].find((r) => r.extractor.params !== undefined)?.extractor.params ?? null,
    };
  });
  const byText = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return rows.sort((a, b) => byText(a.task, b.task) || a.length - b.length || byText(a.extractor, b.extractor));
}

/** The smallest and largest extractor when parameter counts differ more than 2x (the table's size warning), else undefined. */
export function sizeSpread(rows: readonly SummaryRow[]): { small: SummaryRow; big: SummaryRow } | undefined {
  const sized = rows.filter((r) => r.params);
  if (!sized.length) return undefined;
  const small = sized.reduce((a, b) => (b.params! < a.params! ? b : a));
  const big = sized.reduce((a, b) => (b.params! > a.params! ? b : a));
  return big.params! > 2 * small.params! ? { small, big } : undefined;
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));

/** The rows as an aligned plain-text table, and a warning line when parameter counts differ more than 2x. */
export function formatSummaryTable(records: readonly ResultRecord[]): string {
  const rows = summaryRows(records);
  if (!rows.length) return '(no results)';
  const head = ['task', 'extractor', 'T', 'metric', 'mean', '95% interval', 'chance', 'seeds', 'solved', 'params'];
  const body = rows.map((r) => [
    r.task,
    r.extractor,
    r.lengthText,
    r.metric,
    r.mean === null ? '-' : fmt(r.mean),
    r.ci95 ? `[${fmt(r.ci95[0])}, ${fmt(r.ci95[1])}]` : '-',
    r.chance === null ? '-' : fmt(r.chance),
    r.completed === r.seeds ? String(r.seeds) : `${r.completed}/${r.seeds} completed`,
    `${r.solved}/${r.seeds}`,
    r.params === null ? '-' : String(r.params),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 2 || i === 3 ? c.padEnd(width[i]) : c.padStart(width[i])))
      .join('  ')
      .trimEnd();
  const lines = [line(head), ...body.map(line)];
  const spread = sizeSpread(rows);
  if (spread) {
    const { big, small } = spread;
    lines.push(
      `warning: parameter counts differ more than 2x (${big.extractor} ${big.params}, ${small.extractor} ${small.params}): a difference in accuracy may be a difference in size; --match-params N sizes every extractor to about N parameters`,
    );
  }
  return lines.join('\n');
}
