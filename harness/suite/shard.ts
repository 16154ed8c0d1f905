/**
 * Sharding a suite over machines: `--shard i/N` runs the cells whose index in the suite's
 * stable cell order, taken mod N, equals i. Shards are 0-based (i = 0..N-1), like
 * Kubernetes' JOB_COMPLETION_INDEX; with a 1-based array (Slurm `--array=1-N`) pass
 * `$((SLURM_ARRAY_TASK_ID - 1))/N`. Every cell lands in exactly one shard, and the split
 * depends only on the suite, so N machines given the same suite split it the same way.
 * Round-robin (rather than contiguous blocks) spreads lengths and extractors, and so the
 * cost, evenly over the shards.
 *
 * `--shard auto` reads the shard from the scheduler that started the process: a Slurm job
 * array (`SLURM_ARRAY_TASK_ID` counted from `SLURM_ARRAY_TASK_MIN`, of
 * `SLURM_ARRAY_TASK_COUNT` tasks, so `--array=1-N` works as well as `--array=0-(N-1)`), or
 * a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, 0-based, of `--shards N`, the Job's
 * `completions`: Kubernetes does not tell a pod the count).
 */
import { UsageError } from '../../core/errors.js';

export interface Shard {
  /** 0-based shard index. */
  index: number;
  /** Number of shards. */
  count: number;
  /** Where an automatic shard came from, e.g. `SLURM_ARRAY_TASK_ID=4`. */
  from?: string;
}

type Env = Record<string, string | undefined>;

/** An environment variable that must hold a non-negative integer. */
function envInt(env: Env, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v.trim()))
    throw new UsageError(
      `--shard auto: ${name}=${JSON.stringify(v)} is not a non-negative integer: run under an unmodified scheduler environment, or give --shard I/N`,
    );
  return Number(v);
}

/**
 * The shard of `--shard SPEC [--shards N]`: `I/N` as given, or `auto` from the scheduler's
 * environment (see the file comment). `--shards` is the count for `auto` under Kubernetes
 * and a check of the array's size under Slurm.
 */
export function resolveShard(spec: string, shards: number | undefined, env: Env = process.env): Shard {
  if (shards !== undefined && (!Number.isInteger(shards) || shards < 1))
    throw new UsageError(`--shards ${shards}: expected a positive integer, the number of shards, e.g. --shards 4`);
  if (spec.trim() !== 'auto') {
    if (shards !== undefined) throw new UsageError(`--shards goes with --shard auto: with --shard ${spec} the count is already given after the slash`);
    return parseShard(spec);
  }
  const slurmId = envInt(env, 'SLURM_ARRAY_TASK_ID');
  const k8sIndex = envInt(env, 'JOB_COMPLETION_INDEX');
  if (slurmId !== undefined && k8sIndex !== undefined) {
    throw new UsageError(
      `--shard auto: both SLURM_ARRAY_TASK_ID=${slurmId} and JOB_COMPLETION_INDEX=${k8sIndex} are set, so the scheduler is ambiguous: give --shard I/N`,
    );
  }
  if (slurmId !== undefined) {
    const min = envInt(env, 'SLURM_ARRAY_TASK_MIN');
    const max = envInt(env, 'SLURM_ARRAY_TASK_MAX');
    const taskCount = envInt(env, 'SLURM_ARRAY_TASK_COUNT');
    const from = `SLURM_ARRAY_TASK_ID=${slurmId}`;
    if (min === undefined && taskCount === undefined)
      throw new UsageError(
        `--shard auto: ${from} but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MIN/MAX is set: submit a job array (sbatch --array=0-3), or give --shard I/N`,
      );
    const base = min ?? 0;
    const span = max !== undefined && min !== undefined ? max - min + 1 : undefined;
    const count = taskCount ?? span;
    if (count === undefined) throw new UsageError(`--shard auto: ${from} with SLURM_ARRAY_TASK_MIN but no SLURM_ARRAY_TASK_MAX or COUNT: give --shard I/N`);
    if (span !== undefined && taskCount !== undefined && span !== taskCount) {
      throw new UsageError(
        `--shard auto: the Slurm array ${min}-${max} has ${taskCount} tasks, not ${span}: use a contiguous array without a step (sbatch --array=0-${taskCount - 1}), or give --shard I/N`,
      );
    }
    if (shards !== undefined && shards !== count)
      throw new UsageError(`--shard auto: the Slurm array has ${count} tasks but --shards is ${shards}: make them agree (sbatch --array=0-${shards - 1})`);
    const index = slurmId - base;
    if (index < 0 || index >= count) throw new UsageError(`--shard auto: ${from} is outside the array ${base}-${base + count - 1}: give --shard I/N`);
    return { index, count, from };
  }
  if (k8sIndex !== undefined) {
    const from = `JOB_COMPLETION_INDEX=${k8sIndex}`;
    if (shards === undefined) throw new UsageError(`--shard auto: ${from} (a Kubernetes Indexed Job) needs --shards N, the Job's completions`);
    if (k8sIndex >= shards)
      throw new UsageError(
        `--shard auto: ${from} is out of range for --shards ${shards} (indices 0..${shards - 1}): set the Job's completions to ${shards}, or raise --shards`,
      );
    return { index: k8sIndex, count: shards, from };
  }
  throw new UsageError(
    '--shard auto: no scheduler index in the environment (SLURM_ARRAY_TASK_ID of a Slurm job array, or JOB_COMPLETION_INDEX of a Kubernetes Indexed Job): run inside one, or give --shard I/N',
  );
}

export function parseShard(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m)
    throw new UsageError(
      `--shard "${spec}" is malformed: write INDEX/COUNT with a 0-based index, e.g. --shard 0/4 (JOB_COMPLETION_INDEX/4 in a Kubernetes Indexed Job)`,
    );
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new UsageError(`--shard ${spec}: the shard count must be at least 1, e.g. --shard 0/4`);
  if (index >= count) {
    throw new UsageError(`--shard ${spec}: the index must be 0..${count - 1} (shards are 0-based; with a 1-based job array pass INDEX-1)`);
  }
  return { index, count };
}

/** The cells of one shard, in suite order. */
export function selectShard<T>(cells: T[], shard: Shard): T[] {
  return cells.filter((_, i) => i % shard.count === shard.index);
}

/**
 * The cells of one shard when cells come in units that must stay together (a tuning
 * group: its trials and main cells): the units in first-seen order, index mod N.
 */
export function selectShardByUnit<T>(cells: T[], shard: Shard, unitOf: (cell: T) => string): T[] {
  const index = new Map<string, number>();
  for (const c of cells) if (!index.has(unitOf(c))) index.set(unitOf(c), index.size);
  return cells.filter((c) => index.get(unitOf(c))! % shard.count === shard.index);
}
