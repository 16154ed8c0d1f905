/**
 * Example extractor plugin: a causal bag-of-words baseline. Feature t is a linear map of
 * the mean of inputs 1..t: it sees every token so far but not their order, so it shows
 * how much of a task can be solved without order (compare `transformer -o
 * transformer.positional=none`).
 *
 *   fxbench run --plugin ./examples/plugins/bow-extractor.mjs --extractors bow,lstm --tasks recall --lengths 16
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

function uniform(rng, shape, bound) {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (rng.uniform() * 2 - 1) * bound; // weights from the harness's seeded rng
  return tf.variable(tf.tensor(data, shape));
}

/** [T, T] lower-triangular averaging matrix: row t holds 1/(t+1) in columns 0..t. */
function runningMean(T) {
  const a = new Float32Array(T * T);
  for (let t = 0; t < T; t++) for (let s = 0; s <= t; s++) a[t * T + s] = 1 / (t + 1);
  return tf.tensor2d(a, [T, T]);
}

export const extractors = [
  {
    name: 'bow',
    description: 'causal bag of words: linear map of the running mean of the inputs (order-blind baseline)',
    options: z.object({ hidden: z.number().int().positive().default(128).describe('output width H') }).strict(),
    create(options, ctx) {
      const D = ctx.inputDim;
      const H = options.hidden;
      const bound = 1 / Math.sqrt(D);
      const variables = { 'proj.weight': uniform(ctx.rng, [D, H], bound), 'proj.bias': uniform(ctx.rng, [H], bound) };
      return {
        variables,
        outputDim: H,
        apply(x) {
          const [B, T] = x.shape;
          const mean = tf.matMul(runningMean(T), x.transpose([1, 0, 2]).reshape([T, B * D])); // [T, B*D], row t = mean of x_1..x_t
          const feats = mean.reshape([T, B, D]).transpose([1, 0, 2]); // [B, T, D]
          const y = tf.add(tf.matMul(feats.reshape([B * T, D]), variables['proj.weight']), variables['proj.bias']); // [B*T, H]
          return tf.tanh(y).reshape([B, T, H]);
        },
        flops: (B, T) => 2 * B * T * T * D + B * T * (2 * D * H + 2 * H),
      };
    },
  },
];
