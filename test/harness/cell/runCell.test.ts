/**
 * End-to-end through stages 1-4 on real (tiny) models: every extractor learns `recall`
 * at T=8 far above chance, results validate against the schema, and the same seed gives
 * the same numbers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../kernels/backend.js';
import { resultSchema } from '../../../harness/store/results.js';
import { runCell } from '../../../harness/cell/runCell.js';
import { expandSuite, parseSuite } from '../../../harness/suite/suite.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function cells(extractors: unknown[], over: Record<string, unknown> = {}) {
  return expandSuite(
    parseSuite({
      name: 'test',
      tasks: [{ name: 'recall', options: { symbols: 4 } }],
      extractors,
      lengths: [8],
      seeds: [1],
      steps: 150,
      batch: 32,
      lr: 3e-3,
      embedDim: 16,
      warmup: 0,
      evalSamples: 128,
      ...over,
    }),
  );
}

describe('training on recall at T=8 (chance 0.25)', () => {
  const small = [
    { name: 'rnn', options: { hidden: 32 } },
    { name: 'lstm', options: { hidden: 32 } },
    { name: 'gru', options: { hidden: 32 } },
    { name: 'transformer', options: { dModel: 32, heads: 2, ffDim: 64, layers: 1 } },
    { name: 'tcn', options: { channels: 32, levels: 2 } },
  ];
  for (const e of small) {
    it(`${e.name} beats chance by a wide margin`, async () => {
      const [cell] = cells([e]);
      const record = await runCell(cell);
      expect(resultSchema.parse(record).status).toBe('completed');
      if (record.status !== 'completed') throw new Error(JSON.stringify(record));
      expect(record.metrics.chance).toBeCloseTo(0.25);
      expect(record.metrics.value).toBeGreaterThan(0.6);
      expect(record.curves.loss).toHaveLength(150);
      expect(record.curves.gradNorm.every((g) => g > 0 && Number.isFinite(g))).toBe(true);
      expect(record.extractor.params).toBeGreaterThan(0);
    });
  }

  it('gives identical metrics for the same seed and different ones for another seed', async () => {
    const [a] = cells(['lstm'], { steps: 5, seeds: [3] });
    const [b] = cells(['lstm'], { steps: 5, seeds: [3] });
    const [c] = cells(['lstm'], { steps: 5, seeds: [4] });
    const [ra, rb, rc] = [await runCell(a), await runCell(b), await runCell(c)];
    if (ra.status !== 'completed' || rb.status !== 'completed' || rc.status !== 'completed') throw new Error('not completed');
    expect(ra.curves).toEqual(rb.curves);
    expect(ra.metrics.value).toBe(rb.metrics.value);
    expect(ra.curves.loss).not.toEqual(rc.curves.loss);
  });

  it('records an extractor that throws as an errored cell instead of crashing the suite', async () => {
    const [cell] = cells([{ name: 'transformer', options: { positional: 'learned', maxLen: 4, dModel: 8, heads: 2, ffDim: 8, layers: 1 } }], { steps: 2 });
    const record = await runCell(cell);
    expect(record.status).toBe('errored');
    if (record.status === 'errored') expect(record.message).toMatch(/maxLen/);
  });
});
