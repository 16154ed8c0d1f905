/**
 * results.csv: one row per run with the headline numbers, for spreadsheets and pandas.
 * RFC 4180 quoting (fields with a comma, quote, CR or LF are quoted, quotes doubled; CRLF
 * line ends), and text that a spreadsheet would run as a formula (=, +, -, @ first) gets a
 * leading apostrophe: task names, labels and messages come from plugins and data.
 */
import type { ResultRecord } from '../harness/store/results.js';

type Cell = string | number | boolean | null | undefined;

/** One CSV field. Numbers are written in full precision; null, undefined and non-finite numbers are empty. */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let s = value;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`; // formula injection guard
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvRow = (cells: Cell[]): string => cells.map(csvField).join(',');

/** Columns of results.csv, in order, each with how to read it from a record. */
const COLUMNS: [string, (r: ResultRecord) => Cell][] = [
  ['cell_id', (r) => r.cellId],
  ['suite', (r) => r.suite],
  ['task', (r) => r.task.label],
  ['task_name', (r) => r.task.name],
  ['extractor', (r) => r.extractor.label],
  ['extractor_name', (r) => r.extractor.name],
  ['extractor_options', (r) => JSON.stringify(r.extractor.options)],
  ['params', (r) => r.extractor.params],
  ['state_bytes', (r) => r.extractor.stateBytes],
  ['length', (r) => r.length],
  ['seed', (r) => r.seed],
  ['status', (r) => r.status],
  ['metric', (r) => (r.status === 'completed' ? r.metrics.metric : undefined)],
  ['value', (r) => (r.status === 'completed' ? r.metrics.value : undefined)],
  ['chance', (r) => (r.status === 'completed' ? r.metrics.chance : undefined)],
  ['empirical_chance', (r) => (r.status === 'completed' ? r.metrics.empiricalChance : undefined)],
  ['score', (r) => (r.status === 'completed' ? r.metrics.score : undefined)],
  ['samples', (r) => (r.status === 'completed' ? r.metrics.samples : undefined)],
  ['train_value', (r) => (r.status === 'completed' ? r.metrics.trainValue : undefined)],
  ['steps_to_solve', (r) => (r.status === 'completed' ? r.validation.stepsToSolve : undefined)],
  ['higher_is_better', (r) => (r.status === 'completed' ? r.metrics.higherIsBetter : undefined)],
  ['accuracy', (r) => (r.status === 'completed' ? r.metrics.accuracy : undefined)],
  ['eval_loss', (r) => (r.status === 'completed' ? r.metrics.evalLoss : undefined)],
  ['final_loss', (r) => (r.status === 'completed' ? r.metrics.finalLoss : undefined)],
  ['ms_per_step', (r) => (r.status === 'completed' ? r.metrics.msPerStep : undefined)],
  ['seq_per_s', (r) => (r.status === 'completed' && r.metrics.msPerStep > 0 ? (r.train.batch * 1000) / r.metrics.msPerStep : undefined)],
  ['gflops', (r) => (r.status === 'completed' ? r.cost.gflops : undefined)],
  ['peak_tensor_bytes', (r) => (r.status === 'completed' ? r.cost.peakTensorBytes : undefined)],
  ['steps_to_threshold', (r) => (r.status === 'completed' ? r.stepsToThreshold : undefined)],
  ['grad_slope_init', (r) => (r.status === 'completed' ? r.gradients.slopeInit : undefined)],
  ['grad_slope_trained', (r) => (r.status === 'completed' ? r.gradients.slopeTrained : undefined)],
  ['exploding', (r) => (r.status === 'completed' ? r.gradients.exploding : undefined)],
  ['vanishing', (r) => (r.status === 'completed' ? r.gradients.vanishing : undefined)],
  ['value_at_2x', (r) => lengthValue(r, 2)],
  ['value_at_4x', (r) => lengthValue(r, 4)],
  ['diverged_at_step', (r) => (r.status === 'diverged' ? r.divergedAtStep : undefined)],
  ['message', (r) => (r.status === 'completed' ? undefined : r.message)],
  ['steps', (r) => r.train.steps],
  ['batch', (r) => r.train.batch],
  ['lr', (r) => r.train.lr],
  ['warmup', (r) => r.train.warmup],
  ['schedule', (r) => r.train.schedule],
  ['tuned', (r) => (r.tuning ? JSON.stringify(r.tuning.chosen) : undefined)],
  ['wall_ms', (r) => r.wallMs],
  ['started_at', (r) => r.startedAt],
];

/** The metric at `factor` times the training length: a number, "n/a" when not applicable, empty when not evaluated. */
function lengthValue(r: ResultRecord, factor: number): Cell {
  if (r.status !== 'completed') return undefined;
  const e = r.lengths.find((l) => l.factor === factor);
  if (!e) return undefined;
  return e.status === 'not-applicable' ? 'n/a' : e.value;
}

export const CSV_COLUMNS = COLUMNS.map(([name]) => name);

/** The whole CSV: a header row, then one row per record; CRLF line ends as RFC 4180. */
export function resultsCsv(records: readonly ResultRecord[]): string {
  const lines = [csvRow(CSV_COLUMNS), ...records.map((r) => csvRow(COLUMNS.map(([, get]) => get(r))))];
  return lines.join('\r\n') + '\r\n';
}
