/**
 * Slurm: a job array with one task per shard and a merge job that runs once every shard
 * has succeeded. The scripts are written into the run folder (./runFolder.ts), so what
 * ran can be read and resubmitted by hand (`sh submit.sh`).
 *
 * - Array tasks are `--requeue`able and always run with `--resume` and `--shard auto`: a
 *   task killed or requeued continues its own results file, with nothing lost or doubled
 *   (the lock on the file keeps a requeued task from racing its predecessor).
 * - A task whose fxbench is killed by a signal (SIGKILL, the OOM killer, a crash; not the
 *   SIGTERM of scancel or a time limit, which fxbench answers by stopping cleanly) requeues
 *   itself with `scontrol requeue`, up to MAX_RESTARTS times. It must do so before it
 *   ends: once a task has ended FAILED, Slurm (22.05) may judge the merge job's `afterok`
 *   unsatisfiable at its next scheduling pass, and a later requeue does not revive it.
 * - The merge job depends `afterok` on each task by id (`afterok:A_0:A_1:...`), not on the
 *   array (`afterok:A`): Slurm keeps an array's highest exit code across requeues, so after
 *   a requeued task succeeds, `afterok:A` could still never be satisfied.
 * - The merge job runs `fxbench collect`: it merges the shards, writes the report and
 *   names every cell that is missing (errored, or never run), failing if any is.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { packageRoot } from '../../core/paths.js';
import { shellQuote } from '../commands/flags.js';
import { collectArgs, LOGS_DIR, REPORT_DIR, shardArgs, shardFile, SUITE_FILE, writeManifest, type RunManifest } from './runFolder.js';

export interface SlurmOptions {
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  mem?: string;
}

/** Self-requeues of a task killed by a signal before it gives up (and fails). */
export const MAX_RESTARTS = 3;

export const SLURM_FILES = { array: 'array.sh', merge: 'merge.sh', submit: 'submit.sh' } as const;

/** A word for bash: single-quoted, or double-quoted when it holds a variable the shell must expand. */
const word = (s: string, expand: boolean) => (expand ? `"${s.replace(/["\\`]/g, '\\$&')}"` : shellQuote(s));

/** The command that runs fxbench with these arguments, with this node and this checkout (the cluster shares the filesystem). */
function fxbenchLine(args: string[], expand: Set<string> = new Set(), exec = true): string {
  const bin = path.join(packageRoot(), 'bin', 'fxbench.js');
  return [...(exec ? ['exec'] : []), shellQuote(process.execPath), shellQuote(bin), ...args.map((a) => word(a, expand.has(a)))].join(' ');
}

function directives(o: SlurmOptions, withCpus: boolean): string[] {
  return [
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ...(withCpus && o.cpusPerTask ? [`#SBATCH --cpus-per-task=${o.cpusPerTask}`] : []),
    ...(o.mem ? [`#SBATCH --mem=${o.mem}`] : []),
  ];
}

export function slurmScripts(dir: string, m: RunManifest, o: SlurmOptions): Record<keyof typeof SLURM_FILES, string> {
  if (/\s/.test(dir))
    throw new UsageError(`run folder ${JSON.stringify(dir)} has whitespace in its path, which #SBATCH --output cannot hold: choose a --dir without spaces`);
  const out = `$RUN/${shardFile('$SLURM_ARRAY_TASK_ID')}`;
  const suite = `$RUN/${SUITE_FILE}`;
  const workers = '${SLURM_CPUS_PER_TASK:-1}';
  const array = [
    '#!/bin/bash',
    `# fxbench run ${m.name}: one array task per shard (${m.shards} shards of ${m.cells} cells). Written by fxbench submit slurm; submit with submit.sh.`,
    `#SBATCH --job-name=fxbench-${m.name}`,
    `#SBATCH --array=0-${m.shards - 1}`,
    '#SBATCH --requeue',
    '#SBATCH --open-mode=append',
    `#SBATCH --output=${dir}/${LOGS_DIR}/shard-%a.log`,
    ...directives(o, true),
    'set -uo pipefail',
    `RUN=${shellQuote(dir)}`,
    'task="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"',
    'restart="${SLURM_RESTART_COUNT:-0}"',
    'echo "fxbench: shard $SLURM_ARRAY_TASK_ID, job $task, restart $restart, on $(hostname), $(date -Is)"',
    // --resume always: a requeued or restarted task continues its own results file.
    `${fxbenchLine(shardArgs(m, { suite, out, workers }), new Set([out, suite, workers]), false)} &`,
    'child=$!',
    '# scancel and time limits send SIGTERM: fxbench stops after the current training step, saving every finished cell.',
    "trap 'kill -TERM $child 2>/dev/null' TERM INT",
    'wait $child; status=$?',
    'while kill -0 $child 2>/dev/null; do wait $child; status=$?; done',
    '# Killed by a signal other than SIGTERM/SIGINT (status 128+N): requeue now, while this task still runs,',
    "# so the merge job's afterok stays satisfiable; the requeued task resumes its results file.",
    `if [ "$status" -gt 128 ] && [ "$status" -ne 143 ] && [ "$status" -ne 130 ] && [ "$restart" -lt ${MAX_RESTARTS} ]; then`,
    `  echo "fxbench: shard $SLURM_ARRAY_TASK_ID killed by signal $((status - 128)); requeueing task $task (restart $((restart + 1)) of ${MAX_RESTARTS})"`,
    '  if scontrol requeue "$task"; then sleep 300; fi # Slurm ends this script as it requeues the task',
    'fi',
    'exit "$status"',
    '',
  ].join('\n');
  const merge = [
    '#!/bin/bash',
    `# fxbench run ${m.name}: merge the shards, write the report (${REPORT_DIR}/index.html) and name the missing cells; fails if any is missing.`,
    '# Submitted by submit.sh to run after every array task has succeeded.',
    `#SBATCH --job-name=fxbench-${m.name}-merge`,
    '#SBATCH --open-mode=append',
    `#SBATCH --output=${dir}/${LOGS_DIR}/merge.log`,
    ...directives(o, false),
    'set -euo pipefail',
    fxbenchLine(collectArgs(dir)),
    '',
  ].join('\n');
  const submit = [
    '#!/bin/sh',
    '# Submit this run: the shard array, then the merge job once every shard has succeeded.',
    "# afterok names each task: Slurm keeps an array's highest exit code across requeues, so",
    '# afterok:<array> would stay unsatisfied after a requeued task recovers.',
    'set -eu',
    'cd "$(dirname "$0")"',
    `array=$(sbatch --parsable ${SLURM_FILES.array})`,
    'array=${array%%;*}',
    'dep=afterok',
    'i=0',
    `while [ "$i" -lt ${m.shards} ]; do dep="$dep:\${array}_$i"; i=$((i + 1)); done`,
    `merge=$(sbatch --parsable --dependency="$dep" ${SLURM_FILES.merge})`,
    'merge=${merge%%;*}',
    'echo "array job $array, merge job $merge"',
    '',
  ].join('\n');
  return { array, merge, submit };
}

export function writeSlurmScripts(dir: string, m: RunManifest, o: SlurmOptions): Record<keyof typeof SLURM_FILES, string> {
  const scripts = slurmScripts(dir, m, o);
  for (const [key, text] of Object.entries(scripts)) {
    const file = path.join(dir, SLURM_FILES[key as keyof typeof SLURM_FILES]);
    writeFileSync(file, text);
    chmodSync(file, 0o755);
  }
  return scripts;
}

/** `sbatch --parsable ARGS`: the job id, or a one-line UsageError with sbatch's reason. */
function sbatch(args: string[], cwd: string, what: string): string {
  const r = spawnSync('sbatch', ['--parsable', ...args], { cwd, encoding: 'utf8' });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new UsageError(
        `sbatch not found: submit from a machine with Slurm's client tools (Debian: apt-get install slurm-client), e.g. with sh ${path.join(cwd, SLURM_FILES.submit)}`,
      );
    throw new UsageError(`sbatch could not be run (${code ?? r.error.message}) for the ${what}`);
  }
  if (r.status !== 0) {
    // sbatch explains itself on lines "sbatch: error: ...": keep each distinct reason, on one line.
    const reasons = [
      ...new Set(
        r.stderr
          .split('\n')
          .map((l) => l.replace(/^sbatch:\s*(error:|fatal:)?\s*/, '').trim())
          .filter(Boolean),
      ),
    ];
    throw new UsageError(`sbatch refused the ${what}: ${reasons.join('; ') || `exit code ${r.status}`}`);
  }
  const id = r.stdout.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw new UsageError(`sbatch printed ${JSON.stringify(r.stdout.trim())} for the ${what}, not a job id`);
  return id;
}

/** Submit the array, then the merge job after each of its tasks; records the job ids in run.json. */
export function submitSlurm(dir: string, m: RunManifest): { array: string; merge: string } {
  const array = sbatch([SLURM_FILES.array], dir, `array job (${path.join(dir, SLURM_FILES.array)})`);
  const dependency = `afterok:${Array.from({ length: m.shards }, (_, i) => `${array}_${i}`).join(':')}`;
  let merge: string;
  try {
    merge = sbatch([`--dependency=${dependency}`, SLURM_FILES.merge], dir, `merge job (${path.join(dir, SLURM_FILES.merge)}; array job ${array} is submitted)`);
  } catch (e) {
    writeManifest(dir, { ...m, jobs: { array } });
    throw e;
  }
  writeManifest(dir, { ...m, jobs: { array, merge } });
  return { array, merge };
}
