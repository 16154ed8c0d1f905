import { describe, expect, it } from 'vitest';
import { cellCost } from '../../../harness/cost/cellCost.js';
import { extractors } from '../../../harness/plugins/registries.js';
import { expandSuite, parseSuite, type Cell } from '../../../harness/suite/suite.js';

const cells = (input: Record<string, unknown>): Cell[] => expandSuite(parseSuite({ name: 's', seeds: [1], steps: 10, ...input }, 'test'));

describe('the cell-cost model', () => {
  it('grows with steps, batch and (faster than linearly, for the Transformer) length', () => {
    const [a] = cells({ tasks: ['recall'], extractors: ['transformer'], lengths: [64] });
    const [b] = cells({ tasks: ['recall'], extractors: ['transformer'], lengths: [128] });
    const [c] = cells({ tasks: ['recall'], extractors: ['transformer'], lengths: [64], steps: 20 });
    expect(cellCost(b)! / cellCost(a)!).toBeGreaterThan(2);
    expect(cellCost(c)! / cellCost(a)!).toBeCloseTo(2, 10);
  });

  it("is steps x the definition's forward FLOPs, or 2 x parameters x positions without them", () => {
    for (const name of ['rnn', 'transformer', 'mlp']) {
      const [cell] = cells({ tasks: ['recall'], extractors: [name], lengths: [32], batch: 8 });
      const def = extractors.get(name);
      const shape = { batch: 8, length: 32, inputDim: cell.train.embedDim };
      const forward = def.forwardFlops
        ? def.forwardFlops(cell.extractor.options, shape)
        : 2 * def.width!.params(cell.extractor.options, shape.inputDim) * 8 * 32;
      expect(cellCost(cell), name).toBe(10 * forward);
    }
    // The MLP applies its weights once per sequence: its cost does not grow with the positions it reads.
    const [short] = cells({ tasks: ['recall'], extractors: [{ name: 'mlp', options: { maxLen: 64 } }], lengths: [16] });
    const [long] = cells({ tasks: ['recall'], extractors: [{ name: 'mlp', options: { maxLen: 64 } }], lengths: [64] });
    expect(cellCost(long)).toBe(cellCost(short));
  });

  it('has no cost for an extractor it cannot count', () => {
    const [cell] = cells({ tasks: ['recall'], extractors: ['rnn'], lengths: [16] });
    expect(cellCost({ ...cell, extractor: { name: 'not-registered', label: 'x', options: {} } })).toBeUndefined();
  });
});
