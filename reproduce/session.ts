/**
 * `fxbench reproduce`: where a run's files go, the comparison written beside its records, and
 * the paper-vs-fxbench table as the terminal prints it. The command itself is
 * ../cli/commands/reproduce.ts; the verdicts are ./compare.ts.
 *
 * Files of a run, in its folder (`--out DIR`, or the folder of `--out DIR/results.jsonl`):
 *   results.jsonl      the records (resumable as any run's)
 *   comparison.json    every number, ours, the criterion and the verdict
 *   report/index.html  the report, opening with "Paper vs fxbench"
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Comparison, countsText } from './compare.js';
import { paperShort } from './load.js';
import type { RecipeProfileName } from './recipe.js';

export interface ReproductionFiles {
  dir: string;
  records: string;
  comparison: string;
  report: string;
}

/** The files of a run: `out` is a folder, or the results file (.jsonl) inside one, as the resume line names it. */
export function reproductionFiles(out: string): ReproductionFiles {
  const records = out.endsWith('.jsonl') ? out : path.join(out, 'results.jsonl');
  const dir = path.dirname(records);
  return { dir, records, comparison: path.join(dir, 'comparison.json'), report: path.join(dir, 'report') };
}

/** results/reproduce-<id>-<profile>-<time>/ */
export function defaultReproductionDir(id: string, profile: RecipeProfileName): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d+Z$/, 'Z');
  return path.join('results', `reproduce-${id}-${profile}-${stamp}`);
}

export function writeComparison(file: string, comparison: Comparison): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(comparison, null, 2)}\n`);
}

/**
 * The comparison as the terminal prints it: per number, its verdict and id, then the paper's
 * value (and source), ours, the criterion and why, indented under it: the same rows as the
 * report's table.
 */
export function formatComparison(c: Comparison): string {
  const w = Math.max(...c.rows.map((r) => r.verdict.length));
  const pad = ' '.repeat(w + 2);
  const rows = c.rows.map((r) =>
    [
      `${r.verdict.padEnd(w)}  ${r.id}: ${r.what}`,
      `${pad}paper: ${r.paper} (${r.source})`,
      `${pad}ours: ${r.ours}`,
      `${pad}criterion: ${r.criterion}`,
      `${pad}why: ${r.why}`,
    ].join('\n'),
  );
  const title = `Paper vs fxbench: ${c.recipe} (${paperShort(c.paper)}, "${c.paper.title}"), ${c.profile} profile`;
  const note = c.indicative
    ? `(${c.profile} profile: few seeds and small budgets, so these verdicts are indicative; run --profile full for the recipe's comparison)`
    : '';
  return [title, ...rows, countsText(c), note].filter(Boolean).join('\n');
}
