/**
 * The length-generalisation protocol on real (tiny) cells: training batches draw their
 * lengths from the train range (the same lengths for every extractor of a seed), validation
 * from the train range, and the test reads every length of a grid over the test range; the
 * record keeps the per-length curve and scores the mean over lengths.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCell } from '../../../harness/cell/runCell.js';
import { tasks } from '../../../harness/plugins/registries.js';
import { type CompletedRecord, resultSchema } from '../../../harness/store/results.js';
import { expandSuite, parseSuite, type SuiteInput } from '../../../harness/suite/suite.js';
import { initBackend } from '../../../kernels/backend.js';
import { type Batch, defineTask } from '../../../tasks/types.js';

/** Lengths every sample() call was asked for, in order, by stage: the stream label tells training from validation from test. */
const asked: number[] = [];

/** Even lengths only; the class is 1 when the sequence is at most 8 long: a model that reads length can solve the training range, and the test range (all longer) is class 0. */
const evenProbe = defineTask({
  name: 'even-probe',
  description: 'test fixture: accepts even lengths; class 1 iff T <= 8',
  example: 'a a -> short',
  source: 'test',
  options: z.object({}).strict(),
  create() {
    return {
      input: { kind: 'tokens', vocab: 2, tokens: ['a', 'b'] },
      output: { kind: 'classes', classes: 2, labels: ['long', 'short'], per: 'sequence' },
      chance: (T: number) => ({ value: T <= 8 ? 0.5 : 0.5, metric: 'accuracy', why: 'two classes' }),
      minLength: 2,
      lengths: { accepts: (T: number) => T % 2 === 0, rule: 'even lengths' },
      sample(rng, B, T): Batch {
        asked.push(T);
        return {
          batchSize: B,
          length: T,
          inputs: Int32Array.from({ length: B * T }, () => rng.int(2)), // [B*T]
          targets: new Int32Array(B).fill(T <= 8 ? 1 : 0), // [B]
          meta: Array.from({ length: B }, () => ({ n: T })),
        };
      },
      decode: () => ({ input: '', target: '' }),
    };
  },
});

beforeAll(async () => {
  await initBackend('wasm');
  tasks.register(evenProbe, { replace: true });
});

const cells = (over: Partial<SuiteInput> = {}) =>
  expandSuite(
    parseSuite({
      name: 'range',
      tasks: ['even-probe'],
      extractors: [
        { name: 'lstm', options: { hidden: 8 } },
        { name: 'gru', options: { hidden: 8 } },
      ],
      lengths: [{ train: [2, 8], test: [10, 40], testLengths: 5 }],
      steps: 12,
      batch: 4,
      embedDim: 8,
      warmup: 0,
      valSamples: 8,
      valEvery: 6,
      evalSamples: 20,
      ...over,
    }),
  );

describe('length ranges', () => {
  it('a cell trains on lengths from the train range, tests on a grid over the test range, and scores the mean over lengths', async () => {
    const [lstm, gru] = cells();
    expect(lstm.id).toBe('even-probe/lstm/T2-8:10-40/s1');
    expect(lstm.length).toBe(8);
    expect(lstm.range).toEqual({ train: [2, 8], test: [10, 40], testLengths: 5 });

    asked.length = 0;
    const r = resultSchema.parse(await runCell(lstm)) as CompletedRecord;
    expect(r.status, JSON.stringify(r).slice(0, 400)).toBe('completed');
    expect(r.range).toEqual(lstm.range);
    const lstmAsked = [...asked];
    // Five even lengths spread over 10-40, both ends included.
    expect(r.lengths.map((l) => l.length)).toEqual([10, 18, 26, 32, 40]);
    for (const l of r.lengths) expect(l.status).toBe('completed');
    const mean = r.lengths.reduce((a, l) => a + l.value!, 0) / r.lengths.length;
    expect(r.metrics.value).toBeCloseTo(mean, 12);
    // Each tested length read ceil(20 / 5) = 4 samples, one batch.
    expect(r.metrics.samples).toBe(20);
    // Every length asked of the task before the test lies in the train range and is even; all of them were drawn, not only the top.
    const beforeTest = lstmAsked.slice(0, lstmAsked.length - 5);
    const trainLengths = beforeTest.filter((T) => T <= 8);
    expect(new Set(trainLengths)).toEqual(new Set([2, 4, 6, 8]));
    expect(lstmAsked.slice(-5)).toEqual([10, 18, 26, 32, 40]);

    // The GRU of the same seed sees the same training lengths in the same order.
    asked.length = 0;
    const g = resultSchema.parse(await runCell(gru)) as CompletedRecord;
    expect(g.status).toBe('completed');
    expect(asked).toEqual(lstmAsked);
  });

  it('refuses a range the task has no length in, and a fixed length the task does not accept, in one line', () => {
    expect(() => cells({ lengths: [{ train: [3, 3], test: [10, 40] }] })).toThrow(
      /no length in the train range 3-3 of 3-3:10-40: it is defined at even lengths/,
    );
    expect(() => cells({ lengths: [7] })).toThrow(/defined at even lengths; --lengths has 7/);
    expect(() => parseSuite({ name: 'x', tasks: ['even-probe'], extractors: ['lstm'], lengths: [{ train: [8, 2], test: [10, 40] }] })).toThrow(
      /lengths\[0\]\.train: .*got \[8,2\]/,
    );
  });
});
