/** `fxbench merge <results..> --out FILE`: combine the results files of one suite (e.g. its shards). */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { ResultRecord } from '../../harness/store/results.js';
import { mergeResults, writeResultsAtomic } from '../../harness/store/files.js';
import { defineCommand } from './types.js';

export const merge = defineCommand({
  command: 'merge <results..>',
  describe: 'combine the results files of one suite (e.g. the shards of a --shard run) into one',
  builder: (y) =>
    y
      .positional('results', { type: 'string', array: true, describe: 'results files (JSONL)', demandOption: true })
      .option('out', { type: 'string', demandOption: true, requiresArg: true, describe: 'merged results file (JSONL); must not exist yet' }),
  handler: (a) => {
    const files = a.results as string[];
    for (const f of files) if (!existsSync(f)) throw new UsageError(`results file ${f} does not exist: check the path`);
    const twice = files.find((f, i) => files.findIndex((g) => path.resolve(g) === path.resolve(f)) !== i);
    if (twice) throw new UsageError(`results file ${twice} is given twice: list each file once`);
    if (existsSync(a.out)) throw new UsageError(`--out ${a.out} already exists: merge writes a new file; delete it or choose another name`);
    const merged = mergeResults(files, (m) => process.stderr.write(`warning: ${m}\n`));
    mkdirSync(path.dirname(a.out), { recursive: true });
    writeResultsAtomic(a.out, merged.records);
    const count = (s: string) => merged.records.filter((r) => r.status === s).length;
    process.stderr.write(
      `merged ${merged.records.length} cells of ${suiteNames(merged.records)} from ${files.length} files (${count('completed')} completed, ${count('diverged')} diverged, ${count('errored')} errored` +
        `${merged.superseded ? `; ${merged.superseded} errored records superseded by retries` : ''}) -> ${a.out}\n`,
    );
  },
});

/** `suite "x"`, or `suites "a", "b" and 3 more` (an audit spans one suite per experiment). */
function suiteNames(records: ResultRecord[]): string {
  const names = [...new Set(records.map((r) => r.suite))];
  if (names.length === 1) return `suite "${names[0]}"`;
  const shown = names
    .slice(0, 3)
    .map((n) => `"${n}"`)
    .join(', ');
  return `${names.length} suites (${shown}${names.length > 3 ? `, and ${names.length - 3} more` : ''})`;
}
