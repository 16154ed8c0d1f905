/**
 * recall's lure density: with `lureDensity` every answer symbol occurs the same number of
 * times (so the bag of tokens says nothing about the answer), that number grows with T so the
 * share of positions holding lures stays about the same, and without it the draws are the
 * task's as they always were (one copy each).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { recall } from '../../tasks/recall.js';

const K = 4;
const make = (options: Record<string, unknown>) => recall.create(recall.options.parse({ symbols: K, distance: 4, ...options }));

/** Per sample: how often each answer symbol (ids 0..k-1) occurs, and the queried symbol. */
function counts(options: Record<string, unknown>, T: number, n = 200) {
  const b = make(options).sample(new Rng('recall-density'), n, T);
  return Array.from({ length: n }, (_, i) => {
    const c = new Array(K).fill(0);
    for (let t = 0; t < T - 1; t++) if (b.inputs[i * T + t] < K) c[b.inputs[i * T + t]]++;
    return { c, target: b.targets[i], queried: b.inputs[i * T + T - 1 - 4] };
  });
}

describe('recall lureDensity', () => {
  it('every answer symbol occurs equally often in every sample (leak-free), and the queried symbol is the target', () => {
    for (const T of [8, 16, 32, 64])
      for (const s of counts({ lureDensity: 0.5 }, T)) {
        expect(new Set(s.c).size, `T=${T} ${s.c}`).toBe(1);
        expect(s.queried).toBe(s.target);
      }
  });

  it('the share of positions holding answer symbols stays near the density across lengths; without it, it thins out', () => {
    const share = (options: Record<string, unknown>, T: number) => counts(options, T, 10)[0].c.reduce((a: number, b: number) => a + b, 0) / (T - 2);
    const dense = [8, 16, 32, 64].map((T) => share({ lureDensity: 0.5 }, T));
    for (const d of dense) expect(Math.abs(d - 0.5)).toBeLessThan(0.2);
    expect(share({}, 64)).toBeLessThan(0.1);
    expect(share({}, 8)).toBeCloseTo(4 / 6, 6);
  });

  it('unset, the draws are the task as it was: one copy of each symbol', () => {
    for (const s of counts({}, 16)) expect(s.c).toEqual([1, 1, 1, 1]);
    const a = make({}).sample(new Rng('same'), 8, 16);
    const b = make({ lureDensity: 0.2 }).sample(new Rng('same'), 8, 16); // round(0.2 * 14 / 4) = 1 copy: the same draws
    expect([...b.inputs]).toEqual([...a.inputs]);
  });

  it('is refused with the shared distractors, which have no lures', () => {
    expect(recall.options.safeParse({ distractors: 'shared', lureDensity: 0.5 }).success).toBe(false);
  });
});
