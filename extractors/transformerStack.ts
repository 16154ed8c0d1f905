/**
 * The Transformer's encoder layers as one tf op, h [B, T, d] -> [B, T, d], with the gradient
 * written out, on the WebAssembly kernels (./kernels): the products on `gemm`, attention per
 * head (./attention.ts), layer norm, relu and residual adds as kernels. Activations stay in
 * kernel memory from the first layer to the last; only h, the weights and the result cross
 * into tfjs. (As separate tf ops, every linear, norm and add copied its activations in and
 * out of tfjs, and under a gradient tape tfjs also copies the inputs that an add, relu or
 * reshape keeps for its gradient: together ~20% of a training step.)
 *
 * A layer is two sub-layers, f = self-attention, then f = feed-forward, each
 *   post: out = LN(in + f(in))      pre: out = in + f(LN(in))      none: out = in + f(in)
 * (without the residual, "in +" drops out), where
 *   attention:    f(u) = attn(u W_in^T + b_in) W_out^T + b_out
 *   feed-forward: f(u) = relu(u W_1^T + b_1) W_2^T + b_2
 * Rows are batch-major positions (N = B*T), as in tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { attentionBackward, attentionDims, attentionForward, probsSize, type AttentionDims } from './attention.js';
import { kernels, type Kernels } from './kernels/runtime.js';

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
}

/** The order in which a layer's weights are passed to (and their gradients returned from) the op. */
const NAMES = ['inW', 'inB', 'outW', 'outB', 'w1', 'b1', 'w2', 'b2', 'n1w', 'n1b', 'n2w', 'n2b'] as const;
type Name = (typeof NAMES)[number];
export type HostLayer = Partial<Record<Name, Float32Array>>;

const EPS = 1e-5; // nn.LayerNorm's default

export interface Dims {
  N: number; // rows: B*T positions
  d: number;
  ff: number;
  attn: AttentionDims;
  o: EncoderOptions;
  /** Key mask [B, T] (1 = token, 0 = padding), absent when every position is a token. */
  keep?: Float32Array;
  /** Its byte address in kernel memory during a forward pass (0 = none). */
  keepAt: number;
  /** The attention sub-layer (softmax attention, or another kind: ./linearTransformer.ts). */
  attention: AttentionBlock;
}

/**
 * h [B, T, d] -> [B, T, d] through every layer; differentiable in h and every weight.
 * `keyMask` [B, T] (1 = token, 0 = padding) masks padded keys in every layer's attention, as
 * PyTorch's `src_key_padding_mask` (there True = pad): a padded position cannot influence
 * any other position's features. Padded query positions are still computed (they attend to
 * the tokens), as in PyTorch. A sequence with no token at all gets zero attention (PyTorch: NaN).
 */
export function encoderStack(h: tf.Tensor3D, layers: EncoderLayerWeights[], o: EncoderOptions, keyMask?: tf.Tensor2D, attention: AttentionBlock = attentionBlock): tf.Tensor3D {
  const [B, T, d] = h.shape;
  const dims: Dims = { N: B * T, d, ff: layers[0].w1.shape[0], attn: attentionDims(B, T, d, o.heads), o, keep: keepMask(keyMask, B, T), keepAt: 0, attention };
  const present = (w: EncoderLayerWeights) => NAMES.filter((n) => w[n] !== undefined);
  const inputs = [h, ...layers.flatMap((w) => present(w).map((n) => w[n]!))];
  const op = tf.customGrad(((...args: tf.Tensor[]) => {
    const xs = args.slice(0, inputs.length); // (customGrad appends its save function)
    let i = 1;
    const host: HostLayer[] = layers.map((w) => Object.fromEntries(present(w).map((n) => [n, xs[i++].dataSync() as Float32Array])));
    // Activations are kept for the backward pass only when a gradient is recorded.
    const keep = tf.engine().state.gradientDepth > 0;
    const { y, saved } = forward(dims, xs[0], host, keep);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor) => {
        if (!saved) throw new Error('transformer: no activations were kept for the backward pass (its forward ran outside a gradient tape)');
        const g = backward(dims, saved, host, dy);
        const grads = [g.dx];
        g.layers.forEach((lg, l) => present(layers[l]).forEach((n) => grads.push(tf.tensor(lg[n]!, layers[l][n]!.shape))));
        return grads;
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor3D;
  return op(...inputs);
}

/** The mask's values, or undefined when it masks nothing (the unmasked kernels are then used). */
function keepMask(mask: tf.Tensor2D | undefined, B: number, T: number): Float32Array | undefined {
  if (!mask) return undefined;
  if (mask.shape[0] !== B || mask.shape[1] !== T) throw new Error(`transformer: key mask of shape [${mask.shape}] for input [${B}, ${T}, ...]: expected [${B}, ${T}]`);
  const keep = Float32Array.from(mask.dataSync() as ArrayLike<number>, (v) => (v > 0 ? 1 : 0));
  return keep.every((v) => v === 1) ? undefined : keep;
}

// --- building blocks on kernel memory (addresses are byte offsets) ---

/** Y [N, out] = X [N, in] W^T + b (then relu), W [out, in] and b on the host. */
export function linearForward(K: Kernels, N: number, inDim: number, outDim: number, X: number, w: Float32Array, b: Float32Array, relu = false): number {
  const Y = K.alloc(N * outDim);
  K.gemm(N, outDim, 1, K.put([1]), 0, 0, K.put(b), outDim, Y, outDim); // every row = b (1 x b, A strides 0)
  K.gemm(N, outDim, inDim, X, inDim, 1, K.putTransposed(w, outDim, inDim), outDim, Y, outDim, true);
  if (relu) K.ew.relu(N * outDim, Y);
  return Y;
}

/** dX (+)= dY W; returns dW = dY^T X [out, in] and db = 1^T dY. */
export function linearBackward(K: Kernels, N: number, inDim: number, outDim: number, dY: number, X: number, w: Float32Array, dX: number, accumulate: boolean) {
  K.gemm(N, inDim, outDim, dY, outDim, 1, K.put(w), inDim, dX, inDim, accumulate);
  const dW = K.alloc(outDim * inDim);
  const db = K.alloc(outDim);
  K.gemm(outDim, inDim, N, dY, 1, outDim, X, inDim, dW, inDim); // dY read transposed
  K.gemm(1, outDim, N, K.put([1]), 0, 0, dY, outDim, db, outDim);
  return { dW: K.read(dW, outDim * inDim), db: K.read(db, outDim) };
}

/** Buffers the backward pass needs, by name: kernel addresses in the forward pass, host copies in between. */
export type Keep = Record<string, { at: number; n: number }>;
type Saved = Record<string, Float32Array>[]; // per sub-layer

/** The two kinds of f, forward (returns f(u)) and backward (adds dL/du into dU, returns weight grads). */
export interface Block {
  forward(K: Kernels, d: Dims, w: HostLayer, U: number, keep: Keep): number;
  backward(K: Kernels, d: Dims, w: HostLayer, s: Record<string, number>, dF: number, dU: number, accumulate: boolean): HostLayer;
  norm: ['n1w' | 'n2w', 'n1b' | 'n2b'];
}

/** An attention sub-layer: in_proj (inW, inB), some attention, out_proj (outW, outB); norm1. */
export type AttentionBlock = Block & { norm: ['n1w', 'n1b'] };

const attentionBlock: AttentionBlock = {
  forward(K, d, w, U, keep) {
    const { N } = d;
    const QKV = linearForward(K, N, d.d, 3 * d.d, U, w.inW!, w.inB!); // [N, 3d]
    const O = K.alloc(N * d.d); // [N, d] heads side by side
    const P = K.alloc(probsSize(d.attn)); // [B, heads, T, T]
    attentionForward(K, d.attn, QKV, O, P, d.keepAt);
    Object.assign(keep, { U: { at: U, n: N * d.d }, QKV: { at: QKV, n: 3 * N * d.d }, P: { at: P, n: probsSize(d.attn) }, O: { at: O, n: N * d.d } });
    return linearForward(K, N, d.d, d.d, O, w.outW!, w.outB!);
  },
  backward(K, d, w, s, dF, dU, accumulate) {
    const { N } = d;
    const dO = K.alloc(N * d.d);
    const out = linearBackward(K, N, d.d, d.d, dF, s.O, w.outW!, dO, false);
    const dQKV = K.alloc(3 * N * d.d);
    attentionBackward(K, d.attn, s.QKV, s.P, dO, dQKV);
    const inp = linearBackward(K, N, d.d, 3 * d.d, dQKV, s.U, w.inW!, dU, accumulate);
    return { inW: inp.dW, inB: inp.db, outW: out.dW, outB: out.db };
  },
  norm: ['n1w', 'n1b'],
};

const feedForwardBlock: Block = {
  forward(K, d, w, U, keep) {
    const { N } = d;
    const Hf = linearForward(K, N, d.d, d.ff, U, w.w1!, w.b1!, true); // [N, ff] relu(u W_1^T + b_1)
    Object.assign(keep, { U: { at: U, n: N * d.d }, Hf: { at: Hf, n: N * d.ff } });
    return linearForward(K, N, d.ff, d.d, Hf, w.w2!, w.b2!);
  },
  backward(K, d, w, s, dF, dU, accumulate) {
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
function normForward(K: Kernels, d: Dims, X: number, w: Float32Array, b: Float32Array): { Y: number; S: number } {
  const Y = K.alloc(d.N * d.d);
  const S = K.alloc(2 * d.N);
  K.fns.layerNorm(d.N, d.d, X, Y, K.put(w), K.put(b), S, EPS);
  return { Y, S };
}

/** dX = LayerNorm gradient of dY (new buffer); returns the weight and bias gradients. */
function normBackward(K: Kernels, d: Dims, X: number, S: number, w: Float32Array, dY: number): { dX: number; dw: Float32Array; db: Float32Array } {
  const dX = K.alloc(d.N * d.d);
  const dw = K.zeros(d.d);
  const db = K.zeros(d.d);
  K.fns.layerNormBackward(d.N, d.d, X, dY, K.put(w), S, dX, dw, db);
  return { dX, dw: K.read(dw, d.d), db: K.read(db, d.d) };
}

/** One sub-layer forward (see the file comment); returns its output buffer. */
function subForward(K: Kernels, d: Dims, f: Block, w: HostLayer, In: number, keep: Keep): number {
  const { norm, residual } = d.o;
  const [nw, nb] = f.norm;
  const size = d.N * d.d;
  if (norm === 'pre') {
    const n = normForward(K, d, In, w[nw]!, w[nb]!);
    Object.assign(keep, { In: { at: In, n: size }, stats: { at: n.S, n: 2 * d.N } });
    const r = f.forward(K, d, w, n.Y, keep);
    if (residual) K.ew.addInto(size, r, In);
    return r;
  }
  const r = f.forward(K, d, w, In, keep);
  if (residual) K.ew.addInto(size, r, In); // r = in + f(in), in place
  if (norm === 'none') return r;
  const n = normForward(K, d, r, w[nw]!, w[nb]!);
  Object.assign(keep, { sum: { at: r, n: size }, stats: { at: n.S, n: 2 * d.N } });
  return n.Y;
}

/** One sub-layer backward: dL/d(in) (new buffer) from dL/d(out); weight gradients into `grads`. */
function subBackward(K: Kernels, d: Dims, f: Block, w: HostLayer, s: Record<string, number>, dOut: number, grads: HostLayer): number {
  const { norm, residual } = d.o;
  const [nw, nb] = f.norm;
  const size = d.N * d.d;
  if (norm === 'pre') {
    const dN = K.zeros(size); // d loss / d LN(in)
    Object.assign(grads, f.backward(K, d, w, s, dOut, dN, true));
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
  Object.assign(grads, f.backward(K, d, w, s, dSum, dIn, true));
  return dIn;
}

function forward(d: Dims, h: tf.Tensor, layers: HostLayer[], keep: boolean): { y: tf.Tensor3D; saved?: Saved } {
  const K = kernels();
  const mark = K.mark();
  try {
    let X = K.putTensor(h); // [N, d]
    d.keepAt = d.keep ? K.put(d.keep) : 0; // [B, T]
    const saved: Saved = [];
    for (const w of layers) {
      for (const f of [d.attention, feedForwardBlock]) {
        const k: Keep = {};
        X = subForward(K, d, f, w, X, k);
        if (keep) saved.push(Object.fromEntries(Object.entries(k).map(([name, b]) => [name, K.save(b.at, b.n)])));
      }
    }
    return { y: K.tensor(X, h.shape) as tf.Tensor3D, saved: keep ? saved : undefined };
  } finally {
    K.release(mark);
  }
}

function backward(d: Dims, saved: Saved, layers: HostLayer[], dy: tf.Tensor): { dx: tf.Tensor; layers: HostLayer[] } {
  const K = kernels();
  const mark = K.mark();
  try {
    let dX = K.putTensor(dy);
    const grads: HostLayer[] = layers.map(() => ({}));
    for (let l = layers.length - 1; l >= 0; l--) {
      for (const [i, f] of [[1, feedForwardBlock], [0, d.attention]] as const) {
        const s = Object.fromEntries(Object.entries(saved[2 * l + i]).map(([name, data]) => [name, K.putSaved(data)]));
        dX = subBackward(K, d, f, layers[l], s, dX, grads[l]);
      }
    }
    return { dx: K.tensor(dX, [d.attn.B, d.attn.T, d.d]), layers: grads };
  } finally {
    K.release(mark);
  }
}
