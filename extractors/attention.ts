/**
 * The core of multi-head self-attention as one tf op:
 *
 *   qkv [B, T, 3d] (rows q | k | v, head j owning channels j*dh .. (j+1)*dh of each)
 *     -> per sequence b and head j:  P = softmax(Q K^T / sqrt(dh)) [T, T];  O = P V [T, dh]
 *     -> the heads side by side [B, T, d] (what out_proj reads)
 *
 * with its gradient written out. Both passes run on the WebAssembly kernels: each head's
 * products are `gemm` calls that read Q, K, V in place from the qkv rows (row stride 3d)
 * and write each head's output into its channels of the merged rows, so no split, no
 * 4-D transposes and no batched matMul (tfjs-wasm runs batched matMul on a naive loop at
 * ~1.2 GFLOP/s, ~15x slower than its 2-D product). The softmax and its gradient are one
 * kernel each (./kernels/softmax.ts).
 *
 * Backward, per (b, j), given G = dL/dO [T, dh]:
 *   dP = G V^T;  dV = P^T G;  dS = softmax gradient of dP (scale included);
 *   dQ = dS K;   dK = dS^T Q        (all written into their channels of dqkv [B, T, 3d])
 * gemm needs its right operand row-major, so K^T and V^T are copied out per head first
 * ([T, dh] -> [dh, T], a few microseconds); P^T and dS^T are read transposed in place.
 */
import * as tf from '@tensorflow/tfjs';
import { kernels, type Kernels } from './kernels/runtime.js';

interface Dims {
  B: number;
  T: number;
  d: number;
  heads: number;
  dh: number;
  scale: number;
}

/** qkv [B, T, 3d] -> attention output of every head, side by side, [B, T, d]. */
export function attention(qkv: tf.Tensor3D, heads: number): tf.Tensor3D {
  const [B, T, d3] = qkv.shape;
  const d = d3 / 3;
  const dims: Dims = { B, T, d, heads, dh: d / heads, scale: 1 / Math.sqrt(d / heads) };
  const op = tf.customGrad(((input: tf.Tensor3D) => {
    const data = input.dataSync() as Float32Array;
    // P of every (b, head) is kept for the backward pass only when a gradient is recorded.
    const keep = tf.engine().state.gradientDepth > 0;
    const { out, probs } = forward(dims, data, keep);
    return {
      value: tf.tensor3d(out, [B, T, d]),
      gradFunc: (dy: tf.Tensor) => {
        if (!probs) throw new Error('attention: no probabilities were kept for the backward pass (its forward ran outside a gradient tape)');
        return tf.tensor3d(backward(dims, data, probs, dy.dataSync() as Float32Array), [B, T, d3]);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor3D) => tf.Tensor3D;
  return op(qkv);
}

/** Byte addresses of head j's q, k and v of sequence b in the qkv buffer at `base` (row stride 3d). */
function qkvOf(base: number, { T, d, dh }: Dims, b: number, j: number) {
  const row0 = base + 4 * b * T * 3 * d;
  return { q: row0 + 4 * j * dh, k: row0 + 4 * (d + j * dh), v: row0 + 4 * (2 * d + j * dh) };
}

/** dst [dh, T] = the [T, dh] block at src with row stride ld (floats): gemm's right operand must be row-major. */
function transposeBlock(K: Kernels, src: number, ld: number, T: number, dh: number, dst: number): void {
  const heap = K.heap;
  const s = src >> 2;
  const o = dst >> 2;
  for (let t = 0; t < T; t++) for (let c = 0; c < dh; c++) heap[o + c * T + t] = heap[s + t * ld + c];
}

function forward(dims: Dims, qkv: Float32Array, keep: boolean): { out: Float32Array; probs?: Float32Array } {
  const { B, T, d, heads, dh, scale } = dims;
  const K = kernels();
  const mark = K.mark();
  try {
    const QKV = K.put(qkv); // [B*T, 3d]
    const O = K.alloc(B * T * d); // [B*T, d]
    const P = K.alloc(B * heads * T * T); // [B, heads, T, T]
    const Kt = K.alloc(dh * T); // [dh, T] one head's K^T
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < heads; j++) {
        const { q, k, v } = qkvOf(QKV, dims, b, j);
        const p = P + 4 * (b * heads + j) * T * T;
        transposeBlock(K, k, 3 * d, T, dh, Kt);
        K.gemm(T, T, dh, q, 3 * d, 1, Kt, T, p, T); // S = Q K^T
        K.fns.softmax(T, T, p, T, scale); // P = softmax(S / sqrt(dh)), in place
        K.gemm(T, dh, T, p, T, 1, v, 3 * d, O + 4 * (b * T * d + j * dh), d); // O_j = P V, into head j's channels
      }
    }
    return { out: K.read(O, B * T * d), probs: keep ? K.read(P, B * heads * T * T) : undefined };
  } finally {
    K.release(mark);
  }
}

function backward(dims: Dims, qkv: Float32Array, probs: Float32Array, dy: Float32Array): Float32Array {
  const { B, T, d, heads, dh, scale } = dims;
  const K = kernels();
  const mark = K.mark();
  try {
    const QKV = K.put(qkv); // [B*T, 3d]
    const P = K.put(probs); // [B, heads, T, T]
    const G = K.put(dy); // [B*T, d]
    const dQKV = K.alloc(B * T * 3 * d); // [B*T, 3d], every entry written by one gemm below
    const Vt = K.alloc(dh * T); // [dh, T]
    const dS = K.alloc(T * T); // [T, T] dP, then dS in place
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < heads; j++) {
        const { q, k, v } = qkvOf(QKV, dims, b, j);
        const dq = qkvOf(dQKV, dims, b, j);
        const p = P + 4 * (b * heads + j) * T * T;
        const g = G + 4 * (b * T * d + j * dh); // head j's [T, dh] block of dL/dO, row stride d
        transposeBlock(K, v, 3 * d, T, dh, Vt);
        K.gemm(T, T, dh, g, d, 1, Vt, T, dS, T); // dP = G V^T
        K.gemm(T, dh, T, p, 1, T, g, d, dq.v, 3 * d); // dV = P^T G (P read transposed)
        K.fns.softmaxBackward(T, T, p, T, dS, T, scale); // dS = d loss / d(Q K^T)
        K.gemm(T, dh, T, dS, T, 1, k, 3 * d, dq.q, 3 * d); // dQ = dS K
        K.gemm(T, dh, T, dS, 1, T, q, 3 * d, dq.k, 3 * d); // dK = dS^T Q (dS read transposed)
      }
    }
    return K.read(dQKV, B * T * 3 * d);
  } finally {
    K.release(mark);
  }
}
