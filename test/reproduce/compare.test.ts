/**
 * Paper vs fxbench verdicts (reproduce/compare.ts) against records built by hand: each
 * criterion kind with each verdict it can give, a selection the run does not have (not run),
 * runs that all diverged (not), the statistics over seeds, pooled extractor labels, range
 * lengths and the percent scale.
 */
import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../harness/store/results.js';
import { compareNumber, compareRecipe, criterionText, measure } from '../../reproduce/compare.js';
import { numberSchema, type PaperNumber, type Recipe } from '../../reproduce/recipe.js';
import { completedRecord, divergedRecord } from '../reports/fixtures.js';

/** A completed record of suite `s`, task `t`, extractor label `e`, length `L`, seed `seed`, with test metric `value`. */
function rec(e: string, seed: number, value: number, over: { suite?: string; task?: string; length?: number } = {}): ResultRecord {
  return completedRecord(
    { task: { name: 'adding', label: over.task ?? 'adding' }, extractor: { name: 'lstm', label: e }, length: over.length ?? 100, seed },
    { suite: over.suite ?? 's', metrics: { metric: 'mse', value, higherIsBetter: false, chance: 0.167 } },
  );
}

const select = (extractor: string | string[], statistic: 'mean' | 'median' | 'max' | 'min' = 'mean', length: number | string = 100) => ({
  suite: 's',
  task: 'adding',
  extractor,
  length,
  statistic,
});

const source = { where: 'Table 1', page: 5 };
const num = (raw: Record<string, unknown>): PaperNumber => numberSchema.parse({ id: 'x', what: 'a number', unit: 'MSE', source, ...raw });

describe('measure', () => {
  const records = [rec('a', 1, 0.1), rec('a', 2, 0.3), rec('a', 3, 0.2), rec('b', 1, 0.9), rec('a', 1, 0.5, { length: 200 })];

  it('reduces the selected completed runs by the statistic, and gives a mean its Student-t interval', () => {
    const m = measure(select('a'), records);
    expect(m.value).toBeCloseTo(0.2, 12);
    expect(m.n).toBe(3);
    expect(m.runs).toBe(3);
    // sd 0.1, t(0.975, 2) = 4.302653, half width 4.302653 * 0.1 / sqrt(3) = 0.248414; an MSE is at least 0, so the lower end is cut there
    expect(m.interval![0]).toBe(0);
    expect(m.interval![1]).toBeCloseTo(0.2 + 0.248414, 5);
    expect(measure(select('a', 'median'), records)).toMatchObject({ value: 0.2, interval: null });
    expect(measure(select('a', 'max'), records).value).toBe(0.3);
    expect(measure(select('a', 'min'), records).value).toBe(0.1);
  });

  it("cuts an accuracy's interval at 1, times the scale", () => {
    const acc = (seed: number, value: number) =>
      completedRecord(
        { task: { name: 'adding', label: 'adding' }, extractor: { name: 'lstm', label: 'a' }, length: 100, seed },
        { suite: 's', metrics: { value } },
      );
    const m = measure(select('a'), [acc(1, 0.9), acc(2, 1)], 100);
    expect(m.value).toBeCloseTo(95, 10);
    // half width 12.706205 * 7.0711 / sqrt(2) = 63.53: [31.47, 158.5] cut to [31.47, 100]
    expect(m.interval![0]).toBeCloseTo(95 - 63.531, 2);
    expect(m.interval![1]).toBe(100);
  });

  it('pools several extractor labels and scales to the paper units', () => {
    const m = measure(select(['a', 'b'], 'max'), records, 100);
    expect(m.value).toBeCloseTo(90, 10);
    expect(m).toMatchObject({ n: 4, runs: 4, pooled: true });
  });

  it('counts runs that did not complete, and selects a range by its text', () => {
    const ranged = Object.assign(rec('a', 1, 0.7, { length: 40 }), { range: { train: [1, 40], test: [41, 500], testLengths: 32 } });
    const all = [
      ...records,
      ranged,
      divergedRecord({ task: { name: 'adding', label: 'adding' }, extractor: { name: 'lstm', label: 'a' }, length: 100 }, { suite: 's' }),
    ];
    expect(measure(select('a', 'max', '1-40:41-500'), all)).toMatchObject({ value: 0.7, n: 1, runs: 1 });
    expect(measure(select('a', 'max', 40), all)).toMatchObject({ value: null, runs: 0 });
    expect(measure(select('a'), all)).toMatchObject({ n: 3, runs: 4 });
  });
});

describe('within', () => {
  const n = num({ value: 0.25, select: select('a'), criterion: { kind: 'within', points: 0.05 } });

  it('reproduced inside the band, partly when only the interval reaches it, not otherwise', () => {
    expect(compareNumber(n, [rec('a', 1, 0.22), rec('a', 2, 0.24)]).verdict).toBe('reproduced');
    // mean 0.35, beyond 0.30; the interval of two seeds 0.1 apart is wide and reaches the band
    const partly = compareNumber(n, [rec('a', 1, 0.3), rec('a', 2, 0.4)]);
    expect(partly.verdict).toBe('partly');
    expect(partly.why).toMatch(/95% interval/);
    // mean 0.5, interval [0.4873, 0.5127]: nowhere near 0.25 +- 0.05
    const not = compareNumber(n, [rec('a', 1, 0.499), rec('a', 2, 0.501)]);
    expect(not.verdict).toBe('not');
    expect(not.why).toBe('|ours - paper| = |0.5 - 0.25| = 0.25 MSE > 0.05');
  });

  it('a maximum has no interval, so just outside the band is not', () => {
    const max = num({ value: 0.25, select: select('a', 'max'), criterion: { kind: 'within', points: 0.05 } });
    expect(compareNumber(max, [rec('a', 1, 0.1), rec('a', 2, 0.31)]).verdict).toBe('not');
  });

  it('in words', () => expect(criterionText(n)).toBe("within ±0.05 MSE of the paper's 0.25 MSE"));
});

describe('side', () => {
  const pct = (raw: Record<string, unknown>) =>
    num({ unit: '%', scale: 100, select: select('a', 'max'), criterion: { kind: 'side', threshold: 90, margin: 2 }, ...raw });

  it('reproduced on the paper side, partly within the margin, not on the other side', () => {
    const solved = pct({ value: 100 });
    expect(compareNumber(solved, [rec('a', 1, 0.5), rec('a', 2, 0.97)])).toMatchObject({ verdict: 'reproduced', ours: 'max 97% (2 seeds)' });
    expect(compareNumber(solved, [rec('a', 1, 0.91)]).verdict).toBe('partly');
    expect(compareNumber(solved, [rec('a', 1, 0.6)])).toMatchObject({ verdict: 'not', why: "ours 60% is below 90%; the paper's is above" });
    const failed = pct({ value: 52 });
    expect(compareNumber(failed, [rec('a', 1, 0.55)]).verdict).toBe('reproduced');
    expect(compareNumber(failed, [rec('a', 1, 0.95)]).verdict).toBe('not');
  });

  it('a paper that gives only a side', () => {
    const n = num({ value: null, select: select('a'), criterion: { kind: 'side', threshold: 0.01, side: 'below' } });
    expect(compareNumber(n, [rec('a', 1, 0.001)])).toMatchObject({ verdict: 'reproduced', paper: 'below 0.01 MSE' });
    expect(compareNumber(n, [rec('a', 1, 0.01)]).verdict).toBe('not');
    expect(criterionText(n)).toMatch(/^below 0.01 MSE, the paper's side/);
  });
});

describe('order', () => {
  const ordering = (criterion: Record<string, unknown>, values: (number | null)[] = [null, null, null]) =>
    num({
      members: ['p', 'q', 'r'].map((id, i) => ({ id, label: id.toUpperCase(), value: values[i], select: select(id) })),
      criterion: { kind: 'order', margin: 0.01, ...criterion },
    });

  it('reproduced when every gap is kept beyond the margin, partly inside it, not when reversed', () => {
    const n = ordering({ ranking: [['p'], ['q'], ['r']] });
    const run = (p: number, q: number, r: number) => compareNumber(n, [rec('p', 1, p), rec('q', 1, q), rec('r', 1, r)]);
    expect(run(0.3, 0.2, 0.1).verdict).toBe('reproduced');
    expect(run(0.3, 0.295, 0.1)).toMatchObject({ verdict: 'partly', why: 'P - Q = 0.005, within the margin 0.01 (the paper: P above)' });
    expect(run(0.3, 0.1, 0.2)).toMatchObject({ verdict: 'not', why: 'R is above Q by 0.1 (the paper: below)' });
  });

  it('members the paper shows as comparable must stay within the margin; unordered ones are free', () => {
    const comparable = ordering({ ranking: [['p', 'q'], ['r']] });
    expect(compareNumber(comparable, [rec('p', 1, 0.3), rec('q', 1, 0.305), rec('r', 1, 0.1)]).verdict).toBe('reproduced');
    const apart = compareNumber(comparable, [rec('p', 1, 0.3), rec('q', 1, 0.2), rec('r', 1, 0.1)]);
    expect(apart).toMatchObject({ verdict: 'not', why: 'P and Q differ by 0.1 (the paper shows them comparable)' });
    const free = ordering({ ranking: [['p', 'q'], ['r']], groupsAre: 'unordered' });
    expect(compareNumber(free, [rec('p', 1, 0.3), rec('q', 1, 0.2), rec('r', 1, 0.1)]).verdict).toBe('reproduced');
    expect(criterionText(free)).toBe(
      "the paper's ordering, highest first: {P, Q} > R; each gap kept by more than 0.01 MSE; members in braces are not ordered among themselves",
    );
  });

  it('not run when a member has no record; not when a member never completed', () => {
    const n = ordering({ ranking: [['p'], ['q', 'r']] });
    const missing = compareNumber(n, [rec('p', 1, 0.3), rec('q', 1, 0.2)]);
    expect(missing).toMatchObject({ verdict: 'not run', why: 'this run has no record of s: adding, r, T = 100' });
    const diverged = divergedRecord({ task: { name: 'adding', label: 'adding' }, extractor: { name: 'lstm', label: 'r' }, length: 100 }, { suite: 's' });
    expect(compareNumber(n, [rec('p', 1, 0.3), rec('q', 1, 0.2), diverged]).verdict).toBe('not');
  });

  it("the paper's values, where given, must agree with its ranking", () => {
    expect(() => ordering({ ranking: [['p'], ['q', 'r']] }, [0.1, 0.2, null])).toThrow(/the ranking puts .{0,3}p.{0,3} \(0\.1\) above .{0,3}q.{0,3} \(0\.2\)/);
    expect(() => ordering({ ranking: [['p'], ['x']] })).toThrow(/x.{0,3} is not a member/);
  });
});

describe('compareRecipe', () => {
  const base = { what: 'w', unit: 'MSE', source, criterion: { kind: 'within', points: 0.1 } };
  const recipe = {
    id: 'demo',
    paper: { authors: 'A. Author, B. Author', year: 2020, title: 'T', venue: 'V', url: 'https://example.org' },
    summary: 'S',
    numbers: [
      numberSchema.parse({ ...base, id: 'ran', value: 0.2, select: select('a') }),
      numberSchema.parse({ ...base, id: 'absent', value: 0.2, select: { ...select('a'), suite: 'other' } }),
    ],
  } as unknown as Recipe;

  it('every number a verdict, counted; the quick profile is indicative', () => {
    const c = compareRecipe(recipe, 'quick', [rec('a', 1, 0.25)]);
    expect(c.rows.map((r) => [r.id, r.verdict])).toEqual([
      ['ran', 'reproduced'],
      ['absent', 'not run'],
    ]);
    expect(c.counts).toEqual({ reproduced: 1, partly: 0, not: 0, 'not run': 1 });
    expect(c.indicative).toBe(true);
    expect(compareRecipe(recipe, 'full', []).indicative).toBe(false);
  });
});
