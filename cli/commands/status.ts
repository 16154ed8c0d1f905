/** `fxbench status <run folder>`: cells done, errored and remaining per shard of a submitted run, from its results files. */
import { cellsOfRun, readManifest } from '../cluster/runFolder.js';
import { formatMissing, formatStatus, runStatus } from '../cluster/status.js';
import { loadRunPlugins } from './collect.js';
import { defineCommand } from './types.js';

export const status = defineCommand({
  command: 'status <run>',
  describe: 'cells done, errored and remaining per shard of a submitted run (works while it runs)',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'the run folder fxbench submit printed' })
      .option('list', { type: 'boolean', describe: 'also list every cell not done, with why' }),
  handler: async (a) => {
    const dir = a.run as string;
    const m = readManifest(dir);
    await loadRunPlugins(m, a.plugin as string[] | undefined);
    const s = runStatus(dir, m, cellsOfRun(dir, m));
    process.stdout.write(formatStatus(s) + '\n');
    const errored = s.missing.filter((c) => c.state === 'errored');
    if (a.list) process.stdout.write(formatMissing(s.missing, s.cells) + '\n');
    else if (errored.length) process.stdout.write(formatMissing(errored, s.cells).replace(/^missing (\d+)/, 'errored $1') + '\n');
  },
});
