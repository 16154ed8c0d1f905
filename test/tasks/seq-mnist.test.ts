/**
 * seq-mnist: shapes, determinism, a by-image split with no image in two splits (by content),
 * the fixed permutation, average pooling against an independent computation from the package's
 * own API, labels of known images, chance, and refused lengths.
 */
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { seqMnist, loadMnist, seqMnistPermutation, MNIST_MEAN, MNIST_STD } from '../../tasks/seq-mnist.js';
import { Rng } from '../../core/rng.js';
import type { Batch } from '../../tasks/types.js';
import { make } from './helpers.js';

/** The package read through its own API (`mnist[d].get(r)`: 784 values in [0, 1]). */
interface MnistDigit {
  length: number;
  get(index: number): number[];
}
const pkg = createRequire(import.meta.url)('mnist') as MnistDigit[];
/** Package-order index of the first image of each digit, from the package's own counts. */
const firstOf: number[] = [];
for (let d = 0, at = 0; d < 10; at += pkg[d].length, d++) firstOf.push(at);
/** Digit and rank of a package-order image index, computed independently of the task. */
function locate(image: number): { digit: number; rank: number } {
  let d = 9;
  while (firstOf[d] > image) d--;
  return { digit: d, rank: image - firstOf[d] };
}
const bytesOf = (values: ArrayLike<number>): Uint8Array => Uint8Array.from(values, (v) => Math.round(v * 255));
const hash = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex');

/** Row `i` of a size-28 unpermuted batch back to pixel bytes. */
function rowBytes(batch: Batch, i: number): Uint8Array {
  const T = batch.length;
  return bytesOf(Array.from(batch.inputs.subarray(i * T, (i + 1) * T), (x) => x * MNIST_STD + MNIST_MEAN));
}

function sameBatch(a: Batch, b: Batch): boolean {
  return a.inputs.every((v, i) => v === b.inputs[i]) && a.targets.every((v, i) => v === b.targets[i]) && JSON.stringify(a.meta) === JSON.stringify(b.meta);
}

describe('seq-mnist data', () => {
  it('loads the 10,000 digits of the package as bytes, once per process', () => {
    const c = loadMnist();
    expect(loadMnist()).toBe(c);
    expect(c.labels).toHaveLength(10_000);
    expect(c.pixels).toHaveLength(10_000 * 784);
    expect(Array.from({ length: 10 }, (_, d) => pkg[d].length)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    // The bytes are the package's values: v = k/255 rounded to 3 decimals.
    for (const image of [0, 5131, 7008, 9999]) {
      const { digit, rank } = locate(image);
      const values = pkg[digit].get(rank);
      for (let p = 0; p < 784; p++) expect(Math.abs(c.pixels[image * 784 + p] / 255 - values[p])).toBeLessThanOrEqual(0.0005 + 1e-9);
    }
  });

  it('splits by image, stratified by digit: 7001 / 1003 / 1996, no image (by content) in two splits', () => {
    const c = loadMnist();
    const { train, validation, test } = c.bySplit;
    expect([train.length, validation.length, test.length]).toEqual([7001, 1003, 1996]);
    const all = [...train, ...validation, ...test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    // Content hashes from the package's own API, not from the task's bytes.
    const hashes = (ids: Int32Array) => new Set(Array.from(ids, (id) => hash(bytesOf(pkg[locate(id).digit].get(locate(id).rank)))));
    const [tr, va, te] = [hashes(train), hashes(validation), hashes(test)];
    expect(tr.size + va.size + te.size).toBe(10_000); // no duplicate image anywhere
    for (const h of te) expect(tr.has(h) || va.has(h)).toBe(false);
    for (const h of va) expect(tr.has(h)).toBe(false);
    // Every digit is in every split, in about the corpus's proportions.
    for (const ids of [train, validation, test]) {
      const digits = new Set(Array.from(ids, (id) => c.labels[id]));
      expect(digits.size).toBe(10);
    }
  });

  it("samples a split's images only, and their content never occurs in another split", () => {
    const drawn = (split: string, n: number, seed: number) => {
      const task = make(seqMnist, { split });
      const b = task.sample(new Rng(seed), n, 784);
      const c = loadMnist();
      for (const m of b.meta) expect(c.bySplit[split as 'train'].includes(m.image)).toBe(true);
      return new Set(Array.from({ length: n }, (_, i) => hash(rowBytes(b, i))));
    };
    const tr = drawn('train', 3000, 1);
    const va = drawn('validation', 1000, 2);
    const te = drawn('test', 1000, 3);
    expect(tr.size).toBeGreaterThan(2000);
    for (const h of te) expect(tr.has(h) || va.has(h)).toBe(false);
    for (const h of va) expect(tr.has(h)).toBe(false);
  });
});

describe('seq-mnist task', () => {
  it.each([
    [28, 784],
    [14, 196],
    [7, 49],
  ])('size %i: T = %i, one standardised feature per step, 10 classes per sequence', (size, T) => {
    const task = make(seqMnist, { size });
    expect(task.input).toMatchObject({ kind: 'features', dim: 1 });
    expect(task.output).toMatchObject({ kind: 'classes', classes: 10, per: 'sequence' });
    expect(task.minLength).toBe(T);
    const b = task.sample(new Rng(1), 12, T);
    expect(b.inputs).toBeInstanceOf(Float32Array);
    expect(b.inputs).toHaveLength(12 * T);
    expect(b.targets).toBeInstanceOf(Int32Array);
    expect(b.targets).toHaveLength(12);
    expect(b.keyMask).toBeUndefined();
    for (const y of b.targets) expect(y >= 0 && y <= 9).toBe(true);
    const lo = (0 - MNIST_MEAN) / MNIST_STD;
    const hi = (1 - MNIST_MEAN) / MNIST_STD;
    for (const x of b.inputs) expect(x >= lo - 1e-6 && x <= hi + 1e-6).toBe(true);
    expect(Math.min(...b.inputs)).toBeCloseTo(lo, 5); // background
    expect(Math.max(...b.inputs)).toBeGreaterThan(1.5); // ink
    expect(task.decode(b, 0).input.split('\n')).toHaveLength(size + 1);
  });

  it('is deterministic per seed, across instances, and differs across seeds', () => {
    for (const opts of [{}, { permuted: true, size: 14 }]) {
      const T = opts.size === 14 ? 196 : 784;
      const a = make(seqMnist, opts).sample(new Rng(5), 16, T);
      expect(sameBatch(make(seqMnist, opts).sample(new Rng(5), 16, T), a)).toBe(true);
      expect(sameBatch(make(seqMnist, opts).sample(new Rng(6), 16, T), a)).toBe(false);
    }
  });

  it('permuted: one fixed bijection per T, shared across calls, applied to the same images', () => {
    for (const T of [784, 196, 49]) {
      const perm = seqMnistPermutation(T);
      expect(Array.from(perm).sort((a, b) => a - b)).toEqual(Array.from({ length: T }, (_, i) => i));
      expect(Array.from(perm).filter((p, t) => p === t).length).toBeLessThan(T / 10); // far from the identity
      expect(seqMnistPermutation(T)).toEqual(perm);
    }
    // Pinned: the permutation must not change between versions (results would not be comparable).
    expect(Array.from(seqMnistPermutation(784).slice(0, 8))).toEqual([574, 99, 225, 128, 553, 558, 415, 333]);
    expect(Array.from(seqMnistPermutation(49).slice(0, 8))).toEqual([13, 11, 30, 16, 37, 44, 7, 2]);
    for (const [size, T] of [
      [28, 784],
      [7, 49],
    ]) {
      const perm = seqMnistPermutation(T);
      for (const split of ['train', 'test']) {
        const plain = make(seqMnist, { size, split }).sample(new Rng(3), 8, T);
        const permuted = make(seqMnist, { size, split, permuted: true }).sample(new Rng(3), 8, T);
        expect(permuted.meta).toEqual(plain.meta);
        expect(Array.from(permuted.targets)).toEqual(Array.from(plain.targets));
        for (let b = 0; b < 8; b++) for (let t = 0; t < T; t++) expect(permuted.inputs[b * T + t]).toBe(plain.inputs[b * T + perm[t]]);
      }
    }
  });

  it('down-samples by the exact average of each block (checked from the package API)', () => {
    for (const size of [14, 7]) {
      const s = 28 / size;
      const T = size * size;
      const b = make(seqMnist, { size, split: 'validation' }).sample(new Rng(11), 10, T);
      for (let i = 0; i < 10; i++) {
        const { digit, rank } = locate(b.meta[i].image);
        const bytes = bytesOf(pkg[digit].get(rank));
        // Sum each pixel into its block, in a different loop order from the task's.
        const sums = new Float64Array(T);
        for (let p = 0; p < 784; p++) sums[Math.floor(Math.floor(p / 28) / s) * size + Math.floor((p % 28) / s)] += bytes[p] / 255;
        for (let t = 0; t < T; t++) expect(b.inputs[i * T + t]).toBeCloseTo((sums[t] / (s * s) - MNIST_MEAN) / MNIST_STD, 5);
      }
    }
    // Size 28 is the pixels themselves.
    const b = make(seqMnist).sample(new Rng(12), 4, 784);
    for (let i = 0; i < 4; i++) {
      const { digit, rank } = locate(b.meta[i].image);
      expect(rowBytes(b, i)).toEqual(bytesOf(pkg[digit].get(rank)));
    }
  });

  it('labels each image with its digit: known images and by content', () => {
    const c = loadMnist();
    // MNIST's training images 0..5 are a 5, 0, 4, 1, 9, 2: the first image of those digits here.
    expect(c.labels[firstOf[5]]).toBe(5);
    expect(c.labels[5131]).toBe(5);
    expect(c.labels[0]).toBe(0);
    expect(c.labels[7008]).toBe(7);
    expect(c.labels[9999]).toBe(9);
    // The header's worked example: image 7008 pooled to 7×7, standardised.
    const example = [
      [-0.42, -0.42, -0.42, -0.42, -0.42, -0.42, -0.42],
      [-0.42, -0.42, -0.42, -0.33, 0.2, -0.25, -0.42],
      [-0.42, -0.22, 1.68, 1.38, 2.16, 0.86, -0.42],
      [-0.42, 0.4, 0.78, -0.06, 1.8, -0.26, -0.42],
      [-0.42, -0.42, -0.42, 1.65, 0.19, -0.42, -0.42],
      [-0.42, -0.42, 0.84, 0.72, -0.42, -0.42, -0.42],
      [-0.42, -0.42, 0.91, -0.39, -0.42, -0.42, -0.42],
    ].flat();
    const task = make(seqMnist, { size: 7, split: 'train' });
    let found = false;
    for (let seed = 0; seed < 100 && !found; seed++) {
      const b = task.sample(new Rng(seed), 1000, 49);
      const i = b.meta.findIndex((m) => m.image === 7008);
      if (i < 0) continue;
      found = true;
      expect(b.targets[i]).toBe(7);
      for (let t = 0; t < 49; t++) expect(b.inputs[i * 49 + t]).toBeCloseTo(example[t], 2);
    }
    expect(found).toBe(true);
    // Every sampled image's label is the digit file the package holds that content in.
    const digitOf = new Map<string, number>();
    for (let d = 0; d < 10; d++) for (let r = 0; r < pkg[d].length; r++) digitOf.set(hash(bytesOf(pkg[d].get(r))), d);
    for (const split of ['train', 'validation', 'test']) {
      const b = make(seqMnist, { split }).sample(new Rng(21), 200, 784);
      for (let i = 0; i < 200; i++) expect(b.targets[i]).toBe(digitOf.get(hash(rowBytes(b, i))));
    }
  });

  it("chance is the split's majority-class rate (digit 1), not 1/10", () => {
    const expected = { train: 789 / 7001, validation: 113 / 1003, test: 225 / 1996 };
    for (const [split, value] of Object.entries(expected)) {
      const c = make(seqMnist, { split }).chance(784);
      expect(c.metric).toBe('accuracy');
      expect(c.value).toBeCloseTo(value, 12);
      expect(c.why).toContain('digit 1');
    }
    // And sampling follows it: about 11.3% ones in a large training batch.
    const b = make(seqMnist, { size: 7 }).sample(new Rng(4), 20_000, 49);
    const ones = b.targets.filter((y) => y === 1).length / 20_000;
    expect(Math.abs(ones - 789 / 7001)).toBeLessThan(0.01);
  });

  it('refuses every length but size², and sizes other than 28, 14, 7', () => {
    const cases: [number, number[]][] = [
      [28, [783, 785, 196, 49, 1568]],
      [14, [195, 197, 784, 49]],
      [7, [48, 50, 196, 784]],
    ];
    for (const [size, bad] of cases) {
      const task = make(seqMnist, { size });
      for (const L of bad) expect(() => task.sample(new Rng(1), 2, L)).toThrow(/length/);
      expect(task.lengths?.accepts(size * size)).toBe(true);
    }
    expect(() => make(seqMnist, { size: 7 }).sample(new Rng(1), 2, 50)).toThrow(/length 49 only/);
    expect(() => seqMnist.options.parse({ size: 8 })).toThrow();
    expect(() => seqMnist.options.parse({ permuted: 'yes' })).toThrow();
    expect(() => seqMnist.options.parse({ split: 'all' })).toThrow();
  });
});
