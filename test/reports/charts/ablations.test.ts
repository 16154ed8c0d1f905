import { describe, expect, it } from 'vitest';
import { ablations, differingOptions } from '../../../reports/charts/ablations.js';
import { completedRecord } from '../fixtures.js';

describe('ablations', () => {
  it('lists the options in which variants differ', () => {
    const d = differingOptions([
      { label: 'h1', options: { heads: 1, dModel: 128, positional: 'sinusoidal' } },
      { label: 'h8', options: { heads: 8, dModel: 128, positional: 'none' } },
      { label: 'same', options: { heads: 8, dModel: 128, positional: 'none' } },
    ]);
    expect(d.get('h1')).toBe('heads=1, positional=sinusoidal');
    expect(d.get('h8')).toBe('heads=8, positional=none');
    expect(
      differingOptions([
        { label: 'a', options: { x: 1 } },
        { label: 'b', options: { x: 1 } },
      ]).get('a'),
    ).toBe('same options');
  });

  it('one chart per extractor name with two or more labels', () => {
    const tf = (label: string, heads: number, value: number) =>
      completedRecord(
        { extractor: { name: 'transformer', label, options: { heads } } },
        { metrics: { metric: 'accuracy', value, chance: 0.25, higherIsBetter: true, evalLoss: 1, msPerStep: 1, finalLoss: 1 } },
      );
    const records = [tf('tf-1', 1, 0.5), tf('tf-8', 8, 0.9), completedRecord({ extractor: { name: 'rnn', label: 'rnn' } })];
    const charts = ablations(records);
    expect(charts.map((c) => c.id)).toEqual(['ablation-transformer']);
    const spec = charts[0].spec as { title: { subtitle: string[] }; data: { values: Record<string, unknown>[] } };
    expect(spec.title.subtitle).toEqual(['tf-1: heads=1', 'tf-8: heads=8']);
    expect(spec.data.values.filter((v) => v.kind === 'bar').map((v) => [v.extractor, v.mean])).toEqual([
      ['tf-1', 0.5],
      ['tf-8', 0.9],
    ]);
    expect(ablations([records[2]])).toEqual([]);
  });
});
