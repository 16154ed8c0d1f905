/**
 * The training protocol on real (tiny) cells: each stage reads its own split or stream and
 * the record says which; the score is measured from the empirical chance of the training
 * data's constant predictor; training stops once solved on two consecutive validation
 * checks, and records stepsToSolve (null when censored at the budget).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Rng } from '../../../core/rng.js';
import { initBackend } from '../../../kernels/backend.js';
import { drawBatches, evaluate, fitConstant, type Predictor } from '../../../harness/cell/evaluate.js';
import { tasks } from '../../../harness/plugins/registries.js';
import { resultSchema, type CompletedRecord } from '../../../harness/store/results.js';
import { runCell } from '../../../harness/cell/runCell.js';
import { expandSuite, parseSuite, type SuiteInput } from '../../../harness/suite/suite.js';
import { defineTask, scoreOf, type Batch } from '../../../tasks/types.js';

const SPLITS = ['train', 'validation', 'test'] as const;

/** A task whose every sample is labelled with the split it came from (class and meta): what a stage read shows in its scores. */
const splitProbe = defineTask({
  name: 'split-probe',
  description: 'test fixture: the class of every sample is the index of its split',
  example: 'any tokens -> the split',
  source: 'test',
  options: z.object({ split: z.enum(SPLITS).default('train') }).strict(),
  create(o) {
    const label = SPLITS.indexOf(o.split);
    return {
      input: { kind: 'tokens', vocab: 4, tokens: ['a', 'b', 'c', 'd'] },
      output: { kind: 'classes', classes: 3, labels: SPLITS, per: 'sequence' },
      chance: () => ({ value: 1 / 3, metric: 'accuracy', why: 'three classes' }),
      minLength: 1,
      sample(rng, B, T): Batch {
        return {
          batchSize: B,
          length: T,
          inputs: Int32Array.from({ length: B * T }, () => rng.int(4)),
          targets: new Int32Array(B).fill(label),
          meta: Array.from({ length: B }, () => ({ split: label })),
        };
      },
      decode: () => ({ input: '', target: o.split }),
    };
  },
});

/** The same without a validation split. */
const twoSplits = defineTask({
  ...splitProbe,
  name: 'two-splits',
  options: z.object({ split: z.enum(['train', 'test']).default('train') }).strict(),
  create: () => splitProbe.create({ split: 'train' }),
} as never);

beforeAll(async () => {
  await initBackend('wasm');
  tasks.register(splitProbe, { replace: true });
  tasks.register(twoSplits, { replace: true });
});

const suite = (over: Partial<SuiteInput>) =>
  expandSuite(
    parseSuite({
      name: 'protocol',
      tasks: ['split-probe'],
      extractors: [{ name: 'lstm', options: { hidden: 8 } }],
      lengths: [4],
      steps: 20,
      batch: 8,
      embedDim: 8,
      warmup: 0,
      valSamples: 16,
      evalSamples: 40,
      generalize: [1],
      ...over,
    }),
  );

describe('splits and streams', () => {
  it('a task with a split option trains on train, checks validation and reports test; the record says so', async () => {
    const [cell] = suite({});
    expect(cell.task.options).toEqual({}); // the harness, not the suite, picks the split
    const r = resultSchema.parse(await runCell(cell)) as CompletedRecord;
    expect(r.status, JSON.stringify(r)).toBe('completed');
    expect(r.data).toEqual({
      train: { split: 'train', stream: 'train' },
      validation: { split: 'validation', stream: 'validation' },
      test: { split: 'test', stream: 'test' },
    });
    // Every scored test sample came from the test split...
    expect(r.byMeta.split).toEqual([{ value: 2, n: 40, score: 0 }]);
    expect(r.metrics).toMatchObject({ split: 'test', samples: 40, value: 0, empiricalChance: 0, score: 0 });
    // ...every validation check read validation samples (class 1: never right), and the train split was learned.
    expect(r.validation.curve.map((c) => c.value)).toEqual([0]);
    expect(r.metrics.trainValue).toBe(1);
  });

  it('a tuning trial reads validation, never test, from a stream of its own', async () => {
    const [cell] = suite({});
    const trial = { ...cell, trial: { key: 'k', rung: 0, config: { lr: 0.003 } }, data: { ...cell.data, test: null } };
    const r = (await runCell(trial)) as CompletedRecord;
    expect(r.metrics.split).toBe('validation');
    expect(r.byMeta.split).toEqual([{ value: 1, n: 16, score: 0 }]);
    expect(r.trial).toEqual(trial.trial);
    expect(r.data.test).toBeNull();
  });

  it('refuses a split set by the suite and a task without a validation split', () => {
    expect(() => suite({ tasks: [{ name: 'split-probe', options: { split: 'test' } }] })).toThrow(/"split" is chosen by the harness/);
    expect(() => suite({ tasks: ['two-splits'] })).toThrow(/^task two-splits has no "validation" split/);
  });

  it('a synthetic task draws train, validation and test from three independent streams of the seed', () => {
    const [cell] = suite({ tasks: [{ name: 'recall', options: { distractors: 'shared' } }] });
    expect(cell.data).toEqual({ train: { stream: 'train' }, validation: { stream: 'validation' }, test: { stream: 'test' } });
    const recall = tasks.get('recall').create(tasks.get('recall').options.parse({}));
    const first = (stream: string) => Array.from(recall.sample(new Rng(1).fork(stream), 8, 8).inputs).join();
    expect(new Set(['train', 'validation', 'test'].map(first)).size).toBe(3);
  });
});

describe('the empirical chance', () => {
  // Class 0 is the majority of the training stream (70%), class 1 of the test stream (60%).
  const biased = (p0: number) => ({
    ...splitProbe.create({ split: 'train' }),
    sample(rng: Rng, B: number, T: number): Batch {
      const targets = Int32Array.from({ length: B }, () => (rng.uniform() < p0 ? 0 : 1));
      return { batchSize: B, length: T, inputs: new Int32Array(B * T), targets, meta: Array.from({ length: B }, () => ({})) };
    },
  });
  const train = biased(0.7);
  const test = biased(0.4);
  const majority: Predictor = (b) => ({ pred: Float32Array.from({ length: b.batchSize * 3 }, (_, k) => (k % 3 === 0 ? 1 : 0)), loss: 0 });

  it('is the training majority class scored on the evaluated samples, and a constant predictor scores 0 against it', () => {
    const constant = fitConstant(train, new Rng(1), 512, 32, 4);
    const batches = [...drawBatches(test, new Rng(2), 300, 32, 4)];
    const zeros = batches.reduce((n, b) => n + b.targets.filter((y) => y === 0).length, 0);
    const e = evaluate(majority, test, batches, constant);
    expect(e.samples).toBe(300);
    expect(e.chance).toBeCloseTo(zeros / 300, 12); // predicting class 0 everywhere
    expect(e.value).toBeCloseTo(e.chance, 12);
    expect(scoreOf('accuracy', e.value, e.chance)).toBe(0);
    expect(Math.abs(e.chance - 1 / 3)).toBeGreaterThan(0.05); // the population chance would call this predictor skilled or worse
  });

  it('is the training-target mean for MSE', () => {
    const adding = tasks.get('adding').create(tasks.get('adding').options.parse({}));
    const constant = fitConstant(adding, new Rng(3), 256, 32, 8);
    if (constant.kind !== 'regression') throw new Error('expected a regression constant');
    const targets = [...drawBatches(adding, new Rng(3), 256, 32, 8)].flatMap((b) => Array.from(b.targets));
    expect(constant.mean).toBeCloseTo(targets.reduce((a, b) => a + b, 0) / targets.length, 6);
  });
});

describe('early stopping on validation', () => {
  it('stops after two consecutive solved checks and records stepsToSolve', async () => {
    const [cell] = suite({
      tasks: [{ name: 'recall', options: { symbols: 4, distractors: 'shared' } }],
      extractors: [{ name: 'lstm', options: { hidden: 16 } }],
      steps: 600,
      valEvery: 10,
      lr: 0.01,
      batch: 16,
      valSamples: 64,
    });
    const r = (await runCell(cell)) as CompletedRecord;
    const curve = r.validation.curve;
    expect(r.validation.stepsToSolve).not.toBeNull();
    expect(r.curves.loss.length).toBeLessThan(600);
    // The last two checks are solved, the one before them (if any) is not; training ended at the last.
    expect(curve.slice(-2).every((c) => c.score >= r.validation.solvedScore)).toBe(true);
    if (curve.length > 2) expect(curve[curve.length - 3].score).toBeLessThan(r.validation.solvedScore);
    expect(r.validation.stepsToSolve).toBe(curve[curve.length - 2].step);
    expect(r.curves.loss).toHaveLength(curve[curve.length - 1].step);
    expect(curve.map((c) => c.step)).toEqual(curve.map((_, i) => 10 * (i + 1)));
  });

  it('is censored at the budget (stepsToSolve null) when never solved, with a check at the last step', async () => {
    const [cell] = suite({ tasks: [{ name: 'recall', options: { symbols: 4, distractors: 'shared' } }], steps: 25, valEvery: 10, lr: 1e-5 });
    const r = (await runCell(cell)) as CompletedRecord;
    expect(r.validation.stepsToSolve).toBeNull();
    expect(r.validation.curve.map((c) => c.step)).toEqual([10, 20, 25]);
    expect(r.curves.loss).toHaveLength(25);
  });

  it('refuses valEvery larger than the budget', () => {
    expect(() => suite({ steps: 20, valEvery: 50 })).toThrow(/"valEvery" 50 is larger than the budget "steps" 20/);
  });
});
