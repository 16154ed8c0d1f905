import { describe, expect, it } from 'vitest';
import { cellCost, longestFirst } from '../../../harness/cost/cellCost.js';
import { expandSuite, parseSuite, type Cell } from '../../../harness/suite/suite.js';

const cells = (input: Record<string, unknown>): Cell[] => expandSuite(parseSuite({ name: 's', seeds: [1], steps: 10, ...input }, 'test'));

describe('longest-first cell order', () => {
  it('puts long sequences and the quadratic Transformer first', () => {
    const cs = cells({ tasks: ['recall'], extractors: ['rnn', 'transformer'], lengths: [16, 512] });
    const order = longestFirst(cs).map((c) => `${c.extractor.name}-${c.length}`);
    expect(order).toEqual(['transformer-512', 'rnn-512', 'transformer-16', 'rnn-16']);
  });

  it('grows with steps, batch and (faster than linearly, for the Transformer) length', () => {
    const [a] = cells({ tasks: ['recall'], extractors: ['transformer'], lengths: [64] });
    const [b] = cells({ tasks: ['recall'], extractors: ['transformer'], lengths: [128] });
    const [c] = cells({ tasks: ['recall'], extractors: ['transformer'], lengths: [64], steps: 20 });
    expect(cellCost(b)! / cellCost(a)!).toBeGreaterThan(2);
    expect(cellCost(c)! / cellCost(a)!).toBeCloseTo(2, 10);
  });

  it('keeps cells of unknown cost (no parameter count) after the rest, in their order', () => {
    const cs = cells({ tasks: ['recall'], extractors: ['rnn'], lengths: [16, 64] });
    const unknown = { ...cs[0], id: 'plugin', extractor: { name: 'not-registered', options: {} } } as Cell;
    expect(cellCost(unknown)).toBeUndefined();
    expect(longestFirst([unknown, ...cs]).map((c) => c.id)).toEqual([cs[1].id, cs[0].id, 'plugin']);
  });
});
