import { describe, expect, it } from 'vitest';
import { lengthGeneralisation } from '../../../reports/charts/generalisation.js';
import { completedRecord } from '../fixtures.js';

type Row = Record<string, number | string | undefined>;
const rowsOf = (spec: unknown) => (spec as { data: { values: Row[] } }).data.values;

describe('lengthGeneralisation', () => {
  const lengths = (v2: number, applicable4: boolean) => [
    { length: 8, factor: 1, status: 'completed', value: 0.9, chance: 0.25 },
    { length: 16, factor: 2, status: 'completed', value: v2, chance: 0.25 },
    applicable4
      ? { length: 32, factor: 4, status: 'completed', value: 0.3, chance: 0.25 }
      : { length: 32, factor: 4, status: 'not-applicable', reason: 'maxLen 16' },
  ];

  it('averages each factor over seeds and labels not-applicable as n/a, never as a value', () => {
    const records = [completedRecord({ seed: 1 }, { lengths: lengths(0.6, false) }), completedRecord({ seed: 2 }, { lengths: lengths(0.4, false) })];
    const [chart] = lengthGeneralisation(records);
    const rows = rowsOf(chart.spec);
    expect(rows.find((r) => r.kind === 'bar' && r.factor === 2)!.mean).toBeCloseTo(0.5, 14);
    const na = rows.find((r) => r.factor === 4 && r.kind !== 'chance')!;
    expect(na).toMatchObject({ kind: 'label', text: 'n/a', reason: 'maxLen 16' });
    expect(na.mean).toBeUndefined();
    expect(rows.filter((r) => r.kind === 'chance').map((r) => r.factor)).toEqual([1, 2]);
  });

  it('nothing when the runs were only evaluated at their training length', () => {
    expect(lengthGeneralisation([completedRecord({}, { lengths: [{ length: 8, factor: 1, status: 'completed', value: 0.8 }] })])).toEqual([]);
  });
});
