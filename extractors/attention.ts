/**
 * The core of multi-head self-attention, on buffers in kernel memory (used by the encoder
 * stack, ./transformerStack.ts):
 *
 *   QKV [B*T, 3d] (rows q | k | v, head j owning channels j*dh .. (j+1)*dh of each)
 *     -> per sequence b and head j:  P = softmax(Q K^T / sqrt(dh)) [T, T];  O = P V [T, dh]
 *     -> the heads side by side, O [B*T, d] (what out_proj reads)
 *
 * and its gradient. Each head's products are `gemm` calls that read Q, K, V in place from
 * the qkv rows (row stride 3d) and write each head's output into its channels of the merged
 * rows, so no split, no 4-D transposes and no batched matMul (tfjs-wasm runs batched matMul
 * on a naive loop at ~1.2 GFLOP/s, ~15x slower than its 2-D product). The softmax and its
 * gradient are one kernel each (./kernels/softmax.ts).
 *
 * Backward, per (b, j), given G = dL/dO [T, dh]:
 *   dP = G V^T;  dV = P^T G;  dS = softmax gradient of dP (scale included);
 *   dQ = dS K;   dK = dS^T Q        (all written into their channels of dQKV [B*T, 3d])
 * gemm needs its right operand row-major, so K^T and V^T are copied out per head first
 * ([T, dh] -> [dh, T], a few microseconds); P^T and dS^T are read transposed in place.
 */
import type { Kernels } from './kernels/runtime.js';

export interface AttentionDims {
  B: number;
  T: number;
  d: number;
  heads: number;
  dh: number;
  scale: number;
}

export function attentionDims(B: number, T: number, d: number, heads: number): AttentionDims {
  return { B, T, d, heads, dh: d / heads, scale: 1 / Math.sqrt(d / heads) };
}

/** Byte addresses of head j's q, k and v of sequence b in the QKV buffer at `base` (row stride 3d). */
function qkvOf(base: number, { T, d, dh }: AttentionDims, b: number, j: number) {
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

/** Floats of the probabilities P of all (b, head) pairs. */
export function probsSize({ B, T, heads }: AttentionDims): number {
  return B * heads * T * T;
}

/**
 * O [B*T, d] = every head's attention output, from QKV [B*T, 3d]; P [B, heads, T, T] receives
 * the probabilities. `keep` is the byte address of a key mask [B, T] (1 = token, 0 = padding:
 * padded keys get probability 0, as PyTorch's src_key_padding_mask), or 0 for none. The
 * backward pass needs no mask: it reads P, which is 0 at the padded keys.
 */
export function attentionForward(K: Kernels, dims: AttentionDims, QKV: number, O: number, P: number, keep = 0): void {
  const { B, T, d, heads, dh, scale } = dims;
  const mark = K.mark();
  const Kt = K.alloc(dh * T); // [dh, T] one head's K^T
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < heads; j++) {
      const { q, k, v } = qkvOf(QKV, dims, b, j);
      const p = P + 4 * (b * heads + j) * T * T;
      transposeBlock(K, k, 3 * d, T, dh, Kt);
      K.gemm(T, T, dh, q, 3 * d, 1, Kt, T, p, T); // S = Q K^T
      K.fns.softmax(T, T, p, T, scale, keep && keep + 4 * b * T); // P = softmax(S / sqrt(dh)) over sequence b's kept keys, in place
      K.gemm(T, dh, T, p, T, 1, v, 3 * d, O + 4 * (b * T * d + j * dh), d); // O_j = P V, into head j's channels
    }
  }
  K.release(mark);
}

/** dQKV [B*T, 3d] (every entry written) from G = dL/dO [B*T, d], given QKV and P of the forward pass. */
export function attentionBackward(K: Kernels, dims: AttentionDims, QKV: number, P: number, G: number, dQKV: number): void {
  const { B, T, d, heads, dh, scale } = dims;
  const mark = K.mark();
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
  K.release(mark);
}
