/**
 * The kernel toolkit that extractor plugins receive as `ctx.ops`: the WebAssembly kernels
 * the built-in extractors run on (./kernels), each wrapped as one differentiable tf op, so a
 * plugin written on them trains at the built-ins' speed instead of paying tfjs's per-op
 * costs (a per-step `slice` or `gather` in a loop over time costs more than the step's math).
 *
 * Every op takes and returns tf tensors and has its gradient written out (tf.customGrad), so
 * ops compose with each other and with plain tf ops under `tf.variableGrads`. Shapes follow
 * PyTorch's layouts (nn.Linear's weight [out, in]); a wrong shape throws an Error naming the
 * op and the shapes it expected. Inputs are read once into the kernels' memory; what the
 * backward pass needs is kept only while a gradient is being recorded.
 */
import * as tf from '@tensorflow/tfjs';
import { op } from './customOp.js';
import { conv1d, maxPool, meanPool, shift } from './convOps.js';
import { ACTIVATION_KINDS, ACTIVATIONS, kernelName, type ActivationKind } from '../kernels/emit/pointwise.js';
// runtime.js first: it imports every kernel module to build its table, and those import it back.
import { kernels } from '../kernels/runtime/runtime.js';
import { causalDepthwiseConv1d } from '../kernels/ops/depthwiseConv.js';
import { attentionBackward, attentionDims, attentionForward, statsSize } from './transformer/attention.js';
import { rmsNorm as rmsNormOp } from '../kernels/ops/rmsNorm.js';
import type { ScanMode } from '../kernels/emit/scan.js';

export { ACTIVATION_KINDS, type ActivationKind };

export interface KernelOps {
  /** y = x W^T + b over the last axis: x [..., in], weight [out, in] (nn.Linear's layout), bias [out] -> [..., out]. */
  linear(x: tf.Tensor, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor;
  /**
   * f(x) elementwise, any shape. `kind`: sigmoid, tanh, relu, silu (x sigmoid(x)), elu1
   * (elu(x) + 1, linear attention's feature map), mingru-g (x + 0.5 for x >= 0, sigmoid(x)
   * below: minGRU's g).
   */
  activation(x: tf.Tensor, kind: ActivationKind): tf.Tensor;
  /** x f(g) elementwise, x and g of one shape: a gate (sigmoid: GLU; silu: Mamba's output gate). */
  gate(x: tf.Tensor, g: tf.Tensor, kind: ActivationKind): tf.Tensor;
  /** h_t = a_t h_{t-1} + b_t along axis 1, elementwise: a, b [B, T, W], h0 [B, W] (default 0) -> h [B, T, W]. */
  linearScan(a: tf.Tensor3D, b: tf.Tensor3D, h0?: tf.Tensor2D): tf.Tensor3D;
  /** h_t = (1 - z_t) h_{t-1} + z_t v_t (torch.lerp(h, v, z)) along axis 1: z, v [B, T, W], h0 [B, W] (default 0) -> h [B, T, W]. */
  lerpScan(z: tf.Tensor3D, v: tf.Tensor3D, h0?: tf.Tensor2D): tf.Tensor3D;
  /** nn.LayerNorm over the last axis: (x - mean) / sqrt(var + eps) weight + bias, biased variance; weight, bias [last]. */
  layerNorm(x: tf.Tensor, weight: tf.Tensor1D, bias: tf.Tensor1D, eps?: number): tf.Tensor;
  /** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * weight; weight [last] (eps 1e-5, Mamba's). */
  rmsNorm(x: tf.Tensor, weight: tf.Tensor1D, eps?: number): tf.Tensor;
  /** Causal depthwise convolution: x [B, T, C], weight [C, 1, K] (nn.Conv1d(C, C, K, groups=C)), bias [C] -> [B, T, C]; y_t reads x_{t-K+1..t}, zeros before the start. */
  causalConv(x: tf.Tensor3D, weight: tf.Tensor3D, bias: tf.Tensor1D): tf.Tensor3D;
  /**
   * Multi-head softmax attention, the built-in Transformer's kernel: qkv [B, T, 3d] (q | k | v
   * along the last axis, head j owning channels j*d/heads .. (j+1)*d/heads of each, as
   * nn.MultiheadAttention's in_proj output) -> [B, T, d], heads side by side (what out_proj
   * reads). softmax(q k^T / sqrt(d/heads)) v per head; `mask` [B, T] (1 = token, 0 = padding)
   * gives padded keys probability exactly 0 (PyTorch's src_key_padding_mask). A query whose
   * keys are all padded gets zeros. Streaming: the T x T probabilities are never kept; the
   * backward pass recomputes them blockwise from each row's softmax statistics.
   */
  attention(qkv: tf.Tensor3D, heads: number, mask?: tf.Tensor2D): tf.Tensor3D;
  /** Full causal 1-D convolution: x [B, T, Cin], weight [Cout, Cin, K] (nn.Conv1d), bias [Cout] -> [B, T, Cout]; y_t reads x_{t-(K-1)d..t} (./convOps.ts). */
  conv1d(x: tf.Tensor3D, weight: tf.Tensor3D, bias?: tf.Tensor1D, dilation?: number): tf.Tensor3D;
  /** Causal delay: y_t = x_{t-steps}, zeros for t < steps. */
  shift(x: tf.Tensor3D, steps: number): tf.Tensor3D;
  /** Causal mean over the last `window` positions, the missing start counted as zeros. */
  meanPool(x: tf.Tensor3D, window: number): tf.Tensor3D;
  /** Causal max over the last `window` positions that exist (on the host; the gradient goes to the first maximum). */
  maxPool(x: tf.Tensor3D, window: number): tf.Tensor3D;
}

/** Whether a gradient is being recorded (then the forward pass keeps what its backward needs). */
const recording = () => tf.engine().state.gradientDepth > 0;

/** What a forward pass kept for its backward pass, or an error when it ran outside a gradient tape. */
function kept<T>(name: string, saved: T | undefined): T {
  if (!saved) throw new Error(`ops.${name}: no activations were kept for the backward pass (its forward ran outside a gradient tape)`);
  return saved;
}

function sameShape(name: string, a: tf.Tensor, b: tf.Tensor, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((n, i) => n !== b.shape[i])) {
    throw new Error(`ops.${name}: ${what} must have the same shape, got [${a.shape}] and [${b.shape}]`);
  }
}

function checkKind(name: string, kind: string): void {
  if (!(ACTIVATION_KINDS as readonly string[]).includes(kind))
    throw new Error(`ops.${name}: unknown activation "${kind}" (one of ${ACTIVATION_KINDS.join(', ')})`);
}

function linear(x: tf.Tensor, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  const inDim = x.shape[x.rank - 1];
  const outDim = weight.shape[0];
  if (weight.rank !== 2 || weight.shape[1] !== inDim)
    throw new Error(`ops.linear: weight must be [out, ${inDim}] (nn.Linear's layout, for x [${x.shape}]), got [${weight.shape}]`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== outDim)) throw new Error(`ops.linear: bias must be [${outDim}], got [${bias.shape}]`);
  const N = x.size / inDim;
  const outShape = [...x.shape.slice(0, -1), outDim];
  const f = op((...args) => {
    const [xi, wi] = args;
    const bi = bias ? args[2] : undefined; // (customGrad appends its save function to the arguments)
    const wd = wi.dataSync() as Float32Array;
    const K = kernels();
    const mark = K.mark();
    try {
      const X = K.putTensor(xi); // [N, in]
      const Y = K.alloc(N * outDim); // [N, out]
      // The bias as the product's epilogue (every row of Y starts at b): no separate pass over Y.
      K.gemm(N, outDim, inDim, X, inDim, 1, K.putTransposed(wd, outDim, inDim), outDim, Y, outDim, false, bi ? { bias: K.putTensor(bi) } : {});
      const value = K.tensor(Y, outShape);
      const saved = recording() ? K.save(X, N * inDim) : undefined;
      return {
        value,
        gradFunc: (dy) => {
          const m = K.mark();
          try {
            const Xs = K.putSaved(kept('linear', saved));
            const dY = K.putTensor(dy); // [N, out]
            const dX = K.alloc(N * inDim);
            const dW = K.alloc(outDim * inDim);
            K.gemm(N, inDim, outDim, dY, outDim, 1, K.put(wd), inDim, dX, inDim); // dx = dy W
            K.gemm(outDim, inDim, N, dY, 1, outDim, Xs, inDim, dW, inDim); // dW = dy^T x (dy read transposed)
            const grads = [K.tensor(dX, xi.shape), K.tensor(dW, [outDim, inDim])];
            if (bi) {
              const db = K.alloc(outDim);
              K.gemm(1, outDim, N, K.put([1]), 0, 0, dY, outDim, db, outDim); // db = 1^T dy
              grads.push(K.tensor(db, [outDim]));
            }
            return grads;
          } finally {
            K.release(m);
          }
        },
      };
    } finally {
      K.release(mark);
    }
  });
  return bias ? f(x, weight, bias) : f(x, weight);
}

function activation(x: tf.Tensor, kind: ActivationKind): tf.Tensor {
  checkKind('activation', kind);
  const f = op((input) => {
    const K = kernels();
    const n = input.size;
    const mark = K.mark();
    try {
      const X = K.putTensor(input);
      const Y = K.alloc(n);
      K.rows(kernelName('act', kind), 1, n, X, 0, Y, 0);
      const value = K.tensor(Y, input.shape);
      // The slope is computed from x or from y alone (pointwise.ts), so only that one is kept.
      const saved = recording() ? K.save(ACTIVATIONS[kind].from === 'x' ? X : Y, n) : undefined;
      return {
        value,
        gradFunc: (dy) => {
          const m = K.mark();
          try {
            const V = K.putSaved(kept('activation', saved));
            const DY = K.putTensor(dy);
            K.rows(kernelName('actBackward', kind), 1, n, V, 0, DY, 0);
            return K.tensor(DY, input.shape);
          } finally {
            K.release(m);
          }
        },
      };
    } finally {
      K.release(mark);
    }
  });
  return f(x);
}

function gate(x: tf.Tensor, g: tf.Tensor, kind: ActivationKind): tf.Tensor {
  checkKind('gate', kind);
  sameShape('gate', x, g, 'x and g');
  const f = op((xi, gi) => {
    const K = kernels();
    const n = xi.size;
    const mark = K.mark();
    try {
      const X = K.putTensor(xi);
      const G = K.putTensor(gi);
      const Y = K.alloc(n);
      K.rows(kernelName('gate', kind), 1, n, X, 0, G, 0, Y, 0);
      const value = K.tensor(Y, xi.shape);
      const saved = recording() ? { x: K.save(X, n), g: K.save(G, n) } : undefined;
      return {
        value,
        gradFunc: (dy) => {
          const m = K.mark();
          try {
            const DY = K.putTensor(dy); // becomes dx
            const DG = K.alloc(n);
            K.rows(kernelName('gateBackward', kind), 1, n, K.putSaved(kept('gate', saved).x), 0, K.putSaved(saved!.g), 0, DY, 0, DG, 0);
            return [K.tensor(DY, xi.shape), K.tensor(DG, xi.shape)];
          } finally {
            K.release(m);
          }
        },
      };
    } finally {
      K.release(mark);
    }
  });
  return f(x, g);
}

function scan(mode: ScanMode, a: tf.Tensor3D, b: tf.Tensor3D, h0?: tf.Tensor2D): tf.Tensor3D {
  const name = mode === 'linear' ? 'linearScan' : 'lerpScan';
  if (a.rank !== 3) throw new Error(`ops.${name}: inputs must be [B, T, W], got [${a.shape}]`);
  sameShape(name, a, b, mode === 'linear' ? 'a and b' : 'z and v');
  const [B, T, W] = a.shape;
  if (h0 && (h0.rank !== 2 || h0.shape[0] !== B || h0.shape[1] !== W)) throw new Error(`ops.${name}: h0 must be [B, W] = [${B}, ${W}], got [${h0.shape}]`);
  const n = B * T * W;
  const f = op((...args) => {
    const [ai, bi] = args;
    const hi = h0 ? args[2] : undefined; // (customGrad appends its save function to the arguments)
    const K = kernels();
    const mark = K.mark();
    try {
      const A = K.putTensor(ai);
      const Bb = K.putTensor(bi);
      const H0 = hi ? K.putTensor(hi) : 0;
      const Hs = K.alloc(n);
      if (n > 0) K.fns[`scan_${mode}`](B, T, W, A, Bb, H0, Hs, T * W, W);
      const value = K.tensor(Hs, [B, T, W]);
      // linear: da = G h_{t-1} needs a and h; lerp: dz = G (v - h_{t-1}), dv = G z needs z, v and h.
      const saved = recording()
        ? { a: K.save(A, n), b: mode === 'lerp' ? K.save(Bb, n) : undefined, h: K.save(Hs, n), h0: hi ? K.save(H0, B * W) : undefined }
        : undefined;
      return {
        value,
        gradFunc: (dy) => {
          const m = K.mark();
          try {
            const s = kept(name, saved);
            const G = K.putTensor(dy); // becomes the total gradient of h_t (= db for linear)
            const A2 = K.putSaved(s.a);
            const B2 = s.b ? K.putSaved(s.b) : 0;
            const H2 = K.putSaved(s.h);
            const H02 = s.h0 ? K.putSaved(s.h0) : 0;
            const dA = K.alloc(n);
            const dB = mode === 'lerp' ? K.alloc(n) : G;
            const dH0 = s.h0 ? K.alloc(B * W) : 0;
            if (n > 0) K.fns[`scanBackward_${mode}`](B, T, W, A2, B2, H2, H02, G, dA, mode === 'lerp' ? dB : 0, dH0, T * W, W);
            const grads = [K.tensor(dA, [B, T, W]), K.tensor(dB, [B, T, W])];
            if (s.h0) grads.push(K.tensor(dH0, [B, W]));
            return grads;
          } finally {
            K.release(m);
          }
        },
      };
    } finally {
      K.release(mark);
    }
  });
  return (h0 ? f(a, b, h0) : f(a, b)) as tf.Tensor3D;
}

function layerNorm(x: tf.Tensor, weight: tf.Tensor1D, bias: tf.Tensor1D, eps = 1e-5): tf.Tensor {
  const cols = x.shape[x.rank - 1];
  if (weight.rank !== 1 || weight.shape[0] !== cols || bias.rank !== 1 || bias.shape[0] !== cols) {
    throw new Error(`ops.layerNorm: weight and bias must be [${cols}] (the last axis of x [${x.shape}]), got [${weight.shape}] and [${bias.shape}]`);
  }
  const f = op((xi, wi, bi) => {
    const K = kernels();
    const rows = xi.size / cols;
    const wd = wi.dataSync() as Float32Array;
    const mark = K.mark();
    try {
      const X = K.putTensor(xi);
      const Y = K.alloc(xi.size);
      const S = K.alloc(2 * rows); // (mean, std) per row
      K.fns.layerNorm(rows, cols, X, Y, K.put(wd), K.putTensor(bi), S, eps);
      const value = K.tensor(Y, xi.shape);
      const saved = recording() ? { x: K.save(X, xi.size), stats: K.save(S, 2 * rows) } : undefined;
      return {
        value,
        gradFunc: (dy) => {
          const m = K.mark();
          try {
            const dX = K.alloc(xi.size);
            const dw = K.zeros(cols);
            const db = K.zeros(cols);
            K.fns.layerNormBackward(rows, cols, K.putSaved(kept('layerNorm', saved).x), K.putTensor(dy), K.put(wd), K.putSaved(saved!.stats), dX, dw, db);
            return [K.tensor(dX, xi.shape), K.tensor(dw, [cols]), K.tensor(db, [cols])];
          } finally {
            K.release(m);
          }
        },
      };
    } finally {
      K.release(mark);
    }
  });
  return f(x, weight, bias);
}

function attention(qkv: tf.Tensor3D, heads: number, mask?: tf.Tensor2D): tf.Tensor3D {
  if (qkv.rank !== 3 || qkv.shape[2] % 3 !== 0) throw new Error(`ops.attention: qkv must be [B, T, 3d] (q | k | v), got [${qkv.shape.join(', ')}]`);
  const [B, T, d3] = qkv.shape;
  const d = d3 / 3;
  if (!Number.isInteger(heads) || heads < 1 || d % heads !== 0)
    throw new Error(`ops.attention: heads must be a positive integer that divides d = ${d}, got ${heads}`);
  if (mask && (mask.rank !== 2 || mask.shape[0] !== B || mask.shape[1] !== T))
    throw new Error(`ops.attention: mask must be [B, T] = [${B}, ${T}], got [${mask.shape.join(', ')}]`);
  const dims = attentionDims(B, T, d, heads);
  const f = op((...args) => {
    const [qi] = args;
    const mi = mask ? args[1] : undefined; // (customGrad appends its save function to the arguments)
    const K = kernels();
    const mark = K.mark();
    try {
      const QKV = K.putTensor(qi); // [B*T, 3d]
      const keep = mi ? K.putTensor(mi) : 0; // [B, T]
      const O = K.alloc(B * T * d); // [B*T, d]
      const rec = recording();
      const att = attentionForward(K, dims, QKV, O, keep, rec ? 'stream' : 'none');
      const value = K.tensor(O, [B, T, d]);
      const saved =
        rec && att?.mode === 'stream'
          ? { qkv: K.save(QKV, B * T * d3), keep: mi ? K.save(keep, B * T) : undefined, stats: K.save(att.stats, statsSize(dims)), block: att.block }
          : undefined;
      return {
        value,
        gradFunc: (dy) => {
          const m = K.mark();
          try {
            const s = kept('attention', saved);
            const Q2 = K.putSaved(s.qkv);
            const keep2 = s.keep ? K.putSaved(s.keep) : 0;
            const stats = K.putSaved(s.stats);
            const dQKV = K.alloc(B * T * d3);
            attentionBackward(K, dims, Q2, keep2, { mode: 'stream', stats, block: s.block }, K.putTensor(dy), dQKV);
            const dq = K.tensor(dQKV, [B, T, d3]);
            return mi ? [dq, tf.zerosLike(mi)] : dq; // the mask is data: no gradient
          } finally {
            K.release(m);
          }
        },
      };
    } finally {
      K.release(mark);
    }
  });
  return (mask ? f(qkv, mask) : f(qkv)) as tf.Tensor3D;
}

/** The toolkit (stateless: the kernels are per process, compiled on first use). */
export const kernelOps: KernelOps = {
  linear,
  activation,
  gate,
  linearScan: (a, b, h0) => scan('linear', a, b, h0),
  lerpScan: (z, v, h0) => scan('lerp', z, v, h0),
  layerNorm,
  rmsNorm: (x, weight, eps) => {
    const d = x.shape[x.shape.length - 1];
    if (weight.rank !== 1 || weight.shape[0] !== d) throw new Error(`ops.rmsNorm: weight must be [${d}], got [${weight.shape.join(', ')}]`);
    return rmsNormOp(x, weight, eps);
  },
  causalConv: (x, weight, bias) => {
    const C = x.shape[2];
    if (x.rank !== 3) throw new Error(`ops.causalConv: x must be [B, T, C], got [${x.shape.join(', ')}]`);
    if (weight.rank !== 3 || weight.shape[0] !== C || weight.shape[1] !== 1)
      throw new Error(`ops.causalConv: weight must be [${C}, 1, K], got [${weight.shape.join(', ')}]`);
    if (bias.rank !== 1 || bias.shape[0] !== C) throw new Error(`ops.causalConv: bias must be [${C}], got [${bias.shape.join(', ')}]`);
    return causalDepthwiseConv1d(x, weight, bias);
  },
  attention,
  conv1d,
  shift,
  meanPool,
  maxPool,
};
