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
 * rows, so no split, no 4-D transposes and no batched matMul. K^T and V^T (gemm needs its
 * right operand row-major) are transposed per head by a kernel.
 *
 * Two ways to keep what the backward pass needs, with the same forward arithmetic:
 * - `probs`: every head's P [T, T] is kept (B*heads*T^2 floats): the backward pass reads it;
 * - `stream`: the queries are processed in blocks of `block` rows: S = Q_i K^T [block, T],
 *   the softmax, O_i = P_i V, and only each row's softmax statistics (-scale max, sum) are
 *   kept (B*heads*T*2 floats). The backward pass recomputes each block's P from them, bit
 *   for bit (the same products and the same exp, ./kernels/softmax.ts), so both ways give
 *   the same outputs and gradients. Memory is O(block*T) scratch instead of O(T^2) per head:
 *   FlashAttention's point (Dao et al. 2022), though each block's softmax is the plain
 *   two-pass one over all T keys rather than an online softmax over key blocks.
 *
 * Backward, per (b, j) and query block i, given G = dL/dO [T, dh]:
 *   dP_i = G_i V^T;  dV += P_i^T G_i;  dS_i = softmax gradient of dP_i (scale included);
 *   dQ_i = dS_i K;   dK += dS_i^T Q_i      (all written into their channels of dQKV [B*T, 3d])
 * P_i^T and dS_i^T are read transposed in place; dV and dK accumulate over the blocks in
 * order, which sums in the same order as one product over all T rows.
 *
 * The key mask `keep` [B, T] (1 = token, 0 = padding) gives padded keys probability exactly
 * 0 (PyTorch's src_key_padding_mask); the backward pass needs it only to recompute P.
 *
 * `causal` (a decoder's mask, PyTorch's generate_square_subsequent_mask as src_mask): query t
 * attends keys s <= t only. The causal softmax kernels (./kernels/softmax.ts) give the later
 * keys probability exactly 0, so nothing else changes: P V, and every backward product, read
 * zeros there (and P's zeros make dS zero there). With the key mask too, a key must be both
 * in the past and a token; a query with no such key (left padding before the first token)
 * gets zero attention, where PyTorch gives NaN.
 */
import type { Kernels } from '../../kernels/runtime/runtime.js';

export interface AttentionDims {
  B: number;
  T: number;
  d: number;
  heads: number;
  dh: number;
  scale: number;
  /** Query t attends keys s <= t only. */
  causal: boolean;
}

export function attentionDims(B: number, T: number, d: number, heads: number, causal = false): AttentionDims {
  return { B, T, d, heads, dh: d / heads, scale: 1 / Math.sqrt(d / heads), causal };
}

/** Query rows per block in the streaming mode: the scratch is 2 * STREAM_BLOCK * T floats. */
export const STREAM_BLOCK = 64;

/** What the forward pass kept for the backward pass: P, or the softmax statistics. */
export type AttentionSaved = { mode: 'probs'; P: number } | { mode: 'stream'; stats: number; block: number };

/** Byte addresses of head j's q, k and v of sequence b in the QKV buffer at `base` (row stride 3d). */
function qkvOf(base: number, { T, d, dh }: AttentionDims, b: number, j: number) {
  const row0 = base + 4 * b * T * 3 * d;
  return { q: row0 + 4 * j * dh, k: row0 + 4 * (d + j * dh), v: row0 + 4 * (2 * d + j * dh) };
}

/** Floats of the probabilities P of all (b, head) pairs, kept in the `probs` mode. */
export function probsSize({ B, T, heads }: AttentionDims): number {
  return B * heads * T * T;
}

/** Floats of the softmax statistics of all rows, kept in the `stream` mode. */
export function statsSize({ B, T, heads }: AttentionDims): number {
  return 2 * B * heads * T;
}

/**
 * O [B*T, d] = every head's attention output, from QKV [B*T, 3d]. `keep` is the byte address
 * of a key mask [B, T] or 0. `save`: 'probs' keeps P [B, heads, T, T], 'stream' keeps the
 * statistics (blocks of `block` query rows), 'none' keeps nothing (no backward pass).
 */
export function attentionForward(
  K: Kernels,
  dims: AttentionDims,
  QKV: number,
  O: number,
  keep: number,
  save: 'probs' | 'stream' | 'none',
  block = STREAM_BLOCK,
): AttentionSaved | undefined {
  const { B, T, d, heads, dh, scale, causal } = dims;
  const probs = save === 'probs';
  const rowsPer = probs ? T : Math.min(block, T);
  const P = probs ? K.alloc(probsSize(dims)) : 0; // [B, heads, T, T]
  const stats = save === 'stream' ? K.alloc(statsSize(dims)) : 0; // [B, heads, T, 2]
  // The (sequence, head) pairs are independent: split across the kernel threads (one loop on one thread).
  K.parallelFor(B * heads, (pair) => {
    const [b, j] = [Math.floor(pair / heads), pair % heads];
    const keepB = keep && keep + 4 * b * T;
    const { q, k, v } = qkvOf(QKV, dims, b, j);
    const inner = K.mark();
    const S = probs ? 0 : K.alloc(rowsPer * T); // [block, T] scores, then probabilities
    const Kt = K.transposed(k, T, dh, 3 * d); // [dh, T]
    for (let i0 = 0; i0 < T; i0 += rowsPer) {
      const n = Math.min(rowsPer, T - i0);
      const p = probs ? P + 4 * ((b * heads + j) * T * T + i0 * T) : S;
      const st = stats && stats + 4 * 2 * ((b * heads + j) * T + i0);
      K.gemm(n, T, dh, q + 4 * i0 * 3 * d, 3 * d, 1, Kt, T, p, T); // S_i = Q_i K^T
      // P_i = softmax(S_i / sqrt(dh)) over the kept keys (causal: and keys <= the query's position i0 + r), in place
      if (causal) K.fns.softmaxCausal(n, T, p, T, scale, keepB, st, i0);
      else K.fns.softmax(n, T, p, T, scale, keepB, st);
      K.gemm(n, dh, T, p, T, 1, v, 3 * d, O + 4 * ((b * T + i0) * d + j * dh), d); // O_i = P_i V, into head j's channels
    }
    K.release(inner);
  });
  if (save === 'probs') return { mode: 'probs', P };
  if (save === 'stream') return { mode: 'stream', stats, block: rowsPer };
  return undefined;
}

/** dQKV [B*T, 3d] (every entry written) from G = dL/dO [B*T, d], given QKV and what the forward pass kept. */
export function attentionBackward(K: Kernels, dims: AttentionDims, QKV: number, keep: number, saved: AttentionSaved, G: number, dQKV: number): void {
  const { B, T, d, heads, dh, scale, causal } = dims;
  const rowsPer = saved.mode === 'probs' ? T : saved.block;
  // Independent (sequence, head) pairs, as in the forward pass: each writes its own blocks of dQKV.
  K.parallelFor(B * heads, (pair) => {
    const [b, j] = [Math.floor(pair / heads), pair % heads];
    const keepB = keep && keep + 4 * b * T;
    const { q, k, v } = qkvOf(QKV, dims, b, j);
    const dq = qkvOf(dQKV, dims, b, j);
    const g = G + 4 * (b * T * d + j * dh); // head j's [T, dh] block of dL/dO, row stride d
    const inner = K.mark();
    const S = saved.mode === 'stream' ? K.alloc(rowsPer * T) : 0; // [block, T] recomputed P_i
    const dS = K.alloc(rowsPer * T); // [block, T] dP_i, then dS_i in place
    const Vt = K.transposed(v, T, dh, 3 * d); // [dh, T]
    const Kt = saved.mode === 'stream' ? K.transposed(k, T, dh, 3 * d) : 0; // [dh, T], to recompute S
    for (let i0 = 0; i0 < T; i0 += rowsPer) {
      const n = Math.min(rowsPer, T - i0);
      let p: number;
      if (saved.mode === 'probs') p = saved.P + 4 * ((b * heads + j) * T * T + i0 * T);
      else {
        p = S;
        K.gemm(n, T, dh, q + 4 * i0 * 3 * d, 3 * d, 1, Kt, T, p, T); // S_i = Q_i K^T, as in the forward pass
        const st = saved.stats + 4 * 2 * ((b * heads + j) * T + i0);
        if (causal) K.fns.softmaxCausalRecompute(n, T, p, T, scale, keepB, st, i0);
        else K.fns.softmaxRecompute(n, T, p, T, scale, keepB, st);
      }
      const gi = g + 4 * i0 * d;
      const first = i0 === 0;
      K.gemm(n, T, dh, gi, d, 1, Vt, T, dS, T); // dP_i = G_i V^T
      K.gemm(T, dh, n, p, 1, T, gi, d, dq.v, 3 * d, !first); // dV += P_i^T G_i (P_i read transposed)
      K.fns.softmaxBackward(n, T, p, T, dS, T, scale); // dS_i = d loss / d(Q_i K^T)
      K.gemm(n, dh, T, dS, T, 1, k, 3 * d, dq.q + 4 * i0 * 3 * d, 3 * d); // dQ_i = dS_i K
      K.gemm(T, dh, n, dS, 1, T, q + 4 * i0 * 3 * d, 3 * d, dq.k, 3 * d, !first); // dK += dS_i^T Q_i (dS_i read transposed)
    }
    K.release(inner);
  });
}
