/**
 * The optimiser every extractor trains with: Adam (Kingma & Ba 2015, bias-corrected, the
 * update of PyTorch's torch.optim.Adam and tfjs's tf.train.adam), after clipping the
 * gradients by their global norm.
 *
 * Why not tf.train.adam: it runs about ten tfjs kernels per variable per step, and the
 * clipping and the norm as many again. On WASM each kernel is a dispatch of tens of
 * microseconds, so for a small model the optimiser cost more than the model: measured
 * 6 ms of a 27 ms RNN step (T = 64, batch 32), 14 ms of a Transformer step. Here each
 * gradient is read once (it must be anyway, for the norm), and the update is one SIMD
 * kernel pass per variable (../extractors/kernels/adam.ts) in float32, as tfjs and PyTorch
 * compute it, over moments that stay in the optimiser's own WebAssembly memory between
 * steps: one copy of each weight in and out of tfjs. (A float64 host loop took ~10 ms per
 * Transformer step, 400k weights; the kernel ~1.)
 */
import * as tf from '@tensorflow/tfjs';
import { adamKernel, type AdamKernel } from '../../kernels/emit/adam.js';
import { wasmHeapView } from '../../kernels/runtime/runtime.js';

export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Decoupled weight decay (AdamW): every weight is multiplied by 1 - lr x weightDecay before the Adam update, as torch.optim.AdamW. Default 0. */
  weightDecay?: number;
}

export class Adam {
  private t = 0;
  /** The optimiser's memory: per variable i, moments m and v at byte offsets mAt[i], vAt[i]; then room for one weight and one gradient. */
  private readonly memory: WebAssembly.Memory;
  private readonly kernel: AdamKernel;
  private readonly mAt: number[] = [];
  private readonly vAt: number[] = [];
  private readonly wAt: number;
  private readonly gAt: number;

  constructor(
    private readonly vars: tf.Variable[],
    private readonly cfg: AdamConfig,
  ) {
    let at = 0;
    const take = (n: number) => {
      const a = at;
      at += (4 * n + 15) & ~15;
      return a;
    };
    for (const v of vars) {
      this.mAt.push(take(v.size));
      this.vAt.push(take(v.size));
    }
    const largest = Math.max(0, ...vars.map((v) => v.size));
    this.wAt = take(largest);
    this.gAt = take(largest);
    this.memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(at / 65536)) }); // zeros: m = v = 0
    this.kernel = adamKernel(this.memory);
  }

  /**
   * One update with the gradients `grads[i]` of `vars[i]` (host copies, e.g. `gradData`),
   * each multiplied by `scale` first (clipping), at learning rate `lr` (default: the
   * configured one; a schedule passes `learningRate(...)` of the step).
   */
  step(grads: Float32Array[], scale = 1, lr = this.cfg.lr): void {
    const { beta1, beta2, epsilon } = this.cfg;
    // AdamW: the decay follows the scheduled rate, as PyTorch's (p *= 1 - lr * weight_decay).
    const decay = 1 - lr * (this.cfg.weightDecay ?? 0);
    this.t++;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    const heap = new Float32Array(this.memory.buffer);
    const wasm = tf.getBackend() === 'wasm';
    this.vars.forEach((variable, i) => {
      const g = grads[i];
      const n = variable.size;
      if (g.length !== n) throw new Error(`adam: gradient of ${variable.name} has ${g.length} values for ${n} weights`);
      heap.set(wasmHeapView(variable) ?? (variable.dataSync() as Float32Array), this.wAt >> 2);
      if (decay !== 1) scaleInPlace(heap, this.wAt >> 2, n, decay);
      heap.set(g, this.gAt >> 2);
      this.kernel.adam(n, this.wAt, this.gAt, this.mAt[i], this.vAt[i], scale, lr, beta1, beta2, epsilon, bc1, bc2);
      // tfjs-wasm copies a tensor's values at once, so it may read the view; other backends keep the array.
      const w = heap.subarray(this.wAt >> 2, (this.wAt >> 2) + n);
      const next = tf.tensor(wasm ? w : w.slice(), variable.shape, 'float32');
      variable.assign(next);
      next.dispose();
    });
  }
}

export interface Schedule {
  /** Peak learning rate, reached at the end of warmup. */
  lr: number;
  /** Steps of linear warmup: step s (1-based) of the first `warmup` runs at lr * s / warmup. 0: none. */
  warmup: number;
  /** After warmup: `constant` lr, or `cosine` decay from lr toward 0 over the remaining budget. */
  schedule: 'constant' | 'cosine';
  /** The budget the cosine decays over. */
  steps: number;
}

/**
 * The learning rate of training step `step` (1-based): linear warmup (Goyal et al. 2017;
 * Vaswani et al. 2017 warm up the same way), then constant or cosine decay (Loshchilov &
 * Hutter 2017, without restarts). Constant after warmup keeps a run's trajectory
 * independent of its budget, so a run stopped early is the same run at any budget.
 */
export function learningRate(s: Schedule, step: number): number {
  if (step <= s.warmup) return (s.lr * step) / s.warmup;
  if (s.schedule === 'constant' || s.steps <= s.warmup) return s.lr;
  // Step warmup+1 runs at lr; the decay would reach 0 at step `steps + 1` (as PyTorch's CosineAnnealingLR with T_max = the decay steps).
  const progress = Math.min(1, (step - s.warmup - 1) / (s.steps - s.warmup));
  return 0.5 * s.lr * (1 + Math.cos(Math.PI * progress));
}

/** Host copies of the gradients of `vars`, in their order (a missing gradient is all zeros). */
export function gradData(vars: tf.Variable[], grads: tf.NamedTensorMap): Float32Array[] {
  return vars.map((v) => {
    const g = grads[v.name];
    return g ? (g.dataSync() as Float32Array) : new Float32Array(v.size);
  });
}

/** The global L2 norm of all the gradients (accumulated in float64). */
export function globalNorm(grads: Float32Array[]): number {
  let s = 0;
  for (const g of grads) s += sumSquares(g);
  return Math.sqrt(s);
}

// Top-level functions, not closures: V8 optimises their loops once for the whole run.

function scaleInPlace(a: Float32Array, from: number, n: number, by: number): void {
  for (let i = from; i < from + n; i++) a[i] *= by;
}

function sumSquares(g: Float32Array): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return s;
}
