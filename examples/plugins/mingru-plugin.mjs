/**
 * minGRU (Feng et al. 2024) written as a plugin, on the public plugin API and the kernel
 * toolkit `ctx.ops` only: the built-in `mingru`'s model, weight names and numbers (a test
 * loads one's weights into the other and compares outputs and gradients), at about its speed:
 *
 *   fxbench bench --plugin ./examples/plugins/mingru-plugin.mjs --extractors mingru,mingru-plugin
 *
 * Per layer: [hid | gate] = to_hidden_and_gate(x), z = sigmoid(gate), h~ = g(hid),
 * h_t = (1 - z_t) h_{t-1} + z_t h~_t, i.e. one linear, two activations and a lerp scan.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

/** nn.Linear's init, U(-1/sqrt(in), 1/sqrt(in)), weight then bias, from the harness's seeded rng. */
function linearInit(rng, name, inDim, outDim) {
  const bound = 1 / Math.sqrt(inDim);
  const draw = (shape) =>
    tf.variable(
      tf.tensor(
        Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => (rng.uniform() * 2 - 1) * bound),
        shape,
      ),
    );
  return { [`${name}.weight`]: draw([outDim, inDim]), [`${name}.bias`]: draw([outDim]) };
}

const options = z
  .object({
    hidden: z.number().int().positive().default(128).describe('hidden state width H (and output width)'),
    layers: z.number().int().positive().default(1).describe('stacked minGRU layers'),
  })
  .strict();

/** The peer's names for one layer (`to_hidden_and_gate.*`), a ModuleList's for more. */
const prefix = (o, k) => (o.layers === 1 ? 'to_hidden_and_gate' : `layers.${k}.to_hidden_and_gate`);
const params = (o, D) => Array.from({ length: o.layers }, (_, k) => 2 * o.hidden * ((k === 0 ? D : o.hidden) + 1)).reduce((a, b) => a + b);

export const extractors = [
  {
    name: 'mingru-plugin',
    description: 'minGRU as a plugin on ctx.ops: h_t = (1 - z_t) h_{t-1} + z_t g(W_h x_t), z_t = sigmoid(W_z x_t)',
    options,
    width: { option: 'hidden', params },
    state: (o) => ({ floats: o.hidden * o.layers, what: `h: H*layers = ${o.hidden}*${o.layers}` }),
    padding: 'reads',
    create(o, { inputDim, rng, ops }) {
      const H = o.hidden;
      const variables = {};
      for (let k = 0; k < o.layers; k++) Object.assign(variables, linearInit(rng, prefix(o, k), k === 0 ? inputDim : H, 2 * H));
      return {
        variables,
        outputDim: H,
        apply(x) {
          let h = x; // [B, T, D], then [B, T, H]
          for (let k = 0; k < o.layers; k++) {
            const [w, b] = [variables[`${prefix(o, k)}.weight`], variables[`${prefix(o, k)}.bias`]]; // [2H, din], [2H]
            // The halves (hid | gate) as two products: slicing the small weight, not the [B, T, 2H] output.
            const half = (i) => ops.linear(h, tf.slice(w, [i * H, 0], [H, -1]), tf.slice(b, [i * H], [H])); // [B, T, H]
            h = ops.lerpScan(ops.activation(half(1), 'sigmoid'), ops.activation(half(0), 'mingru-g'));
          }
          return h;
        },
        // As the built-in: the projection 2*2H*din + 2H, then sigmoid, g and the lerp's sub, mul, add (5 per unit).
        flops: (B, T) => B * T * Array.from({ length: o.layers }, (_, k) => 4 * H * (k === 0 ? inputDim : H) + 2 * H + 5 * H).reduce((a, b) => a + b),
      };
    },
  },
];
