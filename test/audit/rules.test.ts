/**
 * Decision rules fed known synthetic results return the expected verdicts; the experiments
 * expand into valid cells for every profile.
 */
import { describe, expect, it } from 'vitest';
import { CLAIMS } from '../../harness/audit/claims.js';
import { EXPERIMENTS, PROFILES } from '../../harness/audit/experiments.js';
import { compare, estimateOf, margin, stepsToLoss } from '../../harness/audit/rules.js';
import { auditCells, decide } from '../../harness/audit/run.js';
import type { Profile } from '../../harness/audit/types.js';
import { resultSchema, SCHEMA_VERSION, type ResultRecord } from '../../harness/results.js';
import { CHART_BUILDERS } from '../../reports/charts.js';

const P: Profile = { ...PROFILES.quick, lengths: [8, 32], long: 32 };
const env = { fxbench: '0', node: 'v20', tfjs: '4.22.0', backend: 'wasm', cpu: 'x', cores: 2, memoryGiB: 24, platform: 'linux', arch: 'x64' };
const train = { steps: 100, batch: 32, lr: 0.003, warmup: 0, schedule: 'constant' as const, clip: 1, embedDim: 64, readout: 'last' as const, valEvery: 100, valSamples: 512, evalSamples: 2048, generalize: [1], backend: 'wasm' as const, optimizer: { name: 'adam' as const, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } };
const data = { train: { stream: 'train' }, validation: { stream: 'validation' }, test: { stream: 'test' } };

interface Fake {
  exp: string;
  task?: string;
  taskOptions?: Record<string, unknown>;
  extractor: string;
  length: number;
  seed?: number;
  accuracy?: number;
  chance?: number;
  msPerStep?: number;
  params?: number;
  peak?: number;
  slopeInit?: number;
  slopeTrained?: number;
  /** Per-group gradient norms at the first logged step. */
  norms?: Record<string, number>;
}

function record(f: Fake): ResultRecord {
  const chance = f.chance ?? 0.25;
  return resultSchema.parse({
    schemaVersion: SCHEMA_VERSION,
    cellId: `${f.task ?? 'recall'}/${f.extractor}/T${f.length}/s${f.seed ?? 1}`,
    suite: `audit-${f.exp}`,
    task: { name: f.task ?? 'recall', label: f.task ?? 'recall', options: f.taskOptions ?? { symbols: 4 } },
    extractor: { name: f.extractor.split('-')[0], label: f.extractor, options: {}, params: f.params ?? 1000 },
    length: f.length,
    seed: f.seed ?? 1,
    train,
    data,
    env,
    startedAt: '2026-01-01T00:00:00.000Z',
    wallMs: 1,
    status: 'completed',
    metrics: { metric: 'accuracy', value: f.accuracy ?? chance, split: 'test', samples: 2048, chance, empiricalChance: chance, score: ((f.accuracy ?? chance) - chance) / (1 - chance), higherIsBetter: true, evalLoss: 1, accuracy: f.accuracy ?? chance, msPerStep: f.msPerStep ?? 10, finalLoss: 1 },
    validation: { samples: 512, solvedScore: 0.95, empiricalChance: chance, curve: [], stepsToSolve: null },
    curves: { loss: [1.4, 1.3], gradNorm: [1, 1] },
    byMeta: {},
    gradients: { groups: [{ step: 1, norms: f.norms ?? { head: 1 } }], profileInit: [1, 1], profileTrained: [1, 1], slopeInit: f.slopeInit ?? 0, slopeTrained: f.slopeTrained ?? 0, exploding: false, vanishing: false },
    lengths: [{ length: f.length, factor: 1, status: 'completed', value: f.accuracy ?? chance, chance }],
    cost: { forwardFlops: 1, trainFlopsPerStep: 3, gflops: 1, peakTensorBytes: f.peak ?? 1e6, rssBytes: 1e8 },
    stepsToThreshold: null,
  });
}

const verdictOf = (id: string, records: ResultRecord[]) => decide(CLAIMS.filter((c) => c.id === id), P, records).claims[0].decision.verdict;

describe('rule building blocks', () => {
  it('compares with intervals when there are seeds, with a margin otherwise', () => {
    const a = estimateOf([0.9, 0.92, 0.91])!;
    const b = estimateOf([0.5, 0.52, 0.51])!;
    expect(compare(a, b, 0.05)).toBe('greater');
    expect(compare(b, a, 0.05)).toBe('less');
    expect(compare(estimateOf([0.5, 0.9])!, estimateOf([0.6, 0.7])!, 0.05)).toBe('overlap'); // wide interval
    expect(compare(estimateOf([0.6])!, estimateOf([0.57])!, 0.05)).toBe('overlap');
    expect(compare(estimateOf([0.7])!, estimateOf([0.6])!, 0.05)).toBe('greater');
  });

  it('scores above chance as a fraction of the way to perfect', () => {
    const r = record({ exp: 'x', extractor: 'rnn', length: 8, accuracy: 0.625, chance: 0.25 }) as Extract<ResultRecord, { status: 'completed' }>;
    expect(margin(r)).toBeCloseTo(0.5, 12);
  });

  it('finds steps to a loss threshold on the smoothed curve', () => {
    expect(stepsToLoss([2, 2, 1, 0.4, 0.4, 0.4], 0.5)).toBe(4);
    expect(stepsToLoss([2, 2, 2], 0.5)).toBeNull();
  });
});

describe('decision rules on synthetic evidence', () => {
  const sweep = (acc: Record<string, [number, number]>) =>
    Object.entries(acc).flatMap(([e, [short, long]]) => [record({ exp: 'recall-lengths', extractor: e, length: 8, accuracy: short }), record({ exp: 'recall-lengths', extractor: e, length: 32, accuracy: long })]);

  it('rnn-long-range: supported when the RNN falls to chance while another extractor learns; contradicted when it learns', () => {
    expect(verdictOf('rnn-long-range', sweep({ rnn: [0.95, 0.26], lstm: [1, 0.95], gru: [1, 0.3], transformer: [1, 1], tcn: [1, 0.9] }))).toBe('supported');
    expect(verdictOf('rnn-long-range', sweep({ rnn: [0.95, 0.9], lstm: [1, 0.95], gru: [1, 0.3], transformer: [1, 1], tcn: [1, 0.9] }))).toBe('contradicted');
    // Nobody learns the long length: the budget cannot show the claim.
    expect(verdictOf('rnn-long-range', sweep({ rnn: [0.95, 0.26], lstm: [1, 0.3], gru: [1, 0.3], transformer: [1, 0.3], tcn: [1, 0.3] }))).toBe('inconclusive');
  });

  it('rnn-long-range: decides at the first length where the RNN is at chance and another extractor learns, not only at the longest', () => {
    const P3: Profile = { ...P, lengths: [8, 32, 128] };
    const recs = (rnn: number[], tf: number[]) =>
      [8, 32, 128].flatMap((L, i) => [
        record({ exp: 'recall-lengths', extractor: 'rnn', length: L, accuracy: rnn[i] }),
        record({ exp: 'recall-lengths', extractor: 'transformer', length: L, accuracy: tf[i] }),
      ]);
    const verdict = (r: ResultRecord[]) => decide(CLAIMS.filter((c) => c.id === 'rnn-long-range'), P3, r).claims[0].decision;
    // Nobody learns T = 128, but at T = 32 the Transformer does and the RNN is at chance.
    const d = verdict(recs([0.95, 0.26, 0.25], [1, 1, 0.27]));
    expect(d.verdict).toBe('supported');
    expect(d.key.label).toBe('rnn score above chance at T=32');
    // At T = 32 the RNN is not at chance: no length shows the failure.
    expect(verdict(recs([0.95, 0.6, 0.25], [1, 1, 0.27])).verdict).toBe('inconclusive');
  });

  it('lstm-mitigates: supported when the LSTM solves longer, contradicted when the RNN does', () => {
    expect(verdictOf('lstm-mitigates', sweep({ rnn: [0.95, 0.25], lstm: [1, 0.99], gru: [1, 1], transformer: [1, 1], tcn: [1, 1] }))).toBe('supported');
    expect(verdictOf('lstm-mitigates', sweep({ rnn: [0.99, 0.99], lstm: [0.99, 0.3], gru: [1, 1], transformer: [1, 1], tcn: [1, 1] }))).toBe('contradicted');
  });

  it('speed-ranking: supported for transformer > tcn > rnn family, contradicted when the order flips', () => {
    const speed = (ms: Record<string, number>) => Object.entries(ms).map(([e, m]) => record({ exp: 'speed', extractor: e, length: 32, msPerStep: m }));
    expect(verdictOf('speed-ranking', speed({ transformer: 10, tcn: 20, rnn: 50, lstm: 80 }))).toBe('supported');
    expect(verdictOf('speed-ranking', speed({ transformer: 40, tcn: 20, rnn: 50, lstm: 80 }))).toBe('contradicted');
  });

  it('rnn-weight-sharing: supported when RNN parameters stay flat below the MLP\'s and its memory is lower', () => {
    const rows = (rnnPeak: number) => [
      record({ exp: 'weight-sharing', extractor: 'rnn', length: 8, params: 1000, peak: rnnPeak }),
      record({ exp: 'weight-sharing', extractor: 'rnn', length: 32, params: 1000, peak: rnnPeak }),
      record({ exp: 'weight-sharing', extractor: 'mlp-8', length: 8, params: 5000, peak: 5e6 }),
      record({ exp: 'weight-sharing', extractor: 'mlp-32', length: 32, params: 20000, peak: 5e6 }),
    ];
    expect(verdictOf('rnn-weight-sharing', rows(1e6))).toBe('supported');
    expect(verdictOf('rnn-weight-sharing', rows(9e6))).toBe('inconclusive');
  });

  it('pe-needed: supported when positions matter for recall but not for adding', () => {
    const L = P.lengths[0] * 2;
    const r = (task: string, e: string, acc: number) => record({ exp: 'pe', task, extractor: e, length: L, accuracy: acc, chance: task === 'adding' ? 0.5 : 0.25 });
    expect(verdictOf('pe-needed', [r('recall', 'transformer-sinusoidal', 1), r('recall', 'transformer-none', 0.27), r('adding', 'transformer-sinusoidal', 0.9), r('adding', 'transformer-none', 0.9)])).toBe('supported');
    expect(verdictOf('pe-needed', [r('recall', 'transformer-sinusoidal', 1), r('recall', 'transformer-none', 1), r('adding', 'transformer-sinusoidal', 0.9), r('adding', 'transformer-none', 0.9)])).toBe('contradicted');
  });

  it('rnn-gradients: supported with both regimes and a steeper trained RNN decay', () => {
    const recs = [
      record({ exp: 'rnn-radius', extractor: 'rnn-rho0.5', length: 32, slopeInit: -0.3 }),
      record({ exp: 'rnn-radius', extractor: 'rnn-rho1', length: 32, slopeInit: -0.01 }),
      record({ exp: 'rnn-radius', extractor: 'rnn-rho2', length: 32, slopeInit: 0.2 }),
      record({ exp: 'recall-lengths', extractor: 'rnn', length: 32, slopeTrained: -0.1 }),
      record({ exp: 'recall-lengths', extractor: 'lstm', length: 32, slopeTrained: -0.01 }),
    ];
    expect(verdictOf('rnn-gradients', recs)).toBe('supported');
    const flat = recs.map((r) => (r.status === 'completed' ? { ...r, gradients: { ...r.gradients, slopeInit: 0 } } : r));
    expect(verdictOf('rnn-gradients', flat)).toBe('contradicted');
  });

  it('residual-gradients: on seeds, the gradient-ratio difference must clear the intervals, not just the means', () => {
    const L = P.lengths[0] * 2;
    const last = `layers.${P.deepLayers - 1}`;
    const r = (e: string, seed: number, ratio: number) => record({ exp: 'residual', extractor: e, length: L, seed, norms: { 'layers.0': ratio, [last]: 1 } });
    const seeds = (res: number[], none: number[]) => [...res.map((x, i) => r('transformer-residual', i + 1, x)), ...none.map((x, i) => r('transformer-no-residual', i + 1, x))];
    const S: Profile = { ...P, seeds: [1, 2, 3], indicative: false };
    const verdict = (recs: ResultRecord[]) => decide(CLAIMS.filter((c) => c.id === 'residual-gradients'), S, recs).claims[0].decision.verdict;
    expect(verdict(seeds([1.0, 1.1, 1.05], [0.2, 0.25, 0.22]))).toBe('supported');
    // The standard audit of 2026-11-30 read "supported" from means 1.05 < 1.11 with intervals [-0.25, 2.35]: no longer.
    expect(verdict(seeds([0.9, 1.3, 1.13], [0.4, 1.7, 1.05]))).toBe('inconclusive');
    // One seed (indicative): a margin of 0.1 on the ratio.
    expect(verdictOf('residual-gradients', seeds([1.0], [0.5]))).toBe('supported');
    expect(verdictOf('residual-gradients', seeds([1.0], [0.95]))).toBe('inconclusive');
  });

  it('says inconclusive, not a verdict, when an experiment has no completed cell', () => {
    const d = decide(CLAIMS, P, []);
    for (const c of d.claims) expect(c.decision.verdict).toBe('inconclusive');
  });
});

describe('experiments', () => {
  for (const name of Object.keys(PROFILES) as (keyof typeof PROFILES)[]) {
    it(`expand into valid cells for the ${name} profile`, () => {
      const cells = auditCells(CLAIMS, PROFILES[name]);
      expect(cells.length).toBeGreaterThan(20);
      expect(new Set(cells.map((c) => `${c.suite}|${c.id}`)).size).toBe(cells.length);
    });
  }

  it('every claim needs only known experiments and names only known chart builders', () => {
    for (const c of CLAIMS) for (const n of c.needs) expect(EXPERIMENTS[n], `${c.id} needs ${n}`).toBeDefined();
    for (const c of CLAIMS) for (const n of c.charts) expect(CHART_BUILDERS[n], `${c.id} charts ${n}`).toBeDefined();
    expect(CLAIMS.map((c) => c.id)).toEqual([
      'rnn-gradients', 'rnn-long-range', 'lstm-mitigates', 'rnn-sequential', 'rnn-weight-sharing', 'pe-needed',
      'pe-length', 'heads-long-range', 'residual-gradients', 'layernorm-convergence', 'semantic-features', 'speed-ranking',
    ]);
  });
});
