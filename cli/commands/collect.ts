/**
 * `fxbench collect <run folder>`: what a submitted run's merge job does. Merges the shards'
 * results into merged.jsonl, writes the report (an audit decides its claims first), and
 * names exactly which cells are missing (errored, or never run), exiting 1 if any is.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { finishAudit, formatVerdicts, prepareAudit } from '../../audit/session.js';
import { cellsOfRun, MERGED_FILE, readManifest, REPORT_DIR, shardFile, type RunManifest } from '../cluster/runFolder.js';
import { formatMissing, formatStatus, runStatus } from '../cluster/status.js';
import { loadPlugins } from '../../harness/plugins/load.js';
import { mergeResults, readForReport, writeResultsAtomic } from '../../harness/store/files.js';
import { defineCommand } from './types.js';

/** Load the run's plugins, bar those already loaded with --plugin. */
export async function loadRunPlugins(m: RunManifest, given: string[] = []): Promise<void> {
  const resolved = new Set(given.map((p) => path.resolve(p)));
  await loadPlugins(m.plugins.filter((p) => !given.includes(p) && !resolved.has(path.resolve(p))));
}

export const collect = defineCommand({
  command: 'collect <run>',
  describe: "merge a submitted run's shards, write its report and name the cells still missing (its merge job runs this)",
  builder: (y) => y.positional('run', { type: 'string', demandOption: true, describe: 'the run folder fxbench submit printed' }),
  handler: async (a) => {
    const dir = a.run as string;
    const m = readManifest(dir);
    await loadRunPlugins(m, a.plugin as string[] | undefined);
    const warn = (msg: string) => process.stderr.write(`warning: ${msg}\n`);
    const status = runStatus(dir, m, cellsOfRun(dir, m));
    process.stderr.write(formatStatus(status) + '\n');
    const files = Array.from({ length: m.shards }, (_, i) => path.join(dir, shardFile(i))).filter((f) => existsSync(f));
    if (!files.length) throw new UsageError(`no shard has written results yet in ${path.join(dir, 'results')}: the jobs have not run (fxbench status ${dir})`);
    const merged = path.join(dir, MERGED_FILE);
    writeResultsAtomic(merged, mergeResults(files, warn).records);
    const reportDir = path.join(dir, REPORT_DIR);
    const { writeReport } = await import('../../reports/render.js');
    let html: string;
    if (m.work.kind === 'audit') {
      const { profile, claims } = prepareAudit(m.work.profile, m.work.claims, m.work.seedBlock);
      const { audit, records } = await finishAudit(profile, claims, merged, warn, (msg) => process.stderr.write(msg + '\n'));
      process.stdout.write(formatVerdicts(audit) + '\n');
      html = await writeReport(records, reportDir, audit);
    } else {
      html = await writeReport(readForReport([merged], warn), reportDir);
    }
    process.stdout.write(`merged: ${merged}\nreport: ${html}\n`);
    process.stdout.write(formatMissing(status.missing, status.cells) + '\n');
    if (status.missing.length) process.exitCode = 1;
  },
});
