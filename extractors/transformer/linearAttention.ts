/**
 * The Transformer with causal linear attention (Katharopoulos et al. 2020, "Transformers are
 * RNNs"): softmax(q k^T) v is replaced by phi(q) (sum_s phi(k_s) v_s^T) / (phi(q) . sum_s phi(k_s) + eps)
 * with phi = elu + 1 and eps = 1e-6, the sums over s <= t (causal) or over every s. Causal,
 * it is an RNN whose state is a dh x dh matrix S_t = S_{t-1} + phi(k_t) v_t^T and a normaliser
 * z_t = z_{t-1} + phi(k_t) per head: constant memory per step, where softmax attention keeps
 * every key and value.
 *
 * Everything else is the Transformer's (./transformer.ts): positions, in_proj / out_proj,
 * the ReLU feed-forward, norms and residuals, with the same options and PyTorch names
 * (`layers.{i}.self_attn.in_proj_weight` [3d, d], ...) as the peer's `LinearTransformer`
 * (../shared/peers/torch_bench.py); only the attention block differs. A padding mask zeroes
 * phi(k) at padded positions, so they add nothing to S or z: padded keys are masked.
 */
import { z } from 'zod';
import { createEncoder, headsDivideDModel, transformerFields, transformerWidth, type AttentionKind, type TransformerOptions } from './transformer.js';
import { kernelName } from '../../kernels/emit/pointwise.js';
import type { Kernels } from '../../kernels/runtime/runtime.js';
import { linearBackward, linearForward, type AttentionBlock, type Dims } from './stack.js';
import { defineExtractor } from '../types.js';

/** The peer's eps (LinearAttention in torch_bench.py). */
export const LINEAR_ATTENTION_EPS = 1e-6;

export const linearAttentionOptions = z
  .object({ ...transformerFields, causal: z.boolean().default(true).describe('position t reads positions <= t only (the RNN form); false: every position') })
  .strict()
  .refine(...headsDivideDModel);
export type LinearAttentionOptions = z.output<typeof linearAttentionOptions>;

/**
 * One attention sub-layer of the stack (./transformerStack.ts `Block`), on kernel memory:
 * QKV = u W_in^T + b_in; phi on the q and k columns; padded keys zeroed; per sequence and
 * head the linear-attention kernel (./kernels/linearAttention.ts) into O; out_proj.
 */
function linearAttentionBlock(causal: boolean): AttentionBlock {
  return {
    forward(K, d, w, U, keep) {
      const { N, d: dm } = d;
      const QKV = linearForward(K, N, dm, 3 * dm, U, w.inW!, w.inB!); // [N, 3d]
      featureMap(K, d, QKV);
      const O = K.alloc(N * dm); // [N, d] heads side by side
      const DEN = K.alloc(denSize(d)); // [B, heads, T]
      perHead(
        K,
        d,
        QKV,
        O,
        (q, k, v, o, den, s) => K.fns.linearAttention(d.attn.T, d.attn.dh, q, k, v, 3 * dm, o, dm, den, s.S, s.z, LINEAR_ATTENTION_EPS, causal ? 1 : 0),
        DEN,
      );
      Object.assign(keep, { U, QKV, O, DEN });
      return { r: linearForward(K, N, dm, dm, O, w.outW!, w.outB!) };
    },
    backward(K, d, w, s, _attn, dF, dU, accumulate) {
      const { N, d: dm } = d;
      const dO = K.alloc(N * dm);
      const out = linearBackward(K, N, dm, dm, dF, s.O, w.outW!, dO, false);
      const dQKV = K.alloc(3 * N * dm);
      const { T, dh } = d.attn;
      perHead(
        K,
        d,
        s.QKV,
        s.O,
        (q, k, v, o, den, sc, b, j) => {
          const at = (base: number, col: number) => base + 4 * (b * T * 3 * dm + col + j * dh);
          const go = dO + 4 * (b * T * dm + j * dh);
          K.fns.linearAttentionBackward(
            T,
            dh,
            q,
            k,
            v,
            3 * dm,
            o,
            dm,
            den,
            go,
            at(dQKV, 0),
            at(dQKV, dm),
            at(dQKV, 2 * dm),
            sc.S,
            sc.z,
            sc.R,
            sc.r,
            sc.gn,
            sc.gd,
            causal ? 1 : 0,
          );
        },
        s.DEN,
      );
      // phi's slope from its output: min(phi, 1) (zero at padded keys, where phi(k) was zeroed).
      K.rows(kernelName('actBackward', 'elu1'), N, 2 * dm, s.QKV, 12 * dm, dQKV, 12 * dm);
      const inp = linearBackward(K, N, dm, 3 * dm, dQKV, s.U, w.inW!, dU, accumulate);
      return { inW: inp.dW, inB: inp.db, outW: out.dW, outB: out.db };
    },
    norm: ['n1w', 'n1b'],
  };
}

const denSize = (d: Dims) => d.attn.B * d.attn.heads * d.attn.T;

/** q, k = elu + 1 of their columns (in place); k = 0 at padded positions. */
function featureMap(K: Kernels, d: Dims, QKV: number): void {
  const dm = d.d;
  K.rows(kernelName('act', 'elu1'), d.N, 2 * dm, QKV, 12 * dm, QKV, 12 * dm); // the q and k columns of every row
  if (!d.keep) return;
  const heap = K.heap;
  const keep = d.keep >> 2; // the key mask [B, T] in kernel memory
  for (let row = 0; row < d.N; row++) if (heap[keep + row] === 0) heap.fill(0, (QKV >> 2) + row * 3 * dm + dm, (QKV >> 2) + row * 3 * dm + 2 * dm);
}

interface Scratch {
  S: number;
  z: number;
  R: number;
  r: number;
  gn: number;
  gd: number;
}

/** Calls `fn` with head j of sequence b's q, k, v, o and den addresses (and scratch), for every (b, j). */
function perHead(
  K: Kernels,
  d: Dims,
  QKV: number,
  O: number,
  fn: (q: number, k: number, v: number, o: number, den: number, s: Scratch, b: number, j: number) => void,
  DEN: number,
): void {
  const { B, T, heads, dh } = d.attn;
  const dm = d.d;
  // Independent (sequence, head) pairs: split across the kernel threads, each range with its own scratch.
  K.parallelFor(B * heads, (pair) => {
    const [b, j] = [Math.floor(pair / heads), pair % heads];
    const mark = K.mark();
    const s: Scratch = { S: K.alloc(dh * dh), z: K.alloc(dh), R: K.alloc(dh * dh), r: K.alloc(dh), gn: K.alloc(T * dh), gd: K.alloc(T) };
    const row0 = QKV + 4 * b * T * 3 * dm;
    fn(row0 + 4 * j * dh, row0 + 4 * (dm + j * dh), row0 + 4 * (2 * dm + j * dh), O + 4 * (b * T * dm + j * dh), DEN + 4 * (b * heads + j) * T, s, b, j);
    K.release(mark);
  });
}

/**
 * in_proj 2*N*d*3d + N*3d; phi = elu + 1 on q and k 2*2*N*d; per (position, head): S += k v^T 2*dh^2,
 * z += k dh, den = q.z + eps 2*dh + 1, num = q^T S 2*dh^2, num / den dh (causal or not, the
 * same count: the non-causal sums are accumulated once and read T times); out_proj 2*N*d*d + N*d.
 */
const linearAttention: AttentionKind = {
  extractor: 'linear-attention',
  flops(B, T, o) {
    const [N, d, h] = [B * T, o.dModel, o.heads];
    const dh = d / h;
    return 2 * N * d * 3 * d + N * 3 * d + 4 * N * d + N * h * (4 * dh * dh + 4 * dh + 1) + 2 * N * d * d + N * d;
  },
};

export const linearTransformer = defineExtractor({
  name: 'linear-attention',
  torchPeer: {},
  description: 'Transformer with causal linear attention (Katharopoulos et al. 2020, phi = elu + 1): an RNN with a dh x dh matrix state per head',
  options: linearAttentionOptions as unknown as z.ZodObject,
  width: transformerWidth,
  memory: (options, { batch: B, length: T, inputDim: D }) => {
    // No T^2 term: per layer about N*(14 d + 2 ffDim) for projections, residuals and norms (the
    // Transformer's count), and the denominators B*heads*T; the state is per head, O(dh^2).
    const o = options as LinearAttentionOptions;
    const [d, ff, L, N] = [o.dModel, o.ffDim, o.layers, B * T];
    const forward = [
      {
        floats: N * (2 * d + D) + L * (N * (14 * d + 2 * ff) + B * o.heads * T),
        what: `activations B*T*width*layers = ${B}*${T}*${14 * d + 2 * ff}*${L} floats`,
      },
    ];
    return { forward, train: forward.map((t) => ({ ...t, floats: 2 * t.floats })) };
  },
  // Causal: per layer and head the dh x dh state S and the normaliser z (dh), whatever the length.
  // Not causal, every position's output changes with each new key: a reader keeps S, z and every query.
  state: (options, T) => {
    const o = options as LinearAttentionOptions;
    const dh = o.dModel / o.heads;
    const sz = o.layers * o.heads * (dh * dh + dh);
    if (!o.causal)
      return {
        floats: sz + o.layers * T * o.dModel,
        what: `S, z and the queries: layers*(heads*(dh^2 + dh) + T*dModel) = ${o.layers}*(${o.heads}*(${dh}^2 + ${dh}) + ${T}*${o.dModel}) (not causal)`,
      };
    return { floats: sz, what: `S and z: layers*heads*(dh^2 + dh) = ${o.layers}*${o.heads}*(${dh}^2 + ${dh})` };
  },
  padding: 'masked',
  create: (o: LinearAttentionOptions, ctx) => createEncoder(o as TransformerOptions, ctx, { ...linearAttention, block: linearAttentionBlock(o.causal) }),
});
