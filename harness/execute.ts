/**
 * Runs a suite's cells in order, appending each finished record to the results file
 * (fsynced) so an interrupted run keeps everything it finished.
 */
import { initBackend } from './backend.js';
import type { Progress } from './progress.js';
import { appendResult, type ResultRecord } from './results.js';
import { runCell } from './runner.js';
import type { Cell } from './suite.js';

export interface ExecuteOptions {
  out: string;
  progress: Progress;
}

export async function executeCells(cells: Cell[], opts: ExecuteOptions): Promise<ResultRecord[]> {
  const records: ResultRecord[] = [];
  if (cells.length === 0) return records;
  await initBackend(cells[0].train.backend);
  const warned = new Set<string>();
  for (const [i, cell] of cells.entries()) {
    opts.progress.cellStart(i + 1, cells.length, cell.id);
    const record = await runCell(cell, {
      onStep: (step, steps, loss) => opts.progress.step(step, steps, loss),
      warn: (m) => {
        if (!warned.has(m)) opts.progress.log(`warning: ${m}`);
        warned.add(m);
      },
    });
    appendResult(opts.out, record);
    records.push(record);
    opts.progress.cellEnd(summarize(record));
  }
  opts.progress.stop();
  return records;
}

export function summarize(r: ResultRecord): string {
  const secs = `${(r.wallMs / 1000).toFixed(1)}s`;
  if (r.status === 'errored') return `errored: ${r.message} (${secs})`;
  if (r.status === 'diverged') return `diverged at step ${r.divergedAtStep} (${secs})`;
  const m = r.metrics;
  const fmt = (x: number) => (m.metric === 'accuracy' ? x.toFixed(3) : x.toPrecision(3));
  return `${m.metric} ${fmt(m.value)} (chance ${fmt(m.chance)}), ${m.msPerStep.toFixed(1)} ms/step, ${secs}`;
}
