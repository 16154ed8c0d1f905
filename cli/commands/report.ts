/** `fxbench report <results..> [--out DIR]`: render results files as an HTML report (default: beside the first file, `<name>-report/`). */
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
      .option('out', { type: 'string', describe: 'output folder for index.html; default beside the first results file: <name>-report/' }),
  handler: async (a) => {
    const files = a.results as string[];
    for (const f of files) if (!existsSync(f)) throw new UsageError(`results file ${f} does not exist: check the path (runs write to results/)`);
    const records = readForReport(files, (m) => process.stderr.write(`warning: ${m}\n`));
    if (!records.length) throw new UsageError(`no results records in ${files.join(', ')}: run \`fxbench run\` first`);
    const { writeReport } = await import('../../reports/render.js');
    const html = await writeReport(records, a.out ?? files[0].replace(/\.jsonl$/, '') + '-report');
    process.stdout.write(`report: ${html}\n`);
  },
});
