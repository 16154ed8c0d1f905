/** State size as an axis: bytes from each definition's `state`, the list line, and what a cell's record carries. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { extractors } from '../../../harness/plugins/registries.js';
import { cellState, formatBytes, stateLine, stateListing, stateSize } from '../../../harness/cost/state.js';
import { expandSuite, parseSuite } from '../../../harness/suite/suite.js';
import { defineExtractor } from '../../../extractors/types.js';

describe('state size', () => {
  it("is 4 bytes per float of the definition's state, at the given length and input width", () => {
    const tf = extractors.get('transformer');
    expect(stateSize(tf, tf.options.parse({ dModel: 32, layers: 3 }), 100, 16)).toEqual({
      floats: 2 * 3 * 100 * 32,
      bytes: 4 * 2 * 3 * 100 * 32,
      what: 'KV cache 2*layers*T*dModel = 2*3*100*32',
    });
    expect(stateSize(extractors.get('gru'), extractors.get('gru').options.parse({ hidden: 48, layers: 2 }), 5000, 16)?.bytes).toBe(4 * 48 * 2);
    // The TCN's buffer depends on the input width (its first block reads D channels).
    const tcn = extractors.get('tcn');
    expect(stateSize(tcn, tcn.options.parse({}), 64, 32)!.floats).toBeLessThan(stateSize(tcn, tcn.options.parse({}), 64, 64)!.floats);
  });

  it('is undefined for a definition that declares none (a plugin may not)', () => {
    const bare = defineExtractor({
      name: 'bare',
      description: 'no state declared',
      options: z.object({}).strict(),
      create: () => {
        throw new Error('not built');
      },
    });
    expect(stateSize(bare, bare.options.parse({}), 64, 16)).toBeUndefined();
    expect(stateListing(bare)).toBeUndefined();
    expect(stateLine(bare)).toBe('state: not declared; padding: reads');
  });

  it('gives `fxbench list` one line per extractor: sizes at T = 64 and 1024, the formula, the padding treatment', () => {
    expect(stateLine(extractors.get('lstm'), 64)).toBe(
      'state: 1 KiB at T=64 and at T=1024 (h and c: 2*H*layers = 2*128*1), per sequence at inference with these defaults and input width 64; padding: reads',
    );
    expect(stateLine(extractors.get('transformer'), 64)).toMatch(
      /^state: 128 KiB at T=64, 2 MiB at T=1024 \(KV cache 2\*layers\*T\*dModel = 2\*2\*1024\*128\), .*; padding: \w+$/,
    );
  });

  it('formats bytes in binary units with 3 significant digits', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(30208)).toBe('29.5 KiB');
    expect(formatBytes(2 * 2 ** 20)).toBe('2 MiB');
    expect(formatBytes(3 * 2 ** 30 + 2 ** 29)).toBe('3.5 GiB');
  });

  it("goes into a cell's record at the cell's length and embedding width, with the width option", () => {
    const cells = expandSuite(
      parseSuite({
        tasks: ['mqar'],
        extractors: [
          { name: 'transformer', options: { dModel: 32, heads: 2 } },
          { name: 'lstm', options: { hidden: 24 } },
        ],
        lengths: [64, 256],
        embedDim: 16,
      }),
    );
    const of = (id: string) => cellState(cells.find((c) => c.id === id)!);
    expect(of('mqar/transformer/T64/s1')).toEqual({ stateBytes: 4 * 2 * 2 * 64 * 32, widthOption: 'dModel' });
    expect(of('mqar/transformer/T256/s1')).toEqual({ stateBytes: 4 * 2 * 2 * 256 * 32, widthOption: 'dModel' });
    expect(of('mqar/lstm/T256/s1')).toEqual({ stateBytes: 4 * 2 * 24, widthOption: 'hidden' });
  });
});
