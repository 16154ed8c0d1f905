/**
 * TCN, the CNN of the comparison (Bai, Kolter & Koltun 2018): residual blocks of two
 * dilated causal 1-D convolutions with ReLU, dilation 2^i at level i, and a 1x1
 * convolution on the residual path where the width changes. Output at step t sees only
 * inputs <= t; its receptive field is 1 + 2 (k - 1)(2^levels - 1) steps.
 *
 * Weights follow PyTorch's nn.Conv1d layout [Cout, Cin, k] under the names
 * `blocks.{i}.conv1.weight`, `blocks.{i}.conv2.weight`, `blocks.{i}.downsample.weight`.
 *
 * Initialisation from the literature (`weightNorm`, `init`), after Bai et al.'s code
 * (locuslab/TCN, TCN/tcn.py):
 * - `weightNorm: true` reparameterises conv1 and conv2 as PyTorch's `weight_norm(conv)`
 *   (Salimans & Kingma 2016) does: W = g * v / ||v||, the norm over (Cin, k) per output
 *   channel, with parameters `weight_g` [Cout, 1, 1] and `weight_v` [Cout, Cin, k] in place of
 *   `weight` (PyTorch's state_dict names), g starting at ||v|| so the initial W is v. The
 *   1x1 downsample is not normalised (as in Bai et al.).
 * - `init: 'normal'`: every convolution weight (v under weight norm) N(0, 0.01), as Bai et
 *   al.'s `init_weights` intends; `'bai'`: what their code actually does: weight_norm's
 *   pre-forward hook recomputes conv1/conv2's weight from g and v, so their N(0, 0.01) never
 *   takes effect (locuslab/TCN issue #1, acknowledged by the authors) and only the downsample
 *   gets it; conv1/conv2 keep PyTorch's default; `'pytorch'`: nn.Conv1d's default
 *   U(-1/sqrt(Cin k), 1/sqrt(Cin k)) everywhere. Biases keep PyTorch's default throughout.
 * The blocks are computed, forward and backward, as one op on the WebAssembly kernels
 * (./tcnStack.ts): each convolution is k matrix products over shifted rows of the input.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { uniformVariable } from '../common.js';
import { tcnStack, type BlockWeights } from './stack.js';
import { defineExtractor, type Extractor } from '../types.js';

export const TCN_INITS = ['pytorch', 'normal', 'bai'] as const;

/** Bai et al.'s standard deviation for convolution weights. */
const NORMAL_STD = 0.01;

export const tcnOptions = z
  .object({
    channels: z.number().int().positive().default(128).describe('channels of every block (and output width)'),
    kernel: z.number().int().min(2).default(3).describe('convolution kernel size k'),
    levels: z.number().int().positive().default(4).describe('residual blocks; block i has dilation 2^i'),
    weightNorm: z.boolean().default(false).describe('weight normalisation of conv1/conv2 as PyTorch weight_norm (weight_g, weight_v), as Bai et al.'),
    init: z
      .enum(TCN_INITS)
      .default('pytorch')
      .describe(
        "convolution weights: 'pytorch' U(+-1/sqrt(Cin k)); 'normal' N(0, 0.01) (Bai et al.'s intent); 'bai' what their code does (N(0, 0.01) on the downsample only)",
      ),
  })
  .strict();
export type TcnOptions = z.output<typeof tcnOptions>;

/** Steps of input that one output position sees. */
export function receptiveField(o: TcnOptions): number {
  return 1 + 2 * (o.kernel - 1) * (2 ** o.levels - 1);
}

export const tcn = defineExtractor({
  name: 'tcn',
  // The peer's blocks name their convolutions c1, c2 and down.
  torchPeer: { stateName: (name) => name.replace('.conv1.', '.c1.').replace('.conv2.', '.c2.').replace('.downsample.', '.down.') },
  description: 'TCN: residual blocks of dilated causal convolutions (dilation 2^i), the CNN feature extractor',
  options: tcnOptions,
  width: {
    option: 'channels',
    // Per level: conv1 C*Cin*k + C, conv2 C*C*k + C, and a 1x1 downsample C*Cin + C where Cin != C.
    params: (o, inputDim) => {
      let n = 0;
      for (let i = 0; i < o.levels; i++) {
        const cin = i === 0 ? inputDim : o.channels;
        n += o.channels * cin * o.kernel + o.channels + o.channels * o.channels * o.kernel + o.channels;
        if (o.weightNorm) n += 2 * o.channels; // weight_g of conv1 and conv2
        if (cin !== o.channels) n += o.channels * cin + o.channels;
      }
      return n;
    },
  },
  memory: (o, { batch: B, length: T, inputDim: D }) => {
    // Per convolution (im2col over k taps): forward (1 + 2k) N Cin + 3 N C (padded input,
    // taps, their concatenation; product, bias, relu); backward about (3k + 1) N Cin + 2 N C
    // (each tap's gradient is padded back to the full input). Calibrated x1.6 on tf.memory peaks.
    const [C, k, N] = [o.channels, o.kernel, B * T];
    let forward = 0;
    let train = 0;
    const conv = (cin: number, width: number) => {
      forward += N * ((1 + 2 * width) * cin + 3 * C);
      train += 1.6 * N * ((5 * width + 2) * cin + 5 * C);
    };
    for (let i = 0; i < o.levels; i++) {
      const cin = i === 0 ? D : C;
      conv(cin, k);
      conv(C, k);
      if (cin !== C) conv(cin, 1);
      forward += 2 * N * C;
      train += 4 * N * C;
    }
    const what = `convolution activations B*T*k*C*levels = ${B}*${T}*${k}*${C}*${o.levels} floats (im2col taps, kept for backward)`;
    return { forward: [{ floats: forward, what }], train: [{ floats: train, what }] };
  },
  // Streaming, each convolution of block i keeps its last (k-1)*2^i inputs (its dilated taps).
  state: (o, _T, inputDim) => {
    let floats = 0;
    for (let i = 0; i < o.levels; i++) floats += (o.kernel - 1) * 2 ** i * ((i === 0 ? inputDim : o.channels) + o.channels);
    return { floats, what: `receptive-field buffer: (k-1)*2^i*(Cin + C) per block i, ${o.levels} blocks` };
  },
  padding: 'reads',
  create(o, ctx): Extractor {
    const C = o.channels;
    const k = o.kernel;
    const variables: Record<string, tf.Variable> = {};
    const conv = (name: string, cin: number, cout: number, width: number, normalised: boolean) => {
      // nn.Conv1d default: U(-1/sqrt(cin*k), 1/sqrt(cin*k)) for weight and bias. The default
      // draws are always made, so every option leaves the other weights as they are.
      const bound = 1 / Math.sqrt(cin * width);
      const weight = uniformVariable(ctx.rng, [cout, cin, width], bound, `${name}.weight`); // [Cout, Cin, k]
      const bias = uniformVariable(ctx.rng, [cout], bound, `${name}.bias`);
      const normal = o.init === 'normal' || (o.init === 'bai' && name.endsWith('downsample'));
      if (normal) {
        const r = ctx.rng.fork(`normal/${name}`);
        weight.assign(
          tf.tensor(
            Float32Array.from({ length: weight.size }, () => NORMAL_STD * r.normal()),
            weight.shape,
          ),
        );
      }
      if (!normalised) {
        variables[`${name}.weight`] = weight;
        variables[`${name}.bias`] = bias;
        return;
      }
      // PyTorch's weight_norm(conv, dim=0): bias stays; weight becomes weight_g = ||weight|| per
      // output channel [Cout, 1, 1] and weight_v = weight (state_dict order: bias, weight_g, weight_v).
      variables[`${name}.bias`] = bias;
      variables[`${name}.weight_g`] = tf.variable(
        tf.tidy(() => tf.sqrt(tf.sum(tf.square(weight), [1, 2], true))),
        true,
        `${weight.name}_g`,
      ); // [Cout, 1, 1]
      variables[`${name}.weight_v`] = weight;
    };
    for (let i = 0; i < o.levels; i++) {
      const cin = i === 0 ? ctx.inputDim : C;
      conv(`blocks.${i}.conv1`, cin, C, k, o.weightNorm);
      conv(`blocks.${i}.conv2`, C, C, k, o.weightNorm);
      if (cin !== C) conv(`blocks.${i}.downsample`, cin, C, 1, false);
    }
    const field = receptiveField(o);
    const warned = new Set<number>();

    const v = (name: string): tf.Tensor | undefined => variables[name];
    // A convolution's weight [Cout, Cin, k]: the variable, or g * v / ||v|| under weight norm
    // (computed on every call, inside the caller's tape, so g and v get their gradients).
    const weightOf = (name: string): tf.Tensor => {
      if (!o.weightNorm) return v(`${name}.weight`)!;
      const wv = v(`${name}.weight_v`)!; // [Cout, Cin, k]
      const norm = tf.sqrt(tf.sum(tf.square(wv), [1, 2], true)); // [Cout, 1, 1]
      return tf.mul(v(`${name}.weight_g`)!, tf.div(wv, norm)); // [Cout, Cin, k]
    };
    const blocks = (): BlockWeights[] =>
      Array.from({ length: o.levels }, (_, i) => {
        const p = `blocks.${i}`;
        return {
          w1: weightOf(`${p}.conv1`),
          b1: v(`${p}.conv1.bias`)!,
          w2: weightOf(`${p}.conv2`),
          b2: v(`${p}.conv2.bias`)!,
          wd: v(`${p}.downsample.weight`),
          bd: v(`${p}.downsample.bias`),
        };
      });
    const fixed = o.weightNorm ? undefined : blocks();

    return {
      variables,
      outputDim: C,
      info: { receptiveField: field },
      apply(x) {
        const T = x.shape[1];
        if (T > field && !warned.has(T)) {
          warned.add(T);
          ctx.warn?.(`tcn: receptive field ${field} is shorter than the sequence (${T}): early positions cannot reach the readout; raise levels or kernel`);
        }
        return tcnStack(x, fixed ?? blocks(), k); // [B, T, C]
      },
      flops(B, T) {
        // Weight norm's reparameterisation (a few ops per weight, independent of B and T) is
        // left out, as PyTorch's profilers count module FLOPs.
        // FLOP convention (all built-in extractors): a matMul multiply-add = 2 FLOPs; every
        // elementwise op (add, bias add, relu, ...) = 1 FLOP per output element; data
        // movement (pad, slice, concat, reshape, transpose) = 0. The im2col matMul also
        // multiplies the zero padding, and that work is counted as done.
        // Per block, for each of the B*T positions (cin = D for block 0, else C):
        //   conv1: 2*k*cin*C + C (bias) + C (relu)
        //   conv2: 2*k*C*C   + C (bias) + C (relu)
        //   downsample (cin != C only): 2*cin*C + C (bias)
        //   residual: C (add) + C (relu)
        let total = 0;
        for (let i = 0; i < o.levels; i++) {
          const cin = i === 0 ? ctx.inputDim : C;
          total += B * T * (2 * k * (cin * C + C * C) + 6 * C);
          if (cin !== C) total += B * T * (2 * cin * C + C);
        }
        return total;
      },
    };
  },
});
