/**
 * The run controls shared by `run`, `quick` and `audit`: their flags (--shard, --resume,
 * --lock-wait, --workers, --threads), the signals that stop a run after the current step,
 * and the messages that say how to resume. The pipeline itself is the library's
 * (../../harness/run/runSuite.ts).
 */
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { setFlushSubnormals } from '../../kernels/runtime/runtime.js';
import { parallelism } from '../../harness/run/parallelism.js';
import { createProgress, type Progress } from '../../harness/run/progress.js';
import { StopSignal, type RunOptions, type RunOutcome } from '../../harness/run/runSuite.js';
import type { ResultRecord } from '../../harness/store/results.js';
import { resolveShard } from '../../harness/suite/shard.js';
import { shellQuote, typedValue } from './flags.js';
import type { RunArgs } from './runFlags.js';

/** The flags that control a run rather than define its cells. */
export type RunControlArgs = Pick<
  RunArgs,
  'out' | 'resume' | 'shard' | 'shards' | 'lock-wait' | 'workers' | 'threads' | 'oversubscribe' | 'quiet' | 'plugin' | 'flush-subnormals'
>;

/** results/<name>-<time>.jsonl */
export function defaultOut(name: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d+Z$/, 'Z');
  return path.join('results', `${name}-${stamp}.jsonl`);
}

/**
 * Run the library pipeline (../../harness/run/runSuite.ts) under the CLI's controls: the
 * flags checked and resolved into its options, SIGINT/SIGTERM wired to a stop after the
 * current training step, and on a stop the command that resumes.
 */
export async function runControlled(
  a: RunControlArgs,
  argv: string[],
  defaultName: string,
  pipeline: (options: RunOptions) => Promise<RunOutcome>,
): Promise<{ records: ResultRecord[]; out: string; stopped: boolean; progress: Progress }> {
  const { workers, threads } = parallelism(a, undefined, (flag) => typedValue(argv, flag));
  if (a.shards !== undefined && a.shard === undefined) throw new UsageError(`--shards ${a.shards} needs --shard auto (or give --shard I/N alone)`);
  const shard = a.shard !== undefined ? resolveShard(String(a.shard), a.shards) : undefined;
  const lockWait = a['lock-wait'];
  if (lockWait !== undefined && (Array.isArray(lockWait) || !Number.isFinite(lockWait) || lockWait < 0)) {
    throw new UsageError(`--lock-wait ${typedValue(argv, 'lock-wait') ?? lockWait}: expected seconds, a non-negative number, e.g. --lock-wait 180`);
  }
  if (a.resume && !a.out) throw new UsageError('--resume needs --out FILE: the results file of the run to continue');
  const out = a.out ?? defaultName;
  // Workers import plugins themselves: give them paths that do not depend on the cwd.
  const plugins = (a.plugin ?? []).map((p) => (p.startsWith('.') || p.startsWith('/') || /\.(m?js|ts)$/.test(p) ? path.resolve(p) : p));
  // The kernels of this process (an in-process run, the audit's timings) and of every worker compute alike.
  const flushSubnormals = a['flush-subnormals'] ?? true;
  setFlushSubnormals(flushSubnormals);
  const progress = createProgress(process.stderr, a.quiet);
  const stop = new StopSignal();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    stop.request();
    progress.log(
      `fxbench: ${signal}: stopping after the current training step; finished cells are saved (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again quits at once)`,
    );
  };
  // `once`: a second signal finds no listener and ends the process at once (the default action).
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let outcome: RunOutcome;
  try {
    outcome = await pipeline({ out, resume: a.resume, shard, lockWaitMs: (lockWait ?? 0) * 1000, workers, threads, flushSubnormals, plugins, progress, stop });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  const { records } = outcome;
  if (outcome.stopped) {
    const left = outcome.toRun - records.length;
    const cellsWord = (n: number) => `${n} cell${n === 1 ? '' : 's'}`;
    progress.log(`interrupted: ${cellsWord(records.length)} finished this time and saved in ${out}; ${cellsWord(left)} not run yet`);
    progress.log(`resume with: ${resumeCommand(argv, out)}`);
    process.exitCode = stoppedBy === 'SIGTERM' ? 143 : 130; // 128 + the signal's number, as a shell reports it
  }
  return { records, out, stopped: outcome.stopped, progress };
}

/** The command line that resumes this run: the same arguments, with --resume --out FILE. */
export function resumeCommand(argv: string[], out: string): string {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === '--resume' || x.startsWith('--resume=')) continue;
    if (x === '--out') {
      i++;
      continue;
    }
    if (x.startsWith('--out=')) continue;
    args.push(x);
  }
  const rel = process.argv[1] ? path.relative(process.cwd(), process.argv[1]) : 'bin/fxbench.js';
  const bin = !rel || rel.startsWith('..') ? process.argv[1] : rel;
  return ['node', bin, ...args, '--resume', '--out', out].map(shellQuote).join(' ');
}
