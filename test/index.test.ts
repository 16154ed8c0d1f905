/** The library entry point (index.ts) exposes the large-run API as well as the registries. */
import { describe, expect, it } from 'vitest';
import * as api from '../index.js';

describe('the package API', () => {
  it('exports resume, shard, merge, memory, optimiser and scheduling functions that work', () => {
    const cells = api.expandSuite(
      api.parseSuite({ name: 's', tasks: ['recall'], extractors: ['rnn', 'transformer'], lengths: [8, 512], seeds: [1], steps: 2 }, 'test'),
    );
    const shard = api.parseShard('1/2');
    expect(api.selectShard(cells, shard)).toEqual([cells[1], cells[3]]);
    expect(api.longestFirst(cells)[0].extractor.name).toBe('transformer');
    expect(api.longestFirst(cells)[0].length).toBe(512);
    expect(api.estimateCellMemory(cells[0])!.bytes).toBeGreaterThan(0);
    expect(api.globalNorm([Float32Array.of(3, 4)])).toBe(5);
    for (const f of [api.planResume, api.mergeResults, api.writeResultsAtomic, api.memoryBudget, api.estimateEvalMemory, api.gradData, api.cellCost])
      expect(typeof f).toBe('function');
    expect(typeof api.Adam).toBe('function');
  });

  it('exports the statistics', () => {
    expect(api.fisherExact(3, 0, 0, 3).p).toBeCloseTo(0.1, 15);
    expect(api.holm([0.01, 0.04])).toEqual([0.02, 0.04]);
    expect(api.pairedTTest([1, 2, 3], [0, 1, 1]).df).toBe(2);
    expect(api.sequentialBoundaries([0.5, 1], 0.05, 'pocock').z).toHaveLength(2);
    for (const f of [api.wilcoxonSignedRank, api.tost, api.logRank, api.kaplanMeier, api.bootstrapInterval, api.hedgesG, api.pairedTTestMde, api.fisherMde])
      expect(typeof f).toBe('function');
  });
});

describe('the training protocol API', () => {
  it('exports the suite fields, the score, the schedule and tuning', () => {
    expect(api.scoreOf('accuracy', 0.625, 0.25)).toBe(0.5);
    expect(api.learningRate({ lr: 0.01, warmup: 2, schedule: 'constant', steps: 10 }, 1)).toBe(0.005);
    expect(Object.keys(api.trainFields)).toContain('evalSamples');
    const suite = api.parseSuite({ tasks: ['recall'], extractors: ['rnn'], lengths: [8], steps: 10 });
    const plan = api.planTuning(suite, api.expandSuite(suite));
    expect([...plan.groups.values()][0].grid).toEqual([['lr', api.DEFAULT_GRID.lr]]);
    expect(api.tuningFile('results/x.jsonl')).toBe('results/x.tune.jsonl');
  });
});
