import { describe, expect, it } from 'vitest';
import { rnnLongRange } from '../../../audit/claims/rnnLongRange.js';
import { decision, jitter, P, perSeed } from '../fixtures.js';

/** Recall accuracies per extractor per length (chance 0.25): { rnn: [T8 accuracy, T32 accuracy] }, five seeds with a little spread. */
const sweep = (s: Record<string, number[]>) =>
  Object.entries(s).flatMap(([e, byLength]) =>
    byLength.flatMap((accuracy, li) =>
      perSeed([0, 1, 2, 3, 4], (i) => ({
        exp: 'recall-lengths',
        extractor: e,
        length: P.lengths[li],
        accuracy: Math.min(1, accuracy + jitter(i + 2 * li, 0.04)),
      })),
    ),
  );

describe('rnn-long-range (v3: the RNN against itself, shortest to longest length, continuous)', () => {
  it('supported: the RNN scores near 1 at T=8 and near chance at T=32 while the LSTM learns T=32 (paired t over seeds)', () => {
    const d = decision(rnnLongRange, sweep({ rnn: [0.98, 0.3], lstm: [0.98, 0.95] }));
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.primary!.at).toBe('T=8 against T=32');
    expect(d.decision.primary!.components[0].test).toBe('paired t');
    expect(d.decision.key.value).toBeGreaterThan(0.8);
    expect(d.decision.primary!.components[0].power.sesoi).toBe(0.2);
  });

  it('contradicted when the RNN scores higher at the longer length', () => {
    expect(decision(rnnLongRange, sweep({ rnn: [0.5, 0.98], lstm: [0.98, 0.98] })).decision.verdict).toBe('contradicted');
  });

  it('inconclusive when the RNN scores alike at both lengths, with the power at the smallest effect of interest', () => {
    const d = decision(rnnLongRange, sweep({ rnn: [0.9, 0.9], lstm: [0.98, 0.98] }));
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.primary!.components[0].power.powerAtSesoi).toBeGreaterThan(0);
  });

  it('no positive control (the LSTM does not learn the long recall): undecidable, saying what it needs', () => {
    const d = decision(rnnLongRange, sweep({ rnn: [0.98, 0.3], lstm: [0.98, 0.4] }));
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.primary).toBeUndefined();
    expect(d.decision.reason).toContain('No positive control');
  });
});
