/**
 * Transformer encoder as the article describes it: positional encoding added to the
 * (projected) input, then N layers of multi-head self-attention -> add & norm ->
 * ReLU feed-forward -> add & norm. Names follow nn.TransformerEncoderLayer so weights map
 * one to one: `layers.{i}.self_attn.in_proj_weight` [3d, d], `...out_proj.weight`,
 * `layers.{i}.linear1`, `linear2`, `norm1`, `norm2`; plus `proj` (input D -> d) and, for
 * learned positions, `pos_embedding` [maxLen, d].
 *
 * The ablations of the article's claims are options: `positional` (sinusoidal | learned |
 * none), `norm` (post = the article's add & norm, pre, none), `residual` (on | off), `heads`.
 * `causal` gives every layer's attention a decoder's mask (position t attends positions <= t,
 * as PyTorch's `nn.Transformer.generate_square_subsequent_mask(T)` passed as the encoder's
 * mask), combined with the key padding mask; linear-attention's `causal` means the same.
 *
 * The input projection and positions are tf ops; the encoder layers run, forward and
 * backward, as one op on the WebAssembly kernels (./transformerStack.ts), attention per head
 * in ./attention.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import { constantVariable, linear, linearVariables, sinusoidalTable, uniformVariable } from '../common.js';
import { attentionDims, probsSize, statsSize, STREAM_BLOCK } from './attention.js';
import { attentionMode, encoderStack, type AttentionBlock, type EncoderLayerWeights } from './stack.js';
import { defineExtractor, type Extractor, type ExtractorContext } from '../types.js';

/** The encoder's options (shared with linear-attention; each adds its own `causal`, with its own default). */
export const transformerFields = {
  dModel: z.number().int().positive().default(128).describe('model width d (and output width)'),
  heads: z.number().int().positive().default(4).describe('attention heads; must divide dModel'),
  ffDim: z.number().int().positive().default(512).describe('feed-forward hidden width'),
  layers: z.number().int().positive().default(2).describe('encoder layers'),
  positional: z.enum(['sinusoidal', 'learned', 'none']).default('sinusoidal').describe('positional encoding added to the input'),
  maxLen: z.number().int().positive().default(512).describe('table size for learned positions (BERT: 512); longer input is refused'),
  norm: z.enum(['post', 'pre', 'none']).default('post').describe("LayerNorm placement: post = the article's add & norm"),
  residual: z.boolean().default(true).describe('skip connections around attention and feed-forward'),
};
export const headsDivideDModel = [
  (o: { dModel: number; heads: number }) => o.dModel % o.heads === 0,
  { message: 'heads must divide dModel (e.g. dModel 128 with heads 1, 2, 4 or 8)' },
] as const;
export const transformerOptions = z
  .object({
    ...transformerFields,
    causal: z
      .boolean()
      .default(false)
      .describe("decoder-style mask: position t attends positions <= t only (as linear-attention's causal); false: every position (the article's encoder)"),
  })
  .strict()
  .refine(...headsDivideDModel);
export type TransformerOptions = z.output<typeof transformerOptions>;

/**
 * proj D*d + d, learned positions maxLen*d; per layer: in_proj 3d*d + 3d, out_proj d*d + d,
 * linear1 ff*d + ff, linear2 d*ff + d, and two LayerNorms 4d unless norm = none.
 */
export function transformerParams(o: TransformerOptions, inputDim: number): number {
  const d = o.dModel;
  const layer = 3 * d * d + 3 * d + d * d + d + 2 * o.ffDim * d + o.ffDim + d + (o.norm === 'none' ? 0 : 4 * d);
  return inputDim * d + d + (o.positional === 'learned' ? o.maxLen * d : 0) + o.layers * layer;
}

/**
 * What differs between encoders that share everything but their attention: the stack's
 * attention block (default: softmax attention, ./transformerStack.ts) and its forward FLOPs
 * per layer, from the in_proj to the out_proj inclusive.
 */
export interface AttentionKind {
  /** The extractor's name, for messages. */
  extractor: string;
  block?: AttentionBlock;
  flops(B: number, T: number, o: TransformerOptions): number;
}

/**
 * Softmax attention: in_proj 2*N*d*3d + N*3d;  QK^T 2*B*T*T*d (all heads);  scale B*h*T*T;
 * softmax 5*B*h*T*T (max, sub, exp, sum, div);  attn.V 2*B*T*T*d;  out_proj 2*N*d*d + N*d.
 */
const softmaxAttention: AttentionKind = {
  extractor: 'transformer',
  flops(B, T, o) {
    const [N, d, h] = [B * T, o.dModel, o.heads];
    return 2 * N * d * 3 * d + N * 3 * d + 2 * B * T * T * d + B * h * T * T + 5 * B * h * T * T + 2 * B * T * T * d + 2 * N * d * d + N * d;
  },
};

/** The width axis of every encoder built on transformerFields: dModel, a multiple of heads. */
export const transformerWidth = {
  option: 'dModel',
  multipleOf: (o: Record<string, unknown>) => (o as unknown as TransformerOptions).heads,
  params: (options: Record<string, unknown>, inputDim: number) => transformerParams(options as unknown as TransformerOptions, inputDim),
};

export const transformer = defineExtractor({
  name: 'transformer',
  torchPeer: { stateName: (name) => name.replace(/^layers\./, 'enc.layers.') }, // the peer's nn.TransformerEncoder is `.enc`
  description: 'Transformer encoder: positional encoding, multi-head self-attention, add & norm, ReLU feed-forward, add & norm',
  options: transformerOptions as unknown as z.ZodObject,
  width: transformerWidth,
  // The weights at every position, plus the attention products QK^T and attention.V: 4 B T^2 dModel per layer.
  forwardFlops: (options, { batch: B, length: T, inputDim }) => {
    const o = options as TransformerOptions;
    return 2 * transformerParams(o, inputDim) * B * T + 4 * B * T * T * o.dModel * o.layers;
  },
  memoryAdvice: 'lower --batch, the length, heads or layers',
  memory: (options, { batch: B, length: T, inputDim: D }) => {
    // What the encoder stack (./transformerStack.ts) holds in kernel memory. Per layer, kept
    // from the forward pass to the backward pass: QKV 3Nd, the heads' output Nd, the two
    // residual sums and LayerNorm outputs 4Nd, the feed-forward hidden N*ff and the output Nd
    // (8Nd + N*ff, N = B*T); the backward pass allocates about as much again. Attention keeps
    // every head's probabilities B*heads*T^2 per layer while all layers' fit 2^26 floats, and
    // beyond that streams blocks of 64 query rows, keeping 2 statistics per row (O(T)).
    // Evaluation streams always; a forward pass keeps its activations until it ends.
    const o = options as TransformerOptions;
    const [d, h, ff, L, N] = [o.dModel, o.heads, o.ffDim, o.layers, B * T];
    const dims = attentionDims(B, T, d, h);
    // Besides: the stack's copies of its input and output (and, training, of dy and dx) in
    // kernel memory, and in tfjs the projection, the positions' sum and the stack's output
    // (and their gradients). Measured at T = 4096, batch 8, training (fxbench run
    // examples/suites/transformer-4096.json): kernels 887 MB + tfjs 83 MB = 970 MB, this estimate 1.02 GB (0.95 GiB).
    const acts = (k: number) => ({
      floats: k * L * N * (8 * d + ff) + k * N * (2 * d + D) + k * 3 * N * d,
      what: `activations B*T*(8 dModel + ffDim)*layers = ${B}*${T}*${8 * d + ff}*${L} floats${k > 1 ? ', and as much again in the backward pass' : ''}`,
    });
    const scratch = {
      floats: 2 * STREAM_BLOCK * T + 2 * T * (d / h),
      what: `attention scratch for one block of ${STREAM_BLOCK} query rows, 2*${STREAM_BLOCK}*T floats`,
    };
    const attention =
      attentionMode(dims, L) === 'probs'
        ? {
            floats: L * probsSize(dims) + T * T,
            what: `attention probabilities B*heads*T^2 = ${B}*${h}*${T}^2 floats per layer (x${L} layers, kept for backward)`,
          }
        : {
            floats: L * statsSize(dims),
            what: `attention softmax statistics 2*B*heads*T = 2*${B}*${h}*${T} floats per layer (x${L}; streamed, probabilities recomputed in backward)`,
          };
    return { forward: [acts(1), scratch], train: [acts(2), scratch, attention] };
  },
  // A KV cache: keys and values of every layer for every position read so far.
  state: (options, T) => {
    const o = options as TransformerOptions;
    return { floats: 2 * o.layers * T * o.dModel, what: `KV cache 2*layers*T*dModel = 2*${o.layers}*${T}*${o.dModel}` };
  },
  // Padded keys are masked in every layer's attention (./transformerStack.ts), as PyTorch's src_key_padding_mask.
  padding: 'masked',
  create: (o: TransformerOptions, ctx) => createEncoder(o, ctx, softmaxAttention),
});

/**
 * The encoder's weights (PyTorch names), positions and layers around an attention kind; the
 * Transformer's, and linear attention's (./linearTransformer.ts).
 */
export function createEncoder(o: TransformerOptions, ctx: ExtractorContext, attention: AttentionKind): Extractor {
  const d = o.dModel;
  const variables: Record<string, tf.Variable> = { ...linearVariables(ctx.rng, 'proj', ctx.inputDim, d) };
  if (o.positional === 'learned') {
    // nn.Embedding's default init is N(0, 1); a small uniform keeps early training comparable to sinusoidal.
    variables.pos_embedding = uniformVariable(ctx.rng, [o.maxLen, d], 1 / Math.sqrt(d), 'pos_embedding');
  }
  for (let i = 0; i < o.layers; i++) {
    const p = `layers.${i}`;
    // nn.MultiheadAttention: xavier_uniform in_proj, zero in_proj bias, zero out_proj bias.
    const xavier = Math.sqrt(6 / (d + 3 * d));
    variables[`${p}.self_attn.in_proj_weight`] = uniformVariable(ctx.rng, [3 * d, d], xavier, `${p}.in_proj_weight`);
    variables[`${p}.self_attn.in_proj_bias`] = constantVariable([3 * d], 0, `${p}.in_proj_bias`);
    variables[`${p}.self_attn.out_proj.weight`] = uniformVariable(ctx.rng, [d, d], 1 / Math.sqrt(d), `${p}.out_proj.weight`);
    variables[`${p}.self_attn.out_proj.bias`] = constantVariable([d], 0, `${p}.out_proj.bias`);
    Object.assign(variables, linearVariables(ctx.rng, `${p}.linear1`, d, o.ffDim), linearVariables(ctx.rng, `${p}.linear2`, o.ffDim, d));
    if (o.norm !== 'none') {
      for (const n of ['norm1', 'norm2']) {
        variables[`${p}.${n}.weight`] = constantVariable([d], 1, `${p}.${n}.weight`);
        variables[`${p}.${n}.bias`] = constantVariable([d], 0, `${p}.${n}.bias`);
      }
    }
  }
  const v = (name: string) => variables[name] as tf.Tensor as tf.Tensor2D & tf.Tensor1D;
  const sinusoidal = new Map<number, tf.Tensor2D>(); // cached per length, outside any tape

  function positions(T: number): tf.Tensor2D | undefined {
    if (o.positional === 'none') return undefined;
    if (o.positional === 'learned') {
      if (T > o.maxLen) {
        throw new UsageError(
          `${attention.extractor} with learned positions has a table of ${o.maxLen} positions and cannot read length ${T}: ` +
            `raise maxLen (e.g. -o ${attention.extractor}.maxLen=${T}) or use positional=sinusoidal`,
        );
      }
      return tf.slice(v('pos_embedding'), [0, 0], [T, d]); // [T, d]
    }
    let table = sinusoidal.get(T);
    if (!table) {
      table = tf.keep(tf.tensor2d(sinusoidalTable(T, d), [T, d]));
      sinusoidal.set(T, table);
    }
    return table;
  }

  /** Each layer's weights for the encoder stack op (./transformerStack.ts). */
  const layerWeights: EncoderLayerWeights[] = Array.from({ length: o.layers }, (_, i) => {
    const p = `layers.${i}`;
    const norms = o.norm === 'none' ? {} : { n1w: v(`${p}.norm1.weight`), n1b: v(`${p}.norm1.bias`), n2w: v(`${p}.norm2.weight`), n2b: v(`${p}.norm2.bias`) };
    return {
      inW: v(`${p}.self_attn.in_proj_weight`),
      inB: v(`${p}.self_attn.in_proj_bias`),
      outW: v(`${p}.self_attn.out_proj.weight`),
      outB: v(`${p}.self_attn.out_proj.bias`),
      w1: v(`${p}.linear1.weight`),
      b1: v(`${p}.linear1.bias`),
      w2: v(`${p}.linear2.weight`),
      b2: v(`${p}.linear2.bias`),
      ...norms,
    };
  });

  return {
    variables,
    outputDim: d,
    maxLength: o.positional === 'learned' ? o.maxLen : undefined,
    apply(x, { mask }) {
      const T = x.shape[1];
      const pe = positions(T);
      let h = linear(x, v('proj.weight'), v('proj.bias')) as tf.Tensor3D; // [B, T, d]
      if (pe) h = tf.add(h, pe); // broadcast [T, d] over B
      // post: x = norm(x + f(x)); pre: x = x + f(norm(x)); none: x = x + f(x) (./transformerStack.ts)
      const stack = { heads: o.heads, norm: o.norm, residual: o.residual, causal: o.causal };
      return encoderStack(h, layerWeights, stack, mask, attention.block); // mask [B, T]: padded keys masked
    },
    dispose() {
      for (const table of sinusoidal.values()) table.dispose();
      sinusoidal.clear();
    },
    flops(B, T) {
      // FLOP convention (all built-in extractors): a matMul multiply-add = 2 FLOPs; every
      // elementwise op (add, sub, mul, div, bias add, scale, relu, exp, sqrt, square) = 1
      // FLOP per output element; a reduction (sum, mean, max) = 1 FLOP per input element;
      // data movement (reshape, transpose, slice, unstack) = 0. N = B*T positions.
      //   proj:        2*N*D*d + N*d (bias);  positions (unless none): N*d (add)
      //   per layer:   attention, in_proj to out_proj (`attention.flops`, e.g. softmaxAttention's);
      //                linear1 2*N*d*ff + N*ff + N*ff (relu);
      //                linear2 2*N*ff*d + N*d;  residual adds 2*N*d (if residual);
      //                2 LayerNorms (unless none), each 8*N*d + 2*N: mean, sub, square,
      //                mean (tf.moments), sub, div, mul weight, add bias per element, and
      //                add eps, sqrt per position.
      const N = B * T;
      const D = ctx.inputDim;
      const ff = o.ffDim;
      const input = 2 * N * D * d + N * d + (o.positional === 'none' ? 0 : N * d);
      const feedForward = 2 * N * d * ff + 2 * N * ff + 2 * N * ff * d + N * d;
      const residuals = o.residual ? 2 * N * d : 0;
      const norms = o.norm === 'none' ? 0 : 2 * (8 * N * d + 2 * N);
      return input + o.layers * (attention.flops(B, T, o) + feedForward + residuals + norms);
    },
  };
}
