/** dyck: labels checked with an independent stack recogniser; shape uniformity; corruptions. */
import { describe, it, expect } from 'vitest';
import { dyck } from '../../tasks/dyck.js';
import { Rng } from '../../core/rng.js';
import { classFrequencies, make, unpadded } from './helpers.js';

const PAIRS: Record<string, string> = { ')': '(', ']': '[' };

function balanced(toks: string[]): boolean {
  const stack: string[] = [];
  for (const t of toks) {
    if (t === '(' || t === '[') stack.push(t);
    else if (stack.pop() !== PAIRS[t]) return false;
  }
  return stack.length === 0;
}

function depth(toks: string[]): number {
  let d = 0;
  let max = 0;
  for (const t of toks) {
    d += t === '(' || t === '[' ? 1 : -1;
    max = Math.max(max, d);
  }
  return max;
}

const count = (toks: string[], s: string): number => toks.filter((t) => t === s).length;
const shape = (toks: string[]): string => toks.map((t) => (t === '(' || t === '[' ? 'o' : 'c')).join('');

describe('dyck', () => {
  it.each(['swap', 'change'] as const)('labels match a stack recogniser (%s)', (corruption) => {
    const task = make(dyck, { corruption });
    for (const T of [2, 7, 40, 101]) {
      const b = task.sample(new Rng(T), 300, T);
      for (let i = 0; i < 300; i++) {
        const toks = unpadded(task, b, i);
        expect(toks).toHaveLength(T - (T % 2));
        const ok = balanced(toks);
        expect(b.targets[i]).toBe(ok ? 1 : 0);
        expect(b.meta[i].corrupted).toBe(ok ? 0 : 1);
        if (ok) expect(b.meta[i].maxDepth).toBe(depth(toks));
        if (!ok && corruption === 'swap') {
          // a swap keeps every bracket count of the balanced original
          expect(count(toks, '(')).toBe(count(toks, ')'));
          expect(count(toks, '[')).toBe(count(toks, ']'));
        }
      }
    }
  });

  it('draws balanced shapes uniformly (all 5 Dyck shapes of length 6 equally often)', () => {
    const task = make(dyck);
    const b = task.sample(new Rng(20), 8000, 6);
    const freq = new Map<string, number>();
    let n = 0;
    for (let i = 0; i < 8000; i++) {
      if (b.targets[i] !== 1) continue;
      const s = shape(unpadded(task, b, i));
      freq.set(s, (freq.get(s) ?? 0) + 1);
      n++;
    }
    expect(freq.size).toBe(5);
    for (const c of freq.values()) expect(Math.abs(c / n - 0.2)).toBeLessThan(0.03);
  });

  it('maxDepth caps nesting and stays uniform over the allowed shapes', () => {
    const task = make(dyck, { maxDepth: 2 });
    const b = task.sample(new Rng(21), 8000, 6);
    const freq = new Map<string, number>();
    let n = 0;
    for (let i = 0; i < 8000; i++) {
      const toks = unpadded(task, b, i);
      expect(b.meta[i].maxDepth).toBeLessThanOrEqual(2);
      if (b.targets[i] !== 1) continue;
      expect(depth(toks)).toBeLessThanOrEqual(2);
      const s = shape(toks);
      freq.set(s, (freq.get(s) ?? 0) + 1);
      n++;
    }
    expect(freq.size).toBe(4); // all shapes but ((( )))
    for (const c of freq.values()) expect(Math.abs(c / n - 0.25)).toBeLessThan(0.03);
    const long = make(dyck, { maxDepth: 3 }).sample(new Rng(22), 100, 400);
    for (const m of long.meta) expect(m.maxDepth).toBeLessThanOrEqual(3);
  });

  it('chance 0.5 matches the label distribution', () => {
    const task = make(dyck);
    const freq = classFrequencies(task.sample(new Rng(23), 10_000, 20).targets, 2);
    expect(Math.abs(freq[1] - task.chance(20).value)).toBeLessThan(0.02);
  });
});
