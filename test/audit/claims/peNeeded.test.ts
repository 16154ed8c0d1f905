import { describe, expect, it } from 'vitest';
import { peNeeded } from '../../../audit/claims/peNeeded.js';
import { decision, jitter, P, perSeed } from '../fixtures.js';

const L = P.lengths[0] * 2;
const cells = (recall: Record<string, number[]>, adding: Record<string, number[]>) => [
  ...Object.entries(recall).flatMap(([e, acc]) => perSeed(acc, (a) => ({ exp: 'pe', task: 'recall', extractor: e, length: L, accuracy: a }))),
  ...Object.entries(adding).flatMap(([e, acc]) => perSeed(acc, (a) => ({ exp: 'pe', task: 'adding', extractor: e, length: L, accuracy: a, chance: 0.5 }))),
];
const five = (v: number, size = 0.004) => [0, 1, 2, 3, 4].map((i) => v + jitter(i, size));

describe('pe-needed', () => {
  it('supported: sinusoidal solves recall on every seed, no positions on none, and adding is equivalent within the margin', () => {
    const d = decision(
      peNeeded,
      cells({ 'transformer-sinusoidal': five(1, 0), 'transformer-none': five(0.25) }, { 'transformer-sinusoidal': five(0.98), 'transformer-none': five(0.98) }),
    );
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.primary!.components.map((c) => c.test)).toEqual(['fisher exact', 'paired tost']);
  });

  it('the control must hold: a large difference on adding leaves it undecided', () => {
    const d = decision(
      peNeeded,
      cells({ 'transformer-sinusoidal': five(1, 0), 'transformer-none': five(0.25) }, { 'transformer-sinusoidal': five(0.98), 'transformer-none': five(0.7) }),
    );
    expect(d.decision.verdict).toBe('inconclusive');
  });

  it('no effect: both solve recall alike (scores equivalent within ±0.1); contradicted: only the position-free model solves it', () => {
    expect(
      decision(
        peNeeded,
        cells(
          { 'transformer-sinusoidal': five(0.99), 'transformer-none': five(0.99) },
          { 'transformer-sinusoidal': five(0.98), 'transformer-none': five(0.98) },
        ),
      ).decision.verdict,
    ).toBe('no effect');
    const mixed = cells(
      { 'transformer-sinusoidal': [1, 1, 1, 0.25, 0.25], 'transformer-none': five(1, 0) },
      { 'transformer-sinusoidal': five(0.98), 'transformer-none': five(0.98) },
    );
    expect(decision(peNeeded, mixed).decision.verdict).toBe('inconclusive'); // 3/5 against 5/5: Fisher p = 0.44
  });

  it('no positive control when sinusoidal does not solve recall', () => {
    const d = decision(
      peNeeded,
      cells({ 'transformer-sinusoidal': five(0.25), 'transformer-none': five(0.25) }, { 'transformer-sinusoidal': five(0.98), 'transformer-none': five(0.98) }),
    );
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.reason).toContain('No positive control');
  });
});
