/** `fxbench run [suite]`: train and evaluate every cell of a suite file and/or flags. */
import { readForReport } from '../../harness/store/files.js';
import { loadSuiteFile, parseSuite, type SuiteInput, type SuiteOrigin } from '../../harness/suite/suite.js';
import { runSuite } from '../../harness/run/runSuite.js';
import { formatSummaryTable } from '../../reports/summaryTable.js';
import { defaultOut, runControlled, type RunControlArgs } from './controls.js';
import { runFlags, suiteFromArgs } from './runFlags.js';
import { defineCommand } from './types.js';

export const run = defineCommand({
  command: 'run [suite]',
  describe: 'train and evaluate every cell of a suite (a JSON suite file, or flags)',
  builder: (y) => runFlags(y).positional('suite', { type: 'string', describe: 'suite file (JSON); flags override its fields' }),
  handler: async (a, { argv }) => {
    const base = a.suite ? loadSuiteFile(a.suite) : undefined;
    const { input, origin } = suiteFromArgs(a, base, argv);
    await runAndReport(input, a, a.report, origin, argv);
  },
});

/** Validate the suite, run its cells, and write the report when asked (shared with `quick`). */
export async function runAndReport(input: SuiteInput, a: RunControlArgs, reportDir: string | undefined, origin: SuiteOrigin, argv: string[]): Promise<void> {
  // 1. Validate everything before any work.
  const suite = parseSuite(input, 'suite', origin);
  const { records, out, stopped, progress } = await runControlled(a, argv, defaultOut(suite.name), (options) => runSuite(suite, options, origin));
  if (stopped) return;
  const failed = records.filter((r) => r.status !== 'completed').length;
  const warn = (m: string) => progress.log(`warning: ${m}`);
  const all = readForReport([out], warn);
  // The numbers first: mean and interval per (task, extractor, length), over every record of the file (a resumed run included).
  process.stdout.write(formatSummaryTable(all) + '\n');
  progress.log(`results: ${out}${failed ? ` (${failed} cells did not complete)` : ''}`);
  if (reportDir) {
    // The report renderer (Vega) is loaded only when a report is written: the other commands start faster.
    const { writeReport } = await import('../../reports/render.js');
    const html = await writeReport(all, reportDir);
    process.stdout.write(`report: ${html}\n`);
  }
}
