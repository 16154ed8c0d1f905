import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../kernels/backend.js';
import { extractors } from '../../../harness/plugins/registries.js';
import { Rng } from '../../../core/rng.js';
import { expandSuite, parseSuite } from '../../../harness/suite/suite.js';
import { parameterCount } from '../../../extractors/types.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('suite expansion', () => {
  it('expands task x length x extractor x seed into cells with identical training budgets', () => {
    const cells = expandSuite(parseSuite({ name: 's', tasks: ['recall', 'adding'], extractors: ['rnn', 'lstm'], lengths: [8, 16], seeds: [1, 2, 3] }));
    expect(cells).toHaveLength(2 * 2 * 2 * 3);
    expect(new Set(cells.map((c) => c.id)).size).toBe(cells.length);
    expect(new Set(cells.map((c) => JSON.stringify(c.train))).size).toBe(1);
    expect(cells[0].extractor.options).toEqual({ hidden: 128, layers: 1, activation: 'tanh', recurrentInit: 'pytorch' }); // defaults filled in
  });

  it('refuses unknown keys, bad options and duplicate labels with the path of the problem', () => {
    expect(() => parseSuite({ tasks: ['recall'], extractors: ['rnn'], lengths: [8], stpes: 3 })).toThrow(
      /unknown key "stpes" at the top level: did you mean "steps"/,
    );
    expect(() => parseSuite({ tasks: ['recall'], extractors: ['rnn'], lengths: [0] })).toThrow(
      /lengths\[0\]: expected a positive integer \(or a \{"train": \[lo, hi\], "test": \[lo, hi\]\} range\), got 0/,
    );
    expect(() => expandSuite(parseSuite({ tasks: ['recall'], extractors: [{ name: 'rnn', options: { hiden: 3 } }], lengths: [8] }))).toThrow(
      /extractor rnn has no option "hiden": did you mean "hidden"/,
    );
    expect(() => expandSuite(parseSuite({ tasks: ['recall'], extractors: ['rnn', 'rnn'], lengths: [8] }))).toThrow(/label "rnn" is used twice/);
    expect(() => expandSuite(parseSuite({ tasks: [{ name: 'recall', options: { distance: 10 } }], extractors: ['rnn'], lengths: [8] }))).toThrow(
      /needs length >= 11/,
    );
  });
});

describe('parameter matching', () => {
  const inputDim = 64;
  const variants: Record<string, Record<string, unknown>[]> = {
    rnn: [{ hidden: 7 }, { hidden: 32, layers: 2 }],
    lstm: [{ hidden: 16 }, { hidden: 8, layers: 3 }],
    gru: [{ hidden: 12, layers: 2 }],
    transformer: [
      { dModel: 16, heads: 2, ffDim: 24, layers: 1 },
      { dModel: 8, heads: 4, positional: 'learned', maxLen: 20, norm: 'none', layers: 2 },
    ],
    tcn: [
      { channels: 8, levels: 3 },
      { channels: 64, kernel: 2, levels: 2 },
    ],
    mlp: [{ hidden: 8, maxLen: 12 }],
    mamba: [{}, { dModel: 20, layers: 3, dState: 5, dConv: 2, expand: 3 }],
    s4d: [{}, { dModel: 12, layers: 1, dState: 6 }],
    mingru: [{ hidden: 10 }, { hidden: 6, layers: 3 }],
    'linear-attention': [
      { dModel: 16, heads: 2, ffDim: 24, layers: 1 },
      { dModel: 8, heads: 4, positional: 'learned', maxLen: 20, norm: 'none', layers: 2, causal: false },
    ],
  };
  for (const [name, list] of Object.entries(variants)) {
    it(`${name}: the analytic parameter count equals the count of created weights`, () => {
      const def = extractors.get(name);
      for (const o of list) {
        const options = def.options.parse(o);
        const e = def.create(options, { inputDim, rng: new Rng(1), length: 16 });
        expect(def.width!.params(options, inputDim)).toBe(parameterCount(e.variables));
        for (const v of Object.values(e.variables)) v.dispose();
        e.dispose?.();
      }
    });
  }

  it('chooses widths within 10% of the target for every built-in and records them', () => {
    const cells = expandSuite(
      parseSuite({ tasks: ['recall'], extractors: ['rnn', 'lstm', 'gru', 'transformer', 'tcn'], lengths: [8], matchParams: 200_000, embedDim: 64 }),
    );
    for (const c of cells) {
      const m = c.extractor.matched!;
      expect(Math.abs(m.params - 200_000) / 200_000).toBeLessThanOrEqual(0.1);
      expect(c.extractor.options[m.option]).toBe(m.value);
    }
    const tf = cells.find((c) => c.extractor.name === 'transformer')!;
    expect((tf.extractor.options.dModel as number) % (tf.extractor.options.heads as number)).toBe(0);
  });

  it('refuses a target no width can reach within 10%, and an explicit width', () => {
    expect(() => expandSuite(parseSuite({ tasks: ['recall'], extractors: ['tcn'], lengths: [8], matchParams: 10 }))).toThrow(/cannot get within 10%/);
    expect(() =>
      expandSuite(parseSuite({ tasks: ['recall'], extractors: [{ name: 'rnn', options: { hidden: 4 } }], lengths: [8], matchParams: 1000 })),
    ).toThrow(/sets hidden explicitly/);
  });
});
