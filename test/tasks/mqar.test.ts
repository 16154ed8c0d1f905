/**
 * mqar: an independent checker re-derives every label, mask and distance from the inputs alone
 * (reading the pairs back as a dictionary), the query slots follow Zoology's power law, chance
 * 1/|values| matches sampling, and the training and evaluation streams do not overlap.
 */
import { describe, expect, it } from 'vitest';
import { mqar } from '../../tasks/mqar.js';
import { Rng } from '../../core/rng.js';
import type { Batch, Task } from '../../tasks/types.js';
import { make } from './helpers.js';

/**
 * What sample `i` must be, from its inputs and the options alone: the first 2N tokens are N
 * pairs (distinct keys 1..V/2-1, distinct values V/2..V-1); every counted step is a query of a
 * context key, at an even offset after the context, whose target is that key's value and whose
 * distance is back to that value. With blank fill, the non-blank tokens after the context are
 * exactly the queries.
 */
function check(task: Task, b: Batch, i: number, o: { vocab: number; pairs: number; queries: number; fill: 'random' | 'blank' }): string[] {
  const bad: string[] = [];
  // Collected, not thrown: one assertion per batch keeps the test fast.
  const need = (ok: boolean, what: string) => {
    if (!ok) bad.push(`sample ${i}: ${what}`);
  };
  const T = b.length;
  const half = Math.floor(o.vocab / 2);
  const names = task.input.kind === 'tokens' ? task.input.tokens : [];
  const labels = task.output.kind === 'classes' ? task.output.labels : [];
  const x = Array.from(b.inputs.subarray(i * T, (i + 1) * T));
  const valueAt = new Map<number, { value: number; pos: number }>();
  for (let p = 0; p < o.pairs; p++) {
    const [k, v] = [x[2 * p], x[2 * p + 1]];
    need(k >= 1 && k < half, `pair ${p}: key id ${k}`);
    need(v >= half && v < o.vocab, `pair ${p}: value id ${v}`);
    valueAt.set(k, { value: v, pos: 2 * p + 1 });
  }
  need(valueAt.size === o.pairs, 'keys not distinct');
  need(new Set([...valueAt.values()].map((e) => e.value)).size === o.pairs, 'values not distinct');
  const counted: number[] = [];
  for (let t = 0; t < T; t++) {
    const k = i * T + t;
    const m = b.mask![k];
    need(m === 0 || m === 1, `mask ${m} at t=${t}`);
    if (m === 0) {
      need(Number.isNaN(b.stepMeta!.distance[k]), `distance at uncounted t=${t}`);
      continue;
    }
    counted.push(t);
    need(t >= 2 * o.pairs && (t - 2 * o.pairs) % 2 === 0, `query at t=${t} is not in a query slot`);
    const pair = valueAt.get(x[t]);
    if (!pair) {
      bad.push(`sample ${i}: query ${names[x[t]]} at t=${t} is not a context key`);
      continue;
    }
    need(
      b.targets[k] + half === pair.value && labels[b.targets[k]] === names[pair.value],
      `target ${labels[b.targets[k]]} at t=${t}, expected ${names[pair.value]}`,
    );
    need(b.stepMeta!.distance[k] === t - pair.pos, `distance ${b.stepMeta!.distance[k]} at t=${t}, expected ${t - pair.pos}`);
  }
  need(counted.length === o.queries, `${counted.length} queries`);
  need(new Set(counted.map((t) => x[t])).size === counted.length, 'a key is queried twice');
  if (o.fill === 'blank') {
    const nonBlank = x.map((id, t) => (t >= 2 * o.pairs && id !== 0 ? t : -1)).filter((t) => t >= 0);
    need(nonBlank.join() === counted.join(), `non-blank positions ${nonBlank} are not the queries ${counted}`);
  }
  return bad;
}

describe('mqar', () => {
  it.each([
    { vocab: 16, pairs: 2, queries: 2, fill: 'blank' as const, T: 12 },
    { vocab: 256, pairs: 8, queries: 8, fill: 'random' as const, T: 64 },
    { vocab: 64, pairs: 6, queries: 3, fill: 'blank' as const, T: 41 },
    { vocab: 40, pairs: 4, queries: 4, fill: 'random' as const, T: 16 }, // T = minLength: every slot is a query
  ])('every label, mask and distance re-derived from the inputs: %o', ({ T, ...o }) => {
    const task = make(mqar, { ...o, queries: o.queries === o.pairs ? undefined : o.queries });
    expect(task.minLength).toBe(2 * o.pairs + 2 * o.queries);
    const b = task.sample(new Rng(11), 300, T);
    expect(Array.from({ length: 300 }, (_, i) => check(task, b, i, o)).flat()).toEqual([]);
  });

  it('random fill draws from the whole vocabulary (Zoology random_non_queries), blank fill uses id 0 only', () => {
    const T = 64;
    const random = make(mqar, { vocab: 32, pairs: 4 }).sample(new Rng(3), 200, T);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) for (let t = 8; t < T; t++) if (!random.mask![i * T + t]) seen.add(random.inputs[i * T + t]);
    expect(seen.size).toBe(32);
    const blank = make(mqar, { vocab: 32, pairs: 4, fill: 'blank' }).sample(new Rng(3), 200, T);
    const fills = new Set<number>();
    for (let i = 0; i < 200; i++) for (let t = 8; t < T; t++) if (!blank.mask![i * T + t]) fills.add(blank.inputs[i * T + t]);
    expect([...fills]).toEqual([0]);
  });

  it('draws the query slot with p(g) ∝ (g+1)^(a-1) and the queried pair uniformly', () => {
    // One query per sample: its slot's distribution is the power law itself.
    const [N, T, a, n] = [4, 28, 0.3, 20_000];
    const S = (T - 2 * N) / 2;
    const b = make(mqar, { vocab: 32, pairs: N, queries: 1, powerA: a, fill: 'blank' }).sample(new Rng(5), n, T);
    const slots = new Array<number>(S).fill(0);
    const pairs = new Array<number>(N).fill(0);
    for (let i = 0; i < n; i++) {
      for (let t = 2 * N; t < T; t++) {
        const k = i * T + t;
        if (!b.mask![k]) continue;
        slots[(t - 2 * N) / 2]++;
        pairs[(t - b.stepMeta!.distance[k] - 1) / 2]++;
      }
    }
    const w = Array.from({ length: S }, (_, g) => (g + 1) ** (a - 1));
    const z = w.reduce((s, x) => s + x, 0);
    for (let g = 0; g < S; g++) {
      const p = w[g] / z;
      expect(Math.abs(slots[g] / n - p), `slot ${g}`).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    }
    for (const c of pairs) expect(Math.abs(c / n - 1 / N)).toBeLessThan(0.015);
    // The default a = 0.01 puts most queries right after the context; a = 1 is uniform.
    const uniform = make(mqar, { vocab: 32, pairs: N, queries: 1, powerA: 1 }).sample(new Rng(6), n, T);
    const first = Array.from({ length: n }, (_, i) => uniform.mask![i * T + 2 * N]).reduce((s, m) => s + m, 0);
    expect(Math.abs(first / n - 1 / S)).toBeLessThan(0.01);
  });

  it('chance 1/|values| matches the label distribution over the query steps', () => {
    const task = make(mqar, { vocab: 32, pairs: 4 });
    const b = task.sample(new Rng(7), 10_000, 24);
    const counts = new Array<number>(16).fill(0);
    let n = 0;
    for (let k = 0; k < b.targets.length; k++) {
      if (!b.mask![k]) continue;
      counts[b.targets[k]]++;
      n++;
    }
    expect(n).toBe(40_000);
    const c = task.chance(24);
    expect(c.metric).toBe('accuracy');
    expect(c.value).toBeCloseTo(1 / 16, 12);
    for (const x of counts) expect(Math.abs(x / n - c.value)).toBeLessThan(0.006);
    expect(Math.abs(Math.max(...counts) / n - c.value)).toBeLessThan(0.006);
  });

  it('training and evaluation streams share no sample (Zoology checks < 0.1%)', () => {
    const task = make(mqar);
    const row = (b: Batch, i: number) => b.inputs.subarray(i * 64, (i + 1) * 64).join(' ');
    const train = task.sample(new Rng(1).fork('train'), 2000, 64);
    const seen = new Set(Array.from({ length: 2000 }, (_, i) => row(train, i)));
    const evalB = task.sample(new Rng(1).fork('eval'), 2000, 64);
    const shared = Array.from({ length: 2000 }, (_, i) => row(evalB, i)).filter((r) => seen.has(r)).length;
    expect(shared).toBe(0);
  });

  it('refuses options that cannot make a sample, with a usable message', () => {
    expect(() => make(mqar, { vocab: 16, pairs: 8 })).toThrow(/pairs = 8 needs 8 distinct keys.*raise vocab to at least 18/);
    expect(() => make(mqar, { pairs: 4, queries: 5 })).toThrow(/queries = 5 exceeds pairs = 4/);
    expect(() => make(mqar, { pairs: 4 }).sample(new Rng(1), 2, 15)).toThrow(/length >= 16/);
  });

  it('decodes each query with its answer and distance', () => {
    const task = make(mqar, { vocab: 16, pairs: 2, fill: 'blank', powerA: 1 });
    const b = task.sample(new Rng(2), 1, 12);
    const d = task.decode(b, 0);
    expect(d.input.split(' ')).toHaveLength(12);
    expect(d.target).toMatch(/^t=\d+: v\d \(distance \d+\); t=\d+: v\d \(distance \d+\)$/);
  });
});
