/** recall, adding, copy, parity: labels recomputed from the inputs, and chance vs 10 000 samples. */
import { describe, it, expect } from 'vitest';
import { recall } from '../../tasks/recall.js';
import { adding, addingSolved } from '../../tasks/adding.js';
import { copy } from '../../tasks/copy.js';
import { parity } from '../../tasks/parity.js';
import { Rng } from '../../core/rng.js';
import { classFrequencies, make, rowTokens } from './helpers.js';

const N = 10_000;

describe('recall', () => {
  it('targets the symbol at T-1-distance (position 0 by default) and ends with the query', () => {
    for (const distractors of ['disjoint', 'shared']) {
      const task = make(recall, { symbols: 5, distractors });
      const T = 30;
      const b = task.sample(new Rng(1), 200, T);
      for (let i = 0; i < 200; i++) {
        const toks = rowTokens(task, b, i);
        expect(toks[T - 1]).toBe('?');
        expect(toks.slice(0, T - 1)).not.toContain('?');
        expect(task.output.kind === 'classes' && task.output.labels[b.targets[i]]).toBe(toks[0]);
        expect(b.meta[i].distance).toBe(T - 1);
      }
    }
  });

  it('disjoint (the default): every answer symbol once per sample, the rest noise from a disjoint alphabet', () => {
    const task = make(recall, { symbols: 5 });
    const T = 12;
    const labels = task.output.kind === 'classes' ? task.output.labels : [];
    const b = task.sample(new Rng(7), 500, T);
    const noise = new Set<string>();
    const lurePositions = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const toks = rowTokens(task, b, i).slice(0, T - 1);
      for (const l of labels)
        expect(
          toks.filter((t) => t === l),
          `row ${i}: ${toks.join(' ')}`,
        ).toHaveLength(1);
      for (const [t, tok] of toks.entries()) {
        if (labels.includes(tok)) {
          if (t > 0) lurePositions.add(t);
        } else noise.add(tok);
      }
    }
    // Noise uses exactly its own k symbols, none of them an answer; lures reach every position.
    expect([...noise].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(lurePositions.size).toBe(T - 2);
    expect(task.input.kind === 'tokens' && task.input.vocab).toBe(2 * 5 + 1);
  });

  it('minLength fits the query, the queried symbol and the k-1 lures (and an explicit distance)', () => {
    expect(make(recall, { symbols: 8 }).minLength).toBe(9);
    expect(make(recall, { symbols: 8, distractors: 'shared' }).minLength).toBe(2);
    expect(make(recall, { symbols: 4, distance: 10 }).minLength).toBe(11);
    expect(make(recall, { symbols: 8, distance: 'uniform' }).minLength).toBe(10);
    expect(() => make(recall, { symbols: 8 }).sample(new Rng(1), 1, 8)).toThrow(/length >= 9/);
  });

  it('honours an explicit distance and its minLength', () => {
    const task = make(recall, { symbols: 8, distance: 4, distractors: 'shared' });
    expect(task.minLength).toBe(5);
    const T = 20;
    const b = task.sample(new Rng(2), 200, T);
    for (let i = 0; i < 200; i++) {
      expect(b.targets[i]).toBe(b.inputs[i * T + T - 1 - 4]);
      expect(b.meta[i].distance).toBe(4);
    }
    expect(() => task.sample(new Rng(2), 1, 4)).toThrow(/length/);
    const disjoint = make(recall, { symbols: 4, distance: 6 });
    const d = disjoint.sample(new Rng(3), 200, T);
    for (let i = 0; i < 200; i++) expect(d.targets[i]).toBe(d.inputs[i * T + T - 1 - 6]);
  });

  it('shared is the old task draw for draw: T-1 uniform symbols from the seeded stream', () => {
    const task = make(recall, { symbols: 8, distractors: 'shared' });
    const [B, T] = [50, 16];
    const b = task.sample(new Rng(11), B, T);
    const rng = new Rng(11);
    for (let i = 0; i < B; i++) {
      for (let t = 0; t < T - 1; t++) expect(b.inputs[i * T + t]).toBe(rng.int(8));
      expect(b.inputs[i * T + T - 1]).toBe(8);
      expect(b.targets[i]).toBe(b.inputs[i * T]);
    }
  });

  it("distance 'uniform': a marker before the queried symbol, distances 1..T-2 all drawn, byMeta-ready", () => {
    for (const distractors of ['disjoint', 'shared']) {
      const task = make(recall, { symbols: 4, distance: 'uniform', distractors });
      const T = 10;
      const n = 4000;
      const b = task.sample(new Rng(5), n, T);
      const seen = new Map<number, number>();
      const bad: string[] = [];
      const labels = task.output.kind === 'classes' ? task.output.labels : [];
      for (let i = 0; i < n; i++) {
        const toks = rowTokens(task, b, i);
        const d = b.meta[i].distance;
        seen.set(d, (seen.get(d) ?? 0) + 1);
        const ok = d >= 1 && d <= T - 2 && toks.filter((t) => t === '>').length === 1 && toks[T - 2 - d] === '>' && labels[b.targets[i]] === toks[T - 1 - d];
        if (!ok) bad.push(`row ${i} (distance ${d}): ${toks.join(' ')} -> ${labels[b.targets[i]]}`);
      }
      expect(bad).toEqual([]);
      // Uniform over the T-2 distances: each within 5 standard deviations of n/(T-2).
      expect([...seen.keys()].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const p = 1 / (T - 2);
      for (const c of seen.values()) expect(Math.abs(c - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    }
  });

  it('chance 1/k matches the label distribution', () => {
    for (const distractors of ['disjoint', 'shared']) {
      const task = make(recall, { symbols: 8, distractors });
      const freq = classFrequencies(task.sample(new Rng(3), N, 12).targets, 8);
      for (const f of freq) expect(Math.abs(f - 1 / 8)).toBeLessThan(0.015);
      expect(Math.abs(Math.max(...freq) - task.chance(12).value)).toBeLessThan(0.015);
    }
  });
});

describe('adding', () => {
  const T = 50;
  function check(variant: 'anywhere' | 'halves'): void {
    const task = make(adding, { variant });
    const b = task.sample(new Rng(4), 500, T);
    for (let i = 0; i < 500; i++) {
      const marked: number[] = [];
      let sum = 0;
      let inRange = true;
      for (let t = 0; t < T; t++) {
        const v = b.inputs[(i * T + t) * 2];
        const m = b.inputs[(i * T + t) * 2 + 1];
        inRange &&= v >= 0 && v < 1 && (m === 0 || m === 1);
        if (m === 1) {
          marked.push(t);
          sum += v;
        }
      }
      expect(inRange).toBe(true);
      expect(marked).toHaveLength(2);
      expect(b.targets[i]).toBeCloseTo(sum, 5);
      expect(b.meta[i].distance).toBe(T - 1 - marked[0]);
      if (variant === 'halves') {
        expect(marked[0]).toBeLessThan(T / 2);
        expect(marked[1]).toBeGreaterThanOrEqual(Math.floor(T / 2));
      }
    }
  }
  it('targets the sum of the two marked values (anywhere)', () => check('anywhere'));
  it('targets the sum of the two marked values (halves: one marker per half)', () => check('halves'));

  it('places "anywhere" markers over the whole sequence, including both ends', () => {
    const b = make(adding).sample(new Rng(5), 2000, 10);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) for (let t = 0; t < 10; t++) if (b.inputs[(i * 10 + t) * 2 + 1] === 1) seen.add(t);
    expect(seen.size).toBe(10);
  });

  it.each(['anywhere', 'halves'] as const)('chance 1/6 = MSE of predicting the mean 1 (%s)', (variant) => {
    const task = make(adding, { variant });
    const b = task.sample(new Rng(6), N, 20);
    let se = 0;
    for (const y of b.targets) se += (y - 1) ** 2;
    expect(task.chance(20).metric).toBe('mse');
    expect(Math.abs(se / N - task.chance(20).value)).toBeLessThan(0.01);
  });

  it('addingSolved uses the 0.04 squared-error threshold', () => {
    expect(addingSolved(1.0, 1.19)).toBe(true);
    expect(addingSolved(1.0, 1.21)).toBe(false);
  });
});

describe('copy', () => {
  it('uses the Arjovsky layout with length = T + 20 total positions', () => {
    const task = make(copy);
    expect(task.minLength).toBe(21);
    for (const L of [21, 35]) {
      const b = task.sample(new Rng(7), 100, L);
      expect(b.mask?.every((m) => m === 1)).toBe(true);
      for (let i = 0; i < 100; i++) {
        const x = Array.from(b.inputs.subarray(i * L, (i + 1) * L));
        const y = Array.from(b.targets.subarray(i * L, (i + 1) * L));
        const symbols = x.slice(0, 10);
        for (const s of symbols) expect(s >= 1 && s <= 8).toBe(true);
        expect(x.slice(10, L - 11).every((v) => v === 0)).toBe(true); // T-1 blanks
        expect(x[L - 11]).toBe(9); // delimiter
        expect(x.slice(L - 10).every((v) => v === 0)).toBe(true);
        expect(y.slice(0, L - 10).every((v) => v === 0)).toBe(true);
        expect(y.slice(L - 10)).toEqual(symbols);
        expect(b.meta[i].distance).toBe(L - 10);
      }
    }
  });

  it('chance 10·ln8/L equals the mean per-step entropy of the targets', () => {
    const task = make(copy);
    const L = 30;
    const b = task.sample(new Rng(8), N, L);
    let total = 0;
    for (let t = 0; t < L; t++) {
      const counts = new Map<number, number>();
      for (let i = 0; i < N; i++) counts.set(b.targets[i * L + t], (counts.get(b.targets[i * L + t]) ?? 0) + 1);
      for (const c of counts.values()) total -= (c / N) * Math.log(c / N);
    }
    const c = task.chance(L);
    expect(c.metric).toBe('cross-entropy');
    expect(c.value).toBeCloseTo((10 * Math.log(8)) / L, 10);
    expect(Math.abs(total / L - c.value) / c.value).toBeLessThan(0.01);
  });
});

describe('parity', () => {
  it('targets the parity of the number of 1s', () => {
    const task = make(parity);
    const T = 33;
    const b = task.sample(new Rng(9), 300, T);
    for (let i = 0; i < 300; i++) {
      const ones = rowTokens(task, b, i).filter((t) => t === '1').length;
      expect(b.targets[i]).toBe(ones % 2);
      expect(b.meta[i].ones).toBe(ones);
    }
  });

  it('chance 0.5 matches the label distribution', () => {
    const task = make(parity);
    const freq = classFrequencies(task.sample(new Rng(10), N, 16).targets, 2);
    expect(Math.abs(freq[1] - task.chance(16).value)).toBeLessThan(0.02);
  });
});
