/**
 * Equal-budget tuning: the grid is validated against the suite's extractors, groups are
 * shared across suites that agree, successive halving's rungs and ranking, and a tuning
 * run on real tiny trials (choice, rungs, the tuning file as a cache).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../kernels/backend.js';
import { createProgress } from '../../../harness/run/progress.js';
import { expandSuite, parseSuite, type SuiteInput } from '../../../harness/suite/suite.js';
import {
  applyTuning,
  cellKey,
  DEFAULT_GRID,
  gridPoints,
  mergePlans,
  planTuning,
  rankOutcomes,
  rungBudgets,
  runTuning,
  shardOfRun,
  tuningFile,
} from '../../../harness/run/tune.js';
import type { TrialOutcome } from '../../../harness/suite/tuneRecord.js';

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
    const b = (halving: number | false) => ({ steps: 100, seeds: [1], halving });
    expect(rungBudgets(4, b(2))).toEqual([50, 100]);
    expect(rungBudgets(3, b(2))).toEqual([50, 100]);
    expect(rungBudgets(8, b(2))).toEqual([25, 50, 100]);
    expect(rungBudgets(9, b(3))).toEqual([33, 100]); // 9 -> 3 -> the best
    expect(rungBudgets(10, b(3))).toEqual([11, 33, 100]);
    expect(rungBudgets(2, b(2))).toEqual([100]);
    expect(rungBudgets(1, b(2))).toEqual([100]);
    expect(rungBudgets(8, b(false))).toEqual([100]);
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

  it('ranks by seeds solved, then steps to solve, then failures, then validation score, then grid order', () => {
    const o = (lr: number, solved: number, stepsToSolve: number | null, failed: number, score: number | null): TrialOutcome => ({
      config: { lr },
      completed: 2 - failed,
      failed,
      solved,
      stepsToSolve,
      score,
    });
    const ranked = rankOutcomes([
      o(1, 0, null, 0, 0.5),
      o(2, 1, 300, 0, 0.9),
      o(3, 1, 200, 0, 0.9),
      o(4, 0, null, 1, 0.9),
      o(5, 0, null, 0, 0.7),
      o(6, 0, null, 0, 0.7),
    ]);
    expect(ranked.map((x) => x.config.lr)).toEqual([3, 2, 5, 6, 1, 4]);
  });
});

describe('a tuning run', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('runs the rungs on validation, chooses the best, applies it, and reuses the tuning file', async () => {
    const { cells, plan: p } = plan({
      extractors: [{ name: 'lstm', options: { hidden: 16 } }],
      steps: 80,
      batch: 16,
      warmup: 0,
      valEvery: 10,
      valSamples: 32,
      evalSamples: 32,
      tune: { lr: [1e-5, 0.003, 0.03], seeds: [1] },
    });
    const file = tuningFile(path.join(mkdtempSync(path.join(os.tmpdir(), 'fxbench-tune-')), 'r.jsonl'));
    const progress = createProgress(process.stderr, true);
    const key = [...p.groups.keys()][0];
    const first = await runTuning(p, [key], { file, progress, workers: 1, warn: () => {} });
    const s = first.summaries.get(key)!;
    // 3 grid points: rung 1 at 40 steps keeps 2, rung 2 runs them at 80 (or carries a point solved at rung 1).
    expect(s.rungs.map((r) => [r.steps, r.trials.length, r.kept])).toEqual([
      [40, 3, 2],
      [80, 2, 0],
    ]);
    expect(s.rungs[0].trials.map((t) => t.config.lr)).not.toContain(undefined);
    expect(s.rungs[0].trials[2].config.lr).toBe(1e-5); // a rate that cannot learn in 40 steps ranks last and goes no further
    expect(s.chosen).toEqual(s.rungs[1].trials[0].config);
    const trials = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(trials.every((t) => t.trial.key === key && t.data.test === null && t.metrics.split === 'validation')).toBe(true);
    expect(trials).toHaveLength(3 + s.rungs[1].trials.filter((t) => !t.carried).length);
    // A second run finds every trial in the file and runs none.
    const again = await runTuning(p, [key], { file, progress, workers: 1, warn: () => {} });
    expect(again.summaries.get(key)).toEqual(s);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(trials.length);
    const tuned = applyTuning(cells[0], s);
    expect(tuned.train.lr).toBe(s.chosen.lr);
    expect(tuned.tuning).toBe(s);
  });

  it('carries a grid point solved under a constant schedule to the next rung without rerunning it', async () => {
    // lr 0.01 and 0.03 both solve within rung 1's 60 steps (early stopping ends them there); 1e-5 cannot.
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
    const [fast, slow, never] = s.rungs[0].trials;
    expect(never.config.lr).toBe(1e-5);
    expect(never.stepsToSolve).toBeNull();
    for (const t of [fast, slow]) expect(t.stepsToSolve).toBeLessThanOrEqual(60);
    expect(fast.stepsToSolve!).toBeLessThanOrEqual(slow.stepsToSolve!); // ranked by steps to solve
    expect(s.rungs[1].trials.map((t) => [t.config.lr, t.carried])).toEqual([
      [fast.config.lr, true],
      [slow.config.lr, true],
    ]);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3); // rung 2 ran nothing
    expect(s.chosen).toEqual({ lr: fast.config.lr });
  });
});
