import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../../harness/store/results.js';
import { metricByMeta, metricVsLength } from '../../../reports/charts/accuracy.js';
import { completedRecord, erroredRecord } from '../fixtures.js';

type Row = Record<string, number | string | undefined>;
type Layer = { data?: { values: Row[] }; mark: { type: string }; encoding: Record<string, { field?: string; scale?: unknown }> };

const run = (extractor: string, length: number, seed: number, value: number, chance = 0.25) =>
  completedRecord(
    { extractor: { name: extractor, label: extractor }, length, seed },
    { metrics: { metric: 'accuracy', value, chance, higherIsBetter: true, evalLoss: 1, accuracy: value, msPerStep: 2, finalLoss: 1 } },
  );

const layerWith = (layers: Layer[], field: string) => layers.find((l) => l.encoding.y?.field === field)!;

describe('metricVsLength', () => {
  const records: ResultRecord[] = [run('rnn', 8, 1, 0.5), run('rnn', 8, 2, 0.7), run('rnn', 16, 1, 0.3), run('lstm', 8, 1, 0.9), erroredRecord({ seed: 5 })];
  const [chart] = metricVsLength(records);
  const layers = (chart.spec as { layer: Layer[] }).layer;

  it('plots the mean over seeds with its Student-t 95% CI band (none for one seed)', () => {
    const means = layerWith(layers, 'mean').data!.values;
    const rnn8 = means.find((m) => m.extractor === 'rnn' && m.length === 8)!;
    // [0.5, 0.7]: mean 0.6, half width 12.706205 · √0.02 / √2 = 1.2706205
    expect(rnn8.mean).toBeCloseTo(0.6, 14);
    expect(rnn8.lo).toBeCloseTo(0.6 - 1.2706205, 6);
    expect(rnn8.hi).toBeCloseTo(0.6 + 1.2706205, 6);
    expect(rnn8.n).toBe(2);
    const band = layerWith(layers, 'lo').data!.values;
    expect(band.map((b) => `${b.extractor}/${b.length}`)).toEqual(['rnn/8']); // single-seed cells have no band
    expect(layerWith(layers, 'value').data!.values).toHaveLength(4); // every seed as a dot
  });

  it('draws chance as a rule, keeps accuracy on [0, 1], and says what it left out', () => {
    const chance = layerWith(layers, 'chance');
    expect(chance.mark.type).toBe('rule');
    expect(chance.data!.values).toEqual([{ chance: 0.25, label: 'chance' }]);
    expect(layerWith(layers, 'mean').encoding.y.scale).toEqual({ domain: [0, 1] });
    expect(chart.caption).toContain('1 diverged or errored run is left out');
  });

  it('draws chance as a dashed line when it changes with length', () => {
    const [c] = metricVsLength([run('rnn', 8, 1, 0.5, 0.3), run('rnn', 16, 1, 0.4, 0.2)]);
    const chance = layerWith((c.spec as { layer: Layer[] }).layer, 'chance');
    expect(chance.mark.type).toBe('line');
    expect(chance.data!.values.map((v) => v.chance)).toEqual([0.3, 0.2]);
  });

  it('one chart per task with completed runs', () => {
    const other = completedRecord({ task: { name: 'parity', label: 'parity' } });
    expect(metricVsLength([...records, other]).map((c) => c.id)).toEqual(['metric-vs-length-recall', 'metric-vs-length-parity']);
    expect(metricVsLength([erroredRecord()])).toEqual([]);
  });
});

describe('metricByMeta', () => {
  const withBins = (seed: number, scores: number[]) =>
    completedRecord(
      { seed, length: 16 },
      {
        byMeta: {
          distance: scores.map((score, i) => ({ value: i * 5, n: 10, score })),
          other: [
            { value: 1, n: 3, score: 0.5 },
            { value: 2, n: 3, score: 0.5 },
          ],
        },
      },
    );

  it('averages the bin scores over seeds with a CI; only distance and attractors', () => {
    const charts = metricByMeta([withBins(1, [0.9, 0.5]), withBins(2, [0.7, 0.3])]);
    expect(charts.map((c) => c.id)).toEqual(['metric-by-distance-recall']);
    const rows = (charts[0].spec as { data: { values: Row[] } }).data.values;
    const means = rows.filter((r) => r.kind === 'mean');
    expect(means.map((m) => [m.x, m.mean, m.samples])).toEqual([
      [0, 0.8, 20],
      [5, 0.4, 20],
    ]);
    expect(means[0].lo).toBeCloseTo(0.8 - 12.706205 * 0.1, 5); // [0.9, 0.7]: se = √0.02/√2 = 0.1
    expect(rows.filter((r) => r.kind === 'chance')).toEqual([{ kind: 'chance', length: 16, chance: 0.125 }]);
  });

  it('merges many values into at most 8 equal ranges, weighting each run by its samples', () => {
    // distances 0..15 at T = 16: 8 bins of width 15/8, so {0, 1} share the first bin
    const bins = Array.from({ length: 16 }, (_, d) => ({ value: d, n: d === 0 ? 30 : 10, score: d === 0 ? 1 : 0.6 }));
    const [chart] = metricByMeta([completedRecord({ length: 16 }, { byMeta: { distance: bins } })]);
    const means = (chart.spec as { data: { values: Row[] } }).data.values.filter((r) => r.kind === 'mean');
    expect(means).toHaveLength(8);
    // (30 · 1 + 10 · 0.6) / 40 = 0.9
    expect(means[0]).toMatchObject({ range: '0–1', x: 0.5, samples: 40 });
    expect(means[0].mean).toBeCloseTo(0.9, 14);
    expect(chart.caption).toContain('merged');
  });

  it('skips keys with a single bin per run (that is metric-vs-length again)', () => {
    const single = completedRecord({}, { byMeta: { distance: [{ value: 7, n: 64, score: 0.5 }] } });
    expect(metricByMeta([single])).toEqual([]);
  });
});
