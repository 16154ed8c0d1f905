/** `fxbench bench`: step and inference timings at the standard shapes (the logic is in ../benchCli.ts). */
import { benchCommand } from '../../perf/benchRun.js';
import { csv, csvNumbers } from './flags.js';
import { KERNEL_FLAGS } from './runFlags.js';
import { defineCommand } from './types.js';
import { PARALLEL_FLAGS } from '../../harness/run/parallelism.js';

export const bench = defineCommand({
  command: 'bench',
  describe: "time a training step and an inference pass of each extractor at the PyTorch peer's standard shapes (docs/guide/performance.md)",
  builder: (y) =>
    y
      .option('extractors', { type: 'string', default: 'rnn,lstm,gru,transformer,tcn,mamba,s4d', describe: 'comma-separated extractors' })
      .option('lengths', { type: 'string', default: '64,256', describe: 'comma-separated lengths' })
      .option('batch', { type: 'number', default: 32, describe: 'sequences per step' })
      .option('min-time', { type: 'number', default: 1000, describe: 'time budget per measurement (ms)' })
      .option('json', { type: 'boolean', describe: "JSON lines with the PyTorch peer's fields" })
      .option('peer', { type: 'string', describe: 'also run a peer in this session and print ours/theirs ratios (torch)' })
      .option('reps', { type: 'number', default: 3, describe: 'repetitions per extractor, ours and the peer alternating; ratios are the median with min-max' })
      .option('threads', PARALLEL_FLAGS.threads)
      .option('oversubscribe', PARALLEL_FLAGS.oversubscribe)
      .options(KERNEL_FLAGS)
      .option('backend', { type: 'string', choices: ['wasm', 'cpu'], default: 'wasm' }),
  handler: (a) =>
    benchCommand(
      {
        extractors: csv(a.extractors) ?? [],
        lengths: csvNumbers('lengths', a.lengths) ?? [],
        batch: a.batch,
        minTimeMs: a['min-time'],
        json: Boolean(a.json),
        peer: a.peer,
        reps: a.reps,
        threads: a.threads,
        oversubscribe: a.oversubscribe,
        flushSubnormals: a['flush-subnormals'],
        backend: a.backend as 'wasm' | 'cpu',
      },
      (line) => process.stderr.write(line + '\n'),
      (line) => process.stdout.write(line + '\n'),
    ),
});
