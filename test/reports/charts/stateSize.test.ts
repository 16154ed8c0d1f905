import { describe, expect, it } from 'vitest';
import type { CompletedRecord } from '../../../harness/store/results.js';
import { metricVsStateSize, widthSeries } from '../../../reports/charts/stateSize.js';
import { completedRecord, erroredRecord, EVIL, widthSweep } from '../fixtures.js';

type Row = Record<string, number | string | undefined>;
type Layer = { transform?: unknown[]; mark: { type: string }; encoding: Record<string, { field?: string; scale?: unknown; type?: string }> };
type Spec = { data: { values: Row[] }; facet: { column: { field: string } }; spec: { layer: Layer[] } };

const rec = (
  label: string,
  options: Record<string, unknown>,
  stateBytes: number | undefined,
  value: number,
  seed = 1,
  length = 16,
  name = 'transformer',
  widthOption: string | null = 'dModel',
) =>
  completedRecord(
    { extractor: { name, label, options }, length, seed },
    {
      extractor: { name, label, options, params: 10, ...(stateBytes === undefined ? {} : { stateBytes }), ...(widthOption ? { widthOption } : {}) },
      metrics: { metric: 'accuracy', value, chance: 0.1, higherIsBetter: true, evalLoss: 1, accuracy: value, msPerStep: 1, finalLoss: 1 },
    },
  );

describe('widthSeries', () => {
  it('joins widths (and options scaled with them) into one line, and keeps other variants apart', () => {
    const rs = [
      rec('d32', { dModel: 32, ffDim: 128, heads: 2 }, 1, 0.5),
      rec('d64', { dModel: 64, ffDim: 256, heads: 2 }, 2, 0.6),
      rec('d64-h1', { dModel: 64, ffDim: 256, heads: 1 }, 2, 0.4),
      rec('d32-h1', { dModel: 32, ffDim: 128, heads: 1 }, 1, 0.3),
      rec('bow-a', { hidden: 4 }, 1, 0.2, 1, 16, 'bow', null),
      rec('bow-b', { hidden: 8 }, 2, 0.2, 1, 16, 'bow', null),
    ];
    const s = widthSeries(rs);
    expect(rs.map((r) => s.get(r))).toEqual([
      'transformer (heads=2)',
      'transformer (heads=2)',
      'transformer (heads=1)',
      'transformer (heads=1)',
      'bow-a',
      'bow-b',
    ]);
    expect(widthSeries(rs.slice(0, 2)).get(rs[0])).toBe('transformer');
  });
});

describe('metricVsStateSize', () => {
  const sweep = widthSweep();
  const [chart] = metricVsStateSize([...sweep, erroredRecord({ seed: 9 })]);
  const spec = chart.spec as unknown as Spec;
  const means = spec.data.values.filter((v) => v.kind === 'mean');

  it('puts state bytes on a log x axis, one panel per length, one line per extractor through its widths', () => {
    expect(chart.id).toBe('metric-vs-state-recall');
    expect(spec.facet.column.field).toBe('length');
    const line = spec.spec.layer.find((l) => l.mark.type === 'line')!;
    expect(line.encoding.x).toMatchObject({ field: 'stateBytes', scale: { type: 'log' } });
    expect(line.encoding.color.field).toBe('family');
    expect(new Set(means.map((m) => m.family))).toEqual(new Set(['lstm', 'transformer']));
    expect(means.filter((m) => m.family === 'lstm' && m.length === 64).map((m) => m.stateBytes)).toEqual([128, 256, 512]);
    // The KV cache grows with T, recurrent state does not.
    const tf = (T: number) => means.find((m) => m.extractor === 'tf-d16' && m.length === T)!.stateBytes;
    expect(tf(64) / tf(16)).toBe(4);
    expect(chart.caption).toContain('1 diverged or errored run is left out');
  });

  it('plots the mean over seeds with its Student-t 95% CI, and chance', () => {
    const at = (label: string, T: number) => sweep.filter((r: CompletedRecord) => r.extractor.label === label && r.length === T).map((r) => r.metrics.value);
    const m = means.find((v) => v.extractor === 'lstm-h32' && v.length === 16)!;
    const [a, b] = at('lstm-h32', 16);
    expect(m.mean).toBeCloseTo((a + b) / 2, 12);
    expect(m.seeds).toBe(2);
    expect((m.hi as number) - (m.mean as number)).toBeCloseTo((12.706204736 * Math.abs(a - b)) / 2, 6); // t(0.975, 1) · sd / √2
    expect(m.width).toBe('hidden=32');
    expect(spec.data.values.filter((v) => v.kind === 'chance').map((v) => v.chance)).toEqual([0.125, 0.125]);
  });

  it('appears only where some extractor has two widths at one length, and skips records without a state size', () => {
    expect(metricVsStateSize([rec('a', { dModel: 32 }, 100, 0.5), rec('b', { dModel: 64 }, undefined, 0.6)])).toEqual([]);
    expect(metricVsStateSize([rec('a', { dModel: 32 }, 100, 0.5), rec('b', { dModel: 64 }, 200, 0.6, 1, 32)])).toEqual([]); // two widths, two lengths
    expect(metricVsStateSize([rec('a', { dModel: 32 }, 100, 0.5), rec('b', { dModel: 64 }, 200, 0.6)])).toHaveLength(1);
  });

  it('keeps labels from the data out of the caption (they reach the page only as escaped data)', () => {
    const [c] = metricVsStateSize([rec(EVIL, { dModel: 32 }, 100, 0.5), rec('b', { dModel: 64 }, 200, 0.6)]);
    expect(c.caption).not.toContain('<');
    expect((c.spec as unknown as Spec).data.values.some((v) => v.extractor === EVIL)).toBe(true);
  });
});
