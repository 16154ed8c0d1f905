/**
 * The causal depthwise convolution on the host side: entry points on kernel memory and a
 * differentiable tf op over the kernels of ../emit/depthwiseConv.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { kernels, type Kernels } from '../runtime/runtime.js';

/** Shapes of a depthwise convolution: B sequences of T steps, C channels, K taps. */
export interface ConvDims {
  B: number;
  T: number;
  C: number;
  K: number;
}

/** PyTorch's depthwise weight [C, 1, K] as the kernels' tap-major [K, C], in kernel memory. */
export function putTapMajor(K: Kernels, weight: ArrayLike<number>, C: number, taps: number): number {
  return K.putTransposed(weight, C, taps);
}

/**
 * Y = causal depthwise conv of X (kernel memory; row strides ldx, ldy in floats) with a
 * tap-major weight w [K, C] (`putTapMajor`) and bias [C] (kernel addresses).
 */
export function depthwiseConvRows(K: Kernels, d: ConvDims, X: number, ldx: number, w: number, bias: number, Y: number, ldy: number): void {
  K.fns.depthwiseConv(d.B, d.T, d.C, d.K, X, ldx, w, bias, Y, ldy);
}

/**
 * The gradients of `depthwiseConvRows` given dY: writes dX (row stride lddx), and adds the
 * tap-major weight gradient into dw [K, C] and the bias gradient into db [C] (zero them first).
 */
export function depthwiseConvRowsBackward(
  K: Kernels,
  d: ConvDims,
  X: number,
  ldx: number,
  w: number,
  dY: number,
  lddy: number,
  dX: number,
  lddx: number,
  dw: number,
  db: number,
): void {
  K.fns.depthwiseConvBackward(d.B, d.T, d.C, d.K, X, ldx, w, dY, lddy, dX, lddx, dw, db);
}

/** dw tap-major [K, C] (kernel memory) back to PyTorch's [C, 1, K] on the host. */
export function readChannelMajor(K: Kernels, dw: number, C: number, taps: number): Float32Array {
  const g = K.view(dw, C * taps);
  const out = new Float32Array(C * taps);
  for (let j = 0; j < taps; j++) for (let c = 0; c < C; c++) out[c * taps + j] = g[j * C + c];
  return out;
}

type GradFn = Parameters<typeof tf.customGrad>[0];

/**
 * Causal depthwise convolution as a differentiable tf op in PyTorch's layout:
 * x [B, T, C], weight [C, 1, K] (nn.Conv1d(C, C, K, groups=C) weight), bias [C] ->
 * y [B, T, C] with y[:, t] reading x[:, t-K+1 .. t] (zeros before the start), as
 * `conv1d(x.transpose(1, 2), padding=K-1)[..., :T]` in PyTorch.
 */
export function causalDepthwiseConv1d(x: tf.Tensor3D, weight: tf.Tensor3D, bias: tf.Tensor1D): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const taps = weight.shape[2];
  const d: ConvDims = { B, T, C, K: taps };
  const op = tf.customGrad(((xt: tf.Tensor, wt: tf.Tensor, bt: tf.Tensor) => {
    const K = kernels();
    const xd = xt.dataSync() as Float32Array;
    const wd = wt.dataSync() as Float32Array;
    const bd = bt.dataSync() as Float32Array;
    const mark = K.mark();
    let y: tf.Tensor;
    try {
      const Y = K.alloc(B * T * C);
      depthwiseConvRows(K, d, K.put(xd), C, putTapMajor(K, wd, C, taps), K.put(bd), Y, C);
      y = K.tensor(Y, [B, T, C]);
    } finally {
      K.release(mark);
    }
    return {
      value: y,
      gradFunc: (dy: tf.Tensor) => {
        const m = K.mark();
        try {
          const dX = K.alloc(B * T * C);
          const dw = K.zeros(taps * C);
          const db = K.zeros(C);
          depthwiseConvRowsBackward(K, d, K.put(xd), C, putTapMajor(K, wd, C, taps), K.putTensor(dy), C, dX, C, dw, db);
          return [K.tensor(dX, [B, T, C]), tf.tensor(readChannelMajor(K, dw, C, taps), [C, 1, taps]), K.tensor(db, [C])];
        } finally {
          K.release(m);
        }
      },
    };
  }) as unknown as GradFn) as unknown as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor3D;
  return op(x, weight, bias);
}
