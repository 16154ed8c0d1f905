/**
 * S4D (Gu, Gupta, Goel & Re 2022, the diagonal S4 of state-spaces/s4 `models/s4/s4d.py`): an
 * input projection D -> d, then `layers` pre-norm residual blocks x = x + mixer(LayerNorm(x))
 * and a final LayerNorm, exactly torch_bench.py's SSMStack("s4d"). The mixer is S4D: a
 * convolution kernel as long as the sequence generated from diagonal complex parameters
 * (log_dt, C, A = -exp(log_A_real) + i A_imag; N/2 complex modes per channel), the causal
 * convolution, the D skip, GELU, and a GLU output (a 1x1 convolution to 2d, gated).
 *
 * Weights are torch_bench.py's `SSMStack("s4d").state_dict()` names and layouts: `proj`,
 * `layers.{i}.norm.{weight, bias}`, `layers.{i}.mixer.{D [d], kernel.log_dt [d], kernel.C
 * [d, N/2, 2] (real view), kernel.log_A_real [d, N/2], kernel.A_imag [d, N/2],
 * output_linear.0.weight [2d, d, 1], output_linear.0.bias}`, `norm_f.{weight, bias}`.
 *
 * Initialisation as s4d.py: D ~ N(0, 1); log_dt ~ U(log 1e-3, log 1e-1); C complex normal
 * (real and imaginary parts N(0, 1/2), torch.randn(cfloat)); log_A_real = log 0.5; A_imag =
 * pi n; the 1x1 convolution nn.Conv1d's default; LayerNorms 1 and 0. (s4d.py also gives the
 * kernel parameters their own learning rate and no weight decay; fxbench trains every weight
 * with the harness's one optimiser, as every other extractor.)
 *
 * The input projection is a tf op; the blocks run, forward and backward, as one op on the
 * WebAssembly kernels (./ssmStack.ts, ./s4dMixer.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { constantVariable, dataVariable, linear, linearVariables, uniformVariable } from '../common.js';
import { S4D_NAMES, s4dMixer } from './s4dMixer.js';
import { ssmStack, type BlockTensors } from './stack.js';
import { defineExtractor, type Extractor } from '../types.js';

export const s4dOptions = z
  .object({
    dModel: z.number().int().positive().default(128).describe('model width d = channels H (and output width)'),
    layers: z.number().int().positive().default(2).describe('residual blocks'),
    dState: z.number().int().positive().default(64).describe('state size N per channel (N/2 complex modes); even'),
  })
  .strict()
  .refine((o) => o.dState % 2 === 0, { message: 'dState must be even (N/2 complex conjugate pairs), e.g. 64' });
export type S4DOptions = z.output<typeof s4dOptions>;

const DT_MIN = 1e-3;
const DT_MAX = 1e-1;

/** Parameters of one mixer: D d; log_dt d; C d*N (N/2 complex); log_A_real, A_imag d*N/2 each; output_linear 2d*d + 2d. */
function mixerParams(o: S4DOptions): number {
  const d = o.dModel;
  return d + d + d * o.dState + d * o.dState + 2 * d * d + 2 * d;
}

export const s4d = defineExtractor({
  name: 's4d',
  torchPeer: {},
  description: 'S4D: pre-norm residual blocks of a diagonal state-space layer (a length-T convolution kernel from complex diagonal A), GELU, GLU, LayerNorm',
  options: s4dOptions as unknown as z.ZodObject,
  width: {
    option: 'dModel',
    // proj D*d + d; per layer the mixer and its LayerNorm 2d; norm_f 2d.
    params: (options, inputDim) => {
      const o = options as S4DOptions;
      return inputDim * o.dModel + o.dModel + o.layers * (mixerParams(o) + 2 * o.dModel) + 2 * o.dModel;
    },
  },
  memory: (options, { batch: B, length: T, inputDim: D }) => {
    // Kernel memory, counted buffer by buffer (per position; N = B*T): the forward pass keeps
    // every layer's U, v, g, out (d each), o (2d) and norm statistics (2) until it returns,
    // plus the convolution's packed copies (2d, transient) and each layer's kernel (T*d). The
    // backward pass holds every layer's restored copies (6d + 2, g among them) and gradients (6d), and the
    // convolution's packed copies (3d, transient). Measured at B = 32, T = 64 and 256 and
    // B = 8, T = 1024 (default widths): 10-23% above the kernel memory's high-water mark.
    // Add the input and projection on the tfjs side.
    const o = options as S4DOptions;
    const d = o.dModel;
    const Np = B * T;
    const forward = Np * (D + 5 * d + o.layers * (6 * d + 2)) + o.layers * T * d;
    const train = Np * (2 * D + 7 * d + o.layers * (12 * d + 2)) + 2 * o.layers * T * d;
    const what = (k: number) => `activations B*T*(${k} per layer) = ${B}*${T}*${k}*${o.layers} floats`;
    return {
      forward: [{ floats: forward, what: what(6 * d + 2) }],
      train: [{ floats: train, what: what(12 * d + 2) }],
    };
  },
  // In recurrent form each channel carries N/2 complex states, N floats: H*N per layer.
  state: (options) => {
    const o = options as S4DOptions;
    return {
      floats: o.layers * o.dModel * o.dState,
      what: `per layer H*N = ${o.dModel}*${o.dState} (N/2 complex states per channel, recurrent form), x${o.layers} layers`,
    };
  },
  padding: 'reads',
  create(options, ctx): Extractor {
    const o = options as S4DOptions;
    const d = o.dModel;
    const M = o.dState / 2;
    const rng = ctx.rng;
    const variables: Record<string, tf.Variable> = { ...linearVariables(rng, 'proj', ctx.inputDim, d) };
    const fill = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
    for (let i = 0; i < o.layers; i++) {
      const p = `layers.${i}.mixer`;
      variables[`${p}.D`] = dataVariable(
        fill(d, () => rng.normal()),
        [d],
        `${p}.D`,
      );
      variables[`${p}.kernel.log_dt`] = dataVariable(
        fill(d, () => rng.uniform() * (Math.log(DT_MAX) - Math.log(DT_MIN)) + Math.log(DT_MIN)),
        [d],
        `${p}.kernel.log_dt`,
      );
      variables[`${p}.kernel.C`] = dataVariable(
        fill(d * M * 2, () => rng.normal() * Math.SQRT1_2),
        [d, M, 2],
        `${p}.kernel.C`,
      );
      variables[`${p}.kernel.log_A_real`] = dataVariable(
        fill(d * M, () => Math.log(0.5)),
        [d, M],
        `${p}.kernel.log_A_real`,
      );
      variables[`${p}.kernel.A_imag`] = dataVariable(
        fill(d * M, (j) => Math.PI * (j % M)),
        [d, M],
        `${p}.kernel.A_imag`,
      );
      // nn.Conv1d(d, 2d, 1): fan_in = d, weight and bias U(+-1/sqrt(d)).
      variables[`${p}.output_linear.0.weight`] = uniformVariable(rng, [2 * d, d, 1], 1 / Math.sqrt(d), `${p}.output_linear.0.weight`);
      variables[`${p}.output_linear.0.bias`] = uniformVariable(rng, [2 * d], 1 / Math.sqrt(d), `${p}.output_linear.0.bias`);
      variables[`layers.${i}.norm.weight`] = constantVariable([d], 1, `layers.${i}.norm.weight`);
      variables[`layers.${i}.norm.bias`] = constantVariable([d], 0, `layers.${i}.norm.bias`);
    }
    variables['norm_f.weight'] = constantVariable([d], 1, 'norm_f.weight');
    variables['norm_f.bias'] = constantVariable([d], 0, 'norm_f.bias');
    const v = (name: string) => variables[name] as tf.Tensor;
    const blocks: BlockTensors[] = Array.from({ length: o.layers }, (_, i) => ({
      norm: [v(`layers.${i}.norm.weight`), v(`layers.${i}.norm.bias`)],
      mixer: S4D_NAMES.map((n) => v(`layers.${i}.mixer.${n}`)),
    }));
    const mixer = s4dMixer();
    return {
      variables,
      outputDim: d,
      apply(x) {
        const h = linear(x, v('proj.weight') as tf.Tensor2D, v('proj.bias') as tf.Tensor1D) as tf.Tensor3D; // [B, T, d]
        return ssmStack(h, blocks, [v('norm_f.weight'), v('norm_f.bias')], mixer, 'layer'); // [B, T, d]
      },
      flops(B, T) {
        return s4dFlops(o, ctx.inputDim, B, T);
      },
    };
  },
});

/**
 * Forward FLOPs (the convention of the built-ins: a multiply-add = 2, an elementwise op or
 * activation = 1 per element, a reduction = 1 per input element), N = B*T positions:
 *   proj        2 N D d + N d (bias)
 *   per layer:  LayerNorm 8 N d + 2 N (as the Transformer's)
 *               convolution 2 * B d T(T+1)/2 (lags 0..t at step t; D rides on lag 0)
 *               gelu N d;  output linear 2 N d 2d + 2 N d (bias);  GLU 2 N d (sigmoid, mul);  residual N d
 *   final LayerNorm 8 N d + 2 N.
 * The kernel's generation from its parameters (d N/2 T complex multiply-adds) does not grow
 * with the batch and is not counted.
 */
export function s4dFlops(o: S4DOptions, D: number, B: number, T: number): number {
  const d = o.dModel;
  const N = B * T;
  const norm = 8 * N * d + 2 * N;
  const layer = norm + B * d * T * (T + 1) + N * d + 4 * N * d * d + 2 * N * d + 2 * N * d + N * d;
  return 2 * N * D * d + N * d + o.layers * layer + norm;
}
