import { describe, expect, it } from 'vitest';
import { peLength } from '../../../audit/claims/peLength.js';
import { decision, P, perSeed } from '../fixtures.js';

const L = P.lengths[0] * 2;
const arm = (e: string, atHalf: number, at1: number, extrapolate: number | 'na') =>
  perSeed([0, 1, 2, 3, 4], () => ({
    exp: 'pe-length',
    task: 'recall-d4',
    extractor: e,
    length: L,
    accuracy: at1,
    factors: { 0.5: atHalf, 1: at1, 2: extrapolate, 4: extrapolate },
  }));

describe('pe-length', () => {
  it('supported: sinusoidal positions solve the shifted window (read at L/2), learned ones do not; the cap is recorded as definitional', () => {
    const d = decision(peLength, [...arm('transformer-sinusoidal', 1, 1, 0.3), ...arm('transformer-learned', 0.25, 1, 'na')]);
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.secondary['learned positions cannot read past their table (definitional)']).toBe('true');
  });

  it('contradicted when only learned positions solve the shifted window; no positive control when sinusoidal fails at L', () => {
    expect(decision(peLength, [...arm('transformer-sinusoidal', 0.25, 1, 0.3), ...arm('transformer-learned', 1, 1, 'na')]).decision.verdict).toBe(
      'contradicted',
    );
    const d = decision(peLength, [...arm('transformer-sinusoidal', 0.25, 0.25, 0.25), ...arm('transformer-learned', 0.25, 1, 'na')]);
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.reason).toContain('No positive control');
  });
});
