/** `fxbench audit`: the article's claims put to experiments (the logic is in ../audit/). */
import { defaultAuditOut, finishAudit, formatVerdicts, listClaims, prepareAudit } from '../../audit/session.js';
import { runControlled, type RunControlArgs } from './controls.js';
import { KERNEL_FLAGS, SCHEDULER_FLAGS } from './runFlags.js';
import { runCells } from '../../harness/run/runSuite.js';
import { defineCommand } from './types.js';
import { PROFILES } from '../../audit/experiments/profiles.js';
import { PARALLEL_FLAGS } from '../../harness/run/parallelism.js';

export const audit = defineCommand({
  command: 'audit',
  describe: "put each of the article's claims to an experiment and give a verdict (npm start runs --profile quick)",
  builder: (y) =>
    y
      .option('profile', {
        type: 'string',
        default: 'quick',
        choices: Object.keys(PROFILES),
        describe:
          'sizes: smoke (seconds, untrained: a pipeline check), quick (2-4 seeds, ~2 minutes on 2 cores; indicative), standard (5-10 seeds, confirmatory; hours on 2 cores, or a cluster), full (20 seeds; a cluster, shard it)',
      })
      .option('claim', { type: 'string', describe: 'run only this claim (repeatable); see --list' })
      .option('seed-block', {
        type: 'number',
        describe: 'confirmatory profiles: run on the seed block from this whole thousand (default 1000; e.g. 2000 replicates on seeds no earlier run used)',
      })
      .coerce('claim', (v: string | string[]) => [v].flat())
      .option('list', { type: 'boolean', describe: 'print the claims with their experiments and decision rules' })
      .option('out', { type: 'string', describe: 'results file (JSONL); default results/audit-<profile>-<time>.jsonl' })
      .option('report', { type: 'string', describe: 'report folder; default beside the results' })
      .options(PARALLEL_FLAGS)
      .options(KERNEL_FLAGS)
      .option('resume', { type: 'boolean', describe: 'continue the audit whose results are in --out (also: decide a merged set of shards)' })
      .options(SCHEDULER_FLAGS)
      .option('quiet', { type: 'boolean', describe: 'no progress output' }),
  handler: async (a, { argv }) => {
    if (a.list) {
      process.stdout.write(listClaims() + '\n');
      return;
    }
    const { profile, claims, cells, plan, unregistered } = prepareAudit(a.profile, a.claim, a.seedBlock);
    if (unregistered && profile.confirmatory)
      process.stderr.write(`fxbench: warning: no registration commit (${unregistered}): this run's verdicts will be exploratory\n`);
    const shape = `profile ${profile.name}, ${claims.length} claims`;
    const { out, stopped, progress } = await runControlled(a as RunControlArgs, argv, defaultAuditOut(profile.name), (options) =>
      runCells(cells, plan, options, shape),
    );
    if (stopped) return;
    if (a.shard !== undefined) {
      progress.log(
        `shard finished: ${out}. When every shard is done: fxbench merge <shard files> --out merged.jsonl, then fxbench audit --profile ${profile.name} --resume --out merged.jsonl decides the claims and writes the report.`,
      );
      return;
    }
    const { audit, records } = await finishAudit(
      profile,
      claims,
      out,
      (m) => progress.log(`warning: ${m}`),
      (m) => progress.log(m),
    );
    process.stdout.write(formatVerdicts(audit) + '\n');
    const { writeReport } = await import('../../reports/render.js');
    const html = await writeReport(records, a.report ?? out.replace(/\.jsonl$/, '-report'), audit);
    process.stdout.write(`report: ${html}\n`);
  },
});
