import { describe, expect, it } from 'vitest';
import { peLength } from '../../../audit/claims/peLength.js';
import { decision, jitter, P, perSeed } from '../fixtures.js';

const L = P.lengths[0] * 2;
/** An arm's accuracy at L/2, L and beyond (chance 0.25), five seeds with a little spread (`shift` moves it so two arms' differences vary). */
const arm = (e: string, atHalf: number, at1: number, extrapolate: number | 'na', shift = 0) =>
  perSeed([0, 1, 2, 3, 4], (_, __, i) => ({
    exp: 'pe-length',
    task: 'recall-d4',
    extractor: e,
    length: L,
    accuracy: at1,
    factors: { 0.5: Math.min(1, atHalf + jitter(i + shift, 0.04)), 1: at1, 2: extrapolate, 4: extrapolate },
  }));
const lstm = (atHalf = 0.97) => arm('lstm', atHalf, 0.97, 0.9, 1);

describe('pe-length (v3: paired score on the shifted window, the LSTM as positive control)', () => {
  it('supported: sinusoidal positions score on the shifted window (read at L/2), learned ones do not; the cap is recorded as definitional', () => {
    const d = decision(peLength, [...arm('transformer-sinusoidal', 0.95, 1, 0.3), ...arm('transformer-learned', 0.3, 1, 'na', 2), ...lstm()]);
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.primary!.components[0].test).toBe('paired t');
    expect(d.decision.secondary['learned positions cannot read past their table (definitional)']).toBe('true');
    expect(d.decision.secondary['lstm score at 0.5L']).toBeGreaterThan(0.9);
  });

  it('contradicted when learned positions score higher; no effect when both score alike', () => {
    expect(
      decision(peLength, [...arm('transformer-sinusoidal', 0.3, 1, 0.3), ...arm('transformer-learned', 0.95, 1, 'na', 2), ...lstm()]).decision.verdict,
    ).toBe('contradicted');
    expect(
      decision(peLength, [...arm('transformer-sinusoidal', 0.9, 1, 0.3), ...arm('transformer-learned', 0.9, 1, 'na', 2), ...lstm()]).decision.verdict,
    ).toBe('no effect');
  });

  it('no positive control when the LSTM cannot solve the shifted window either', () => {
    const d = decision(peLength, [...arm('transformer-sinusoidal', 0.3, 1, 0.3), ...arm('transformer-learned', 0.3, 1, 'na', 2), ...lstm(0.4)]);
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.reason).toContain('No positive control');
  });
});
