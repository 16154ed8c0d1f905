import { describe, expect, it } from 'vitest';
import { tuningByLr } from '../../../reports/charts/tuning.js';
import { completedRecord } from '../fixtures.js';

type Row = Record<string, unknown>;
const trial = (lr: number, score: number | null, warmup = 0) => ({
  config: { lr, warmup },
  completed: score === null ? 0 : 1,
  failed: score === null ? 1 : 0,
  solved: 0,
  stepsToSolve: null,
  score,
});
const tuned = (extractor: string, trials: ReturnType<typeof trial>[], chosen: Record<string, unknown>) =>
  completedRecord(
    { extractor: { name: extractor, label: extractor } },
    {
      tuning: {
        key: extractor,
        grid: { lr: [0.001, 0.01], warmup: [0, 10] },
        budget: { steps: 60, seeds: [1], halving: 2 },
        rungs: [{ steps: 30, trials, kept: 2 }],
        chosen,
      },
    },
  );

describe('tuningByLr', () => {
  it('plots the first rung, best over the other grid keys at each rate, and rings the choice', () => {
    const rnn = tuned('rnn', [trial(0.001, 0.2), trial(0.001, 0.5, 10), trial(0.01, 0.9), trial(0.01, null, 10)], { lr: 0.01, warmup: 0 });
    const [chart] = tuningByLr([rnn, tuned('lstm', [trial(0.001, 0.4), trial(0.01, 0.1)], { lr: 0.001, warmup: 0 })]);
    const rows = (chart.spec as { data: { values: Row[] } }).data.values;
    const of = (e: string, kind: string) => rows.filter((r) => r.extractor === e && r.kind === kind).map((r) => [r.lr, r.score]);
    expect(of('rnn', 'point')).toEqual([
      [0.001, 0.5],
      [0.01, 0.9],
    ]); // the failed grid point has no score to plot
    expect(of('rnn', 'chosen')).toEqual([[0.01, 0.9]]);
    expect(of('lstm', 'chosen')).toEqual([[0.001, 0.4]]);
    expect(chart.section).toBe('Tuning');
  });

  it('nothing for untuned records or a grid without lr', () => {
    expect(tuningByLr([completedRecord()])).toEqual([]);
    const noLr = completedRecord(
      {},
      {
        tuning: {
          key: 'k',
          grid: { warmup: [0, 10] },
          budget: { steps: 60, seeds: [1], halving: 2 },
          rungs: [{ steps: 60, trials: [], kept: 0 }],
          chosen: { warmup: 0 },
        },
      },
    );
    expect(tuningByLr([noLr])).toEqual([]);
  });
});
