import { describe, expect, it } from 'vitest';
import { aggregateCells, binValues, cellKey, curveAcrossSeeds, groupBy, movingAverage, summarize, thinIndices } from '../../../harness/store/aggregate.js';
import { completedRecord, divergedRecord, erroredRecord } from '../../reports/fixtures.js';

const run = (extractor: string, length: number, seed: number, value: number) =>
  completedRecord(
    { extractor: { name: extractor, label: extractor }, length, seed },
    { metrics: { metric: 'accuracy', value, chance: 0.125, higherIsBetter: true, evalLoss: 1, accuracy: value, msPerStep: 5, finalLoss: 1 } },
  );

describe('summarize', () => {
  it('n, mean, sd and the Student-t 95% CI', () => {
    // [0.5, 0.6, 0.7]: mean 0.6; deviations ±0.1, 0: sd = √(0.02/2) = 0.1
    // half width = t(0.975, 2) · 0.1 / √3 = 4.302653 · 0.057735 = 0.248414
    const s = summarize([0.5, 0.6, 0.7])!;
    expect(s.n).toBe(3);
    expect(s.mean).toBeCloseTo(0.6, 14);
    expect(s.sd).toBeCloseTo(0.1, 14);
    expect(s.ci95![0]).toBeCloseTo(0.6 - 0.248414, 6);
    expect(s.ci95![1]).toBeCloseTo(0.6 + 0.248414, 6);
  });

  it('one value: no sd, no interval; non-finite values are dropped; nothing left: null', () => {
    expect(summarize([0.4])).toEqual({ n: 1, mean: 0.4, sd: null, ci95: null });
    expect(summarize([1, NaN, 3, Infinity])!.mean).toBe(2);
    expect(summarize([])).toBeNull();
    expect(summarize([NaN])).toBeNull();
  });
});

describe('groupBy', () => {
  it('keeps first-seen order of keys and items', () => {
    const g = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (s) => s[0]);
    expect([...g.keys()]).toEqual(['b', 'a', 'c']);
    expect(g.get('a')).toEqual(['a1', 'a2']);
  });
});

describe('aggregateCells', () => {
  it('groups by (task, extractor, length) across seeds with status counts', () => {
    const records = [
      run('rnn', 8, 1, 0.5),
      run('rnn', 8, 2, 0.7),
      run('lstm', 8, 1, 0.9),
      run('rnn', 16, 1, 0.3),
      erroredRecord({ extractor: { name: 'rnn', label: 'rnn' }, length: 8, seed: 3 }),
      divergedRecord({ extractor: { name: 'lstm', label: 'lstm' }, length: 8, seed: 2 }),
      divergedRecord({ extractor: { name: 'gru', label: 'gru' }, length: 8, seed: 1 }),
    ];
    const groups = aggregateCells(records);
    expect(groups.map((g) => [g.extractor, g.length])).toEqual([
      ['rnn', 8],
      ['lstm', 8],
      ['rnn', 16],
      ['gru', 8],
    ]);
    const rnn8 = groups[0];
    expect(rnn8.seeds).toEqual([1, 2, 3]);
    expect(rnn8.status).toEqual({ completed: 2, diverged: 0, errored: 1 });
    expect(rnn8.metric).toBe('accuracy');
    expect(rnn8.chance).toBe(0.125);
    // [0.5, 0.7]: mean 0.6, sd √0.02 = 0.141421; half width = 12.706205 · 0.141421 / √2 = 1.2706205
    expect(rnn8.value!.mean).toBeCloseTo(0.6, 14);
    expect(rnn8.value!.sd).toBeCloseTo(Math.SQRT2 / 10, 14);
    expect(rnn8.value!.ci95![0]).toBeCloseTo(0.6 - 1.2706205, 6);
    expect(rnn8.value!.ci95![1]).toBeCloseTo(0.6 + 1.2706205, 6);
    expect(groups[1].status).toEqual({ completed: 1, diverged: 1, errored: 0 });
    expect(groups[1].value).toEqual({ n: 1, mean: 0.9, sd: null, ci95: null });
    // No completed run: counts only, no metric.
    expect(groups[3].status).toEqual({ completed: 0, diverged: 1, errored: 0 });
    expect(groups[3].value).toBeNull();
    expect(groups[3].metric).toBeUndefined();
  });

  it('keys labels with any characters apart', () => {
    const a = completedRecord({ extractor: { name: 'x', label: 'a,b' } });
    const b = completedRecord({ extractor: { name: 'x', label: 'a' }, task: { name: 'recall', label: 'recall,b' } });
    expect(cellKey(a)).not.toBe(cellKey(b));
    expect(aggregateCells([a, b])).toHaveLength(2);
  });
});

describe('curves across seeds', () => {
  it('linear mean and CI per index; shorter curves just stop counting', () => {
    const pts = curveAcrossSeeds([
      [1, 2, 3],
      [3, 4],
    ]);
    expect(pts.map((p) => [p.index, p.n, p.mean])).toEqual([
      [0, 2, 2],
      [1, 2, 3],
      [2, 1, 3],
    ]);
    // [1, 3]: sd √2, half width 12.706205 · √2 / √2
    expect(pts[0].lo).toBeCloseTo(2 - 12.706205, 5);
    expect(pts[2].lo).toBeNull();
  });

  it('log space: geometric mean, back-transformed CI, non-positive values left out', () => {
    const pts = curveAcrossSeeds(
      [
        [1, 1e-6, 0],
        [100, 1e-4, 0],
      ],
      'log',
    );
    expect(pts).toHaveLength(2); // index 2 has no positive value
    expect(pts[0].mean).toBeCloseTo(10, 10); // √(1 · 100)
    expect(pts[1].mean).toBeCloseTo(1e-5, 15);
    // log10 values 0 and 2: mean 1, sd √2, half width 12.706205 (df 1) -> 10^(1 ± 12.706205)
    expect(Math.log10(pts[0].hi!)).toBeCloseTo(1 + 12.706205, 5);
    expect(Math.log10(pts[0].lo!)).toBeCloseTo(1 - 12.706205, 5);
  });

  it('movingAverage is trailing and skips non-finite values', () => {
    // window 3: [1], [1,2], [1,2,3], [2,3,4], [3,4,NaN -> skipped]
    expect(movingAverage([1, 2, 3, 4, NaN], 3)).toEqual([1, 1.5, 2, 3, 3.5]);
    expect(movingAverage([5, 7], 1)).toEqual([5, 7]);
    expect(movingAverage([NaN], 2)[0]).toBeNaN();
  });

  it('binValues: one bin per value up to max, else equal-width ranges', () => {
    const few = binValues([3, 1, 3, 2], 8);
    expect(few.bins.map((b) => b.mid)).toEqual([1, 2, 3]);
    expect(few.binOf(3)).toBe(2);
    // 0..15 into 4 bins of width 15/4 = 3.75: [0,3], [4,7], [8,11], [12,15]
    const many = binValues(
      Array.from({ length: 16 }, (_, i) => i),
      4,
    );
    expect(many.bins).toEqual([
      { lo: 0, hi: 3, mid: 1.5 },
      { lo: 4, hi: 7, mid: 5.5 },
      { lo: 8, hi: 11, mid: 9.5 },
      { lo: 12, hi: 15, mid: 13.5 },
    ]);
    expect([0, 3, 4, 15].map(many.binOf)).toEqual([0, 0, 1, 3]);
  });

  it('thinIndices keeps about max points and always the last', () => {
    expect(thinIndices(5, 10)).toEqual([0, 1, 2, 3, 4]);
    expect(thinIndices(10, 4)).toEqual([0, 3, 6, 9]);
    expect(thinIndices(11, 4)).toEqual([0, 3, 6, 9, 10]);
    expect(thinIndices(0)).toEqual([]);
    expect(thinIndices(1000, 300).length).toBeLessThanOrEqual(301);
  });
});
