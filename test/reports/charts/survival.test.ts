import { describe, expect, it } from 'vitest';
import { kaplanMeierRows, stepsToSolveCurves } from '../../../reports/charts/survival.js';
import { timeToSolve } from '../../../harness/cell/measure/solve.js';
import type { CompletedRecord } from '../../../harness/store/results.js';
import { completedRecord } from '../fixtures.js';

type Row = Record<string, number | string | undefined>;

describe('Kaplan–Meier chart', () => {
  it('step rows from (0, 1) through each event to the end of follow-up; censored runs sit on their curve', () => {
    const rows = kaplanMeierRows([
      {
        extractor: 'lstm',
        length: 32,
        data: [
          { time: 10, event: true },
          { time: 30, event: true },
          { time: 100, event: false },
          { time: 100, event: false },
        ],
      },
    ]) as Row[];
    const curve = rows.filter((r) => r.kind === 'curve').map((r) => [r.step, r.survival]);
    expect(curve).toEqual([
      [0, 1],
      [10, 0.75],
      [30, 0.5],
      [100, 0.5],
    ]);
    const censored = rows.filter((r) => r.kind === 'censored');
    expect(censored.map((r) => [r.step, r.survival])).toEqual([
      [100, 0.5],
      [100, 0.5],
    ]);
  });

  it('a record from before the validation checks: solved on held-out data counts as an event at the loss-proxy step; unsolved is censored at the budget', () => {
    // Records written before the protocol's validation checks (schema 1) have no `validation` field.
    const old = (r: CompletedRecord): CompletedRecord => ({ ...r, validation: undefined }) as unknown as CompletedRecord;
    const solved = old(completedRecord({ seed: 1 }, { stepsToThreshold: 12, metrics: { ...completedRecord().metrics, value: 1, accuracy: 1, score: 1 } }));
    const unsolved = old(completedRecord({ seed: 2 }, { stepsToThreshold: 12 })); // accuracy 0.8 with chance 0.125: score 0.77 < 0.95
    expect(timeToSolve(solved)).toEqual({ time: 12, event: true, source: 'loss-proxy' });
    expect(timeToSolve(unsolved)).toEqual({ time: 60, event: false, source: 'loss-proxy' });
    const [chart] = stepsToSolveCurves([solved, unsolved]);
    expect(chart.caption).toContain('predate');
    const rows = (chart.spec as { data: { values: Row[] } }).data.values;
    expect(rows.filter((r) => r.kind === 'curve').map((r) => r.survival)).toEqual([1, 0.5, 0.5]);
  });
});
