/**
 * DeltaNet (Yang et al. 2024) and Gated DeltaNet (Yang, Kautz & Hatamizadeh 2025): an input
 * projection D -> d, then `layers` pre-norm residual blocks x = x + mixer(RMSNorm(x)) and a final
 * RMSNorm, exactly torch_bench.py's SSMStack("deltanet") / SSMStack("gated-deltanet"). The mixer
 * (./deltanetMixer.ts) is a linear-attention layer whose dk x dv matrix state per head is written
 * by the delta rule, S <- a S; S <- S + beta k (v - S^T k)^T; o = S^T q, with a data-dependent
 * decay a in the gated form (a = 1 in plain DeltaNet, which keeps the output gate and gated norm
 * as the peer does).
 *
 * Weights are the peer's `state_dict` names and layouts: `proj.weight` [d, D], `proj.bias`,
 * `layers.{i}.norm.weight` [d], `layers.{i}.mixer.{q_proj, k_proj}.weight` [H dk, d],
 * `v_proj.weight` [H dv, d], `a_proj.weight` [H, d] (gated), `b_proj.weight` [H, d], `A_log`
 * [H] and `dt_bias` [H] (gated), `{q,k}_conv1d.weight` [H dk, 1, K], `v_conv1d.weight`
 * [H dv, 1, K], `g_proj.weight` [H dv, d], `o_norm.weight` [dv], `o_proj.weight` [d, H dv];
 * `norm_f.weight`. dk = headDim or floor(d / heads), dv = floor(dk expandV), as the peer.
 *
 * Initialisation as the peer: nn.Linear / nn.Conv1d defaults (U(+-1/sqrt(fan_in)); the depthwise
 * convolutions' fan_in is K), A_log = log U(0, 16), dt_bias = softplus^-1 of dt drawn
 * log-uniformly from [1e-3, 1e-1] floored at 1e-4, norm weights 1; each weight from its own fork
 * of `ctx.rng`.
 *
 * Forward (and backward, by tfjs's tape) in plain tf ops as the reference recurrence; exact
 * float32 semantics of the peer's float64 answer are checked by the golden fixtures.
 */
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { constantVariable, dataVariable, linear, linearVariables, uniformVariable } from '../common.js';
import { defineExtractor, type Extractor, type ExtractorContext, type MemoryTerm, type RunShape } from '../types.js';
import { type DeltaNetDims, deltanetMixer, deltanetNames, rmsNormTf } from './deltanetMixer.js';

export const deltanetOptions = z
  .object({
    dModel: z.number().int().positive().default(128).describe('model width d (and output width)'),
    layers: z.number().int().positive().default(2).describe('residual blocks'),
    heads: z.number().int().positive().default(4).describe('heads, each with its own dk x dv matrix state'),
    headDim: z.number().int().positive().optional().describe('key features per head dk (unset: dModel / heads)'),
    expandV: z.number().positive().default(1).describe('value features per head dv = floor(dk * expandV)'),
    dConv: z.number().int().positive().default(4).describe('width of the causal depthwise convolutions on q, k, v'),
  })
  .strict();
export type DeltaNetOptions = z.output<typeof deltanetOptions>;

/** The inner sizes the peer derives from the options. */
export function deltanetDims(o: DeltaNetOptions, gated: boolean): DeltaNetDims {
  const dk = o.headDim ?? Math.floor(o.dModel / o.heads);
  return { d: o.dModel, heads: o.heads, dk, dv: Math.floor(dk * o.expandV), dConv: o.dConv, gated };
}

/** Parameters of one mixer. */
function mixerParams(m: DeltaNetDims): number {
  const { d, heads: H, dk, dv, dConv: K } = m;
  // q, k, v, g, o projections; b_proj (and a_proj, A_log, dt_bias); three convolutions; o_norm.
  const gated = m.gated ? H * d + 2 * H : 0;
  return 2 * H * dk * d + H * dv * d + H * dv * d + d * H * dv + H * d + gated + (2 * H * dk + H * dv) * K + dv;
}

/** Parameter count of the whole stack for D input features. */
function stackParams(o: DeltaNetOptions, D: number, gated: boolean): number {
  return D * o.dModel + o.dModel + o.layers * (mixerParams(deltanetDims(o, gated)) + o.dModel) + o.dModel;
}

/**
 * Forward FLOPs per position (the built-ins' convention: a multiply-add = 2, an elementwise op
 * or activation = 1 per element, a reduction = 1 per input element), with C = 2 H dk + H dv
 * convolved channels:
 *   proj        2 D d + d (bias)
 *   per layer:  RMSNorm 4d + 2;  q, k, v projections 2 d C;  convolutions 2 K C - C (K products,
 *               K - 1 sums);  silu 2 C;  l2norm of q and k 2 H (3 dk + 2) (square, sum, + eps,
 *               rsqrt, product);  q scale H dk;  b_proj 2 d H, sigmoid H;  gated: a_proj 2 d H,
 *               + dt_bias, softplus, * -exp(A_log), exp: 4 H
 *               the recurrence per head: (a S: dk dv, gated), S^T k 2 dk dv, v - , * beta 2 dv,
 *               k u^T and + 2 dk dv, S^T q 2 dk dv
 *               output: g_proj 2 d H dv;  rms per head 3 dv + 2, * weight dv, silu(g) 2 dv,
 *               * gate dv;  o_proj 2 H dv d;  residual d
 *   final RMSNorm 4d + 2.
 */
export function deltanetFlopsPerPosition(o: DeltaNetOptions, D: number, gated: boolean): number {
  const { d, heads: H, dk, dv, dConv: K } = deltanetDims(o, gated);
  const C = 2 * H * dk + H * dv;
  const norm = 4 * d + 2;
  const recurrence = H * ((gated ? dk * dv : 0) + 6 * dk * dv + 2 * dv);
  const layer =
    norm +
    2 * d * C +
    (2 * K - 1) * C +
    2 * C +
    2 * H * (3 * dk + 2) +
    H * dk +
    2 * d * H +
    H +
    (gated ? 2 * d * H + 4 * H : 0) +
    recurrence +
    2 * d * H * dv +
    H * (3 * dv + 2) +
    4 * H * dv +
    2 * H * dv * d +
    d;
  return 2 * D * d + d + o.layers * layer + norm;
}

/**
 * Float32 values the plain-tf form holds at its peak (tfjs tensors; tf.profile's peakBytes). Counted op by op
 * per position and layer: the norm 3d, the q/k/v projections, padded convolution (K slices, K products, their
 * sum) and SiLU (2K + 7) C, l2norms 5 H dk, the time-major copies and per-step vectors, the gated output norm
 * 13 H dv, o_proj and the residual 2d; per step the recurrence's k u^T and new S (and a S, gated), 2 (3) H dk dv.
 * tfjs holds about 7 C more per position than that count explains, which the estimate adds: (2K + 14) C.
 * A training step (forward kept under the tape, then the gradients) peaks at about 2.2x the positions' terms,
 * 8 (10, gated) matrix states per step and 8x the input and final-norm terms. Fitted to measured peaks on wasm
 * (B = 8 and 16, T = 32 to 128, heads 1 to 32, 1 and 2 layers); checked on both layers at B = 8, T = 64
 * (default widths), B = 16 with 16 heads, dModel 64 with 1 head, and 1 layer with dConv 2 at T = 96: the estimate
 * 1-8% above the measured peak of each, forward and training.
 */
function memory(o: DeltaNetOptions, { batch: B, length: T, inputDim: D }: RunShape, gated: boolean): { forward: MemoryTerm[]; train: MemoryTerm[] } {
  const { d, heads: H, dk, dv, dConv: K } = deltanetDims(o, gated);
  const C = 2 * H * dk + H * dv;
  const perPosition = (2 * K + 14) * C + 5 * H * dk + 13 * H * dv + 5 * d;
  const S = H * dk * dv;
  const N = B * T;
  const L = o.layers;
  const positions = N * (D + 4 * d + L * perPosition);
  const states = N * L * (gated ? 3 : 2) * S;
  const trainPerPosition = Math.ceil(2.2 * perPosition);
  const trainPositions = N * (8 * (D + 4 * d) + L * trainPerPosition);
  const trainStates = N * L * (gated ? 10 : 8) * S;
  return {
    forward: [
      { floats: positions, what: `activations B*T*(${perPosition} per layer) = ${B}*${T}*${perPosition}*${L} floats` },
      {
        floats: states,
        what: `matrix states B*T*${gated ? 3 : 2}*heads*dk*dv = ${B}*${T}*${(gated ? 3 : 2) * S}*${L} floats (the recurrent form keeps every step's)`,
      },
    ],
    train: [
      { floats: trainPositions, what: `activations and their gradients B*T*(${trainPerPosition} per layer) = ${B}*${T}*${trainPerPosition}*${L} floats` },
      { floats: trainStates, what: `matrix states and their gradients B*T*${gated ? 10 : 8}*heads*dk*dv = ${B}*${T}*${(gated ? 10 : 8) * S}*${L} floats` },
    ],
  };
}

/** Streaming: per layer the matrix state H dk dv and the three convolutions' last K - 1 inputs. */
function state(o: DeltaNetOptions, gated: boolean): MemoryTerm {
  const { heads: H, dk, dv, dConv: K } = deltanetDims(o, gated);
  const C = 2 * H * dk + H * dv;
  return {
    floats: o.layers * (H * dk * dv + (K - 1) * C),
    what: `per layer the matrix state heads*dk*dv = ${H}*${dk}*${dv} plus the conv buffers (d_conv-1)*(2*heads*dk + heads*dv) = ${K - 1}*${C}, x${o.layers} layers`,
  };
}

const DT_MIN = 1e-3;
const DT_MAX = 1e-1;
const DT_FLOOR = 1e-4;

function create(o: DeltaNetOptions, ctx: ExtractorContext, gated: boolean): Extractor {
  const dims = deltanetDims(o, gated);
  const { d, heads: H, dk, dv, dConv: K } = dims;
  if (dk < 1 || dv < 1) throw new Error(`deltanet: dModel ${d} / heads ${H} leaves dk = ${dk}, dv = ${dv}; give headDim or fewer heads`);
  const rng = ctx.rng;
  const variables: Record<string, tf.Variable> = { ...linearVariables(rng.fork('proj'), 'proj', ctx.inputDim, d) };
  const lin = (name: string, out: number, inDim: number) => {
    variables[name] = uniformVariable(rng.fork(name), [out, inDim], 1 / Math.sqrt(inDim), name);
  };
  for (let i = 0; i < o.layers; i++) {
    const p = `layers.${i}.mixer`;
    lin(`${p}.q_proj.weight`, H * dk, d);
    lin(`${p}.k_proj.weight`, H * dk, d);
    lin(`${p}.v_proj.weight`, H * dv, d);
    if (gated) lin(`${p}.a_proj.weight`, H, d);
    lin(`${p}.b_proj.weight`, H, d);
    if (gated) {
      const r = rng.fork(`${p}.A_log`);
      const aLog = new Float32Array(H);
      for (let h = 0; h < H; h++) aLog[h] = Math.log(16 * (1 - r.uniform())); // log U(0, 16], never log 0
      variables[`${p}.A_log`] = dataVariable(aLog, [H], `${p}.A_log`);
      const rb = rng.fork(`${p}.dt_bias`);
      const bias = new Float32Array(H);
      for (let h = 0; h < H; h++) {
        const dt = Math.max(Math.exp(rb.uniform() * (Math.log(DT_MAX) - Math.log(DT_MIN)) + Math.log(DT_MIN)), DT_FLOOR);
        bias[h] = dt + Math.log(-Math.expm1(-dt)); // softplus^-1(dt)
      }
      variables[`${p}.dt_bias`] = dataVariable(bias, [H], `${p}.dt_bias`);
    }
    // nn.Conv1d(C, C, K, groups=C, bias=False): fan_in = K.
    for (const [name, C] of [
      ['q_conv1d', H * dk],
      ['k_conv1d', H * dk],
      ['v_conv1d', H * dv],
    ] as const) {
      const n = `${p}.${name}.weight`;
      variables[n] = uniformVariable(rng.fork(n), [C, 1, K], 1 / Math.sqrt(K), n);
    }
    lin(`${p}.g_proj.weight`, H * dv, d);
    variables[`${p}.o_norm.weight`] = constantVariable([dv], 1, `${p}.o_norm.weight`);
    lin(`${p}.o_proj.weight`, d, H * dv);
    variables[`layers.${i}.norm.weight`] = constantVariable([d], 1, `layers.${i}.norm.weight`);
  }
  variables['norm_f.weight'] = constantVariable([d], 1, 'norm_f.weight');
  const names = deltanetNames(gated);
  const mixers = Array.from({ length: o.layers }, (_, i) => Object.fromEntries(names.map((n) => [n, variables[`layers.${i}.mixer.${n}`] as tf.Tensor])));
  return {
    variables,
    outputDim: d,
    info: { dk, dv },
    apply(x) {
      let h = linear(x, variables['proj.weight'] as tf.Tensor2D, variables['proj.bias'] as tf.Tensor1D) as tf.Tensor3D; // [B, T, d]
      for (let i = 0; i < o.layers; i++) {
        const u = rmsNormTf(h, variables[`layers.${i}.norm.weight`], 1e-5) as tf.Tensor3D;
        h = h.add(deltanetMixer(dims, mixers[i], u)) as tf.Tensor3D;
      }
      return rmsNormTf(h, variables['norm_f.weight'], 1e-5) as tf.Tensor3D;
    },
    flops(B, T) {
      return B * T * deltanetFlopsPerPosition(o, ctx.inputDim, gated);
    },
  };
}

/** What the two definitions share, for the plain (gated false) or gated layer. */
function facts(gated: boolean) {
  return {
    torchPeer: {},
    options: deltanetOptions,
    width: {
      option: 'dModel',
      multipleOf: (o: DeltaNetOptions) => o.heads,
      params: (o: DeltaNetOptions, inputDim: number) => stackParams(o, inputDim, gated),
    },
    forwardFlops: (o: DeltaNetOptions, s: RunShape) => s.batch * s.length * deltanetFlopsPerPosition(o, s.inputDim, gated),
    memory: (o: DeltaNetOptions, s: RunShape) => memory(o, s, gated),
    memoryAdvice: 'lower --batch, the length, heads or layers (the recurrent form keeps the matrix state of every step)',
    state: (o: DeltaNetOptions) => state(o, gated),
    padding: 'reads' as const,
    create: (o: DeltaNetOptions, ctx: ExtractorContext) => create(o, ctx, gated),
  };
}

export const deltanet = defineExtractor({
  name: 'deltanet',
  description:
    'DeltaNet: pre-norm residual blocks of a linear-attention layer whose dk x dv state per head is written by the delta rule S += beta k (v - S^T k)^T, RMSNorm',
  ...facts(false),
});

export const gatedDeltanet = defineExtractor({
  name: 'gated-deltanet',
  description:
    'Gated DeltaNet: DeltaNet with a data-dependent decay a = exp(-exp(A_log) softplus(a_proj x + dt_bias)) of the matrix state before each delta update',
  ...facts(true),
});
