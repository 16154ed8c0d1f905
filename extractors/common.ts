/** Building blocks shared by the built-in extractors (and the harness): initialisation and small layers. */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';
import { hostOp } from '../kernels/runtime/hostOp.js';
import { kernels, wasmHeapView } from '../kernels/runtime/runtime.js';

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

/** A variable holding `data` (initial values computed on the host, e.g. Mamba's A_log and dt bias). */
export function dataVariable(data: Float32Array, shape: number[], name: string): tf.Variable {
  return tf.variable(tf.tensor(data, shape), true, uniqueName(name));
}

/** tfjs variable names are global; suffix a counter so several models can coexist. */
let counter = 0;
function uniqueName(name: string): string {
  return `${name}#${++counter}`;
}

/**
 * PyTorch-layout linear layer: y = x W^T + b with W [out, in], on the last axis of x. One op
 * of any rank (no reshapes: under a gradient tape tfjs copies a reshape's input to remember
 * its shape), computed forward and backward by the WebAssembly gemm of ./kernels: ~1.3x
 * XNNPACK's speed here, and none of the transposed products of tfjs's matMul gradient,
 * which run ~14x slower than plain ones on WASM (512x512: 17 ms vs 246 ms).
 */
export function linear(x: tf.Tensor, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  const inDim = x.shape[x.shape.length - 1];
  const outDim = weight.shape[0];
  // The product reads inDim columns of W whatever its width: a mismatch would read past or short of it silently.
  if (weight.shape[1] !== inDim)
    throw new Error(`linear: input width ${inDim} does not match the weight's ${weight.shape[1]} columns (weight [${weight.shape.join(', ')}])`);
  if (bias && bias.shape[0] !== outDim) throw new Error(`linear: bias of ${bias.shape[0]} for ${outDim} outputs`);
  const N = x.size / inDim;
  const outShape = [...x.shape.slice(0, -1), outDim];
  // A hostOp (./kernels/hostOp.ts): x and W stay in kernel memory for the backward pass.
  return hostOp<{ x: number; w: number }>(
    {
      name: 'linear',
      forward(K, [x, w, b]) {
        const Y = K.alloc(N * outDim); // [N, out]
        const mark = K.mark();
        K.gemm(N, outDim, inDim, x, inDim, 1, K.transposed(w, outDim, inDim), outDim, Y, outDim, false, { bias: b });
        K.release(mark);
        return { y: Y, shape: outShape, saved: { x, w } };
      },
      backward(K, s, dY) {
        const dX = K.alloc(N * inDim);
        const dW = K.alloc(outDim * inDim);
        K.gemm(N, inDim, outDim, dY, outDim, 1, s.w, inDim, dX, inDim); // dx = dy W
        K.gemm(outDim, inDim, N, dY, 1, outDim, s.x, inDim, dW, inDim); // dW = dy^T x (dy read transposed)
        if (!bias) return [dX, dW];
        const db = K.zeros(outDim);
        K.fns.addInto(N, outDim, db, 0, dY, 4 * outDim); // db = column sums of dy
        return [dX, dW, db];
      },
    },
    bias ? [x, weight, bias] : [x, weight],
  );
}

/** nn.Linear's default initialisation: weight and bias U(-1/sqrt(in), 1/sqrt(in)). */
export function linearVariables(rng: Rng, prefix: string, inDim: number, outDim: number): Record<string, tf.Variable> {
  const bound = 1 / Math.sqrt(inDim);
  return {
    [`${prefix}.weight`]: uniformVariable(rng, [outDim, inDim], bound, `${prefix}.weight`),
    [`${prefix}.bias`]: uniformVariable(rng, [outDim], bound, `${prefix}.bias`),
  };
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
 * Embedding lookup weight [V, E], ids int32 [N] -> [N, E] (or `shape`, e.g. [B, T, E], with
 * N*E entries: no reshape, which under a gradient tape copies its input), as
 * `tf.gather(weight, ids)` but cheap on WASM: tfjs-wasm's GatherV2 kernel costs ~4.7 us per
 * row (measured 9.7 ms for 2048 rows of 64 floats, 35 ms for 8192), and its gradient goes
 * through a transpose and UnsortedSegmentSum. Here the rows are copied on the host and the
 * gradient is scatter-added into [V, E] in one pass (~1 ms for 8192 rows). Differentiable in
 * `weight` (ids are ints).
 */
export function embeddingLookup<R extends tf.Rank = tf.Rank.R2>(weight: tf.Tensor2D, ids: tf.Tensor1D, shape?: number[]): tf.Tensor<R> {
  const [V, E] = weight.shape;
  const index = ids.dataSync() as Int32Array; // [N]
  const N = index.length;
  const outShape = shape ?? [N, E];
  if (outShape.reduce((a, b) => a * b, 1) !== N * E) throw new Error(`embeddingLookup: shape [${outShape}] does not hold ${N} rows of ${E}`);
  const op = tf.customGrad(((w: tf.Tensor2D) => {
    return {
      value: gathered(wasmHeapView(w) ?? (w.dataSync() as Float32Array), V, E, index, outShape),
      // dy [N, E] in row-major order, scatter-added into [V, E]
      gradFunc: (dy: tf.Tensor) => tf.tensor2d(scatterAddRows(dy.dataSync() as Float32Array, V, E, index), [V, E]),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (w: tf.Tensor2D) => tf.Tensor<R>;
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
    return {
      value: tf.tensor2d(lastRows(wasmHeapView(input) ?? (input.dataSync() as Float32Array), B, T, H), [B, H]), // read in place on tfjs-wasm: only B of the B*T rows are needed
      gradFunc: (dy: tf.Tensor) => viaScratch(B * T * H, [B, T, H], (dx) => intoLastRows(dy.dataSync() as Float32Array, B, T, H, dx)),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor3D) => tf.Tensor2D;
  return op(x);
}

// The loops of the two ops above live in top-level functions on purpose: a closure created
// anew at every step (as customGrad's callbacks are) gets a fresh feedback vector, so V8
// never optimises its loops; measured 12 ms per step for the embedding gradient of
// 2048 x 64 values inside the closure, ~0.2 ms here.

/**
 * A tensor of `shape` whose n values `fill` writes into a scratch buffer in kernel memory
 * (pages already mapped: a fresh host array of a few hundred KB costs page faults and
 * garbage at every step; tfjs copies the values at once).
 */
function viaScratch(n: number, shape: number[], fill: (out: Float32Array) => void): tf.Tensor {
  const K = kernels();
  const mark = K.mark();
  try {
    const at = K.alloc(n);
    fill(K.view(at, n));
    return K.tensor(at, shape);
  } finally {
    K.release(mark);
  }
}

/**
 * A tensor of `shape` holding table [V, E] rows at index [N]. When the table is no larger
 * than the output it is staged into kernel memory and each row is one `copyWithin` there (a
 * native copy: 0.43 ms against 1.6 ms for the loop below, 8192 rows of 64, measured A/B in
 * one process); a larger table (a big vocabulary) is read in place by the loop.
 */
function gathered(table: Float32Array, V: number, E: number, index: Int32Array, shape: number[]): tf.Tensor {
  const N = index.length;
  if (V > N) return viaScratch(N * E, shape, (out) => gatherRows(table, V, E, index, out));
  const K = kernels();
  const mark = K.mark();
  try {
    const from = K.put(table);
    const at = K.alloc(N * E);
    copyRowsWithin(K.heap, from >> 2, V, E, index, at >> 2);
    return K.tensor(at, shape);
  } finally {
    K.release(mark);
  }
}

/** heap[out + i*E ..] = heap[table + index[i]*E ..] for each i (float offsets into one array). */
function copyRowsWithin(heap: Float32Array, table: number, V: number, E: number, index: Int32Array, out: number): void {
  for (let i = 0; i < index.length; i++) {
    const id = index[i];
    if (id < 0 || id >= V) throw new Error(`embeddingLookup: id ${id} at position ${i} is outside the vocabulary [0, ${V})`);
    heap.copyWithin(out + i * E, table + id * E, table + id * E + E);
  }
}

/** out [N, E] = table [V, E] rows at index [N]. */
function gatherRows(table: Float32Array, V: number, E: number, index: Int32Array, out: Float32Array): void {
  const N = index.length;
  for (let i = 0; i < N; i++) {
    const id = index[i];
    if (id < 0 || id >= V) throw new Error(`embeddingLookup: id ${id} at position ${i} is outside the vocabulary [0, ${V})`);
    const from = id * E;
    const to = i * E;
    for (let j = 0; j < E; j++) out[to + j] = table[from + j]; // (no subarray: one object per row is garbage)
  }
}

/** dw [V, E] = sum over i of g [N, E] row i into row index[i]. */
function scatterAddRows(g: Float32Array, V: number, E: number, index: Int32Array): Float32Array {
  const dw = new Float32Array(V * E);
  for (let i = 0; i < index.length; i++) {
    const row = index[i] * E;
    for (let j = 0; j < E; j++) dw[row + j] += g[i * E + j];
  }
  return dw;
}

/** x [B, T, H] -> x[:, T-1, :] [B, H]. */
function lastRows(x: Float32Array, B: number, T: number, H: number): Float32Array {
  const out = new Float32Array(B * H);
  for (let b = 0; b < B; b++) {
    const from = (b * T + T - 1) * H;
    for (let j = 0; j < H; j++) out[b * H + j] = x[from + j];
  }
  return out;
}

/** dx [B, T, H] = g [B, H] at t = T-1, zero elsewhere. */
function intoLastRows(g: Float32Array, B: number, T: number, H: number, dx: Float32Array): void {
  dx.fill(0);
  for (let b = 0; b < B; b++) {
    const to = (b * T + T - 1) * H;
    for (let j = 0; j < H; j++) dx[to + j] = g[b * H + j];
  }
}
