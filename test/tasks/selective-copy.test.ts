/**
 * selective-copy: an independent checker re-derives every label, mask and distance from the
 * inputs alone (the non-noise tokens before the markers, in order), data positions are uniform,
 * chance 1/k matches sampling, and the training and evaluation streams do not overlap.
 */
import { describe, expect, it } from 'vitest';
import { selectiveCopy } from '../../tasks/selective-copy.js';
import { Rng } from '../../core/rng.js';
import type { Batch, Task } from '../../tasks/types.js';
import { make, rowTokens } from './helpers.js';

/** Sample `i` from its printed tokens: M data symbols among `_` noise, then M `:` markers, each answered by the next data symbol. */
function check(task: Task, b: Batch, i: number, M: number): string[] {
  const bad: string[] = [];
  // Collected, not thrown: one assertion per batch keeps the test fast.
  const need = (ok: boolean, what: string) => {
    if (!ok) bad.push(`sample ${i}: ${what}`);
  };
  const T = b.length;
  const toks = rowTokens(task, b, i);
  const labels = task.output.kind === 'classes' ? task.output.labels : [];
  need(
    toks.slice(T - M).every((s) => s === ':'),
    `the last ${M} tokens are not markers: ${toks.slice(T - M).join(' ')}`,
  );
  const data = toks.slice(0, T - M).flatMap((s, p) => (s === '_' ? [] : [{ s, p }]));
  need(data.length === M, `${data.length} data tokens`);
  need(
    data.every(({ s }) => labels.includes(s)),
    'a data token outside the alphabet',
  );
  for (let t = 0; t < T; t++) {
    const k = i * T + t;
    if (t < T - M) {
      need(b.mask![k] === 0 && Number.isNaN(b.stepMeta!.distance[k]), `t=${t} is counted`);
      continue;
    }
    const j = t - (T - M);
    need(b.mask![k] === 1, `marker step t=${t} not counted`);
    need(labels[b.targets[k]] === data[j]?.s, `target ${labels[b.targets[k]]} at t=${t}, expected ${data[j]?.s}`);
    need(b.stepMeta!.distance[k] === t - (data[j]?.p ?? NaN), `distance ${b.stepMeta!.distance[k]} at t=${t}`);
  }
  return bad;
}

describe('selective-copy', () => {
  it.each([
    { symbols: 4, tokens: 3, T: 10 },
    { symbols: 14, tokens: 16, T: 64 },
    { symbols: 8, tokens: 5, T: 10 }, // T = 2M: no noise left, the plain copy task
    { symbols: 2, tokens: 1, T: 50 },
  ])('every label, mask and distance re-derived from the inputs: %o', ({ T, symbols, tokens }) => {
    const task = make(selectiveCopy, { symbols, tokens });
    expect(task.minLength).toBe(2 * tokens);
    expect(task.input.kind === 'tokens' && task.input.vocab).toBe(symbols + 2);
    const b = task.sample(new Rng(21), 300, T);
    expect(Array.from({ length: 300 }, (_, i) => check(task, b, i, tokens)).flat()).toEqual([]);
  });

  it('defaults to the Mamba paper: 16 tokens of a 16-token vocabulary (noise and marker included)', () => {
    const task = make(selectiveCopy);
    expect(task.input.kind === 'tokens' && task.input.vocab).toBe(16);
    expect(task.minLength).toBe(32);
  });

  it('places the data uniformly: every position before the markers holds a data token with probability M/(T-M)', () => {
    const [M, T, n] = [4, 24, 20_000];
    const b = make(selectiveCopy, { symbols: 4, tokens: M }).sample(new Rng(22), n, T);
    const p = M / (T - M);
    for (let t = 0; t < T - M; t++) {
      let hits = 0;
      for (let i = 0; i < n; i++) if (b.inputs[i * T + t] !== 0) hits++;
      expect(Math.abs(hits / n - p), `position ${t}`).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it('chance 1/k matches the label distribution over the output steps', () => {
    const task = make(selectiveCopy, { symbols: 6, tokens: 4 });
    const b = task.sample(new Rng(23), 10_000, 20);
    const counts = new Array<number>(6).fill(0);
    for (let k = 0; k < b.targets.length; k++) if (b.mask![k]) counts[b.targets[k]]++;
    const n = counts.reduce((a, c) => a + c, 0);
    expect(n).toBe(40_000);
    const c = task.chance(20);
    expect(c.value).toBeCloseTo(1 / 6, 12);
    for (const x of counts) expect(Math.abs(x / n - c.value)).toBeLessThan(0.01);
  });

  it('training and evaluation streams share no sample', () => {
    const task = make(selectiveCopy);
    const T = 64;
    const row = (b: Batch, i: number) => b.inputs.subarray(i * T, (i + 1) * T).join(' ');
    const train = task.sample(new Rng(1).fork('train'), 2000, T);
    const seen = new Set(Array.from({ length: 2000 }, (_, i) => row(train, i)));
    const evalB = task.sample(new Rng(1).fork('eval'), 2000, T);
    expect(Array.from({ length: 2000 }, (_, i) => row(evalB, i)).filter((r) => seen.has(r))).toHaveLength(0);
  });

  it('decodes the data symbols in order', () => {
    const task = make(selectiveCopy, { symbols: 4, tokens: 3 });
    const b = task.sample(new Rng(24), 1, 10);
    const d = task.decode(b, 0);
    const data = d.input
      .split(' ')
      .slice(0, 7)
      .filter((s) => s !== '_');
    expect(d.target).toBe(`${data.join(' ')} at the last 3 steps`);
  });
});
