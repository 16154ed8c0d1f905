/**
 * The leak-free recall: a position-blind model is exactly at chance.
 *
 * The example bag-of-words plugin (examples/plugins/bow-extractor.mjs) read at the last
 * position sees only which tokens occur, not where. With `distractors: 'disjoint'` (the
 * default) every sample holds each answer symbol exactly once, so that bag is independent of
 * the answer, and so is any prediction made from it by weights fitted on other (training)
 * samples: each held-out hit is then a Bernoulli(1/k) draw, independent across samples,
 * and the number of hits among n held-out samples is exactly Binomial(n, 1/k). The test
 * trains the plugin through the harness and requires the hits inside the central
 * 1 - 2e-5 interval of that distribution (it fails by chance with probability 2e-5).
 *
 * The same training on the old task (`distractors: 'shared'`, whose symbol counts leak the
 * answer: the best position-blind accuracy at k = 4, T = 8 is 0.45) must land above that
 * interval: the check can fail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../kernels/backend.js';
import { extractors, registerExtractor } from '../../harness/plugins/registries.js';
import { runCell } from '../../harness/cell/runCell.js';
import { expandSuite, parseSuite } from '../../harness/suite/suite.js';
import type { ExtractorDefinition } from '../../extractors/types.js';

const K = 4;
const BATCH = 32;
const EVAL_BATCHES = 32;
const N = BATCH * EVAL_BATCHES; // held-out samples
const ALPHA = 1e-5; // per tail

/** log of the Binomial(n, p) probability of exactly x successes. */
function logPmf(n: number, p: number, x: number): number {
  let lc = 0; // log C(n, x)
  for (let i = 1; i <= x; i++) lc += Math.log(n - x + i) - Math.log(i);
  return lc + x * Math.log(p) + (n - x) * Math.log(1 - p);
}

/** The smallest lo and largest hi with P(X < lo) <= alpha and P(X > hi) <= alpha, X ~ Binomial(n, p). */
function binomialInterval(n: number, p: number, alpha: number): [number, number] {
  const pmf = Array.from({ length: n + 1 }, (_, x) => Math.exp(logPmf(n, p, x)));
  let lo = 0;
  for (let tail = 0; lo <= n && tail + pmf[lo] <= alpha; lo++) tail += pmf[lo];
  let hi = n;
  for (let tail = 0; hi >= 0 && tail + pmf[hi] <= alpha; hi--) tail += pmf[hi];
  return [lo, hi];
}

async function trainBow(distractors: 'disjoint' | 'shared'): Promise<number> {
  const [cell] = expandSuite(
    parseSuite({
      name: 'leak',
      tasks: [{ name: 'recall', options: { symbols: K, distractors } }],
      extractors: [{ name: 'bow', options: { hidden: 32 } }],
      lengths: [8],
      seeds: [1],
      steps: 200,
      batch: BATCH,
      lr: 1e-2,
      embedDim: 16,
      readout: 'last', // the mean readout would see prefix means, which know positions
      evalSamples: N,
      generalize: [1],
    }),
  );
  const record = await runCell(cell);
  if (record.status !== 'completed') throw new Error(`bow on recall (${distractors}) did not complete: ${JSON.stringify(record)}`);
  expect(record.metrics.chance).toBe(1 / K);
  return Math.round(record.metrics.value * N); // hits
}

describe('recall without the count leak', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    if (!extractors.has('bow')) {
      const mod = (await import('../../examples/plugins/bow-extractor.mjs')) as { extractors: ExtractorDefinition[] };
      for (const def of mod.extractors) registerExtractor(def);
    }
  });

  it('the interval is the exact binomial one', () => {
    // Binomial(1024, 1/4): mean 256, sd 13.9; the 1e-5 tails lie about 4.3 sd out.
    const [lo, hi] = binomialInterval(N, 1 / K, ALPHA);
    expect(lo).toBeGreaterThan(190);
    expect(lo).toBeLessThan(200);
    expect(hi).toBeGreaterThan(314);
    expect(hi).toBeLessThan(324);
    expect(binomialInterval(10, 0.5, 0.01)).toEqual([1, 9]); // P(X=0) = P(X=10) ~ 0.001, P(X<=1) ~ 0.011
  });

  it('a trained bag of words stays exactly at chance on the default (disjoint) recall', async () => {
    const [lo, hi] = binomialInterval(N, 1 / K, ALPHA);
    const hits = await trainBow('disjoint');
    expect(hits).toBeGreaterThanOrEqual(lo);
    expect(hits).toBeLessThanOrEqual(hi);
  }, 120_000);

  it('and beats chance beyond that interval on the old (shared) recall, whose counts leak', async () => {
    const [, hi] = binomialInterval(N, 1 / K, ALPHA);
    const hits = await trainBow('shared');
    expect(hits).toBeGreaterThan(hi);
  }, 120_000);
});
