import { describe, expect, it } from 'vitest';
import { rnnGradients } from '../../../audit/claims/rnnGradients.js';
import { slopeUpToUnderflow } from '../../../audit/measures.js';
import { decision, jitter, P, perSeed, profileOf } from '../fixtures.js';

const radius = (slopes: Record<string, number>, n = 5) =>
  Object.entries(slopes).flatMap(([label, slope]) =>
    P.lengths.flatMap((L) =>
      perSeed(Array(n).fill(slope), (s, _, i) => ({ exp: 'rnn-radius', extractor: label, length: L, profileInit: profileOf(L, s + jitter(i, 0.004)) })),
    ),
  );

describe('rnn-gradients', () => {
  it('supported when rho = 0.5 vanishes and rho = 2 explodes on every seed', () => {
    const d = decision(rnnGradients, radius({ 'rnn-rho0.5': -0.3, 'rnn-rho1': 0, 'rnn-rho2': 0.05 }));
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.primary!.components.map((c) => c.favours)).toEqual(['claim', 'claim']);
    expect(d.decision.key.value).toBeCloseTo(-0.3, 2);
  });

  it('contradicted when rho = 2 decays too (tanh saturation), inconclusive with one seed', () => {
    expect(decision(rnnGradients, radius({ 'rnn-rho0.5': -0.3, 'rnn-rho2': -0.1 })).decision.verdict).toBe('contradicted');
    const one = decision(rnnGradients, radius({ 'rnn-rho0.5': -0.3, 'rnn-rho2': 0.05 }, 1));
    expect(one.decision.verdict).toBe('inconclusive');
    expect(one.decision.reason).toContain('two or more seeds');
  });

  it('fits the slope only up to the first position that underflows, and counts the rest', () => {
    const p = profileOf(10, -0.5); // distance 0..9
    p[0] = 0; // distance 9 underflowed
    p[1] = 0; // distance 8
    p[4] = 0; // distance 5: the fit stops here, even though distances 6 and 7 are finite
    expect(slopeUpToUnderflow(p)).toEqual({ slope: expect.closeTo(-0.5, 12), fitted: 5, underflow: 5 });
    expect(slopeUpToUnderflow([0, 0, 1]).slope).toBeNull();
  });
});
