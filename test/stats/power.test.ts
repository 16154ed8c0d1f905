import { describe, expect, it } from 'vitest';
import {
  fisherExact,
  fisherMde,
  fisherPower,
  fisherSeedsNeeded,
  logRankEventsNeeded,
  logRankMdeHazardRatio,
  pairedTTestMde,
  pairedTTestPower,
  pairedTTestSeedsNeeded,
} from '../../stats/index.js';
import { close, fixture } from './fixtures.js';

const FNS: Record<string, (...a: number[]) => number | null> = { pairedTTestPower, pairedTTestMde, pairedTTestSeedsNeeded, fisherPower, fisherSeedsNeeded };
const REL: Record<string, number> = { pairedTTestPower: 1e-9, pairedTTestMde: 1e-9, fisherPower: 1e-12 };

describe('power against scipy (noncentral t) and enumeration (Fisher)', () => {
  const { cases } = fixture<{ fn: string; args: number[]; value: number }>('power');
  it.each(cases.map((c) => [`${c.fn}(${c.args.join(', ')})`, c] as const))('%s', (_, c) => {
    const got = FNS[c.fn](...c.args);
    if (Number.isInteger(c.value) && !REL[c.fn]) expect(got).toBe(c.value);
    else expect(close(got!, c.value, REL[c.fn]), `${got} vs ${c.value}`).toBe(true);
  });

  it('the MDE is where the power is 80%', () => {
    const mde = pairedTTestMde(0.2, 6);
    expect(pairedTTestPower(mde, 0.2, 6)).toBeCloseTo(0.8, 10);
  });

  it('Fisher: three seeds per arm can detect nothing, five can detect a perfect split only with luck', () => {
    expect(fisherMde(0, 3)).toBeNull(); // the best table has p = 0.1
    expect(fisherPower(1, 0, 3, 3)).toBe(0);
    expect(fisherPower(1, 0, 5, 5)).toBe(1); // 5/5 vs 0/5 always, p = 0.0079
    const p1 = fisherMde(0.1, 10)!;
    expect(fisherPower(p1, 0.1, 10, 10)).toBeGreaterThanOrEqual(0.8);
    expect(fisherPower(p1 - 1e-6, 0.1, 10, 10)).toBeLessThan(0.8);
    expect(fisherSeedsNeeded(1, 0)).toBe(4); // 4/4 vs 0/4: p = 2/70 = 0.029
    expect(fisherExact(4, 0, 0, 4).p).toBeLessThan(0.05);
  });

  it('log-rank (Schoenfeld): 1.96 + 0.8416 squared over p(1-p) ln² HR', () => {
    // HR 2, equal arms: 4 · 7.849 / 0.4805 = 65.3 -> 66 events
    expect(logRankEventsNeeded(2)).toBe(66);
    expect(logRankMdeHazardRatio(66)).toBeLessThan(2);
    expect(logRankMdeHazardRatio(65)).toBeGreaterThan(2 - 0.02);
  });
});
