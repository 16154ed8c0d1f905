/** `fxbench report <results..> --out DIR`: render results files as an HTML report. */
import { existsSync } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import { readForReport } from '../../harness/store/files.js';
import { defineCommand } from './types.js';

export const report = defineCommand({
  command: 'report <results..>',
  describe: 'render results (JSONL files) as an HTML report',
  builder: (y) =>
    y
      .positional('results', { type: 'string', array: true, describe: 'results files', demandOption: true })
      .option('out', { type: 'string', demandOption: true, describe: 'output folder for index.html' }),
  handler: async (a) => {
    const files = a.results as string[];
    for (const f of files) if (!existsSync(f)) throw new UsageError(`results file ${f} does not exist: check the path (runs write to results/)`);
    const records = readForReport(files, (m) => process.stderr.write(`warning: ${m}\n`));
    if (!records.length) throw new UsageError(`no results records in ${files.join(', ')}: run \`fxbench run\` first`);
    const { writeReport } = await import('../../reports/render.js');
    const html = await writeReport(records, a.out);
    process.stdout.write(`report: ${html}\n`);
  },
});
