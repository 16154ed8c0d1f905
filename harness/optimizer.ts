/**
 * The optimiser every extractor trains with: Adam (Kingma & Ba 2015, bias-corrected, the
 * update of PyTorch's torch.optim.Adam and tfjs's tf.train.adam), after clipping the
 * gradients by their global norm.
 *
 * Why not tf.train.adam: it runs about ten tfjs kernels per variable per step, and the
 * clipping and the norm as many again. On WASM each kernel is a dispatch of tens of
 * microseconds, so for a small model the optimiser cost more than the model: measured
 * 6 ms of a 27 ms RNN step (T = 64, batch 32), 14 ms of a Transformer step. Here each
 * gradient is read once (it must be anyway, for the norm), and the update is one host
 * loop per variable over float32 state: one copy of each weight in and out of tfjs.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export class Adam {
  private readonly m: Float32Array[] = [];
  private readonly v: Float32Array[] = [];
  private t = 0;

  constructor(
    private readonly vars: tf.Variable[],
    private readonly cfg: AdamConfig,
  ) {}

  /**
   * One update with the gradients `grads[i]` of `vars[i]` (host copies, e.g. `gradData`),
   * each multiplied by `scale` first (clipping), at learning rate `lr` (default: the
   * configured one; a schedule passes `learningRate(...)` of the step).
   */
  step(grads: Float32Array[], scale = 1, lr = this.cfg.lr): void {
    const { beta1, beta2, epsilon } = this.cfg;
    this.t++;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    this.vars.forEach((variable, i) => {
      const g = grads[i];
      const w = Float32Array.from(variable.dataSync() as Float32Array);
      if (g.length !== w.length) throw new Error(`adam: gradient of ${variable.name} has ${g.length} values for ${w.length} weights`);
      this.m[i] ??= new Float32Array(w.length);
      this.v[i] ??= new Float32Array(w.length);
      adamUpdate(w, g, this.m[i], this.v[i], scale, lr, beta1, beta2, epsilon, bc1, bc2);
      const next = tf.tensor(w, variable.shape, 'float32');
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

function sumSquares(g: Float32Array): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return s;
}

/** In place: m, v the moments, w the weights; the torch/tfjs update w -= lr m^ / (sqrt(v^) + eps). */
function adamUpdate(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, scale: number, lr: number, b1: number, b2: number, eps: number, bc1: number, bc2: number): void {
  for (let i = 0; i < w.length; i++) {
    const gi = g[i] * scale;
    const mi = b1 * m[i] + (1 - b1) * gi;
    const vi = b2 * v[i] + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] -= (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
  }
}
