/**
 * The Transformer's encoder layers as one tf op, h [B, T, d] -> [B, T, d], with the gradient
 * written out, on the WebAssembly kernels (./kernels): the products on `gemm` (biases and
 * relu applied as the product is written), attention per head (./attention.ts), layer norm
 * and residual adds as kernels. Activations stay in kernel memory from the first layer to
 * the last and, under a gradient tape, until the backward pass (./kernels/hostOp.ts); only
 * h, the weights, the result and the gradients cross into tfjs. (As separate tf ops, every
 * linear, norm and add copied its activations in and out of tfjs, and under a gradient tape
 * tfjs also copies the inputs that an add, relu or reshape keeps for its gradient: together
 * ~20% of a training step.)
 *
 * A layer is two sub-layers, f = self-attention, then f = feed-forward, each
 *   post: out = LN(in + f(in))      pre: out = in + f(LN(in))      none: out = in + f(in)
 * (without the residual, "in +" drops out), where
 *   attention:    f(u) = attn(u W_in^T + b_in) W_out^T + b_out
 *   feed-forward: f(u) = relu(u W_1^T + b_1) W_2^T + b_2
 * Rows are batch-major positions (N = B*T), as in tfjs.
 */
import type * as tf from '@tensorflow/tfjs';
import { attentionBackward, attentionDims, attentionForward, probsSize, type AttentionDims, type AttentionSaved } from './attention.js';
import { hostOp } from '../../kernels/runtime/hostOp.js';
import type { Kernels } from '../../kernels/runtime/runtime.js';

/** One layer's weights in PyTorch layout (nn.TransformerEncoderLayer names in comments). */
export interface EncoderLayerWeights {
  inW: tf.Tensor; // self_attn.in_proj_weight [3d, d]
  inB: tf.Tensor; // self_attn.in_proj_bias [3d]
  outW: tf.Tensor; // self_attn.out_proj.weight [d, d]
  outB: tf.Tensor; // self_attn.out_proj.bias [d]
  w1: tf.Tensor; // linear1.weight [ff, d]
  b1: tf.Tensor; // linear1.bias [ff]
  w2: tf.Tensor; // linear2.weight [d, ff]
  b2: tf.Tensor; // linear2.bias [d]
  n1w?: tf.Tensor; // norm1.weight [d] (absent without norms)
  n1b?: tf.Tensor;
  n2w?: tf.Tensor;
  n2b?: tf.Tensor;
}

export interface EncoderOptions {
  heads: number;
  norm: 'post' | 'pre' | 'none';
  residual: boolean;
  /** A decoder's mask in softmax attention: position t attends positions <= t only (default false). */
  causal?: boolean;
}

/** The order in which a layer's weights are passed to (and their gradients returned from) the op. */
const NAMES = ['inW', 'inB', 'outW', 'outB', 'w1', 'b1', 'w2', 'b2', 'n1w', 'n1b', 'n2w', 'n2b'] as const;
type Name = (typeof NAMES)[number];
/** A layer's weights (or their gradients) as byte addresses in kernel memory. */
export type LayerAt = Partial<Record<Name, number>>;

const EPS = 1e-5; // nn.LayerNorm's default

/**
 * Attention keeps every head's probabilities for the backward pass while all layers' take at
 * most this many floats (256 MB); beyond, it streams and keeps only softmax statistics
 * (./attention.ts). The transformer's memory estimate follows the same rule.
 */
export const PROBS_BUDGET_FLOATS = 2 ** 26;

/** Whether a training step keeps the probabilities ('probs') or streams ('stream'). */
export function attentionMode(dims: AttentionDims, layers: number): 'probs' | 'stream' {
  return probsSize(dims) * layers <= PROBS_BUDGET_FLOATS ? 'probs' : 'stream';
}

export interface Dims {
  N: number; // rows: B*T positions
  d: number;
  ff: number;
  attn: AttentionDims;
  o: EncoderOptions;
  /** What attention keeps for the backward pass in a training step. */
  mode: 'probs' | 'stream';
  /** Byte address of the key mask [B, T] (1 = token, 0 = padding) in kernel memory, 0 when every position is a token. */
  keep: number;
  /** The attention sub-layer (softmax attention, or another kind: ./linearTransformer.ts). */
  attention: AttentionBlock;
}

/** Test hook: force the attention mode and the streaming block (both modes must agree). */
export const attentionOverride: { mode?: 'probs' | 'stream'; block?: number } = {};

/**
 * h [B, T, d] -> [B, T, d] through every layer; differentiable in h and every weight.
 * `keyMask` [B, T] (1 = token, 0 = padding) masks padded keys in every layer's attention, as
 * PyTorch's `src_key_padding_mask` (there True = pad): a padded position cannot influence
 * any other position's features. Padded query positions are still computed (they attend to
 * the tokens), as in PyTorch. A sequence with no token at all gets zero attention (PyTorch: NaN).
 * With `o.causal` the mask combines with the causal one: position t attends the tokens at
 * positions <= t, and a query that has none (left padding) gets zero attention (PyTorch: NaN).
 */
export function encoderStack(
  h: tf.Tensor3D,
  layers: EncoderLayerWeights[],
  o: EncoderOptions,
  keyMask?: tf.Tensor2D,
  attention: AttentionBlock = attentionBlock,
): tf.Tensor3D {
  const [B, T, d] = h.shape;
  if (keyMask && (keyMask.shape[0] !== B || keyMask.shape[1] !== T))
    throw new Error(`transformer: key mask of shape [${keyMask.shape}] for input [${B}, ${T}, ...]: expected [${B}, ${T}]`);
  const attn = attentionDims(B, T, d, o.heads, o.causal ?? false);
  const mode = attentionOverride.mode ?? attentionMode(attn, layers.length);
  const present = (w: EncoderLayerWeights) => NAMES.filter((n) => w[n] !== undefined);
  const names = layers.map(present);
  const inputs = [h, ...layers.flatMap((w, l) => names[l].map((n) => w[n]!))];
  return hostOp<Saved>(
    {
      name: 'transformer',
      forward(K, at, keepActs) {
        const dims: Dims = { N: B * T, d, ff: layers[0].w1.shape[0], attn, o, mode, keep: keyMask ? maskAt(K, keyMask) : 0, attention };
        let i = 1;
        const ws: LayerAt[] = names.map((ns) => Object.fromEntries(ns.map((n) => [n, at[i++]])));
        const { y, saved } = forward(K, dims, at[0], ws, keepActs);
        return { y, shape: [B, T, d], saved: { dims, ws, subs: saved } };
      },
      backward(K, s, dy) {
        const g = backward(K, s.dims, s.subs, s.ws, dy);
        return [g.dx, ...g.layers.flatMap((lg, l) => names[l].map((n) => lg[n]!))];
      },
    },
    inputs,
  ) as tf.Tensor3D;
}

/** The mask in kernel memory, or 0 when it masks nothing (the unmasked kernels are then used). */
function maskAt(K: Kernels, mask: tf.Tensor2D): number {
  const at = K.putTensor(mask);
  const v = K.view(at, mask.size);
  for (let i = 0; i < v.length; i++) v[i] = v[i] > 0 ? 1 : 0;
  return v.every((x) => x === 1) ? 0 : at;
}

// --- building blocks on kernel memory (addresses are byte offsets) ---

/** Y [N, out] = X [N, in] W^T + b (then relu), W [out, in] and b in kernel memory; bias and relu applied as Y is written. */
export function linearForward(K: Kernels, N: number, inDim: number, outDim: number, X: number, w: number, b: number, relu = false): number {
  const Y = K.alloc(N * outDim);
  const mark = K.mark();
  K.gemm(N, outDim, inDim, X, inDim, 1, K.transposed(w, outDim, inDim), outDim, Y, outDim, false, { bias: b, relu });
  K.release(mark);
  return Y;
}

/** dX (+)= dY W; returns dW = dY^T X [out, in] and db = 1^T dY (new buffers). */
export function linearBackward(
  K: Kernels,
  N: number,
  inDim: number,
  outDim: number,
  dY: number,
  X: number,
  w: number,
  dX: number,
  accumulate: boolean,
): { dW: number; db: number } {
  K.gemm(N, inDim, outDim, dY, outDim, 1, w, inDim, dX, inDim, accumulate);
  const dW = K.alloc(outDim * inDim);
  K.gemm(outDim, inDim, N, dY, 1, outDim, X, inDim, dW, inDim); // dY read transposed
  const db = K.zeros(outDim);
  K.fns.addInto(N, outDim, db, 0, dY, 4 * outDim); // db += every row of dY
  return { dW, db };
}

/** Buffers the backward pass needs, by name (kernel addresses, pinned between the passes). */
export type Keep = Record<string, number>;
interface Saved {
  dims: Dims;
  ws: LayerAt[];
  /** Per sub-layer, in forward order. */
  subs: { keep: Keep; attn?: AttentionSaved }[];
}

/**
 * The two kinds of f, forward (returns f(u), and what softmax attention keeps besides `keep`)
 * and backward (adds dL/du into dU, returns weight grads). Everything is addresses in kernel
 * memory; what `forward` allocates stays valid for `backward` (pinned between the passes).
 * `train`: a backward pass will follow.
 */
export interface Block {
  forward(K: Kernels, d: Dims, w: LayerAt, U: number, keep: Keep, train: boolean): { r: number; attn?: AttentionSaved };
  backward(K: Kernels, d: Dims, w: LayerAt, s: Keep, attn: AttentionSaved | undefined, dF: number, dU: number, accumulate: boolean): LayerAt;
  norm: ['n1w' | 'n2w', 'n1b' | 'n2b'];
}

/** An attention sub-layer: in_proj (inW, inB), some attention, out_proj (outW, outB); norm1. */
export type AttentionBlock = Block & { norm: ['n1w', 'n1b'] };

const attentionBlock: AttentionBlock = {
  forward(K, d, w, U, keep, train) {
    const { N } = d;
    const QKV = linearForward(K, N, d.d, 3 * d.d, U, w.inW!, w.inB!); // [N, 3d]
    const O = K.alloc(N * d.d); // [N, d] heads side by side
    const attn = attentionForward(K, d.attn, QKV, O, d.keep, train ? d.mode : 'none', attentionOverride.block);
    Object.assign(keep, { U, QKV, O });
    return { r: linearForward(K, N, d.d, d.d, O, w.outW!, w.outB!), attn };
  },
  backward(K, d, w, s, attn, dF, dU, accumulate) {
    const { N } = d;
    const dO = K.alloc(N * d.d);
    const out = linearBackward(K, N, d.d, d.d, dF, s.O, w.outW!, dO, false);
    const dQKV = K.alloc(3 * N * d.d);
    attentionBackward(K, d.attn, s.QKV, d.keep, attn!, dO, dQKV);
    const inp = linearBackward(K, N, d.d, 3 * d.d, dQKV, s.U, w.inW!, dU, accumulate);
    return { inW: inp.dW, inB: inp.db, outW: out.dW, outB: out.db };
  },
  norm: ['n1w', 'n1b'],
};

const feedForwardBlock: Block = {
  forward(K, d, w, U, keep) {
    const { N } = d;
    const Hf = linearForward(K, N, d.d, d.ff, U, w.w1!, w.b1!, true); // [N, ff] relu(u W_1^T + b_1)
    Object.assign(keep, { U, Hf });
    return { r: linearForward(K, N, d.ff, d.d, Hf, w.w2!, w.b2!) };
  },
  backward(K, d, w, s, _attn, dF, dU, accumulate) {
    const { N } = d;
    const dHf = K.alloc(N * d.ff);
    const l2 = linearBackward(K, N, d.ff, d.d, dF, s.Hf, w.w2!, dHf, false);
    K.ew.reluBackward(N * d.ff, s.Hf, dHf);
    const l1 = linearBackward(K, N, d.d, d.ff, dHf, s.U, w.w1!, dU, accumulate);
    return { w1: l1.dW, b1: l1.db, w2: l2.dW, b2: l2.db };
  },
  norm: ['n2w', 'n2b'],
};

/** LayerNorm of X [N, d] into a new buffer; stats (mean, std per row) into a new buffer. */
function normForward(K: Kernels, d: Dims, X: number, w: number, b: number): { Y: number; S: number } {
  const Y = K.alloc(d.N * d.d);
  const S = K.alloc(2 * d.N);
  K.fns.layerNorm(d.N, d.d, X, Y, w, b, S, EPS);
  return { Y, S };
}

/** dX = LayerNorm gradient of dY (new buffer), and the weight and bias gradients (new buffers). */
function normBackward(K: Kernels, d: Dims, X: number, S: number, w: number, dY: number): { dX: number; dw: number; db: number } {
  const dX = K.alloc(d.N * d.d);
  const dw = K.zeros(d.d);
  const db = K.zeros(d.d);
  K.fns.layerNormBackward(d.N, d.d, X, dY, w, S, dX, dw, db);
  return { dX, dw, db };
}

/** One sub-layer forward (see the file comment); returns its output buffer. */
function subForward(K: Kernels, d: Dims, f: Block, w: LayerAt, In: number, keep: Keep, train: boolean): { out: number; attn?: AttentionSaved } {
  const { norm, residual } = d.o;
  const [nw, nb] = f.norm;
  const size = d.N * d.d;
  if (norm === 'pre') {
    const n = normForward(K, d, In, w[nw]!, w[nb]!);
    Object.assign(keep, { In, stats: n.S });
    const { r, attn } = f.forward(K, d, w, n.Y, keep, train);
    if (residual) K.ew.addInto(size, r, In);
    return { out: r, attn };
  }
  const { r, attn } = f.forward(K, d, w, In, keep, train);
  if (residual) K.ew.addInto(size, r, In); // r = in + f(in), in place
  if (norm === 'none') return { out: r, attn };
  const n = normForward(K, d, r, w[nw]!, w[nb]!);
  Object.assign(keep, { sum: r, stats: n.S });
  return { out: n.Y, attn };
}

/** One sub-layer backward: dL/d(in) (new buffer) from dL/d(out); weight gradients into `grads`. */
function subBackward(K: Kernels, d: Dims, f: Block, w: LayerAt, s: Keep, attn: AttentionSaved | undefined, dOut: number, grads: LayerAt): number {
  const { norm, residual } = d.o;
  const [nw, nb] = f.norm;
  const size = d.N * d.d;
  if (norm === 'pre') {
    const dN = K.zeros(size); // d loss / d LN(in)
    Object.assign(grads, f.backward(K, d, w, s, attn, dOut, dN, true));
    const n = normBackward(K, d, s.In, s.stats, w[nw]!, dN);
    Object.assign(grads, { [nw]: n.dw, [nb]: n.db });
    if (residual) K.ew.addInto(size, n.dX, dOut);
    return n.dX;
  }
  let dSum = dOut; // d loss / d(in + f(in))
  if (norm === 'post') {
    const n = normBackward(K, d, s.sum, s.stats, w[nw]!, dOut);
    Object.assign(grads, { [nw]: n.dw, [nb]: n.db });
    dSum = n.dX;
  }
  const dIn = residual ? K.copy(dSum, size) : K.zeros(size);
  Object.assign(grads, f.backward(K, d, w, s, attn, dSum, dIn, true));
  return dIn;
}

function forward(K: Kernels, d: Dims, h: number, layers: LayerAt[], train: boolean): { y: number; saved: Saved['subs'] } {
  let X = h; // [N, d]
  const saved: Saved['subs'] = [];
  for (const w of layers) {
    for (const f of [d.attention, feedForwardBlock]) {
      const keep: Keep = {};
      const r = subForward(K, d, f, w, X, keep, train);
      X = r.out;
      saved.push({ keep, attn: r.attn });
    }
  }
  return { y: X, saved };
}

function backward(K: Kernels, d: Dims, saved: Saved['subs'], layers: LayerAt[], dy: number): { dx: number; layers: LayerAt[] } {
  let dX = dy;
  const grads: LayerAt[] = layers.map(() => ({}));
  for (let l = layers.length - 1; l >= 0; l--) {
    for (const [i, f] of [
      [1, feedForwardBlock],
      [0, d.attention],
    ] as const) {
      const s = saved[2 * l + i];
      dX = subBackward(K, d, f, layers[l], s.keep, s.attn, dX, grads[l]);
    }
  }
  return { dx: dX, layers: grads };
}
