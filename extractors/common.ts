/** Building blocks shared by the built-in extractors: initialisation and small layers. */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../harness/rng.js';
import { kernels } from './kernels/runtime.js';

/** A variable filled with U(-bound, bound) drawn from `rng` (PyTorch's default init for RNNs and Linear). */
export function uniformVariable(rng: Rng, shape: number[], bound: number, name: string): tf.Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (rng.uniform() * 2 - 1) * bound;
  return tf.variable(tf.tensor(data, shape), true, uniqueName(name));
}

export function constantVariable(shape: number[], value: number, name: string): tf.Variable {
  return tf.variable(tf.fill(shape, value), true, uniqueName(name));
}

/** tfjs variable names are global; suffix a counter so several models can coexist. */
let counter = 0;
function uniqueName(name: string): string {
  return `${name}#${++counter}`;
}

/**
 * a [.., M, K] x b [.., K, N] -> [.., M, N] (2-D or batched 3-D), differentiable, built only
 * from untransposed products. On the WASM backend a matMul with a transpose flag runs
 * ~14x slower than a plain one (measured: 512x512 NN 17 ms, NT 246 ms), and tfjs's own
 * gradient of matMul uses exactly those flags (dA = dY B^T, dB = A^T dY). Transposing
 * explicitly, then multiplying, costs a fraction of that.
 */
const matMulCustom = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [tf.matMul(dy, transposeLast(sb)), tf.matMul(transposeLast(sa), dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

export function matMul<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  return (matMulCustom as unknown as (a: tf.Tensor, b: tf.Tensor) => T)(a, b);
}

/** Swap the last two axes ([.., M, N] -> [.., N, M]). */
export function transposeLast<T extends tf.Tensor>(x: T): T {
  const r = x.rank;
  const perm = Array.from({ length: r }, (_, i) => i);
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(x, perm) as T;
}

/**
 * PyTorch-layout linear layer: y = x W^T + b with W [out, in], on the last axis of x, and
 * optionally relu(y). One op (any rank, no reshapes: under a gradient tape tfjs copies a
 * reshape's input to remember its shape), computed forward and backward by the WebAssembly
 * gemm of ./kernels, ~1.3x XNNPACK's speed here and without the transposes of tfjs's matMul
 * gradient (see `matMul` above).
 */
export function linear(x: tf.Tensor, weight: tf.Tensor2D, bias?: tf.Tensor1D, activation?: 'relu'): tf.Tensor {
  const inDim = x.shape[x.shape.length - 1];
  const outDim = weight.shape[0];
  const N = x.size / inDim;
  const outShape = [...x.shape.slice(0, -1), outDim];
  const relu = activation === 'relu';
  const op = tf.customGrad(((...args: tf.Tensor[]) => {
    // (customGrad appends its save function to the arguments, so the bias is taken by position only when given.)
    const [xt, w] = args;
    const b = bias ? args[2] : undefined;
    const xd = xt.dataSync() as Float32Array; // kept for dW in the backward pass
    const wd = w.dataSync() as Float32Array;
    const K = kernels();
    const mark = K.mark();
    let y: tf.Tensor;
    let yd: Float32Array | undefined; // the output, kept when relu needs its mask
    try {
      const Y = K.alloc(N * outDim); // [N, out]
      if (b) K.gemm(N, outDim, 1, K.put([1]), 0, 0, K.putTensor(b), outDim, Y, outDim); // every row = b (1 x b, A strides 0)
      K.gemm(N, outDim, inDim, K.put(xd), inDim, 1, K.putTransposed(wd, outDim, inDim), outDim, Y, outDim, b !== undefined);
      if (relu) {
        K.ew.relu(N * outDim, Y);
        yd = K.read(Y, N * outDim);
      }
      y = K.tensor(Y, outShape);
    } finally {
      K.release(mark);
    }
    return {
      value: y,
      gradFunc: (dy: tf.Tensor) => {
        const m = K.mark();
        try {
          const dY = K.putTensor(dy); // [N, out]
          if (yd) K.ew.reluBackward(N * outDim, K.put(yd), dY);
          const dX = K.alloc(N * inDim);
          const dW = K.alloc(outDim * inDim);
          K.gemm(N, inDim, outDim, dY, outDim, 1, K.put(wd), inDim, dX, inDim); // dx = dy W
          K.gemm(outDim, inDim, N, dY, 1, outDim, K.put(xd), inDim, dW, inDim); // dW = dy^T x (dy read transposed)
          const grads = [K.tensor(dX, xt.shape), K.tensor(dW, [outDim, inDim])];
          if (b) {
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
  }) as unknown as GradFn) as unknown as (...t: tf.Tensor[]) => tf.Tensor;
  return bias ? op(x, weight, bias) : op(x, weight);
}

type GradFn = Parameters<typeof tf.customGrad>[0];

/** nn.Linear's default initialisation: weight and bias U(-1/sqrt(in), 1/sqrt(in)). */
export function linearVariables(rng: Rng, prefix: string, inDim: number, outDim: number): Record<string, tf.Variable> {
  const bound = 1 / Math.sqrt(inDim);
  return {
    [`${prefix}.weight`]: uniformVariable(rng, [outDim, inDim], bound, `${prefix}.weight`),
    [`${prefix}.bias`]: uniformVariable(rng, [outDim], bound, `${prefix}.bias`),
  };
}

/**
 * LayerNorm over the last axis of x (+ residual, when given: the transformer's "add & norm",
 * one op, so no tfjs add under the tape, which would copy both inputs), eps 1e-5 as in
 * PyTorch, computed by the kernels of ./kernels/layerNorm.ts: built from tf ops it was ~10
 * ops forward and ~20 backward, ~25 ms per call at [2048, 128] on WASM.
 */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor1D, bias: tf.Tensor1D, eps = 1e-5, residual?: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const cols = shape[shape.length - 1];
  const n = x.size / cols;
  const op = tf.customGrad(((...args: tf.Tensor[]) => {
    const [xt, w, b, r] = args;
    const wd = w.dataSync() as Float32Array;
    const K = kernels();
    const mark = K.mark();
    let y: tf.Tensor;
    let input: Float32Array; // x (+ residual): what was normalised, for the backward pass
    let stats: Float32Array; // [n, 2]: mean and std of each row
    try {
      const X = K.putTensor(xt);
      if (residual) K.ew.addInto(n * cols, X, K.putTensor(r));
      const Y = K.alloc(n * cols);
      const S = K.alloc(2 * n);
      K.fns.layerNorm(n, cols, X, Y, K.put(wd), K.putTensor(b), S, eps);
      input = K.read(X, n * cols);
      stats = K.read(S, 2 * n);
      y = K.tensor(Y, shape);
    } finally {
      K.release(mark);
    }
    return {
      value: y,
      gradFunc: (dy: tf.Tensor) => {
        const m = K.mark();
        try {
          const dX = K.alloc(n * cols);
          const dW = K.zeros(cols);
          const dB = K.zeros(cols);
          K.fns.layerNormBackward(n, cols, K.put(input), K.putTensor(dy), K.put(wd), K.put(stats), dX, dW, dB);
          const dx = K.tensor(dX, shape);
          // The residual's gradient is x's: the same values (a second tensor, not a shared one).
          const grads = [dx, K.tensor(dW, [cols]), K.tensor(dB, [cols])];
          if (residual) grads.push(K.tensor(dX, shape));
          return grads;
        } finally {
          K.release(m);
        }
      },
    };
  }) as unknown as GradFn) as unknown as (...t: tf.Tensor[]) => tf.Tensor;
  return residual ? op(x, weight, bias, residual) : op(x, weight, bias);
}

/** Sinusoidal positional encoding [T, d] (Vaswani et al.): even channels sin, odd cos. */
export function sinusoidalTable(length: number, d: number): Float32Array {
  const table = new Float32Array(length * d);
  for (let pos = 0; pos < length; pos++) {
    for (let i = 0; i < d; i += 2) {
      const angle = pos * Math.exp((i * -Math.log(10000)) / d);
      table[pos * d + i] = Math.sin(angle);
      if (i + 1 < d) table[pos * d + i + 1] = Math.cos(angle);
    }
  }
  return table;
}

/**
 * Embedding lookup weight [V, E], ids int32 [N] -> [N, E], as `tf.gather(weight, ids)` but
 * cheap on WASM: tfjs-wasm's GatherV2 kernel costs ~4.7 us per row (measured 9.7 ms for
 * 2048 rows of 64 floats, 35 ms for 8192), and its gradient goes through a transpose and
 * UnsortedSegmentSum. Here the rows are copied on the host and the gradient is scatter-added
 * into [V, E] in one pass (~1 ms for 8192 rows). Differentiable in `weight` (ids are ints).
 */
export function embeddingLookup(weight: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const [V, E] = weight.shape;
  const index = ids.dataSync() as Int32Array; // [N]
  const N = index.length;
  const op = tf.customGrad(((w: tf.Tensor2D) => {
    const table = w.dataSync() as Float32Array;
    const out = new Float32Array(N * E);
    for (let i = 0; i < N; i++) {
      const id = index[i];
      if (id < 0 || id >= V) throw new Error(`embeddingLookup: id ${id} at position ${i} is outside the vocabulary [0, ${V})`);
      out.set(table.subarray(id * E, id * E + E), i * E);
    }
    return {
      value: tf.tensor2d(out, [N, E]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array; // [N, E]
        const dw = new Float32Array(V * E);
        for (let i = 0; i < N; i++) {
          const row = index[i] * E;
          for (let j = 0; j < E; j++) dw[row + j] += g[i * E + j];
        }
        return tf.tensor2d(dw, [V, E]);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (w: tf.Tensor2D) => tf.Tensor2D;
  return op(weight);
}

/**
 * The last time step x[:, T-1, :] of x [B, T, H] -> [B, H], differentiable, as
 * `tf.gather(x, [T-1], 1)` but without tfjs-wasm's slow GatherV2 and the transposes of its
 * gradient (together ~10 ms at T = 256): a host copy forward, a zero gradient with dy in
 * the last step backward.
 */
export function lastPosition(x: tf.Tensor3D): tf.Tensor2D {
  const op = tf.customGrad(((input: tf.Tensor3D) => {
    const [B, T, H] = input.shape;
    const data = input.dataSync() as Float32Array;
    const out = new Float32Array(B * H);
    for (let b = 0; b < B; b++) out.set(data.subarray((b * T + T - 1) * H, (b * T + T) * H), b * H);
    return {
      value: tf.tensor2d(out, [B, H]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array; // [B, H]
        const dx = new Float32Array(B * T * H);
        for (let b = 0; b < B; b++) dx.set(g.subarray(b * H, b * H + H), (b * T + T - 1) * H);
        return tf.tensor3d(dx, [B, T, H]);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor3D) => tf.Tensor2D;
  return op(x);
}
