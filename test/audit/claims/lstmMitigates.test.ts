import { describe, expect, it } from 'vitest';
import { lstmMitigates } from '../../../audit/claims/lstmMitigates.js';
import { ADDING_LENGTH } from '../../../audit/experiments/addingLong.js';
import { decision, jitter, perSeed } from '../fixtures.js';

/** Adding accuracies (chance 0.5 in this fixture) of an arm over five seeds, with a little spread. */
const arm = (e: string, accuracy: number, size = 0.04, shift = e === 'rnn' ? 0 : 3) =>
  perSeed([0, 1, 2, 3, 4], (i) => ({
    exp: 'adding-long',
    task: 'adding',
    extractor: e,
    length: ADDING_LENGTH,
    chance: 0.5,
    accuracy: Math.min(1, accuracy + jitter(i + shift, size)),
  }));

describe('lstm-mitigates (v3: adding at T = 100, paired t on the per-seed score)', () => {
  it('supported: the LSTM scores near 1, the RNN near chance', () => {
    const d = decision(lstmMitigates, [...arm('lstm', 0.98), ...arm('rnn', 0.55)]);
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.primary!.components[0].test).toBe('paired t');
    expect(d.decision.primary!.at).toBe(`T=${ADDING_LENGTH}`);
    expect(d.decision.key.value).toBeGreaterThan(0.7);
  });

  it('contradicted the other way round', () => {
    expect(decision(lstmMitigates, [...arm('rnn', 0.98), ...arm('lstm', 0.55)]).decision.verdict).toBe('contradicted');
  });

  it('no effect when both score alike within the margin (paired TOST)', () => {
    const d = decision(lstmMitigates, [...arm('rnn', 0.97, 0.01), ...arm('lstm', 0.975, 0.01)]);
    expect(d.decision.verdict).toBe('no effect');
    expect(d.decision.primary!.equivalence!.margin).toBe(0.1);
  });

  it('undecidable when neither learned the task (no positive control)', () => {
    const d = decision(lstmMitigates, [...arm('rnn', 0.52), ...arm('lstm', 0.6)]);
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.primary).toBeUndefined();
    expect(d.decision.reason).toContain('No positive control');
  });
});
