/**
 * S4D's mixer (state-spaces/s4 `models/s4/s4d.py` `S4D`, torch_bench.py's `S4DMixer`) forward
 * and backward on kernel memory, for ./ssmStack.ts. Names after `layers.{i}.mixer.` and
 * layouts are PyTorch's. Per position (rows b*T + t), H = d channels:
 *
 *   K   = the SSM kernel [T, H] from kernel.{log_dt, C, log_A_real, A_imag} (./s4dKernel.ts, float64 on the host)
 *   v   = causal conv(U, K) + D U                  [N, H]   (D folded into the kernel's lag 0)
 *   g   = gelu(v)                                  [N, H]
 *   o   = g output_linear.0.weight^T + bias        [N, 2H]  (the 1x1 Conv1d [2H, H, 1])
 *   out = o[:, :H] sigmoid(o[:, H:])               [N, H]   (nn.GLU(dim=-2) on [B, 2H, T])
 *
 * The convolution is direct (./kernels/longConv.ts), O(T^2) per channel, where PyTorch's
 * reference uses an FFT, chosen by measurement: per multiply-add it is as cheap as the packed
 * GEMM (callgrind: 4.1 instructions per 4-lane multiply-add against the GEMM's 3.7), and its
 * share of a training step at the default widths (CPU profile, 2026-12-01) is ~5% at
 * T = 64, 16% at T = 256 and 31% at T = 1024 (B = 8), plus 2.5-3.5% for packing its layout.
 * So an FFT, itself not free, could save at most those shares: nothing worth its complexity
 * at the standard lengths, a real gain only from T ~ 1024 on (not implemented). Kept for the backward pass: v, g, o and the kernel.
 */
import { longConvRows, longConvRowsBackward } from '../../kernels/ops/longConv.js';
import type { Kernels } from '../../kernels/runtime/runtime.js';
import { s4dKernel, s4dKernelBackward, type S4DKernelParams } from './s4dKernel.js';
import { linearRows, linearRowsBackward, type HostWeights, type Mixer, type StackDims } from './stack.js';

export const S4D_NAMES = ['D', 'kernel.log_dt', 'kernel.C', 'kernel.log_A_real', 'kernel.A_imag', 'output_linear.0.weight', 'output_linear.0.bias'] as const;

function kernelParams(w: HostWeights, H: number): S4DKernelParams {
  return { H, M: w['kernel.A_imag'].length / H, logDt: w['kernel.log_dt'], C: w['kernel.C'], logAReal: w['kernel.log_A_real'], AImag: w['kernel.A_imag'] };
}

export function s4dMixer(): Mixer {
  return {
    names: S4D_NAMES,
    forward(K: Kernels, d: StackDims, w, U, keep) {
      const { B, T, N, d: H } = d;
      const k64 = s4dKernel(kernelParams(w, H), T); // [T, H]
      const kt = K.alloc(T * H);
      const heap = K.heap;
      for (let i = 0; i < T * H; i++) heap[(kt >> 2) + i] = k64[i];
      for (let h = 0; h < H; h++) heap[(kt >> 2) + h] += w.D[h]; // y + D u: D is lag 0's extra weight
      const v = K.alloc(N * H);
      longConvRows(K, B, T, H, kt, U, v);
      const g = K.alloc(N * H);
      K.rows('gelu', 1, N * H, v, 0, g, 0);
      const o = K.alloc(N * 2 * H);
      linearRows(K, N, H, 2 * H, g, H, w['output_linear.0.weight'], w['output_linear.0.bias'], o, 2 * H);
      const out = K.alloc(N * H);
      K.rows('glu', N, H, o, 8 * H, out, 4 * H);
      keep('kt', kt, T * H);
      keep('v', v, N * H);
      keep('g', g, N * H); // copied out and back: cheaper than GELU's erf again
      keep('o', o, N * 2 * H);
      return out;
    },

    backward(K: Kernels, d: StackDims, w, s, dOut, dU) {
      const { B, T, N, d: H } = d;
      const dO = K.alloc(N * 2 * H);
      K.rows('gluBackward', N, H, s.o, 8 * H, dOut, 4 * H, dO, 8 * H);
      const dG = K.alloc(N * H);
      const lin = linearRowsBackward(K, N, H, 2 * H, dO, 2 * H, s.g, H, w['output_linear.0.weight'], dG, H, false, true);
      K.rows('geluBackward', 1, N * H, s.v, 0, dG, 0, dG, 0); // in place: dG becomes dv
      const dk = K.zeros(T * H);
      longConvRowsBackward(K, B, T, H, s.kt, s.U, dG, dU, dk);
      const dK = K.read(dk, T * H);
      const gk = s4dKernelBackward(kernelParams(w, H), T, dK);
      return {
        D: dK.slice(0, H), // lag 0 of the kernel gradient
        'kernel.log_dt': gk.logDt,
        'kernel.C': gk.C,
        'kernel.log_A_real': gk.logAReal,
        'kernel.A_imag': gk.AImag,
        'output_linear.0.weight': lin.dW,
        'output_linear.0.bias': lin.db!,
      };
    },
  };
}
