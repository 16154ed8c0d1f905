import { describe, expect, it } from 'vitest';
import { lossCurves, stepsToThreshold } from '../../../reports/charts/training.js';
import { completedRecord, divergedRecord, erroredRecord } from '../fixtures.js';

type Row = Record<string, number | string | undefined>;
const rowsOf = (spec: unknown) => (spec as { data: { values: Row[] } }).data.values;

describe('lossCurves', () => {
  it('one faint line per run, diverged runs included up to divergence, errored left out', () => {
    const [chart] = lossCurves([completedRecord({ seed: 1 }), divergedRecord({ seed: 2 }), erroredRecord({ seed: 3 })]);
    const runs = rowsOf(chart.spec).filter((r) => r.kind === 'run');
    expect(runs.filter((r) => r.seed === 1)).toHaveLength(4);
    expect(runs.filter((r) => r.seed === 2).map((r) => r.value)).toEqual([2, 3, 9]);
    expect(runs.some((r) => r.seed === 3)).toBe(false);
  });

  it('a bold line: each run smoothed over 5% of the steps, then averaged over seeds', () => {
    const steps = 40; // window 2
    const a = Array.from({ length: steps }, (_, i) => (i % 2 ? 1 : 3)); // smoothed: 3, then 2 2 2 ...
    const b = Array.from({ length: steps }, () => 4);
    const records = [1, 2].map((seed) =>
      completedRecord({ seed }, { curves: { loss: seed === 1 ? a : b, gradNorm: b }, train: { ...completedRecord().train, steps } }),
    );
    const [chart] = lossCurves(records);
    const mean = rowsOf(chart.spec).filter((r) => r.kind === 'mean');
    expect(mean.map((r) => r.value).slice(0, 3)).toEqual([3.5, 3, 3]); // (3 + 4) / 2, then (2 + 4) / 2
    expect(mean[0]).toMatchObject({ extractor: 'rnn', seeds: 2, window: 2 });
    expect(chart.caption).toContain('smoothed over 2 steps');
  });

  it('thins long curves to about 300 points, keeping the last step', () => {
    const loss = Array.from({ length: 3000 }, (_, i) => 1 / (i + 1));
    const [chart] = lossCurves([completedRecord({}, { curves: { loss, gradNorm: loss } })]);
    const steps = rowsOf(chart.spec)
      .filter((r) => r.kind === 'run')
      .map((r) => r.step as number);
    expect(steps.length).toBeLessThanOrEqual(301);
    expect(steps.at(-1)).toBe(3000);
  });
});

describe('stepsToThreshold', () => {
  it('mean over the seeds that got there; "never" when none did', () => {
    const records = [
      completedRecord({ seed: 1, length: 8 }, { stepsToThreshold: 10 }),
      completedRecord({ seed: 2, length: 8 }, { stepsToThreshold: 20 }),
      completedRecord({ seed: 3, length: 8 }, { stepsToThreshold: null }),
      completedRecord({ seed: 1, length: 16 }, { stepsToThreshold: null }),
    ];
    const [chart] = stepsToThreshold(records);
    const rows = rowsOf(chart.spec);
    const t8 = rows.find((r) => r.length === 8)!;
    expect([t8.kind, t8.mean, t8.reached, t8.runs]).toEqual(['bar', 15, 2, 3]);
    // [10, 20]: sd √50, se 5, half width 12.706205 · 5
    expect(t8.lo).toBeCloseTo(15 - 63.531024, 5);
    expect(rows.find((r) => r.length === 16)).toMatchObject({ kind: 'label', text: 'never', reached: 0 });
  });
});
