/**
 * Equal-budget tuning: the grid is validated against the suite's extractors, groups are
 * shared across suites that agree, successive halving's rungs (their floor, the trials'
 * validation interval) and ranking (validation loss, the tie rule), the chance test, old
 * records, and a tuning run on real tiny trials (choice, rungs, seeds, the tuning file as a cache).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../kernels/backend.js';
import { runCell } from '../../../harness/cell/runCell.js';
import { createProgress } from '../../../harness/run/progress.js';
import { readResults, type CompletedRecord } from '../../../harness/store/results.js';
import { expandSuite, parseSuite, type SuiteInput } from '../../../harness/suite/suite.js';
import {
  applyTuning,
  cellKey,
  DEFAULT_GRID,
  gridPoints,
  isAtChance,
  mergePlans,
  planTuning,
  rankOutcomes,
  rungBudgets,
  runTuning,
  shardOfRun,
  tieKey,
  trialCell,
  trialValEvery,
  tuningFile,
} from '../../../harness/run/tune.js';
import { tuningSchema, type TrialOutcome } from '../../../harness/suite/tuneRecord.js';

const input = (over: Partial<SuiteInput> = {}): SuiteInput => ({
  name: 't',
  tasks: [{ name: 'recall', options: { symbols: 4, distractors: 'shared' } }],
  extractors: [
    { name: 'rnn', options: { hidden: 8 } },
    { name: 'transformer', options: { dModel: 8, heads: 2, ffDim: 16, layers: 1 } },
  ],
  lengths: [6],
  seeds: [1, 2],
  steps: 40,
  ...over,
});
const plan = (over: Partial<SuiteInput> = {}) => {
  const suite = parseSuite(input(over));
  const cells = expandSuite(suite);
  return { cells, plan: planTuning(suite, cells) };
};

describe('the grid', () => {
  it('defaults to the learning rates of DEFAULT_GRID, one group per (task, extractor, length), seeds sharing it', () => {
    const { cells, plan: p } = plan();
    expect(p.groups.size).toBe(2);
    expect(new Set(cells.map((c) => p.groupOf.get(cellKey(c)))).size).toBe(2);
    for (const g of p.groups.values()) expect(g.grid).toEqual([['lr', DEFAULT_GRID.lr]]);
  });

  it('defaults to two tuning seeds and a 100-step floor under every rung, recorded in the budget', () => {
    for (const g of plan().plan.groups.values()) expect(g.budget).toEqual({ steps: 40, seeds: [1, 2], halving: 2, minRungSteps: 100 });
  });

  it('leaves out what the suite sets; tune: false turns it off', () => {
    expect(plan({ lr: 0.003 }).plan.groups.size).toBe(0);
    expect(plan({ tune: false }).plan.groups.size).toBe(0);
  });

  it('applies an extractor option only to the extractors that have it', () => {
    const { plan: p } = plan({
      extractors: [
        { name: 'rnn', options: { hidden: 8 } },
        { name: 'transformer', options: { dModel: 8, heads: 2, ffDim: 16 } },
      ],
      tune: { lr: [0.001, 0.01], layers: [1, 2] },
    });
    const grids = [...p.groups.values()].map((g) => [g.extractor.name, g.grid.map(([k]) => k)]);
    expect(grids).toEqual([
      ['rnn', ['lr', 'layers']],
      ['transformer', ['lr', 'layers']],
    ]);
    const { plan: q } = plan({ extractors: ['rnn', 'tcn'], tune: { hidden: [8, 16] } });
    expect([...q.groups.values()].map((g) => g.extractor.name)).toEqual(['rnn']);
  });

  it('refuses an unknown key, an empty list, a bad value and a field or option both set and tuned', () => {
    expect(() => plan({ tune: { hiden: [8] } })).toThrow(/unknown grid key "hiden": did you mean "hidden"\?/);
    expect(() => plan({ tune: { lr: [] } })).toThrow(/tune\.lr: the grid list is empty/);
    expect(() => plan({ tune: { lr: [0.01, 2] } })).toThrow(/tune\.lr\[1\]: expected a number in \(0, 1\], got 2/);
    expect(() => plan({ tune: { layers: [1, 0] } })).toThrow(/tune\.layers\[1\]: extractor rnn option layers refuses 0/);
    expect(() => plan({ warmup: 10, tune: { warmup: [0, 10] } })).toThrow(/"warmup" is set \(10\) and tuned \(tune\.warmup\)/);
    expect(() => plan({ tune: { hidden: [8, 16] } })).toThrow(/extractor rnn sets hidden \(8\) and tune\.hidden tunes it/);
  });

  it('gives groups that agree one key across suites and labels, and another key when a setting differs', () => {
    const a = plan({ name: 'a' }).plan;
    const b = plan({ name: 'b', extractors: [{ name: 'rnn', label: 'rnn-small', options: { hidden: 8 } }] }).plan;
    const c = plan({ name: 'c', batch: 16, extractors: [{ name: 'rnn', options: { hidden: 8 } }] }).plan;
    const merged = mergePlans([a, b, c]);
    expect(merged.groups.size).toBe(3); // a's rnn and b's rnn-small are one group
    expect([...b.groups.keys()][0]).toBe([...a.groups.keys()][0]);
  });

  it('shards whole groups: every cell of a group lands in the same shard (run, status and collect all use shardOfRun)', () => {
    const { cells, plan: p } = plan({ lengths: [6, 8] });
    const unit = (c: (typeof cells)[number]) => p.groupOf.get(cellKey(c))!;
    const shards = [0, 1, 2].map((index) => shardOfRun(cells, { index, count: 3 }, p));
    expect(shards.flat()).toHaveLength(cells.length);
    const owner = new Map<string, number>();
    shards.forEach((s, i) =>
      s.forEach((c) => {
        if (!owner.has(unit(c))) owner.set(unit(c), i);
        expect(owner.get(unit(c))).toBe(i);
      }),
    );
  });
});

describe('successive halving', () => {
  it('budgets: log_halving(n) rungs, the last at the full budget', () => {
    const b = (halving: number | false) => ({ steps: 100, seeds: [1], halving, minRungSteps: 1 });
    expect(rungBudgets(4, b(2))).toEqual([50, 100]);
    expect(rungBudgets(3, b(2))).toEqual([50, 100]);
    expect(rungBudgets(8, b(2))).toEqual([25, 50, 100]);
    expect(rungBudgets(9, b(3))).toEqual([33, 100]); // 9 -> 3 -> the best
    expect(rungBudgets(10, b(3))).toEqual([11, 33, 100]);
    expect(rungBudgets(2, b(2))).toEqual([100]);
    expect(rungBudgets(1, b(2))).toEqual([100]);
    expect(rungBudgets(8, b(false))).toEqual([100]);
  });

  it('budgets never fall below minRungSteps (default 100), clamped to the full budget', () => {
    const b = (steps: number, minRungSteps?: number) => ({ steps, seeds: [1], halving: 2, ...(minRungSteps ? { minRungSteps } : {}) });
    expect(rungBudgets(4, b(2000))).toEqual([1000, 2000]);
    expect(rungBudgets(8, b(400))).toEqual([100, 200, 400]); // 50 -> 100
    expect(rungBudgets(4, b(150))).toEqual([100, 150]); // 75 -> 100
    expect(rungBudgets(4, b(60))).toEqual([60, 60]); // the floor is clamped to the budget
    expect(rungBudgets(8, b(400, 150))).toEqual([150, 200, 400]);
  });

  it('a trial validates at least four times within its rung, so it can count as solved at rung 0', () => {
    expect(trialValEvery(100, 100)).toBe(25);
    expect(trialValEvery(100, 150)).toBe(37);
    expect(trialValEvery(100, 2000)).toBe(100); // the suite's interval when the rung is long enough
    expect(trialValEvery(10, 100)).toBe(10);
    expect(trialValEvery(100, 3)).toBe(1);
    const g = [...plan({ steps: 200 }).plan.groups.values()][0];
    expect(g.train.valEvery).toBe(100);
    const [first, last] = rungBudgets(4, g.budget);
    expect(trialCell(g, { lr: 0.01 }, 1, first, 0).train).toMatchObject({ steps: 100, valEvery: 25 });
    expect(trialCell(g, { lr: 0.01 }, 1, last, 1).train).toMatchObject({ steps: 200, valEvery: 50 });
  });

  it('grid points: the first key varies slowest', () => {
    expect(
      gridPoints([
        ['lr', [1, 2]],
        ['warmup', [0, 5]],
      ]),
    ).toEqual([
      { lr: 1, warmup: 0 },
      { lr: 1, warmup: 5 },
      { lr: 2, warmup: 0 },
      { lr: 2, warmup: 5 },
    ]);
  });

  const o = (lr: number, failed: number, loss: number | null, score: number | null, solved = 0, stepsToSolve: number | null = null): TrialOutcome => ({
    config: { lr },
    completed: 2 - failed,
    failed,
    solved,
    stepsToSolve,
    score,
    loss,
  });
  const lrs = (ts: TrialOutcome[]) => ts.map((t) => t.config.lr);

  it('ranks by failed seeds, then mean validation loss, then validation score; seeds solved and steps to solve do not rank', () => {
    const ranked = rankOutcomes([
      o(1, 0, 0.5, 0.95, 2, 100), // solved both seeds, but a higher loss
      o(2, 0, 0.4, 0.1),
      o(3, 1, 0.01, 0.99), // the lowest loss, but a seed failed
      o(4, 0, 0.4, 0.2), // ties 2 in loss, a higher score
      o(5, 2, null, null),
      o(6, 1, 0.3, 0.5),
    ]);
    expect(lrs(ranked)).toEqual([4, 2, 1, 3, 6, 5]);
  });

  it('breaks exact ties by a hash of the grid point, never grid order: reversing or shuffling the grid changes nothing', () => {
    const grid = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2];
    for (const tied of [grid.map((lr) => o(lr, 0, 0.7, 0.01)), grid.map((lr) => o(lr, 2, null, null))]) {
      const ranked = lrs(rankOutcomes(tied));
      expect(lrs(rankOutcomes([...tied].reverse()))).toEqual(ranked);
      expect(lrs(rankOutcomes([tied[2], tied[4], tied[0], tied[3], tied[1]]))).toEqual(ranked);
      expect(ranked).toEqual([...grid].sort((a, b) => (tieKey({ lr: a }) < tieKey({ lr: b }) ? -1 : 1)));
      expect(ranked).not.toEqual(grid); // not the smallest rate first, as grid order had it
    }
    // The hash reads the grid point, not the order of its keys.
    expect(tieKey({ lr: 1e-3, warmup: 0 })).toBe(tieKey({ warmup: 0, lr: 1e-3 }));
    expect(tieKey({ lr: 1e-3, warmup: 0 })).not.toBe(tieKey({ lr: 1e-3, warmup: 10 }));
  });
});

describe('chance', () => {
  const acc = (value: number, empiricalChance: number, samples = 512) => ({
    metric: 'accuracy' as const,
    value,
    empiricalChance,
    samples,
    score: (value - empiricalChance) / (1 - empiricalChance),
  });

  it('marks accuracy at chance by a one-sided test of the seeds pooled against the empirical chance', () => {
    // Two seeds of 512 validation samples at chance 0.25: z = 1024 d / sqrt(1024 * 0.1875) crosses 2.326 at d = 0.0315.
    expect(isAtChance([acc(0.25, 0.25), acc(0.25, 0.25)])).toBe(true);
    expect(isAtChance([acc(0.28, 0.25), acc(0.28, 0.25)])).toBe(true);
    expect(isAtChance([acc(0.285, 0.25), acc(0.285, 0.25)])).toBe(false);
    // The same accuracies on 64 samples a seed cannot be told from chance.
    expect(isAtChance([acc(0.285, 0.25, 64), acc(0.285, 0.25, 64)])).toBe(true);
    // Pooled: one seed well above chance carries a seed at chance.
    expect(isAtChance([acc(0.35, 0.25), acc(0.25, 0.25)])).toBe(false);
    // Below chance is at chance (one-sided), and so is the constant predictor against a perfect chance.
    expect(isAtChance([acc(0.1, 0.25)])).toBe(true);
    expect(isAtChance([acc(1, 1)])).toBe(true);
    expect(isAtChance([acc(0.01, 0)])).toBe(false);
  });

  it('marks losses (mse, cross-entropy) at chance below a score of 0.05, and a trial with no completed seed', () => {
    const loss = (metric: 'mse' | 'cross-entropy', score: number) => ({ metric, value: 0.1, empiricalChance: 0.17, samples: 512, score });
    expect(isAtChance([loss('mse', 0.04), loss('mse', 0.05)])).toBe(true); // mean 0.045
    expect(isAtChance([loss('mse', 0.04), loss('mse', 0.07)])).toBe(false);
    expect(isAtChance([loss('cross-entropy', -0.2)])).toBe(true);
    expect(isAtChance([])).toBe(true);
  });
});

describe('records written before validation-loss ranking', () => {
  it('still parse: the committed tuned records lack loss, atChance, minRungSteps and chosenAmongChance', () => {
    const file = path.resolve(import.meta.dirname, '../../../docs/protocol-2026-12-02/recall-T32.jsonl');
    const { records, skipped } = readResults([file]);
    expect(skipped).toEqual([]);
    const tuned = records.filter((r) => r.tuning);
    expect(tuned.length).toBeGreaterThan(0);
    for (const r of tuned) {
      const t = tuningSchema.parse(r.tuning);
      expect(t.chosenAmongChance).toBeUndefined();
      expect(t.budget.minRungSteps).toBeUndefined();
      expect(t.rungs[0].trials[0].loss).toBeUndefined();
    }
  });
});

describe('a tuning run', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('runs the rungs on validation with two seeds, chooses the lowest loss, applies it, and reuses the tuning file', async () => {
    const { cells, plan: p } = plan({
      extractors: [{ name: 'lstm', options: { hidden: 16 } }],
      steps: 200,
      batch: 16,
      warmup: 0,
      valEvery: 10,
      valSamples: 32,
      evalSamples: 32,
      tune: { lr: [1e-5, 0.003, 0.03] },
    });
    const file = tuningFile(path.join(mkdtempSync(path.join(os.tmpdir(), 'fxbench-tune-')), 'r.jsonl'));
    const progress = createProgress(process.stderr, true);
    const key = [...p.groups.keys()][0];
    const first = await runTuning(p, [key], { file, progress, workers: 1, warn: () => {} });
    const s = first.summaries.get(key)!;
    expect(s.budget.seeds).toEqual([1, 2]);
    // 3 grid points: rung 1 at 100 steps keeps 2, rung 2 runs them at 200 (or carries a point solved at rung 1).
    expect(s.rungs.map((r) => [r.steps, r.trials.length, r.kept])).toEqual([
      [100, 3, 2],
      [200, 2, 0],
    ]);
    expect(s.rungs[0].trials.map((t) => t.config.lr)).not.toContain(undefined);
    expect(s.rungs[0].trials[2].config.lr).toBe(1e-5); // a rate that cannot learn in 100 steps ranks last and goes no further
    for (const r of s.rungs) {
      const losses = r.trials.map((t) => t.loss!);
      expect(losses).toEqual([...losses].sort((a, b) => a - b)); // ranked by mean validation loss
    }
    expect(s.chosen).toEqual(s.rungs[1].trials[0].config);
    expect(s.chosenAmongChance).toBe(false);
    const trials = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as CompletedRecord);
    expect(trials.every((t) => t.trial!.key === key && t.data.test === null && t.metrics.split === 'validation')).toBe(true);
    expect(trials).toHaveLength(2 * (3 + s.rungs[1].trials.filter((t) => !t.carried).length));
    // Each seed its own stream: the two seeds' trials of a grid point train on other data from other weights.
    for (const lr of [1e-5, 0.003, 0.03]) {
      const [a, b] = [1, 2].map((seed) => trials.find((t) => t.seed === seed && t.train.steps === 100 && t.trial!.config.lr === lr)!);
      expect(a.curves.loss[0]).not.toBe(b.curves.loss[0]);
      expect(a.metrics.evalLoss).not.toBe(b.metrics.evalLoss);
    }
    // The outcome's loss is the mean over the seeds of their validation loss.
    const best = s.rungs[0].trials[0];
    const seedsOf = trials.filter((t) => t.train.steps === 100 && t.trial!.config.lr === best.config.lr);
    expect(best.loss).toBeCloseTo((seedsOf[0].metrics.evalLoss + seedsOf[1].metrics.evalLoss) / 2, 10);
    // A second run finds every trial in the file and runs none.
    const again = await runTuning(p, [key], { file, progress, workers: 1, warn: () => {} });
    expect(again.summaries.get(key)).toEqual(s);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(trials.length);
    const tuned = applyTuning(cells[0], s);
    expect(tuned.train.lr).toBe(s.chosen.lr);
    expect(tuned.tuning).toBe(s);
  });

  it('carries a grid point solved under a constant schedule to the next rung without rerunning it', async () => {
    // lr 0.01 and 0.03 both solve within 60 steps of rung 1's 100 (early stopping ends them there); 1e-5 cannot.
    const { plan: p } = plan({
      extractors: [{ name: 'lstm', options: { hidden: 16 } }],
      lengths: [4],
      steps: 120,
      batch: 16,
      warmup: 0,
      embedDim: 8,
      valEvery: 5,
      valSamples: 64,
      evalSamples: 32,
      tune: { lr: [1e-5, 0.01, 0.03], seeds: [1] },
    });
    const file = tuningFile(path.join(mkdtempSync(path.join(os.tmpdir(), 'fxbench-carry-')), 'r.jsonl'));
    const key = [...p.groups.keys()][0];
    const { summaries } = await runTuning(p, [key], { file, progress: createProgress(process.stderr, true), workers: 1, warn: () => {} });
    const s = summaries.get(key)!;
    expect(s.rungs.map((r) => r.steps)).toEqual([100, 120]);
    const [best, next, never] = s.rungs[0].trials;
    expect(never.config.lr).toBe(1e-5);
    expect(never.stepsToSolve).toBeNull();
    for (const t of [best, next]) expect(t.stepsToSolve).toBeLessThanOrEqual(60);
    expect(best.loss!).toBeLessThanOrEqual(next.loss!); // ranked by validation loss
    expect(s.rungs[1].trials.map((t) => [t.config.lr, t.carried])).toEqual([
      [best.config.lr, true],
      [next.config.lr, true],
    ]);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3); // rung 2 ran nothing
    expect(s.chosen).toEqual({ lr: best.config.lr });
  });

  it("solves at rung 0 with the suite's default validation interval (100), checking every quarter of the rung", async () => {
    // Before the floor on checks, a 100-step rung validated once and no trial could count as solved there.
    const { plan: p } = plan({
      extractors: [{ name: 'lstm', options: { hidden: 16 } }],
      lengths: [4],
      steps: 200,
      batch: 16,
      warmup: 0,
      embedDim: 8,
      valSamples: 64,
      evalSamples: 32,
    });
    const g = [...p.groups.values()][0];
    const steps = rungBudgets(gridPoints(g.grid).length, g.budget)[0];
    const r = (await runCell(trialCell(g, { lr: 0.03 }, 1, steps, 0))) as CompletedRecord;
    expect(r.train).toMatchObject({ steps: 100, valEvery: 25 });
    expect(r.validation.stepsToSolve).not.toBeNull();
    expect(r.validation.curve.length).toBeGreaterThanOrEqual(2);
  });

  it('marks trials at chance, and a choice among them only as chosenAmongChance', async () => {
    // Rates too small to move the weights in 100 steps; the floor makes both rungs 100 steps, so rung 2 reuses rung 1's trials.
    const { plan: p } = plan({
      extractors: [{ name: 'lstm', options: { hidden: 16 } }],
      steps: 100,
      batch: 16,
      warmup: 0,
      valSamples: 128,
      evalSamples: 32,
      tune: { lr: [1e-7, 2e-7, 3e-7], seeds: [1] },
    });
    const file = tuningFile(path.join(mkdtempSync(path.join(os.tmpdir(), 'fxbench-chance-')), 'r.jsonl'));
    const key = [...p.groups.keys()][0];
    const s = (await runTuning(p, [key], { file, progress: createProgress(process.stderr, true), workers: 1, warn: () => {} })).summaries.get(key)!;
    expect(s.rungs.map((r) => [r.steps, r.trials.length, r.kept])).toEqual([
      [100, 3, 2],
      [100, 2, 0],
    ]);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    for (const r of s.rungs) expect(r.trials.map((t) => t.atChance)).toEqual(r.trials.map(() => true));
    expect(s.chosenAmongChance).toBe(true);
  });
});
