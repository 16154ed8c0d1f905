/**
 * The convolutional part of `ctx.ops` (./ops.ts), for plugins built of convolutions:
 *
 *   conv1d(x, weight, bias?, dilation)  a full causal 1-D convolution, x [B, T, Cin], weight
 *                                       [Cout, Cin, K] (nn.Conv1d's layout) -> [B, T, Cout];
 *                                       y_t reads x_{t-(K-1)d}, ..., x_t, zeros before the start
 *                                       (PyTorch's conv1d with padding (K-1)d, its last (K-1)d
 *                                       outputs dropped). One product per pass on the kernels'
 *                                       GEMM over an im2col view [B*T, Cin*K]: the forward, the
 *                                       input gradient and the weight gradient.
 *   shift(x, steps)                     y_t = x_{t-steps}, zeros for t < steps (a causal delay).
 *   meanPool(x, window)                 causal mean over x_{t-window+1..t}, the missing start
 *                                       counted as zeros (avg_pool1d with count_include_pad).
 *   maxPool(x, window)                  causal max over x_{t-window+1..t} (the positions that
 *                                       exist); the gradient goes to the first maximum.
 */
import * as tf from '@tensorflow/tfjs';
import { op } from './customOp.js';
import { causalDepthwiseConv1d } from '../kernels/ops/depthwiseConv.js';
import { kernels, type Kernels } from '../kernels/runtime/runtime.js';

interface ConvDims {
  B: number;
  T: number;
  Cin: number;
  K: number;
  d: number;
}

/** Xc [B*T, Cin*K] (column c*K + j = x[b, t - (K-1-j)d, c], 0 before the start) from X [B*T, Cin]; addresses in bytes. */
function im2col(Km: Kernels, { B, T, Cin, K, d }: ConvDims, X: number, Xc: number): void {
  const h = Km.heap;
  const [xo, co, w] = [X >> 2, Xc >> 2, Cin * K];
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const row = co + (b * T + t) * w;
      for (let j = 0; j < K; j++) {
        const src = t - (K - 1 - j) * d;
        if (src < 0) for (let c = 0; c < Cin; c++) h[row + c * K + j] = 0;
        else {
          const s = xo + (b * T + src) * Cin;
          for (let c = 0; c < Cin; c++) h[row + c * K + j] = h[s + c];
        }
      }
    }
}

/** dX [B*T, Cin] (written) as the sum of dXc [B*T, Cin*K] back onto the positions im2col read. */
function col2im(Km: Kernels, { B, T, Cin, K, d }: ConvDims, dXc: number, dX: number): void {
  const h = Km.heap;
  const [xo, co, w] = [dX >> 2, dXc >> 2, Cin * K];
  h.fill(0, xo, xo + B * T * Cin);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const row = co + (b * T + t) * w;
      for (let j = 0; j < K; j++) {
        const src = t - (K - 1 - j) * d;
        if (src < 0) continue;
        const s = xo + (b * T + src) * Cin;
        for (let c = 0; c < Cin; c++) h[s + c] += h[row + c * K + j];
      }
    }
}

export function conv1d(x: tf.Tensor3D, weight: tf.Tensor3D, bias?: tf.Tensor1D, dilation = 1): tf.Tensor3D {
  const [B, T, Cin] = x.shape;
  const [Cout, wCin, K] = weight.shape;
  if (x.rank !== 3) throw new Error(`ops.conv1d: x must be [B, T, Cin], got [${x.shape.join(', ')}]`);
  if (weight.rank !== 3 || wCin !== Cin) throw new Error(`ops.conv1d: weight must be [Cout, ${Cin}, K], got [${weight.shape.join(', ')}]`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== Cout)) throw new Error(`ops.conv1d: bias must be [${Cout}], got [${bias.shape.join(', ')}]`);
  if (!Number.isInteger(dilation) || dilation < 1) throw new Error(`ops.conv1d: dilation must be a positive integer, got ${dilation}`);
  const dims: ConvDims = { B, T, Cin, K, d: dilation };
  const N = B * T;
  const W = Cin * K;
  const f = op((...args) => {
    const [xt, wt] = args;
    const bt = bias ? args[2] : undefined; // (customGrad appends its save function)
    const xd = xt.dataSync() as Float32Array;
    const wd = wt.dataSync() as Float32Array;
    const Km = kernels();
    const mark = Km.mark();
    let value: tf.Tensor;
    try {
      const X = Km.put(xd); // [N, Cin]
      const Wt = Km.transposed(Km.put(wd), Cout, W); // [Cin*K, Cout]
      const Bias = bt ? Km.putTensor(bt) : 0;
      const Xc = Km.alloc(N * W); // [N, Cin*K]
      const Y = Km.alloc(N * Cout); // [N, Cout]
      im2col(Km, dims, X, Xc);
      Km.gemm(N, Cout, W, Xc, W, 1, Wt, Cout, Y, Cout, false, bt ? { bias: Bias } : {});
      value = Km.tensor(Y, [B, T, Cout]);
    } finally {
      Km.release(mark);
    }
    return {
      value,
      gradFunc: (dy: tf.Tensor) => {
        const m = Km.mark();
        try {
          const X = Km.put(xd);
          const Wm = Km.put(wd); // [Cout, Cin*K]
          const dY = Km.putTensor(dy); // [N, Cout]
          const Xc = Km.alloc(N * W);
          const dXc = Km.alloc(N * W);
          const dX = Km.alloc(N * Cin);
          const dW = Km.alloc(Cout * W);
          im2col(Km, dims, X, Xc);
          Km.gemm(N, W, Cout, dY, Cout, 1, Wm, W, dXc, W); // dXc = dY W
          col2im(Km, dims, dXc, dX);
          Km.gemm(Cout, W, N, dY, 1, Cout, Xc, W, dW, W); // dW = dY^T Xc (A read transposed)
          const grads = [Km.tensor(dX, [B, T, Cin]), Km.tensor(dW, [Cout, Cin, K])];
          if (bt) {
            const db = Km.zeros(Cout);
            Km.fns.addInto(N, Cout, db, 0, dY, 4 * Cout); // column sums of dY
            grads.push(Km.tensor(db, [Cout]));
          }
          return grads;
        } finally {
          Km.release(m);
        }
      },
    };
  });
  return (bias ? f(x, weight, bias) : f(x, weight)) as tf.Tensor3D;
}

export function shift(x: tf.Tensor3D, steps: number): tf.Tensor3D {
  const [B, T, C] = x.shape;
  if (x.rank !== 3) throw new Error(`ops.shift: x must be [B, T, C], got [${x.shape.join(', ')}]`);
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`ops.shift: steps must be a non-negative integer, got ${steps}`);
  const s = Math.min(steps, T);
  /** y rows s.. of each sequence from x rows ..T-s (or back, `reverse`), by the kernels' row copy. */
  const move = (Km: Kernels, from: number, to: number, reverse: boolean) => {
    const row = 4 * C;
    for (let b = 0; b < B; b++) {
      const base = b * T * row;
      if (T - s > 0) {
        if (reverse) Km.fns.copyRows(T - s, C, from + base + s * row, row, to + base, row);
        else Km.fns.copyRows(T - s, C, from + base, row, to + base + s * row, row);
      }
    }
  };
  const f = op((xt) => {
    const Km = kernels();
    const mark = Km.mark();
    let value: tf.Tensor;
    try {
      const X = Km.putTensor(xt);
      const Y = Km.zeros(B * T * C);
      move(Km, X, Y, false);
      value = Km.tensor(Y, [B, T, C]);
    } finally {
      Km.release(mark);
    }
    return {
      value,
      gradFunc: (dy: tf.Tensor) => {
        const m = Km.mark();
        try {
          const dY = Km.putTensor(dy);
          const dX = Km.zeros(B * T * C);
          move(Km, dY, dX, true);
          return Km.tensor(dX, [B, T, C]);
        } finally {
          Km.release(m);
        }
      },
    };
  });
  return f(x) as tf.Tensor3D;
}

export function meanPool(x: tf.Tensor3D, window: number): tf.Tensor3D {
  const C = x.shape[2];
  if (x.rank !== 3) throw new Error(`ops.meanPool: x must be [B, T, C], got [${x.shape.join(', ')}]`);
  if (!Number.isInteger(window) || window < 1) throw new Error(`ops.meanPool: window must be a positive integer, got ${window}`);
  // A causal depthwise convolution with every tap 1/window: the kernels' own, gradient included (the constant weights get none that matters).
  return tf.tidy(() => causalDepthwiseConv1d(x, tf.fill([C, 1, window], 1 / window) as tf.Tensor3D, tf.zeros([C]) as tf.Tensor1D));
}

export function maxPool(x: tf.Tensor3D, window: number): tf.Tensor3D {
  const [B, T, C] = x.shape;
  if (x.rank !== 3) throw new Error(`ops.maxPool: x must be [B, T, C], got [${x.shape.join(', ')}]`);
  if (!Number.isInteger(window) || window < 1) throw new Error(`ops.maxPool: window must be a positive integer, got ${window}`);
  const f = op((xt) => {
    const xd = xt.dataSync() as Float32Array;
    const y = new Float32Array(B * T * C);
    const arg = new Int32Array(B * T * C); // the flat index of each output's (first) maximum
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        for (let c = 0; c < C; c++) {
          let best = b * T * C + t * C + c;
          for (let s = Math.max(0, t - window + 1); s < t; s++) {
            const i = b * T * C + s * C + c;
            if (xd[i] > xd[best] || (xd[i] === xd[best] && i < best)) best = i;
          }
          y[b * T * C + t * C + c] = xd[best];
          arg[b * T * C + t * C + c] = best;
        }
    return {
      value: tf.tensor3d(y, [B, T, C]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const dx = new Float32Array(B * T * C);
        for (let i = 0; i < dx.length; i++) dx[arg[i]] += g[i];
        return tf.tensor3d(dx, [B, T, C]);
      },
    };
  });
  return f(x) as tf.Tensor3D;
}
