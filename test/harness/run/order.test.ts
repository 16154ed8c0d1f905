import { describe, expect, it } from 'vitest';
import { longestFirst } from '../../../harness/run/order.js';
import { expandSuite, parseSuite, type Cell } from '../../../harness/suite/suite.js';

const cells = (input: Record<string, unknown>): Cell[] => expandSuite(parseSuite({ name: 's', seeds: [1], steps: 10, ...input }, 'test'));

describe('longest-first cell order', () => {
  it('puts long sequences and the quadratic Transformer first', () => {
    const cs = cells({ tasks: ['recall'], extractors: ['rnn', 'transformer'], lengths: [16, 512] });
    const order = longestFirst(cs).map((c) => `${c.extractor.name}-${c.length}`);
    expect(order).toEqual(['transformer-512', 'rnn-512', 'transformer-16', 'rnn-16']);
  });

  it('keeps cells of unknown cost (no parameter count) after the rest, in their order', () => {
    const cs = cells({ tasks: ['recall'], extractors: ['rnn'], lengths: [16, 64] });
    const unknown = { ...cs[0], id: 'plugin', extractor: { name: 'not-registered', label: 'x', options: {} } } as Cell;
    expect(longestFirst([unknown, ...cs]).map((c) => c.id)).toEqual([cs[1].id, cs[0].id, 'plugin']);
  });
});
