/**
 * `fxbench submit slurm|k8s <suite.json | --audit PROFILE> --shards N`: run a suite or an
 * audit on a cluster. Writes a run folder (../cluster/runFolder.ts) with the scheduler's
 * scripts or manifests; Slurm's are submitted with sbatch (unless --dry-run), Kubernetes'
 * are output only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { PROFILES } from '../../audit/experiments/index.js';
import { K8S_FILES, writeK8sManifests } from '../cluster/k8s.js';
import { createRunFolder, planWork, REPORT_DIR, SUITE_FILE, type RunManifest } from '../cluster/runFolder.js';
import { SLURM_FILES, submitSlurm, writeSlurmScripts } from '../cluster/slurm.js';
import { typedValue } from './flags.js';
import { defineCommand } from './types.js';

interface SubmitArgs {
  suite?: string;
  audit?: string;
  claim?: string[];
  seedBlock?: number;
  shards: number;
  dir?: string;
  'dry-run'?: boolean;
  plugin?: string[];
}

function submitFlags(y: Argv): Argv<SubmitArgs> {
  return y
    .positional('suite', { type: 'string', describe: 'suite file (JSON) to run' })
    .option('audit', {
      type: 'string',
      requiresArg: true,
      choices: Object.keys(PROFILES),
      describe: "run the article's audit at this profile instead of a suite",
    })
    .option('claim', { type: 'string', requiresArg: true, describe: 'with --audit: only this claim (repeatable)' })
    .coerce('claim', (v: string | string[]) => [v].flat())
    .option('seed-block', {
      type: 'number',
      requiresArg: true,
      describe: 'with --audit at a confirmatory profile: the seed block (default 1000; 2000 replicates)',
    })
    .option('shards', { type: 'number', demandOption: true, requiresArg: true, describe: 'number of shards (array tasks / pods); each runs every N-th cell' })
    .option('dir', { type: 'string', requiresArg: true, describe: 'run folder to create (default runs/<name>-<time>)' })
    .option('dry-run', { type: 'boolean', describe: 'write the run folder and print the scripts, submit nothing' }) as Argv<SubmitArgs>;
}

function positiveInt(v: unknown, flag: string, argv: string[], example: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new UsageError(`--${flag} ${typedValue(argv, flag) ?? String(v)}: expected a positive integer, e.g. --${flag} ${example}`);
  return v;
}

/** Validate the work and the shard count, then create the run folder. */
function prepare(a: SubmitArgs, argv: string[], scheduler: RunManifest['scheduler'], plugins: string[]) {
  const shards = positiveInt(a.shards, 'shards', argv, '4')!;
  const planned = planWork(a);
  if (!planned.cells.length) throw new UsageError('this run has no cells: nothing to submit');
  if (shards > planned.cells.length)
    throw new UsageError(`--shards ${shards} is more than the run's ${planned.cells.length} cells: give at most --shards ${planned.cells.length}`);
  return createRunFolder(planned, { dir: a.dir, scheduler, shards, plugins });
}

const print = (line: string) => process.stdout.write(line + '\n');

function printFiles(dir: string, files: string[]): void {
  for (const f of files) print(`==> ${path.join(dir, f)} <==\n${readFileSync(path.join(dir, f), 'utf8').trimEnd()}\n`);
}

const slurm = {
  command: 'slurm [suite]',
  describe: 'a Slurm job array, one task per shard (--requeue, --resume), and a merge job that writes the report',
  builder: (y: Argv) =>
    submitFlags(y)
      .option('partition', { type: 'string', requiresArg: true, describe: 'Slurm partition (sbatch --partition)' })
      .option('time', { type: 'string', requiresArg: true, describe: 'time limit per task, e.g. 2:00:00 (sbatch --time)' })
      .option('cpus-per-task', { type: 'number', requiresArg: true, describe: 'CPUs per task, also its worker threads (default 1)' })
      .option('mem', { type: 'string', requiresArg: true, describe: 'memory per task, e.g. 4G (sbatch --mem)' }),
  handler: (a: SubmitArgs & { partition?: string; time?: string; 'cpus-per-task'?: number; mem?: string }, argv: string[]) => {
    const cpusPerTask = positiveInt(a['cpus-per-task'], 'cpus-per-task', argv, '2');
    // Jobs load plugins by absolute path: they start in another directory.
    const plugins = (a.plugin ?? []).map((p) => (p.startsWith('.') || p.startsWith('/') || /\.(m?js|ts)$/.test(p) ? path.resolve(p) : p));
    const { dir, manifest } = prepare(a, argv, 'slurm', plugins);
    writeSlurmScripts(dir, manifest, { partition: a.partition, time: a.time, cpusPerTask, mem: a.mem });
    if (a['dry-run']) {
      printFiles(dir, [SLURM_FILES.array, SLURM_FILES.merge]);
      print(`run folder: ${dir}`);
      print(`dry run: nothing submitted; submit with: sh ${path.join(dir, SLURM_FILES.submit)}`);
      return;
    }
    print(`run folder: ${dir}`);
    const jobs = submitSlurm(dir, manifest);
    print(
      `array job ${jobs.array}: ${manifest.shards} shards of ${manifest.cells} cells (${path.join(dir, SLURM_FILES.array)}; logs in ${path.join(dir, 'logs')})`,
    );
    print(`merge job ${jobs.merge}: after every shard succeeds (${path.join(dir, SLURM_FILES.merge)})`);
    print(`status: fxbench status ${dir}`);
    print(`report: ${path.join(dir, REPORT_DIR, 'index.html')} (when job ${jobs.merge} has run)`);
  },
};

const k8s = {
  command: 'k8s [suite]',
  describe: 'Kubernetes manifests (output only): an Indexed Job, one pod per shard (--resume), results on a PersistentVolumeClaim, and a merge Job',
  builder: (y: Argv) =>
    submitFlags(y)
      .option('image', { type: 'string', requiresArg: true, describe: 'container image with fxbench installed (on PATH as fxbench)' })
      .option('pvc', { type: 'string', requiresArg: true, default: 'fxbench-results', describe: 'PersistentVolumeClaim for the results (ReadWriteMany)' })
      .option('namespace', { type: 'string', requiresArg: true, describe: 'Kubernetes namespace' })
      .option('cpus', { type: 'number', requiresArg: true, default: 1, describe: 'CPUs requested per pod, also its worker threads' })
      .option('memory', { type: 'string', requiresArg: true, describe: 'memory per pod, e.g. 4Gi (request and limit)' })
      .option('parallelism', { type: 'number', requiresArg: true, describe: 'pods running at once (default: every shard)' }),
  handler: (a: SubmitArgs & { image?: string; pvc: string; namespace?: string; cpus: number; memory?: string; parallelism?: number }, argv: string[]) => {
    if (!a['dry-run'])
      throw new UsageError(
        'fxbench submit k8s writes manifests only (no cluster is driven from here): add --dry-run, then apply them with the submit.sh it writes',
      );
    if (!a.image)
      throw new UsageError('--image is needed: the container image the pods run, with fxbench installed (e.g. --image registry.example.com/fxbench:0.1.0)');
    const cpus = positiveInt(a.cpus, 'cpus', argv, '2')!;
    const parallelism = positiveInt(a.parallelism, 'parallelism', argv, '4');
    // Pods see plugins as given: package names installed in the image, or paths inside it.
    const { dir, manifest } = prepare(a, argv, 'k8s', a.plugin ?? []);
    const suiteText = manifest.work.kind === 'suite' ? readFileSync(path.join(dir, SUITE_FILE), 'utf8') : undefined;
    const { names } = writeK8sManifests(dir, manifest, { image: a.image, pvc: a.pvc, namespace: a.namespace, cpus, memory: a.memory, parallelism }, suiteText);
    printFiles(dir, [K8S_FILES.submit]);
    print(`run folder: ${dir} (${K8S_FILES.job}: ConfigMap ${names.configMap} and Indexed Job ${names.job}; ${K8S_FILES.merge}: Job ${names.merge})`);
    print(`results and report: /results/${manifest.name}/ on PersistentVolumeClaim ${a.pvc}`);
    print(`apply with: sh ${path.join(dir, K8S_FILES.submit)}`);
  },
};

export const submit = defineCommand({
  command: 'submit',
  describe: 'run a suite or the audit on a cluster: a Slurm job array (submitted) or Kubernetes manifests, with a merge job that writes the report',
  builder: (y) =>
    y
      .command(slurm.command, slurm.describe, slurm.builder, (a) => slurm.handler(a as never, process.argv.slice(2)))
      .command(k8s.command, k8s.describe, k8s.builder, (a) => k8s.handler(a as never, process.argv.slice(2)))
      .demandCommand(1, 'give a scheduler: fxbench submit slurm ... or fxbench submit k8s ...'),
  handler: () => {},
});
