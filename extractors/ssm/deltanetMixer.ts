/**
 * The (Gated) DeltaNet mixer in plain tf ops, for ./deltanet.ts: torch_bench.py's `DeltaNetMixer`
 * (fla's `GatedDeltaNet` layout: use_gate, short convolutions without bias, num_v_heads = heads),
 * computed as its reference recurrence `delta_rule_recurrent`. Names after `layers.{i}.mixer.` and
 * layouts are PyTorch's. With H heads of dk key and dv value features, per position of u [B, T, d]:
 *
 *   q, k, v = silu(causal depthwise conv(q_proj / k_proj / v_proj (u)))   [B, T, H, dk | dv]
 *   q, k    = l2norm per head (x / sqrt(sum x^2 + 1e-6)); q scaled by dk^-1/2
 *   beta    = sigmoid(b_proj u)                                          [B, T, H]
 *   a       = exp(-exp(A_log) softplus(a_proj u + dt_bias))  (gated; a = 1 otherwise)
 *   per head, S_0 = 0 [dk, dv]:  S <- a S;  S <- S + beta k (v - S^T k)^T;  o = S^T q
 *   out     = o_proj(rms(o) o_norm.weight silu(g_proj u))   (rms per head over dv, eps 1e-5)
 *
 * Every op here has a correct tfjs 4.22 gradient on wasm and cpu: the depthwise convolution is
 * shifted multiply-adds (tf.conv1d with dilation has no gradient on wasm), and nothing takes a
 * cumulative sum. The loop over time is one small batched product per step and head group
 * ([B*H, 1, dk] x [B*H, dk, dv]); a chunked form on the WebAssembly kernels is later work.
 */
import * as tf from '@tensorflow/tfjs';
import { linear } from '../common.js';

export interface DeltaNetDims {
  /** Model width d. */
  d: number;
  heads: number;
  /** Key (and query) features per head. */
  dk: number;
  /** Value features per head. */
  dv: number;
  /** Width of the causal depthwise convolutions. */
  dConv: number;
  /** Gated DeltaNet (decay a_t from a_proj, A_log, dt_bias) or plain DeltaNet (a = 1). */
  gated: boolean;
}

/** fla's l2norm epsilon and the o_norm epsilon (torch_bench.py's DeltaNetMixer defaults). */
export const L2_EPS = 1e-6;
export const NORM_EPS = 1e-5;

/** The mixer's weight names after `layers.{i}.mixer.`, as the peer's state_dict lists them. */
export function deltanetNames(gated: boolean): string[] {
  return [
    'q_proj.weight',
    'k_proj.weight',
    'v_proj.weight',
    ...(gated ? ['a_proj.weight'] : []),
    'b_proj.weight',
    ...(gated ? ['A_log', 'dt_bias'] : []),
    'q_conv1d.weight',
    'k_conv1d.weight',
    'v_conv1d.weight',
    'g_proj.weight',
    'o_norm.weight',
    'o_proj.weight',
  ];
}

/**
 * Causal depthwise convolution without bias, x [B, T, C], weight [C, 1, K] (nn.Conv1d groups=C,
 * cut to the first T outputs): y_t = sum_j w[:, 0, j] x_{t - (K-1) + j}, as K shifted multiply-adds.
 */
export function causalDepthwise(x: tf.Tensor3D, weight: tf.Tensor): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const K = weight.shape[2]!;
  const w = tf.reshape(weight, [C, K]);
  const xp =
    K > 1
      ? tf.pad(x, [
          [0, 0],
          [K - 1, 0],
          [0, 0],
        ])
      : x;
  const terms: tf.Tensor[] = [];
  for (let j = 0; j < K; j++) terms.push(tf.mul(tf.slice(xp, [0, j, 0], [B, T, C]), tf.reshape(tf.slice(w, [0, j], [C, 1]), [C])));
  return (terms.length === 1 ? terms[0] : tf.addN(terms)) as tf.Tensor3D;
}

/** x / sqrt(sum(x^2) + eps) over the last axis. */
function l2norm(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), -1, true), L2_EPS)));
}

/** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * weight. */
export function rmsNormTf(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), weight);
}

/**
 * The delta rule by its recurrence, S [B*H, dk, dv]; q, k [T, B*H, 1, dk], v [T, B*H, 1, dv],
 * beta and a [T, B*H, 1, 1] (a absent: no decay). Returns o [T, B*H, 1, dv].
 */
function deltaRule(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, beta: tf.Tensor4D, a: tf.Tensor4D | undefined): tf.Tensor {
  const [T, BH, , dk] = q.shape;
  const dv = v.shape[3];
  const qs = tf.unstack(q) as tf.Tensor3D[];
  const ks = tf.unstack(k) as tf.Tensor3D[];
  const vs = tf.unstack(v) as tf.Tensor3D[];
  const bs = tf.unstack(beta) as tf.Tensor3D[];
  const as = a ? (tf.unstack(a) as tf.Tensor3D[]) : undefined;
  let S: tf.Tensor3D = tf.zeros([BH, dk, dv]);
  const outs: tf.Tensor3D[] = [];
  for (let t = 0; t < T; t++) {
    if (as) S = tf.mul(S, as[t]);
    const u = tf.mul(bs[t], tf.sub(vs[t], tf.matMul(ks[t], S))); // beta (v - S^T k), [BH, 1, dv]
    S = tf.add(S, tf.matMul(ks[t], u, true, false)); // + k u^T
    outs.push(tf.matMul(qs[t], S)); // S^T q, [BH, 1, dv]
  }
  return tf.stack(outs);
}

/** [B, T, H, f] (or [B, T, H*f]) -> [T, B*H, 1, f]. */
function timeMajor(x: tf.Tensor, B: number, T: number, H: number, f: number): tf.Tensor4D {
  const y = tf.transpose(tf.reshape(x, [B, T, H, f]), [1, 0, 2, 3]);
  return tf.reshape(y, [T, B * H, 1, f]);
}

/** The mixer on the normed input u [B, T, d] -> [B, T, d]; `w` its weights by name. */
export function deltanetMixer(m: DeltaNetDims, w: Record<string, tf.Tensor>, u: tf.Tensor3D): tf.Tensor3D {
  const [B, T] = u.shape;
  const { heads: H, dk, dv } = m;
  const conv = (p: string) => {
    const x = linear(u, w[`${p}_proj.weight`] as tf.Tensor2D) as tf.Tensor3D;
    const c = causalDepthwise(x, w[`${p}_conv1d.weight`]);
    return tf.mul(c, tf.sigmoid(c)); // silu
  };
  const q = tf.mul(l2norm(tf.reshape(conv('q'), [B, T, H, dk])), dk ** -0.5);
  const k = l2norm(tf.reshape(conv('k'), [B, T, H, dk]));
  const v = conv('v');
  const beta = tf.sigmoid(linear(u, w['b_proj.weight'] as tf.Tensor2D)); // [B, T, H]
  let a: tf.Tensor4D | undefined;
  if (m.gated) {
    const dt = tf.softplus(tf.add(linear(u, w['a_proj.weight'] as tf.Tensor2D), w.dt_bias));
    a = timeMajor(tf.exp(tf.mul(tf.neg(tf.exp(w.A_log)), dt)), B, T, H, 1);
  }
  const o = deltaRule(timeMajor(q, B, T, H, dk), timeMajor(k, B, T, H, dk), timeMajor(v, B, T, H, dv), timeMajor(beta, B, T, H, 1), a); // [T, BH, 1, dv]
  const oh = tf.transpose(tf.reshape(o, [T, B, H, dv]), [1, 0, 2, 3]); // [B, T, H, dv]
  const gate = tf.reshape(linear(u, w['g_proj.weight'] as tf.Tensor2D), [B, T, H, dv]);
  const normed = tf.mul(rmsNormTf(oh, w['o_norm.weight'], NORM_EPS), tf.mul(gate, tf.sigmoid(gate)));
  return linear(tf.reshape(normed, [B, T, H * dv]), w['o_proj.weight'] as tf.Tensor2D) as tf.Tensor3D;
}
