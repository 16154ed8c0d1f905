/**
 * The kernel table: every kernel the WebAssembly module holds, from the emitters of ../emit/,
 * and the instance's export types derived from it.
 */
import { ssmActivationKernels } from '../emit/activations.js';
import { cellKernels } from '../emit/cells.js';
import { depthwiseConvKernels } from '../emit/depthwiseConv.js';
import { gemmKernels } from '../emit/gemm.js';
import { gemmPackedKernels } from '../emit/gemmPacked.js';
import { elementwiseKernels } from '../emit/elementwise.js';
import { layerNormKernels } from '../emit/layerNorm.js';
import { longConvKernels } from '../emit/longConv.js';
import { rmsNormKernels } from '../emit/rmsNorm.js';
import { selectiveScanKernels } from '../emit/selectiveScan.js';
import { softmaxKernels } from '../emit/softmax.js';
import { activationKernelFns, type ActivationKernelName } from '../emit/pointwise.js';
import { linearAttentionFns } from '../emit/linearAttention.js';
import { scanFns } from '../emit/scan.js';
import type { RowKernel } from '../wasm/rows.js';
import { kernelsOf, type Signatures } from '../wasm/assembler.js';

/**
 * Every kernel of the module, by its export name: the one list that gives both what is
 * assembled and the type of the instance's exports (as tfjs-backend-wasm's
 * register_all_kernels.ts lists its kernel configs). Each kernel's signature is declared
 * next to its emitter.
 */
export const KERNELS = {
  ...gemmKernels,
  ...gemmPackedKernels,
  ...cellKernels,
  ...softmaxKernels,
  ...layerNormKernels,
  ...elementwiseKernels,
  ...ssmActivationKernels,
  ...rmsNormKernels,
  ...depthwiseConvKernels,
  ...selectiveScanKernels,
  ...longConvKernels,
  ...kernelsOf<ScanExports>(scanFns),
  ...kernelsOf<Record<ActivationKernelName, RowKernel>>(activationKernelFns),
  ...kernelsOf<LinearAttentionExports>(linearAttentionFns),
};

export type Exports = Signatures<typeof KERNELS>;

/** Flat kernels of ../emit/elementwise.ts, over n floats at the given byte addresses. */
export interface Elementwise {
  relu(n: number, x: number): void;
  reluBackward(n: number, y: number, dy: number): void;
  addRelu(n: number, a: number, b: number, out: number): void;
  addInto(n: number, a: number, b: number): void;
}

/** ../emit/linearAttention.ts: one head of one sequence; addresses in bytes, strides in floats. */
interface LinearAttentionExports {
  linearAttention(
    T: number,
    dh: number,
    q: number,
    k: number,
    v: number,
    ld: number,
    o: number,
    ldo: number,
    den: number,
    S: number,
    z: number,
    eps: number,
    causal: number,
  ): void;
  linearAttentionBackward(
    T: number,
    dh: number,
    q: number,
    k: number,
    v: number,
    ld: number,
    o: number,
    ldo: number,
    den: number,
    go: number,
    dq: number,
    dk: number,
    dv: number,
    S: number,
    z: number,
    R: number,
    r: number,
    gn: number,
    gd: number,
    causal: number,
  ): void;
}

/** ../emit/scan.ts: `scan_<mode>` and `scanBackward_<mode>`; ../emit/pointwise.ts kernels are row kernels, named by `kernelName`. */
type ScanExports = {
  [M in 'linear' | 'lerp' as `scan_${M}`]: (S: number, T: number, W: number, a: number, b: number, h0: number, h: number, ss: number, ts: number) => void;
} & {
  [M in 'linear' | 'lerp' as `scanBackward_${M}`]: (
    S: number,
    T: number,
    W: number,
    a: number,
    b: number,
    h: number,
    h0: number,
    g: number,
    da: number,
    db: number,
    dh0: number,
    ss: number,
    ts: number,
  ) => void;
};
