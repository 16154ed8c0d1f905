/**
 * Mamba (Gu & Dao 2023): an input projection D -> d, then `layers` pre-norm residual blocks
 * x = x + mixer(RMSNorm(x)) and a final RMSNorm, exactly torch_bench.py's SSMStack("mamba")
 * (mamba_ssm's MixerModel without the embedding). The mixer is the selective SSM block:
 * in_proj to (x, z), a causal depthwise convolution and SiLU on x, input-dependent dt, B and
 * C from x_proj (dt through a rank-R dt_proj and softplus), A = -exp(A_log), the scan
 * h_t = exp(dt A) h_{t-1} + dt B x, y = C h + D x, gated by SiLU(z), then out_proj.
 *
 * Weights are torch_bench.py's `SSMStack("mamba").state_dict()` names and layouts: `proj`,
 * `layers.{i}.norm.weight`, `layers.{i}.mixer.{in_proj.weight [2di, d], conv1d.weight
 * [di, 1, k], conv1d.bias, x_proj.weight [R + 2N, di], dt_proj.weight [di, R], dt_proj.bias,
 * A_log [di, N], D [di], out_proj.weight [d, di]}`, `norm_f.weight`; di = expand d and
 * R = ceil(d / 16) (mamba_ssm's dt_rank "auto", as the peer).
 *
 * Initialisation as mamba_ssm: nn.Linear / nn.Conv1d defaults; dt_proj.weight U(+-R^-1/2);
 * dt_proj.bias the inverse softplus of dt = exp(U(log 1e-3, log 1e-1)) floored at 1e-4;
 * A_log = log(1 .. N) in every channel; D = 1; RMSNorm weights 1; and, as MixerModel's
 * `_init_weights` (rescale_prenorm_residual), out_proj.weight divided by sqrt(layers).
 *
 * The input projection is a tf op; the blocks run, forward and backward, as one op on the
 * WebAssembly kernels (./ssmStack.ts, ./mambaMixer.ts, the scan in ./kernels/selectiveScan.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { constantVariable, dataVariable, linear, linearVariables, uniformVariable } from '../common.js';
import { MAMBA_NAMES, mambaMixer, type MambaDims } from './mambaMixer.js';
import { ssmStack, type BlockTensors } from './stack.js';
import { defineExtractor, type Extractor } from '../types.js';

export const mambaOptions = z
  .object({
    dModel: z.number().int().positive().default(128).describe('model width d (and output width)'),
    layers: z.number().int().positive().default(2).describe('residual blocks'),
    dState: z.number().int().positive().default(16).describe('SSM state size N per channel'),
    dConv: z.number().int().positive().default(4).describe('width of the causal depthwise convolution'),
    expand: z.number().int().positive().default(2).describe('inner channels per model channel (d_inner = expand * dModel)'),
  })
  .strict();
export type MambaOptions = z.output<typeof mambaOptions>;

/** The inner sizes mamba_ssm derives from the options (dt_rank "auto" = ceil(d / 16)). */
export function mambaDims(o: MambaOptions): MambaDims {
  return { dInner: o.expand * o.dModel, dtRank: Math.ceil(o.dModel / 16), dState: o.dState, dConv: o.dConv };
}

/** Parameters of one mixer. */
function mixerParams(o: MambaOptions): number {
  const { dInner: di, dtRank: R, dState: N, dConv: k } = mambaDims(o);
  // in_proj 2di*d; conv1d di*k + di; x_proj (R+2N)*di; dt_proj di*R + di; A_log di*N; D di; out_proj d*di
  return 2 * di * o.dModel + di * k + di + (R + 2 * N) * di + di * R + di + di * N + di + o.dModel * di;
}

const DT_MIN = 1e-3;
const DT_MAX = 1e-1;
const DT_FLOOR = 1e-4;

export const mamba = defineExtractor({
  name: 'mamba',
  torchPeer: {},
  description: 'Mamba: pre-norm residual blocks of the selective state-space model (input-dependent dt, B, C; a scan over time), RMSNorm',
  options: mambaOptions,
  width: {
    option: 'dModel',
    // proj D*d + d; per layer the mixer and its RMSNorm weight d; norm_f d.
    params: (o, inputDim) => inputDim * o.dModel + o.dModel + o.layers * (mixerParams(o) + o.dModel) + o.dModel,
  },
  memory: (o, { batch: B, length: T, inputDim: D }) => {
    // Kernel memory, counted buffer by buffer (per position; N = B*T): the forward pass keeps
    // every layer's buffers until it returns: U, out (d each), rstd, xz (2di), c, u, dtp, dt,
    // y, g (di each), xd (R + 2N), i.e. 2d + 8di + R + 2N + 1 per layer. The backward pass
    // holds every layer's restored copies (2d + 5di + R + 2N + 1) and gradients (2d + 9di +
    // R + 2N) at once. The scan's own scratch is O(T N), nothing of size T*di*N. Measured at
    // B = 32, T = 256 and B = 8, T = 1024 (default widths): the estimate 2-3% above the
    // kernel memory's high-water mark. Add the input and projection on the tfjs side.
    const { dInner: di, dtRank: R, dState: N } = mambaDims(o);
    const d = o.dModel;
    const Np = B * T;
    const forward = Np * (D + 3 * d + o.layers * (2 * d + 8 * di + R + 2 * N + 1));
    const train = Np * (2 * D + 5 * d + o.layers * (4 * d + 14 * di + 2 * (R + 2 * N) + 1));
    const what = (k: number) => `activations B*T*(${k} per layer) = ${B}*${T}*${k}*${o.layers} floats`;
    return {
      forward: [{ floats: forward, what: what(2 * d + 8 * di + R + 2 * N + 1) }],
      train: [{ floats: train, what: what(4 * d + 14 * di + 2 * (R + 2 * N) + 1) }],
    };
  },
  // Streaming, each layer carries its SSM state h (di x N) and the convolution's last k - 1 inputs (di each).
  state: (o) => {
    const { dInner: di, dState: N, dConv: k } = mambaDims(o);
    return {
      floats: o.layers * di * (N + k - 1),
      what: `per layer the SSM state d_inner*d_state = ${di}*${N} plus the conv buffer d_inner*(d_conv-1) = ${di}*${k - 1}, x${o.layers} layers`,
    };
  },
  padding: 'reads',
  create(o, ctx): Extractor {
    const d = o.dModel;
    const dims = mambaDims(o);
    const { dInner: di, dtRank: R, dState: N, dConv: k } = dims;
    const rng = ctx.rng;
    const variables: Record<string, tf.Variable> = { ...linearVariables(rng, 'proj', ctx.inputDim, d) };
    for (let i = 0; i < o.layers; i++) {
      const p = `layers.${i}.mixer`;
      const aLog = new Float32Array(di * N);
      for (let c = 0; c < di; c++) for (let n = 0; n < N; n++) aLog[c * N + n] = Math.log(n + 1);
      variables[`${p}.A_log`] = dataVariable(aLog, [di, N], `${p}.A_log`);
      variables[`${p}.D`] = constantVariable([di], 1, `${p}.D`);
      variables[`${p}.in_proj.weight`] = uniformVariable(rng, [2 * di, d], 1 / Math.sqrt(d), `${p}.in_proj.weight`);
      // nn.Conv1d(di, di, k, groups=di): fan_in = k, weight and bias U(+-1/sqrt(k)).
      variables[`${p}.conv1d.weight`] = uniformVariable(rng, [di, 1, k], 1 / Math.sqrt(k), `${p}.conv1d.weight`);
      variables[`${p}.conv1d.bias`] = uniformVariable(rng, [di], 1 / Math.sqrt(k), `${p}.conv1d.bias`);
      variables[`${p}.x_proj.weight`] = uniformVariable(rng, [R + 2 * N, di], 1 / Math.sqrt(di), `${p}.x_proj.weight`);
      variables[`${p}.dt_proj.weight`] = uniformVariable(rng, [di, R], 1 / Math.sqrt(R), `${p}.dt_proj.weight`);
      const bias = new Float32Array(di);
      for (let c = 0; c < di; c++) {
        const dt = Math.max(Math.exp(rng.uniform() * (Math.log(DT_MAX) - Math.log(DT_MIN)) + Math.log(DT_MIN)), DT_FLOOR);
        bias[c] = dt + Math.log(-Math.expm1(-dt)); // softplus^-1(dt)
      }
      variables[`${p}.dt_proj.bias`] = dataVariable(bias, [di], `${p}.dt_proj.bias`);
      variables[`${p}.out_proj.weight`] = uniformVariable(rng, [d, di], 1 / Math.sqrt(di) / Math.sqrt(o.layers), `${p}.out_proj.weight`);
      variables[`layers.${i}.norm.weight`] = constantVariable([d], 1, `layers.${i}.norm.weight`);
    }
    variables['norm_f.weight'] = constantVariable([d], 1, 'norm_f.weight');
    const v = (name: string) => variables[name] as tf.Tensor;
    const blocks: BlockTensors[] = Array.from({ length: o.layers }, (_, i) => ({
      norm: [v(`layers.${i}.norm.weight`)],
      mixer: MAMBA_NAMES.map((n) => v(`layers.${i}.mixer.${n}`)),
    }));
    const mixer = mambaMixer(dims);
    return {
      variables,
      outputDim: d,
      info: { dInner: di, dtRank: R },
      apply(x) {
        const h = linear(x, v('proj.weight') as tf.Tensor2D, v('proj.bias') as tf.Tensor1D) as tf.Tensor3D; // [B, T, d]
        return ssmStack(h, blocks, [v('norm_f.weight')], mixer, 'rms'); // [B, T, d]
      },
      flops(B, T) {
        return B * T * mambaFlopsPerPosition(o, ctx.inputDim);
      },
    };
  },
});

/**
 * Forward FLOPs per position (the convention of the built-ins: a multiply-add = 2, an
 * elementwise op or activation = 1 per element, a reduction = 1 per input element):
 *   proj        2 D d + d (bias)
 *   per layer:  RMSNorm 4d + 2 (square, mean, x r, * w per element; + eps, rsqrt per position)
 *               in_proj 2 d 2di;  conv 2 k di + di (bias);  silu 2 di (sigmoid, mul)
 *               x_proj 2 di (R + 2N);  dt_proj 2 R di + di (bias);  softplus di
 *               scan per channel and state: dt A, exp, * h, (dt u) B, +, C h, sum = 7 N;
 *               per channel dt u, D u, + = 3   ->  di (7N + 3)
 *               gate silu(z) 2 di + * y di;  out_proj 2 di d;  residual d
 *   final RMSNorm 4d + 2.
 * Per-call work on the weights alone (A = -exp(A_log), transposes) does not grow with B or T
 * and is not counted.
 */
export function mambaFlopsPerPosition(o: MambaOptions, D: number): number {
  const d = o.dModel;
  const { dInner: di, dtRank: R, dState: N, dConv: k } = mambaDims(o);
  const norm = 4 * d + 2;
  const layer = norm + 2 * d * 2 * di + 2 * k * di + di + 2 * di + 2 * di * (R + 2 * N) + 2 * R * di + di + di + di * (7 * N + 3) + 3 * di + 2 * di * d + d;
  return 2 * D * d + d + o.layers * layer + norm;
}
