import { describe, expect, it } from 'vitest';
import { distinctLabels } from '../../reports/labels.js';
import { summaryRows } from '../../reports/summaryTable.js';
import { completedRecord } from './fixtures.js';

const tf = (suite: string, options: Record<string, unknown>, seed = 1, value = 0.8) =>
  completedRecord({ extractor: { name: 'transformer', label: 'transformer-none', options }, seed }, { suite, metrics: { value } });

describe('distinct labels', () => {
  it('a label naming different models in two suites gets each suite, so the tables do not average them together', () => {
    const records = [
      tf('audit-depth', { norm: 'none' }, 1, 0.97),
      tf('audit-depth', { norm: 'none' }, 2, 0.97),
      tf('audit-pe', { positional: 'none' }, 1, 0.1),
      tf('audit-pe', { positional: 'none' }, 2, 0.1),
    ];
    expect(new Set(distinctLabels(records).map((r) => r.extractor.label))).toEqual(new Set(['transformer-none (audit-depth)', 'transformer-none (audit-pe)']));
    const rows = summaryRows(records);
    expect(rows.map((r) => [r.extractor, r.mean])).toEqual([
      ['transformer-none (audit-depth)', 0.97],
      ['transformer-none (audit-pe)', 0.1],
    ]);
  });

  it('leaves labels alone when they name one model, in one suite or in several', () => {
    const same = [tf('a', { norm: 'none' }), tf('b', { norm: 'none' }, 2)];
    expect(distinctLabels(same).map((r) => r.extractor.label)).toEqual(['transformer-none', 'transformer-none']);
    const oneSuite = [tf('a', { lr: 1 }), tf('a', { lr: 2 }, 2)];
    expect(distinctLabels(oneSuite).map((r) => r.extractor.label)).toEqual(['transformer-none', 'transformer-none']);
  });
});
