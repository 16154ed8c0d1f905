/**
 * MLP: the fully connected baseline of the weight-sharing claim. It reads the whole
 * (left-zero-padded) sequence flattened, x [B, maxLen*D], through one hidden ReLU layer,
 * so its first weight matrix has one block per position: its parameter count grows with
 * the length it can read, where a recurrent network's does not (it shares one weight set
 * across steps). Features are [B, T, H] with the sequence's features at every position
 * (the readout at the last position sees them; the feature at position t is not causal).
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { linear, linearVariables } from './common.js';
import { defineExtractor, type Extractor } from './types.js';

export const mlpOptions = z
  .object({
    hidden: z.number().int().positive().default(128).describe('hidden and output width H'),
    maxLen: z.number().int().positive().default(64).describe('longest sequence it reads: the first layer has maxLen*D inputs'),
  })
  .strict();
export type MlpOptions = z.output<typeof mlpOptions>;

// fc1: H x (maxLen*D) + H; fc2: H x H + H.
const mlpParams = (o: MlpOptions, inputDim: number) => o.hidden * o.maxLen * inputDim + o.hidden + o.hidden * o.hidden + o.hidden;

export const mlp = defineExtractor({
  name: 'mlp',
  description: 'fully connected baseline: one ReLU layer over the flattened sequence (no weight sharing across positions)',
  options: mlpOptions,
  width: {
    option: 'hidden',
    params: (o, inputDim) => mlpParams(o, inputDim),
  },
  // Its weights apply once per sequence, not at every position.
  forwardFlops: (o, { batch, inputDim }) => 2 * mlpParams(o, inputDim) * batch,
  // It reads the whole flattened window at once: a streaming version keeps every input.
  state: (o, T, inputDim) => ({ floats: Math.min(T, o.maxLen) * inputDim, what: `the flattened input window T*D = ${Math.min(T, o.maxLen)}*${inputDim}` }),
  padding: 'reads',
  create(o, ctx): Extractor {
    const D = ctx.inputDim;
    const H = o.hidden;
    const variables = { ...linearVariables(ctx.rng, 'fc1', o.maxLen * D, H), ...linearVariables(ctx.rng, 'fc2', H, H) };
    const v = (name: string) => variables[name] as tf.Tensor as tf.Tensor2D & tf.Tensor1D;
    return {
      variables,
      outputDim: H,
      maxLength: o.maxLen,
      apply(x) {
        const [B, T] = x.shape;
        if (T > o.maxLen) throw new UsageError(`mlp reads at most maxLen=${o.maxLen} positions, got ${T}: raise mlp.maxLen`);
        const padded =
          T < o.maxLen
            ? tf.pad(x, [
                [0, 0],
                [o.maxLen - T, 0],
                [0, 0],
              ])
            : x; // [B, maxLen, D], zeros on the left like the tasks' padding
        const hidden = tf.relu(linear(padded.reshape([B, o.maxLen * D]), v('fc1.weight'), v('fc1.bias'))); // [B, H]
        const out = linear(hidden, v('fc2.weight'), v('fc2.bias')); // [B, H]
        return tf.tile(out.reshape([B, 1, H]), [1, T, 1]) as tf.Tensor3D; // [B, T, H]
      },
      flops(B) {
        // Two matMuls (2 FLOPs per multiply-add) plus bias adds and the ReLU.
        return 2 * B * o.maxLen * D * H + 2 * B * H * H + 3 * B * H;
      },
    };
  },
});
