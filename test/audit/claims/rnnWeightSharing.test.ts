import { describe, expect, it } from 'vitest';
import { rnnWeightSharing } from '../../../audit/claims/rnnWeightSharing.js';
import { decision } from '../fixtures.js';

describe('rnn-weight-sharing', () => {
  it('analytic: the RNN has the same parameters at every length, fewer than the flattened MLP; its activations grow linearly in T', () => {
    const d = decision(rnnWeightSharing, []);
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.primary).toBeUndefined();
    expect(d.decision.reason).toContain('analytic');
    const s = d.decision.secondary;
    expect(s['rnn params T=8']).toBe(s['rnn params T=1024']);
    expect(s['mlp params T=1024'] as number).toBeGreaterThan(100 * (s['mlp params T=8'] as number));
    expect(s['rnn activation memory ~ T^k, k'] as number).toBeCloseTo(1, 1);
  });
});
