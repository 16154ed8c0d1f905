import { describe, expect, it } from 'vitest';
import { layernormConvergence } from '../../../audit/claims/layernormConvergence.js';
import { residualGradients } from '../../../audit/claims/residualGradients.js';
import { layernormLabel, layernormLength } from '../../../audit/experiments/layernorm.js';
import { LOSS_WINDOW, stepsToLoss } from '../../../audit/measures.js';
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

describe('layernorm-convergence (v3: ln steps to a loss threshold, checked every step, paired t)', () => {
  const T = layernormLength(P);
  /** A loss curve falling linearly from ln 4 to 0 in `k` steps, then flat; `budget` steps in all. */
  const curve = (k: number, budget: number) => Array.from({ length: budget }, (_, i) => Math.max(0.01, Math.log(4) * (1 - i / k)));
  const ln = (norm: 'post' | 'pre' | 'none', reach: (number | null)[], budget = 400) =>
    perSeed([0, 1, 2, 3, 4], (_, __, i) => ({
      exp: 'layernorm',
      extractor: layernormLabel(norm),
      length: T,
      accuracy: reach[i] === null ? 0.3 : 1,
      stepsToSolve: null,
      loss: reach[i] === null ? Array(budget).fill(1.2) : curve(reach[i]!, budget),
      budget,
    }));
  const fast = [50, 60, 55, 70, 65];
  const slow = [200, 260, 230, 250, 210];

  it('the threshold crossing is read at every step from the smoothed loss', () => {
    expect(stepsToLoss([5, 5, 5, 5, 5, 5, 5, 5, 5, 0.1, 0.1], 4.6)).toBe(10);
    expect(stepsToLoss(Array(LOSS_WINDOW).fill(0.1), 0.1)).toBe(LOSS_WINDOW);
    expect(stepsToLoss([1, 1, 1], 0.5)).toBeNull();
  });

  it('supported when post-norm reaches the threshold in fewer steps than no LayerNorm; contradicted the other way', () => {
    const d = decision(layernormConvergence, [...ln('post', fast), ...ln('pre', fast), ...ln('none', slow)]);
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.primary!.components[0].test).toBe('paired t');
    expect(d.decision.key.value).toBeLessThan(-1);
    expect(decision(layernormConvergence, [...ln('post', slow), ...ln('none', fast)]).decision.verdict).toBe('contradicted');
  });

  it('no effect when the two are equally fast within 1.25 times (TOST); never-reached runs count at the budget', () => {
    const d = decision(layernormConvergence, [...ln('post', [100, 110, 105, 120, 115]), ...ln('none', [102, 109, 104, 121, 116])]);
    expect(d.decision.verdict).toBe('no effect');
    const censored = decision(layernormConvergence, [...ln('post', fast), ...ln('none', [null, null, null, null, null])]);
    expect(censored.decision.secondary['none: reached the loss threshold']).toBe('0/5');
    expect(censored.decision.secondary['none: median steps to the threshold (censored at the budget)']).toBeCloseTo(400, 6);
  });

  it('no positive control when no arm reaches the threshold on half its seeds', () => {
    const never = [null, null, null, null, null];
    const d = decision(layernormConvergence, [...ln('post', never), ...ln('none', never)]);
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.reason).toContain('No positive control');
  });
});
