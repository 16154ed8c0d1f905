/**
 * `fxbench reproduce ID [--profile quick|full]`: run a published paper's experiment as its
 * committed recipe describes it (../../reproduce/), then put each of the paper's numbers beside
 * ours with the verdict its criterion gives. `--list` names the recipes. The run goes through
 * the same pipeline, controls and resume as `run` (./controls.ts, ../../harness/run/runSuite.ts).
 */
import { UsageError } from '../../core/errors.js';
import { runCells } from '../../harness/run/runSuite.js';
import { readForReport } from '../../harness/store/files.js';
import { formatSummaryTable } from '../../reports/summaryTable.js';
import { compareRecipe } from '../../reproduce/compare.js';
import { listRecipes, loadRecipe } from '../../reproduce/load.js';
import { profileName, reproductionPlan } from '../../reproduce/plan.js';
import { defaultReproductionDir, formatComparison, reproductionFiles, writeComparison } from '../../reproduce/session.js';
import { PARALLEL_FLAGS } from '../../harness/run/parallelism.js';
import { runControlled, type RunControlArgs } from './controls.js';
import { KERNEL_FLAGS, SCHEDULER_FLAGS } from './runFlags.js';
import { defineCommand } from './types.js';

export const reproduce = defineCommand({
  command: 'reproduce [id]',
  describe: "run a published paper's experiment from its recipe and put the paper's numbers beside ours, each with a verdict (--list names the recipes)",
  builder: (y) =>
    y
      .positional('id', { type: 'string', describe: 'the recipe (see --list)' })
      .option('list', { type: 'boolean', describe: 'name the recipes: id, paper and what is reproduced' })
      .option('profile', {
        type: 'string',
        default: 'quick',
        describe: "quick: minutes on 2 cores, verdicts indicative; full: the paper's experiment, scaled where 2 cores force it (the recipe says how; hours)",
      })
      .option('out', {
        type: 'string',
        describe:
          'output folder: results.jsonl, comparison.json and report/ (or its results.jsonl, as the resume line names it); default results/reproduce-<id>-<profile>-<time>/',
      })
      .option('resume', { type: 'boolean', describe: 'continue the reproduction whose results are in --out: finished cells are kept, not rerun' })
      .options(PARALLEL_FLAGS)
      .options(KERNEL_FLAGS)
      .options(SCHEDULER_FLAGS)
      .option('quiet', { type: 'boolean', describe: 'no progress output' }),
  handler: async (a, { argv }) => {
    if (a.list) {
      process.stdout.write(`${listRecipes()}\n`);
      return;
    }
    if (!a.id) throw new UsageError('give a recipe id, e.g. fxbench reproduce tallec2018 --profile quick (fxbench reproduce --list names them)');
    if (a.resume && !a.out) throw new UsageError('--resume needs --out DIR: the folder (or its results.jsonl) of the reproduction to continue');
    // 1. Validate everything before any work: the profile, the recipe, its suites against the registered tasks.
    const profile = profileName(a.profile);
    const recipe = loadRecipe(a.id);
    const { cells, plan, shape } = reproductionPlan(recipe, profile);
    const files = reproductionFiles(a.out ?? defaultReproductionDir(recipe.id, profile));
    // 2-6. The run pipeline, resumable like `run`.
    const { out, stopped, progress } = await runControlled({ ...(a as RunControlArgs), out: a.out && files.records }, argv, files.records, (options) =>
      runCells(cells, plan, options, `recipe ${recipe.id}, ${profile} profile: ${shape}`),
    );
    if (stopped) return;
    if (a.shard !== undefined) {
      progress.log(
        `shard finished: ${out}. When every shard is done: fxbench merge <shard files> --out DIR/results.jsonl, then fxbench reproduce ${recipe.id} --profile ${profile} --resume --out DIR compares and writes the report.`,
      );
      return;
    }
    // 7. Compare every number of the paper with the records, write the comparison and the report.
    const records = readForReport([out], (m) => progress.log(`warning: ${m}`));
    const comparison = compareRecipe(recipe, profile, records);
    writeComparison(files.comparison, comparison);
    const { writeReport } = await import('../../reports/render.js');
    const html = await writeReport(records, files.report, undefined, { recipe, comparison });
    // The numbers per cell, then the paper beside them (the table the report opens with).
    process.stdout.write(`${formatSummaryTable(records)}\n\n${formatComparison(comparison)}\n`);
    progress.log(`results: ${out}; comparison: ${files.comparison}`);
    process.stdout.write(`report: ${html}\n`);
  },
});
