import { describe, expect, it } from 'vitest';
import { logRankComponent, pairedComponent, tostComponent } from '../../audit/components.js';
import { mdeText } from '../../reports/audit.js';

const solvedAt = (times: number[]) => times.map((time) => ({ time, event: true }));
const never = (n: number, budget: number) => Array.from({ length: n }, () => ({ time: budget, event: false }));

describe('audit components', () => {
  it('print no hazard ratio when one arm never solved (it would be 0 or infinite), but keep the log-rank p', () => {
    const c = logRankComponent('lstm vs rnn', solvedAt([100, 120, 150, 160, 200]), never(5, 600), { sign: 1, sesoiHazardRatio: 2 });
    expect(c.p).toBeLessThan(0.05);
    expect(c.favours).toBe('claim');
    expect(Number.isNaN(c.effect.value)).toBe(true);
    expect(c.effect.ci).toBeUndefined();
    expect(c.effect.label).toMatch(/undefined/);
  });

  it('print the hazard ratio with its interval when both arms solved', () => {
    const c = logRankComponent('a vs b', solvedAt([100, 120, 150, 160, 200]), solvedAt([300, 350, 400, 450, 500]), { sign: 1, sesoiHazardRatio: 2 });
    expect(c.effect.value).toBeGreaterThan(1);
    expect(c.effect.ci?.[0]).toBeLessThan(c.effect.value);
  });

  it('bound the MDE of score differences by the score range: a TOST on widely spread scores cannot prove any margin at this n', () => {
    const c = tostComponent('adding equivalent', [0.9, -0.4, 0.8, -0.5], [-0.3, 0.7, -0.6, 0.9], { margin: 0.05, unit: 'score difference' });
    expect(c.power.range).toBe(1);
    expect(c.power.mde).toBeGreaterThan(1);
    expect(mdeText(c.power)).toMatch(/^cannot be detected at this n/);
  });

  it('print a detectable MDE as a number, and leave unbounded units without a range', () => {
    const c = pairedComponent('a vs b', [0.5, 0.52, 0.49, 0.51, 0.5], [0.4, 0.41, 0.42, 0.38, 0.4], { sign: 1, unit: 'score difference', sesoi: 0.1 });
    expect(c.power.mde).toBeLessThan(1);
    expect(mdeText(c.power)).toMatch(/^[0-9.]+$/);
    const slope = pairedComponent('slope', [0.5, 0.52, 0.49], [0, 0, 0], { sign: 1, unit: 'score per doubling of heads', sesoi: 0.1 });
    expect(slope.power.range).toBeUndefined();
  });
});

describe('power is stated at the declared smallest effect of interest, not the observed effect', () => {
  it('the same spread gives the same power and seeds whatever the observed mean difference', () => {
    const b = [0.5, 0.5, 0.5, 0.5, 0.5];
    const noise = [0.02, -0.03, 0.01, 0.04, -0.04];
    const small = pairedComponent(
      'small',
      noise.map((e, i) => b[i] + 0.01 + e),
      b,
      { sign: 1, unit: 'score difference', sesoi: 0.2 },
    );
    const large = pairedComponent(
      'large',
      noise.map((e, i) => b[i] + 0.4 + e),
      b,
      { sign: 1, unit: 'score difference', sesoi: 0.2 },
    );
    expect(small.power.sesoi).toBe(0.2);
    expect(small.power.powerAtSesoi).toBeCloseTo(large.power.powerAtSesoi!, 12);
    expect(small.power.seedsNeeded).toBe(large.power.seedsNeeded);
    // sd ~0.035 against an effect of 0.2: five paired seeds have nearly full power even at alpha / 9.
    expect(small.power.powerAtSesoi!).toBeGreaterThan(0.9);
    const wide = pairedComponent('wide', [0.9, 0.1, 0.8, 0.2, 0.7], b, { sign: 1, unit: 'score difference', sesoi: 0.2 });
    expect(wide.power.powerAtSesoi!).toBeLessThan(0.2);
  });
});
