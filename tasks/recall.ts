/**
 * recall: remember the symbol at one fixed position and name it at the end.
 *
 * Input: T-1 symbols drawn independently and uniformly from k classes, then the query `?`
 * at position T-1 (the readout). Target: the symbol at position T-1-distance. Every other
 * symbol is independent noise drawn from the same alphabet, so the answer can only be
 * recovered by remembering that one position; nothing else in the sequence correlates with it.
 *
 * Worked example (k = 4, T = 6, distance unset so the remembered position is 0):
 *   input  C A D A B ?   -> target C
 * because `C` sits at position 0 = T-1-distance with distance = T-1 = 5. With distance = 2
 * the same input has target A (position 3).
 *
 * Chance: 1/k accuracy (symbols are uniform and independent of everything else).
 * Meta: { distance } = positions from the remembered symbol to the query.
 */
import { z } from 'zod';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import type { Rng } from '../core/rng.js';
import { checkBatchSize, checkLength, renderTokens } from './lib/common.js';

const NAME = 'recall';

const options = z
  .object({
    /** k: number of symbol classes. */
    symbols: z.number().int().min(2).max(64).default(8),
    /**
     * Positions between the remembered symbol and the query (>= 1). Unset: the remembered
     * symbol is the first one, so the distance is T-1 and grows with the length.
     */
    distance: z.number().int().min(1).optional(),
  })
  .strict();

/** Symbol names A, B, ... Z, then a..z, then s52, s53, ... */
function symbolNames(k: number): string[] {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: k }, (_, i) => (i < alpha.length ? alpha[i] : `s${i}`));
}

export const recall = defineTask({
  name: NAME,
  description:
    'Memorisation over a gap: name the symbol seen `distance` positions before the final query; all other positions are noise from the same alphabet.',
  example:
    'k=4, T=6, distance unset: "C A D A B ?" -> C (position 0 = T-1-distance, distance = T-1 = 5); with distance=2 the target is A (position 3).',
  source: 'Copy/recall memory tasks: Hochreiter & Schmidhuber 1997; Bai, Kolter & Koltun 2018 (TCN).',
  options,
  create(opts): Task {
    const k = opts.symbols;
    const names = symbolNames(k);
    const query = k; // token id of `?`
    const tokens = [...names, '?'];
    const minLength = opts.distance === undefined ? 2 : opts.distance + 1;
    return {
      input: { kind: 'tokens', vocab: k + 1, tokens },
      output: { kind: 'classes', classes: k, labels: names, per: 'sequence' },
      minLength,
      chance: () => ({ value: 1 / k, metric: 'accuracy', why: `1/k for k=${k} uniform, independent symbols` }),
      sample(rng: Rng, batchSize: number, length: number): Batch {
        checkBatchSize(NAME, batchSize);
        checkLength(NAME, length, minLength);
        const distance = opts.distance ?? length - 1;
        const inputs = new Int32Array(batchSize * length);
        const targets = new Int32Array(batchSize);
        const meta: SampleMeta[] = [];
        for (let b = 0; b < batchSize; b++) {
          const base = b * length;
          for (let t = 0; t < length - 1; t++) inputs[base + t] = rng.int(k);
          inputs[base + length - 1] = query;
          targets[b] = inputs[base + length - 1 - distance];
          meta.push({ distance });
        }
        return { batchSize, length, inputs, targets, meta };
      },
      decode(batch, i) {
        const T = batch.length;
        return {
          input: renderTokens(tokens, batch.inputs, i * T, (i + 1) * T),
          target: names[batch.targets[i]],
        };
      },
    };
  },
});
