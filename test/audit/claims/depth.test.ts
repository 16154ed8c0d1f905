import { describe, expect, it } from 'vitest';
import { layernormConvergence } from '../../../audit/claims/layernormConvergence.js';
import { residualGradients } from '../../../audit/claims/residualGradients.js';
import { decision, jitter, P, perSeed } from '../fixtures.js';

const L = P.lengths[0] * 2;
const last = `layers.${P.deepLayers - 1}`;
/** An arm of the depth experiment: first/last gradient ratio and steps to solve per seed (null: never). */
const arm = (name: string, ratio: number, steps: (number | null)[]) =>
  perSeed([0, 1, 2, 3, 4], (_, __, i) => ({
    exp: 'depth',
    extractor: `transformer-${name}`,
    length: L,
    norms: { 'layers.0': ratio * (1 + jitter(i, 0.1)), [last]: 1 },
    accuracy: steps[i] === null ? 0.25 : 1,
    stepsToThreshold: steps[i] ?? 80,
  }));
const never = [null, null, null, null, null];
const fast = [10, 15, 20, 25, 30];

describe('residual-gradients', () => {
  it('supported when the log gradient ratio is larger with residuals and some arm learned', () => {
    const d = decision(residualGradients, [...arm('post', 1, fast), ...arm('post-noresidual', 0.1, never)]);
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.key.value).toBeCloseTo(Math.log(10), 1);
  });

  it('contradicted the other way round; no positive control when no arm learned', () => {
    expect(decision(residualGradients, [...arm('post', 0.1, fast), ...arm('post-noresidual', 1, never)]).decision.verdict).toBe('contradicted');
    const d = decision(residualGradients, [...arm('post', 1, never), ...arm('post-noresidual', 0.1, never)]);
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.reason).toContain('No positive control');
  });
});

describe('layernorm-convergence', () => {
  it('supported when post-norm solves sooner than no LayerNorm (log-rank); contradicted the other way', () => {
    expect(decision(layernormConvergence, [...arm('post', 1, fast), ...arm('pre', 1, fast), ...arm('none', 1, never)]).decision.verdict).toBe('supported');
    expect(decision(layernormConvergence, [...arm('post', 1, never), ...arm('none', 1, fast)]).decision.verdict).toBe('contradicted');
  });

  it('no positive control when nothing solved', () => {
    const d = decision(layernormConvergence, [...arm('post', 1, never), ...arm('none', 1, never)]);
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.reason).toContain('No positive control');
  });
});
