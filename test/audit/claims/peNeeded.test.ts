import { describe, expect, it } from 'vitest';
import { peNeeded } from '../../../audit/claims/peNeeded.js';
import { decision, jitter, P, perSeed } from '../fixtures.js';

const L = P.lengths[0] * 2;
const cells = (recall: Record<string, number[]>, adding: Record<string, number[]> = {}) => [
  ...Object.entries(recall).flatMap(([e, acc]) => perSeed(acc, (a) => ({ exp: 'pe', task: 'recall', extractor: e, length: L, accuracy: a }))),
  ...Object.entries(adding).flatMap(([e, acc]) => perSeed(acc, (a) => ({ exp: 'pe', task: 'adding', extractor: e, length: L, accuracy: a, chance: 0.5 }))),
];
/** Five seeds' accuracies around v; `shift` moves the jitter so two arms' differences have a spread. */
const five = (v: number, size = 0.01, shift = 0) => [0, 1, 2, 3, 4].map((i) => Math.min(1, v + jitter(i + shift, size)));

describe('pe-needed (v3: causal models with and without positions, paired t; the encoders are a sanity check)', () => {
  it('supported: the causal model with positions learns recall, the one without stays near chance', () => {
    const d = decision(peNeeded, cells({ 'transformer-causal-sinusoidal': five(0.98), 'transformer-causal-none': five(0.3, 0.02, 2) }));
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.primary!.components.map((c) => c.test)).toEqual(['paired t']);
    expect(d.decision.primary!.at).toBe(`T=${L}, causal`);
  });

  it('no effect when the causal model without positions learns order as well (the literature on NoPE); contradicted when it does better', () => {
    const alike = decision(peNeeded, cells({ 'transformer-causal-sinusoidal': five(0.97, 0.01), 'transformer-causal-none': five(0.97, 0.01, 2) }));
    expect(alike.decision.verdict).toBe('no effect');
    const better = decision(peNeeded, cells({ 'transformer-causal-sinusoidal': five(0.7, 0.02), 'transformer-causal-none': five(0.98, 0.01, 2) }));
    expect(better.decision.verdict).toBe('contradicted');
  });

  it('the encoders are descriptive: their recall and the adding scores are reported, not tested', () => {
    const d = decision(
      peNeeded,
      cells(
        {
          'transformer-causal-sinusoidal': five(0.98),
          'transformer-causal-none': five(0.3, 0.02, 2),
          'transformer-sinusoidal': five(0.99),
          'transformer-none': five(0.25),
        },
        { 'transformer-sinusoidal': five(0.98), 'transformer-none': five(0.98) },
      ),
    );
    expect(d.decision.secondary['recall mean score, transformer-none']).toBeCloseTo(0, 1);
    expect(d.decision.secondary['adding mean score, transformer-sinusoidal']).toBeGreaterThan(0.9);
    expect(d.decision.reason).toContain('Encoders (sanity check)');
  });

  it('no positive control when the causal model with positions does not learn recall', () => {
    const d = decision(peNeeded, cells({ 'transformer-causal-sinusoidal': five(0.4), 'transformer-causal-none': five(0.3, 0.02, 2) }));
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.reason).toContain('No positive control');
  });
});
