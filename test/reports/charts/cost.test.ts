import { describe, expect, it } from 'vitest';
import { gflopsPerExtractor, memoryVsLength, paramCounts, seqPerSec, throughputVsLength } from '../../../reports/charts/cost.js';
import { completedRecord, erroredRecord } from '../fixtures.js';

type Row = Record<string, number | string | undefined>;
type Layer = { data: { values: Row[] }; encoding: { color: { scale: { domain: string[] } } } };

const timed = (extractor: string, length: number, msPerStep: number) =>
  completedRecord(
    { extractor: { name: extractor, label: extractor }, length },
    { metrics: { metric: 'accuracy', value: 0.5, chance: 0.25, higherIsBetter: true, evalLoss: 1, msPerStep, finalLoss: 1 } },
  );

describe('throughputVsLength', () => {
  it('sequences per second = batch · 1000 / ms per step', () => {
    expect(seqPerSec(timed('rnn', 8, 16))).toBe(1000); // batch 16
  });

  it('puts the log-log slope of each extractor in its legend', () => {
    // rnn: ms/step ∝ T -> seq/s ∝ T^-1; transformer: ms/step ∝ T² -> slope -2; tcn: one length, no fit
    const records = [
      timed('rnn', 8, 8),
      timed('rnn', 16, 16),
      timed('rnn', 32, 32),
      timed('transformer', 8, 4),
      timed('transformer', 16, 16),
      timed('tcn', 8, 3),
      erroredRecord(),
    ];
    const [chart] = throughputVsLength(records);
    const means = (chart.spec as { layer: Layer[] }).layer[1];
    expect(means.encoding.color.scale.domain).toEqual(['rnn   slope −1.00', 'transformer   slope −2.00', 'tcn   (one length: no slope)']);
    expect(means.data.values.find((v) => v.extractor === 'rnn' && v.length === 16)!.mean).toBe(1000);
  });

  it('nothing without completed runs', () => {
    expect(throughputVsLength([erroredRecord()])).toEqual([]);
  });
});

describe('GFLOP/s, memory and parameter charts', () => {
  it('GFLOP/s: mean per extractor and length; peak MiB: geometric mean', () => {
    const a = completedRecord({ seed: 1 }, { cost: { forwardFlops: 1, trainFlopsPerStep: 3, gflops: 2, peakTensorBytes: 2 ** 20, rssBytes: 1 } });
    const b = completedRecord({ seed: 2 }, { cost: { forwardFlops: 1, trainFlopsPerStep: 3, gflops: 4, peakTensorBytes: 3 * 2 ** 20, rssBytes: 1 } });
    const [g] = gflopsPerExtractor([a, b]);
    expect((g.spec as { data: { values: Row[] } }).data.values[0]).toMatchObject({ extractor: 'rnn', length: 8, mean: 3, n: 2 });
    // Memory is on a log axis: geometric mean of 1 and 3 MiB = √3
    const [m] = memoryVsLength([a, b]);
    expect((m.spec as { data: { values: Row[] } }).data.values[0].mean).toBeCloseTo(Math.sqrt(3), 12);
  });

  it('one bar per extractor label, the count it reported', () => {
    const [chart] = paramCounts([
      completedRecord({ extractor: { name: 'rnn', label: 'rnn', params: 24832 } }),
      completedRecord({ extractor: { name: 'lstm', label: 'lstm', params: 99328 } }),
    ]);
    expect((chart.spec as { data: { values: Row[] } }).data.values.map((v) => [v.extractor, v.params])).toEqual([
      ['rnn', 24832],
      ['lstm', 99328],
    ]);
    expect(paramCounts([completedRecord({ extractor: { name: 'rnn', label: 'rnn', params: undefined } })])).toEqual([]);
  });
});
