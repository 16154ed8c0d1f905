import { describe, expect, it } from 'vitest';
import { lstmMitigates } from '../../../audit/claims/lstmMitigates.js';
import { decision, P, perSeed } from '../fixtures.js';

/** Steps to solve per seed (null: never) for an extractor at T=32; solved runs have accuracy 1. */
const runs = (e: string, steps: (number | null)[]) =>
  perSeed(
    steps.map((s) => s ?? -1),
    (s) => ({ exp: 'recall-lengths', extractor: e, length: P.lengths[1], accuracy: s > 0 ? 1 : 0.25, stepsToThreshold: s > 0 ? s : 50 }),
  );

describe('lstm-mitigates', () => {
  it('supported: the LSTM solves every seed within 40 steps, the RNN none within the budget (log-rank)', () => {
    const d = decision(lstmMitigates, [...runs('lstm', [20, 25, 30, 35, 40]), ...runs('rnn', [null, null, null, null, null])]);
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.primary!.components[0].test).toBe('log-rank');
    // The RNN never solved: a hazard ratio would be infinite, so none is printed; the log-rank test decides.
    expect(d.decision.key.value).toBeNaN();
    expect(d.decision.primary!.components[0].favours).toBe('claim');
  });

  it('contradicted the other way round; the unsolved runs are censored at the budget, not counted as solved there', () => {
    const d = decision(lstmMitigates, [...runs('rnn', [20, 25, 30, 35, 40]), ...runs('lstm', [null, null, null, null, null])]);
    expect(d.decision.verdict).toBe('contradicted');
    // Solved but with the loss proxy at step 50 is no event for a run whose score did not solve.
    expect(d.decision.reason).toContain('0/5');
  });

  it('inconclusive when both solve alike', () => {
    const d = decision(lstmMitigates, [...runs('rnn', [20, 30, 40, 50, 60]), ...runs('lstm', [25, 30, 35, 55, 60])]);
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.reason).toContain('minimum detectable effect');
  });
});
