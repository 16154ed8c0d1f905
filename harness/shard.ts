/**
 * Sharding a suite over machines: `--shard i/N` runs the cells whose index in the suite's
 * stable cell order, taken mod N, equals i. Shards are 0-based (i = 0..N-1), like
 * Kubernetes' JOB_COMPLETION_INDEX; with a 1-based array (Slurm `--array=1-N`) pass
 * `$((SLURM_ARRAY_TASK_ID - 1))/N`. Every cell lands in exactly one shard, and the split
 * depends only on the suite, so N machines given the same suite split it the same way.
 * Round-robin (rather than contiguous blocks) spreads lengths and extractors, and so the
 * cost, evenly over the shards.
 */
import { UsageError } from '../core/errors.js';

export interface Shard {
  /** 0-based shard index. */
  index: number;
  /** Number of shards. */
  count: number;
}

export function parseShard(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new UsageError(`--shard "${spec}" is malformed: write INDEX/COUNT with a 0-based index, e.g. --shard 0/4 (JOB_COMPLETION_INDEX/4 in a Kubernetes Indexed Job)`);
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
