/**
 * copy: the copy-memory task in Arjovsky, Shah & Bengio's (2016) layout, one output per step.
 *
 * `length` is the TOTAL sequence length L = T + 20, T being the paper's blank-gap parameter, so
 * that `length` means "number of input positions" in every fxbench task. Layout (ids: 0 blank
 * `_`, 1..8 symbols, 9 delimiter `:`):
 *   inputs : 10 symbols from 1..8 | T-1 blanks | delimiter | 10 blanks
 *   targets: T+10 blanks                                    | the 10 symbols
 * minLength is 21 (T = 1: the delimiter directly follows the symbols).
 *
 * Worked example (L = 24, so T = 4; 10 symbols, 3 blanks, delimiter, 10 blanks):
 *   input  3 1 8 8 2 5 7 4 4 6 _ _ _ : _ _ _ _ _ _ _ _ _ _
 *   target _ _ _ _ _ _ _ _ _ _ _ _ _ _ 3 1 8 8 2 5 7 4 4 6
 * because after the delimiter the model must replay the first 10 symbols, each L-10 = 14
 * steps after it saw it.
 *
 * Chance: cross-entropy 10·ln 8 / L nats per step, averaged over all L steps (every step is
 * masked in). That is Arjovsky et al.'s baseline: predict blank with certainty for the first
 * L-10 steps (they are always blank: loss 0) and the uniform distribution over the 8 symbols
 * for the last 10 (loss ln 8 each). `chance(length)` takes the same total length L that
 * `sample` takes. Note the value is per step, not per sequence (× L would give 10·ln 8).
 * Output classes are the 9 ids 0..8 (the delimiter is never a target).
 * Meta: { distance: L - 10 } = steps between a symbol and the step that must reproduce it.
 */
import { z } from 'zod';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import type { Rng } from '../core/rng.js';
import { renderTokens } from './lib/common.js';

const NAME = 'copy';
/** Symbols to copy (the paper's fixed 10). */
const N_COPY = 10;
/** Alphabet size of the copied symbols (ids 1..8). */
const N_SYMBOLS = 8;
const DELIM = 9;
const TOKENS = ['_', '1', '2', '3', '4', '5', '6', '7', '8', ':'] as const;

const options = z.object({}).strict();

export const copy = defineTask({
  name: NAME,
  description: 'Copy memory: read 10 symbols, wait through blanks, and after the delimiter output the 10 symbols again, one prediction per step.',
  example: 'L=24: "3 1 8 8 2 5 7 4 4 6 _ _ _ : _ _ _ _ _ _ _ _ _ _" -> "_ ×14 then 3 1 8 8 2 5 7 4 4 6" (replay the first 10 symbols after the delimiter).',
  source: 'Hochreiter & Schmidhuber 1997; layout and baseline from Arjovsky, Shah & Bengio 2016 (uRNN).',
  options,
  create(): Task {
    const minLength = 2 * N_COPY + 1;
    return {
      input: { kind: 'tokens', vocab: TOKENS.length, tokens: TOKENS },
      output: { kind: 'classes', classes: N_SYMBOLS + 1, labels: TOKENS.slice(0, N_SYMBOLS + 1), per: 'step' },
      minLength,
      chance: (length) => ({
        value: (N_COPY * Math.log(N_SYMBOLS)) / length,
        metric: 'cross-entropy',
        why: `nats per step averaged over all ${length} steps: blanks are certain for the first ${length - N_COPY} steps, ln 8 for each of the last 10 (10·ln 8 / L, Arjovsky et al. 2016)`,
      }),
      sample(rng: Rng, batchSize: number, length: number): Batch {
        const L = length;
        const inputs = new Int32Array(batchSize * L); // id 0 = blank wherever nothing is set below
        const targets = new Int32Array(batchSize * L);
        const mask = new Float32Array(batchSize * L).fill(1);
        const meta: SampleMeta[] = [];
        for (let b = 0; b < batchSize; b++) {
          const base = b * L;
          for (let j = 0; j < N_COPY; j++) {
            const s = 1 + rng.int(N_SYMBOLS);
            inputs[base + j] = s;
            targets[base + L - N_COPY + j] = s;
          }
          inputs[base + L - N_COPY - 1] = DELIM;
          meta.push({ distance: L - N_COPY });
        }
        return { batchSize, length, inputs, targets, mask, meta };
      },
      decode(batch, i) {
        const L = batch.length;
        return {
          input: renderTokens(TOKENS, batch.inputs, i * L, (i + 1) * L),
          target: renderTokens(TOKENS, batch.targets, i * L, (i + 1) * L),
        };
      },
    };
  },
});
