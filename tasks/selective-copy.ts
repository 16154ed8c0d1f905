/**
 * selective-copy: selective copying (Gu & Dao 2023, Mamba, section 3.1 and appendix E.1): the
 * copy task with the data tokens at random positions among noise, so a model cannot copy by
 * counting positions (a fixed, time-invariant convolution or recurrence), it has to select them
 * by content.
 *
 * Layout of the generator the Mamba paper used, `torch_copying_data(L, M, A, variable=True)` in
 * state-spaces/s4 `src/dataloaders/datasets/copying.py` (the Mamba repository has none), with
 * `length` the total T = L + 2M:
 *   positions 0..T-M-1 : M data tokens, drawn uniformly with replacement from the k symbols
 *                        (ids 1..k), at M distinct sorted random positions; noise (id 0) elsewhere
 *   positions T-M..T-1 : M markers `:` (id k+1), each asking for the next data token
 * Targets are per step: at marker position T-M+j the j-th data token (mask 1 on the M marker
 * steps, 0 elsewhere). Output classes are the k symbols (class c = id c+1). The paper's setting
 * is A = k + 2 = 16 tokens (noise and marker included), M = 16, T = 4096; fxbench's defaults
 * are the paper's k and M, at any length >= 2M (at T = 2M nothing is left for noise and the task
 * is the plain copy task).
 *
 * Worked example (k = 4, M = 3, T = 10, so 4 noise tokens among the first 7 positions):
 *   input   _ C _ _ A D _ : : :
 *   targets at t=7, 8, 9: C A D  (the data tokens in order; distances 6, 4, 4)
 * because the j-th marker asks for the j-th data token, wherever the noise put it.
 *
 * Chance: accuracy 1/k: data tokens are uniform and independent of their positions and of each
 * other. Meta: per step (`stepMeta.distance`, at the marker steps): the marker's position minus
 * its data token's position, so `byMeta.distance` bins single output steps. Nothing is padded.
 */
import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import { renderTokens } from './lib/common.js';

const NAME = 'selective-copy';

const options = z
  .object({
    symbols: z
      .number()
      .int()
      .min(2)
      .max(52)
      .default(14)
      .describe('data alphabet k (ids 1..k); the vocabulary adds noise and the marker: A = k+2 (the paper: 16)'),
    tokens: z.number().int().min(1).default(16).describe('data tokens M to copy (the paper: 16); length T = noise + 2M'),
  })
  .strict();

/** Data symbols A, B, ... Z, a..z. */
const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const selectiveCopy = defineTask({
  name: NAME,
  description: 'Selective copying: M data tokens scattered at random positions among noise; after the data, reproduce them in order, one per marker step.',
  example: 'k=4, M=3, T=10: "_ C _ _ A D _ : : :" -> C A D at the three markers (the data tokens in order, wherever the noise put them; distances 6, 4, 4).',
  source: 'Gu & Dao 2023 (Mamba), generator as state-spaces/s4 src/dataloaders/datasets/copying.py with variable=True.',
  options,
  create(opts): Task {
    const k = opts.symbols;
    const M = opts.tokens;
    const MARKER = k + 1;
    const names = Array.from(ALPHA.slice(0, k));
    const tokens = ['_', ...names, ':'];
    const minLength = 2 * M;
    return {
      input: { kind: 'tokens', vocab: k + 2, tokens },
      output: { kind: 'classes', classes: k, labels: names, per: 'step' },
      minLength,
      chance: () => ({ value: 1 / k, metric: 'accuracy', why: `1/k for k = ${k} uniform data symbols, independent of their positions` }),
      sample(rng: Rng, batchSize: number, length: number): Batch {
        const T = length;
        const span = T - M; // L + M positions hold the data among the noise
        const inputs = new Int32Array(batchSize * T); // id 0 = noise wherever nothing is set below
        const targets = new Int32Array(batchSize * T);
        const mask = new Float32Array(batchSize * T);
        const distance = new Float64Array(batchSize * T).fill(NaN);
        const meta: SampleMeta[] = [];
        const chosen = new Uint8Array(span);
        for (let b = 0; b < batchSize; b++) {
          const base = b * T;
          // M distinct positions of 0..span-1 (Floyd's algorithm: M draws, whatever span is), in order.
          chosen.fill(0);
          for (let j = span - M; j < span; j++) {
            const t = rng.int(j + 1);
            chosen[chosen[t] ? j : t] = 1;
          }
          let j = 0;
          for (let p = 0; p < span; p++) {
            if (!chosen[p]) continue;
            const s = 1 + rng.int(k);
            inputs[base + p] = s;
            const out = span + j; // the j-th marker
            targets[base + out] = s - 1;
            mask[base + out] = 1;
            distance[base + out] = out - p;
            j++;
          }
          inputs.fill(MARKER, base + span, base + T);
          meta.push({});
        }
        return { batchSize, length, inputs, targets, mask, meta, stepMeta: { distance } };
      },
      decode(batch, i) {
        const T = batch.length;
        const out: string[] = [];
        for (let t = T - M; t < T; t++) out.push(names[batch.targets[i * T + t]]);
        return { input: renderTokens(tokens, batch.inputs, i * T, (i + 1) * T), target: `${out.join(' ')} at the last ${M} steps` };
      },
    };
  },
});
