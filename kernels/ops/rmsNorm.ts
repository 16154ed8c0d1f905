/**
 * RMSNorm on the host side: entry points on kernel memory and a differentiable tf op over
 * the kernels of ../emit/rmsNorm.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { kernels, type Kernels } from '../runtime/runtime.js';

/** torch_bench.py's RMSNorm epsilon (and mamba_ssm's default). */
export const RMS_EPS = 1e-5;

/**
 * Y [n, cols] = RMSNorm of the rows of X [n, cols] (contiguous, in kernel memory) with weight w
 * (a kernel address of cols floats); returns the address of a new [n] buffer of 1/rms per row,
 * which the backward pass needs.
 */
export function rmsNormRows(K: Kernels, n: number, cols: number, X: number, Y: number, w: number, eps = RMS_EPS): number {
  const rstd = K.alloc(n);
  K.fns.rmsNorm(n, cols, X, Y, w, rstd, eps);
  return rstd;
}

/** dX [n, cols] (written) from dY, given the forward's X and rstd; adds the weight gradient into dw (cols floats). */
export function rmsNormRowsBackward(K: Kernels, n: number, cols: number, X: number, rstd: number, w: number, dY: number, dX: number, dw: number): void {
  K.fns.rmsNormBackward(n, cols, X, dY, w, rstd, dX, dw);
}

type GradFn = Parameters<typeof tf.customGrad>[0];

/**
 * RMSNorm of x [..., d] over its last axis with weight [d], as one differentiable tf op on
 * the kernels: y = x / sqrt(mean(x^2) + eps) * weight (torch_bench.py's RMSNorm).
 */
export function rmsNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor1D, eps = RMS_EPS): T {
  const cols = x.shape[x.shape.length - 1];
  const n = x.size / cols;
  const op = tf.customGrad(((xt: tf.Tensor, wt: tf.Tensor) => {
    const k = kernels();
    const xd = xt.dataSync() as Float32Array;
    const wd = wt.dataSync() as Float32Array;
    const mark = k.mark();
    let y: tf.Tensor;
    let rstd: Float32Array;
    try {
      const X = k.put(xd);
      const Y = k.alloc(n * cols);
      const r = rmsNormRows(k, n, cols, X, Y, k.put(wd), eps);
      y = k.tensor(Y, xt.shape);
      rstd = k.read(r, n);
    } finally {
      k.release(mark);
    }
    return {
      value: y,
      gradFunc: (dy: tf.Tensor) => {
        const m = k.mark();
        try {
          const dX = k.alloc(n * cols);
          const dw = k.zeros(cols);
          rmsNormRowsBackward(k, n, cols, k.put(xd), k.put(rstd), k.put(wd), k.putTensor(dy), dX, dw);
          return [k.tensor(dX, xt.shape), k.tensor(dw, [cols])];
        } finally {
          k.release(m);
        }
      },
    };
  }) as unknown as GradFn) as unknown as (x: tf.Tensor, w: tf.Tensor) => T;
  return op(x, weight);
}
