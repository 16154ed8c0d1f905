import { describe, expect, it } from 'vitest';
import { censoredAtBudget, kaplanMeier, logRank, type TimeToEvent } from '../../stats/index.js';
import { close, fixture } from './fixtures.js';

interface Group {
  label: string;
  times: number[];
  events: number[];
}
const toData = (g: Group): TimeToEvent[] => g.times.map((time, i) => ({ time, event: g.events[i] === 1 }));

describe('kaplanMeier', () => {
  const { cases } = fixture<Group & { rows: { time: number; atRisk: number; events: number; survival: number; lo: number; hi: number }[] }>('kaplanMeier');
  it.each(cases.map((c, i) => [`#${i} ${c.label}`, c] as const))('%s: product limit and log-log Greenwood intervals', (_, c) => {
    const km = kaplanMeier(toData(c));
    expect(km.rows.map((r) => r.time)).toEqual(c.rows.map((r) => r.time));
    km.rows.forEach((r, i) => {
      const e = c.rows[i];
      expect([r.atRisk, r.events]).toEqual([e.atRisk, e.events]);
      expect(close(r.survival, e.survival, 1e-14)).toBe(true);
      expect(close(r.lo, e.lo, 1e-12)).toBe(true);
      expect(close(r.hi, e.hi, 1e-12)).toBe(true);
    });
  });

  it('6-MP: the textbook median remission time is 23 weeks; placebo 8', () => {
    const [sixMp, placebo] = cases;
    expect(kaplanMeier(toData(sixMp)).median).toBe(23);
    expect(kaplanMeier(toData(placebo)).median).toBe(8);
  });

  it('a run never solved within the budget is censored at the budget', () => {
    expect(censoredAtBudget(null, 200)).toEqual({ time: 200, event: false });
    expect(censoredAtBudget(150, 200)).toEqual({ time: 150, event: true });
    const km = kaplanMeier([censoredAtBudget(null, 200), censoredAtBudget(null, 200)]);
    expect(km.rows).toEqual([]);
    expect(km.median).toBeNull();
    expect(km.end).toBe(200);
  });
});

describe('logRank', () => {
  const { cases } = fixture<{ name: string; groups: Group[]; observed: number[]; expected: number[]; chiSquare: number; df: number; p: number }>('logRank');
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const r = logRank(c.groups.map(toData));
    r.observed.forEach((o, i) => expect(o).toBe(c.observed[i]));
    r.expected.forEach((e, i) => expect(close(e, c.expected[i], 1e-12)).toBe(true));
    expect(r.df).toBe(c.df);
    expect(close(r.chiSquare, c.chiSquare, 1e-11)).toBe(true);
    expect(close(r.p, c.p, 1e-9), `p ${r.p} vs ${c.p}`).toBe(true);
  });

  it('two groups: z is negative when the first group solves later, and z² is the chi-square', () => {
    const fast = [10, 20, 30, 40].map((time) => ({ time, event: true }));
    const slow = [50, 60, 200, 200].map((time) => ({ time, event: time < 200 }));
    const r = logRank([slow, fast]);
    expect(r.z!).toBeLessThan(0);
    expect(r.z! ** 2).toBeCloseTo(r.chiSquare, 12);
  });

  it('no events anywhere: p = 1', () => {
    const none = [{ time: 200, event: false }];
    expect(logRank([none, none]).p).toBe(1);
  });
});
