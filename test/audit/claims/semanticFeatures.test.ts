import { describe, expect, it } from 'vitest';
import { semanticFeatures } from '../../../audit/claims/semanticFeatures.js';
import { decision, jitter, P, perSeed } from '../fixtures.js';

const genre = (acc: Record<string, number>) =>
  Object.entries(acc).flatMap(([e, a]) =>
    perSeed([0, 1, 2, 3, 4], (_, __, i) => ({
      exp: 'semantic',
      task: 'brown-genre',
      taskName: 'brown-genre',
      extractor: e,
      length: P.long,
      accuracy: a + jitter(i, 0.02),
    })),
  );

describe('semantic-features', () => {
  it('supported when the Transformer scores above both the LSTM and the TCN on every seed', () => {
    const d = decision(semanticFeatures, genre({ transformer: 0.7, lstm: 0.55, tcn: 0.5, rnn: 0.45 }));
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.primary!.components).toHaveLength(2);
  });

  it('contradicted when the LSTM is ahead; undecided when only one part holds', () => {
    expect(decision(semanticFeatures, genre({ transformer: 0.5, lstm: 0.7, tcn: 0.4, rnn: 0.45 })).decision.verdict).toBe('contradicted');
    expect(decision(semanticFeatures, genre({ transformer: 0.7, lstm: 0.55, tcn: 0.7, rnn: 0.45 })).decision.verdict).toBe('inconclusive');
  });

  it('no positive control when no extractor learned genre', () => {
    const d = decision(semanticFeatures, genre({ transformer: 0.27, lstm: 0.26, tcn: 0.25, rnn: 0.25 }));
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.reason).toContain('No positive control');
  });
});
