import { describe, expect, it } from 'vitest';
import { semanticFeatures } from '../../../audit/claims/semanticFeatures.js';
import { decision, jitter, P, perSeed } from '../fixtures.js';

const FILES = 20;
/** Genre records: an arm's accuracy on each of 20 test files, file difficulty shared by every arm, a little noise per seed and file. */
const genre = (acc: Record<string, number>, fileSpread = 0.1) =>
  Object.entries(acc).flatMap(([e, a], k) =>
    perSeed([0, 1, 2, 3, 4], (_, __, i) => {
      const byFile = Array.from({ length: FILES }, (_, f) => ({
        value: f,
        n: 10 + (f % 3),
        score: Math.min(1, Math.max(0, a + fileSpread * Math.sin(f * 1.7) + jitter(i + f + k, 0.02))),
      }));
      const total = byFile.reduce((s, b) => s + b.n, 0);
      return {
        exp: 'semantic',
        task: 'brown-genre',
        taskName: 'brown-genre',
        extractor: e,
        length: P.long,
        accuracy: byFile.reduce((s, b) => s + b.n * b.score, 0) / total,
        byFile,
      };
    }),
  );

describe('semantic-features (v3: two-way cluster bootstrap over seeds and test files)', () => {
  it('supported when the Transformer scores above both the LSTM and the TCN across files and seeds', () => {
    const d = decision(semanticFeatures, genre({ transformer: 0.7, lstm: 0.55, tcn: 0.5, rnn: 0.45 }));
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.primary!.components.map((c) => c.test)).toEqual(['cluster bootstrap', 'cluster bootstrap']);
    expect(d.decision.primary!.components[0].label).toContain(`${FILES} test files`);
    // (0.7 - 0.55) / (1 - 0.25) = 0.2 in score units
    expect(d.decision.key.value).toBeCloseTo(0.2, 1);
    expect(d.decision.primary!.components[0].power.powerAtSesoi).toBeGreaterThan(0);
  });

  it('contradicted when the LSTM is ahead; undecided when only one part holds', () => {
    expect(decision(semanticFeatures, genre({ transformer: 0.5, lstm: 0.7, tcn: 0.4, rnn: 0.45 })).decision.verdict).toBe('contradicted');
    expect(decision(semanticFeatures, genre({ transformer: 0.7, lstm: 0.55, tcn: 0.7, rnn: 0.45 })).decision.verdict).toBe('inconclusive');
  });

  it('no positive control when no extractor learned genre', () => {
    const d = decision(semanticFeatures, genre({ transformer: 0.27, lstm: 0.26, tcn: 0.25, rnn: 0.25 }, 0));
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.reason).toContain('No positive control');
  });
});
