import { describe, expect, it } from 'vitest';
import { AMONG_CHANCE, tuningByLr } from '../../../reports/charts/tuning.js';
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
const tuned = (extractor: string, trials: ReturnType<typeof trial>[], chosen: Record<string, unknown>, chosenAmongChance?: boolean) =>
  completedRecord(
    { extractor: { name: extractor, label: extractor } },
    {
      tuning: {
        key: extractor,
        grid: { lr: [0.001, 0.01], warmup: [0, 10] },
        budget: { steps: 60, seeds: [1], halving: 2 },
        rungs: [{ steps: 30, trials, kept: 2 }],
        chosen,
        ...(chosenAmongChance === undefined ? {} : { chosenAmongChance }),
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

  it('says when the settings were chosen among chance-level trials, in the caption and the ring', () => {
    const rnn = tuned(
      'rnn',
      [
        { ...trial(0.001, 0.01), loss: 1.38, atChance: true },
        { ...trial(0.01, -0.01), loss: 1.39, atChance: true },
      ],
      { lr: 0.001, warmup: 0 },
      true,
    );
    const lstm = tuned('lstm', [{ ...trial(0.001, 0.9), loss: 0.2, atChance: false }], { lr: 0.001, warmup: 0 }, false);
    const [chart] = tuningByLr([rnn, lstm]);
    expect(chart.caption).toContain('Settings chosen among chance-level trials (every trial of the last rung at chance): rnn at T = 8.');
    expect(chart.caption).not.toContain('lstm at T');
    const rows = (chart.spec as { data: { values: Row[] } }).data.values;
    expect(rows.filter((r) => r.kind === 'chosen').map((r) => [r.extractor, r.note])).toEqual([
      ['rnn', AMONG_CHANCE],
      ['lstm', undefined],
    ]);
    expect(rows.filter((r) => r.kind === 'point').map((r) => [r.extractor, r.lr, r.loss, r.chance])).toEqual([
      ['rnn', 0.001, '1.3800', 'at chance'],
      ['rnn', 0.01, '1.3900', 'at chance'],
      ['lstm', 0.001, '0.2000', 'above chance'],
    ]);
    // Records from before the chance test say nothing of it.
    const [old] = tuningByLr([tuned('rnn', [trial(0.001, 0.01)], { lr: 0.001, warmup: 0 })]);
    expect(old.caption).not.toContain(AMONG_CHANCE);
    const oldPoint = (old.spec as { data: { values: Row[] } }).data.values.find((r) => r.kind === 'point')!;
    expect(oldPoint.chance).toBe('not tested');
    expect(oldPoint.loss).toBe('not recorded'); // text: a formatted missing number would read NaN in the tooltip
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
