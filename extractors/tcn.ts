/**
 * TCN, the CNN of the comparison (Bai, Kolter & Koltun 2018): residual blocks of two
 * dilated causal 1-D convolutions with ReLU, dilation 2^i at level i, and a 1x1
 * convolution on the residual path where the width changes. Output at step t sees only
 * inputs <= t; its receptive field is 1 + 2 (k - 1)(2^levels - 1) steps.
 *
 * Weights follow PyTorch's nn.Conv1d layout [Cout, Cin, k] under the names
 * `blocks.{i}.conv1.weight`, `blocks.{i}.conv2.weight`, `blocks.{i}.downsample.weight`.
 * The blocks are computed, forward and backward, as one op on the WebAssembly kernels
 * (./tcnStack.ts): each convolution is k matrix products over shifted rows of the input.
 */
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { uniformVariable } from './common.js';
import { tcnStack, type BlockWeights } from './tcnStack.js';
import { defineExtractor, type Extractor } from './types.js';

export const tcnOptions = z
  .object({
    channels: z.number().int().positive().default(128).describe('channels of every block (and output width)'),
    kernel: z.number().int().min(2).default(3).describe('convolution kernel size k'),
    levels: z.number().int().positive().default(4).describe('residual blocks; block i has dilation 2^i'),
  })
  .strict();
export type TcnOptions = z.output<typeof tcnOptions>;

/** Steps of input that one output position sees. */
export function receptiveField(o: TcnOptions): number {
  return 1 + 2 * (o.kernel - 1) * (2 ** o.levels - 1);
}

export const tcn = defineExtractor({
  name: 'tcn',
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
    const conv = (name: string, cin: number, cout: number, width: number) => {
      // nn.Conv1d default: U(-1/sqrt(cin*k), 1/sqrt(cin*k)) for weight and bias.
      const bound = 1 / Math.sqrt(cin * width);
      variables[`${name}.weight`] = uniformVariable(ctx.rng, [cout, cin, width], bound, `${name}.weight`);
      variables[`${name}.bias`] = uniformVariable(ctx.rng, [cout], bound, `${name}.bias`);
    };
    for (let i = 0; i < o.levels; i++) {
      const cin = i === 0 ? ctx.inputDim : C;
      conv(`blocks.${i}.conv1`, cin, C, k);
      conv(`blocks.${i}.conv2`, C, C, k);
      if (cin !== C) conv(`blocks.${i}.downsample`, cin, C, 1);
    }
    const field = receptiveField(o);
    const warned = new Set<number>();

    const v = (name: string): tf.Tensor | undefined => variables[name];
    const blocks: BlockWeights[] = Array.from({ length: o.levels }, (_, i) => {
      const p = `blocks.${i}`;
      return { w1: v(`${p}.conv1.weight`)!, b1: v(`${p}.conv1.bias`)!, w2: v(`${p}.conv2.weight`)!, b2: v(`${p}.conv2.bias`)!, wd: v(`${p}.downsample.weight`), bd: v(`${p}.downsample.bias`) };
    });

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
        return tcnStack(x, blocks, k); // [B, T, C]
      },
      flops(B, T) {
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
