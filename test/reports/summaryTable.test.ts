import { describe, expect, it } from 'vitest';
import { formatSummaryTable, summaryRows } from '../../reports/summaryTable.js';
import { completedRecord } from './fixtures.js';

describe('the summary table', () => {
  it('gives mean, interval, seeds, solved and parameters per (task, extractor, length), and warns when sizes differ more than 2x', () => {
    const records = [completedRecord({ seed: 1 }, { metrics: { value: 0.9 } }), completedRecord({ seed: 2 }, { metrics: { value: 1 } })];
    const [row] = summaryRows(records);
    expect(row.seeds).toBe(2);
    expect(row.mean).toBeCloseTo(0.95, 12);
    expect(row.ci95![1]).toBe(1); // the Student-t interval of two seeds passes 1: accuracy's is cut to [0, 1]
    expect(row.params).toBe(1000);
    const table = formatSummaryTable(records);
    expect(table.split('\n')[0]).toMatch(/^task\s+extractor\s+T\s+metric\s+mean\s+95% interval\s+chance\s+seeds\s+solved\s+params$/);
    expect(table).not.toMatch(/parameter counts differ/);
    const big = completedRecord({ seed: 1, extractor: { name: 'transformer', label: 'big', params: 10_000 } });
    expect(formatSummaryTable([...records, big])).toMatch(/warning: parameter counts differ more than 2x \(big 10000, rnn 1000\).*--match-params/);
  });
});

describe('intervals in the summary table', () => {
  it('stay in the metric range: a loss is never below 0', () => {
    const mse = (seed: number, value: number) =>
      completedRecord({ seed, task: { name: 'adding', label: 'adding' } }, { metrics: { metric: 'mse', value, chance: 1 / 6, higherIsBetter: false } });
    const [row] = summaryRows([mse(1, 0.0001), mse(2, 0.002)]);
    expect(row.ci95![0]).toBe(0);
    expect(row.ci95![1]).toBeGreaterThan(0.002);
  });
});
