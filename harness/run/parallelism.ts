/**
 * How a run uses the cores: `--workers` cells at a time (one tfjs instance each) and
 * `--threads` kernel threads per cell (../extractors/kernels/threads.ts). Neither changes a
 * result (cells are seeded, kernel threads split only independent outputs), so both are run
 * controls, recorded in each record's environment but not in its config.
 *
 * workers x threads threads must not exceed the cores: an oversubscribed core time-slices
 * two spinning threads and every timing of the run is wrong. `--oversubscribe` allows it
 * anyway (e.g. to test on a small machine).
 */
import os from 'node:os';
import { UsageError } from '../../core/errors.js';

export interface Parallelism {
  workers: number;
  threads: number;
}

export interface ParallelismArgs {
  workers?: number;
  threads?: number;
  oversubscribe?: boolean;
}

export function cores(): number {
  return os.availableParallelism();
}

/** Workers when none are given: the cores left for `threads` kernel threads each. */
export function defaultWorkers(threads = 1, available = cores()): number {
  return Math.max(1, Math.floor(available / threads));
}

/** What each flag counts, for its message. */
const COUNTS = { workers: 'worker threads', threads: 'kernel threads per cell' } as const;

/**
 * The workers and threads of a run: `--threads` defaults to 1, `--workers` to the cores
 * left for that many threads each (at least 1). Refuses a value that is not a positive
 * integer (shown as the user typed it when `typed` knows it) and workers x threads > cores
 * unless `oversubscribe`. The one check of both flags, for `run`, `quick`, `audit` and `bench`.
 */
export function parallelism(a: ParallelismArgs, available = cores(), typed: (flag: keyof typeof COUNTS) => string | undefined = () => undefined): Parallelism {
  for (const flag of Object.keys(COUNTS) as (keyof typeof COUNTS)[]) {
    const v: unknown = a[flag];
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1)) {
      // an array (a flag given twice) is not an integer
      throw new UsageError(`--${flag} ${typed(flag) ?? v}: expected a positive integer (${COUNTS[flag]}), e.g. --${flag} 2`);
    }
  }
  const threads = a.threads ?? 1;
  const workers = a.workers ?? defaultWorkers(threads, available);
  if (workers * threads > available && !a.oversubscribe) {
    const fit = defaultWorkers(threads, available);
    throw new UsageError(
      `--workers ${workers} x --threads ${threads} = ${workers * threads} threads on ${available} cores: choose at most ${available} in all (e.g. --workers ${fit} --threads ${threads}), or add --oversubscribe`,
    );
  }
  return { workers, threads };
}

/** The flags, shared by `run`, `quick` and `audit` (and `bench`'s --threads). */
export const PARALLEL_FLAGS = {
  workers: {
    type: 'number',
    requiresArg: true,
    describe: `cells run at once, one worker thread and tfjs instance each (default: the cores, ${cores()}, divided by --threads)`,
  },
  threads: {
    type: 'number',
    requiresArg: true,
    describe: 'kernel threads per cell, sharing its WebAssembly memory (default 1); results are bit-identical for every value',
  },
  oversubscribe: { type: 'boolean', describe: 'allow --workers x --threads above the number of cores (timings are then unreliable)' },
} as const;
