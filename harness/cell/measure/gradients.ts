/**
 * Gradient evidence for the vanishing/exploding-gradient claims:
 * - per-group norms (embedding, each extractor layer or block, head) at logged steps;
 * - the per-position sensitivity profile ||dL/dx_t|| (x = the extractor's input), the view
 *   of vanishing gradients in Pascanu, Mikolov & Bengio 2013, with its log-slope;
 * - flags: `exploding` (a step's norm above 1000x the running median of earlier steps),
 *   `vanishing` (after training, the far end's sensitivity below 1e-6 of the readout's).
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchTensors, Model } from '../model.js';
import { leastSquares } from '../../../stats/index.js';

/** Which group a model variable belongs to: `embedding`, `head`, or the extractor layer/block it sits in. */
export function variableGroup(name: string): string {
  if (!name.startsWith('extractor.')) return name.split('.')[0];
  const rest = name.slice('extractor.'.length);
  const layered = /^(layers|blocks)\.(\d+)\./.exec(rest); // transformer layers, tcn blocks
  if (layered) return `${layered[1]}.${layered[2]}`;
  const recurrent = /_l(\d+)$/.exec(rest); // PyTorch RNN names: weight_hh_l0
  if (recurrent) return `layer.${recurrent[1]}`;
  return rest.split('.')[0]; // e.g. proj, pos_embedding
}

/** Gradient norm per group from a map of gradients keyed by tf variable name. */
export function groupNorms(grads: tf.NamedTensorMap, groupOf: Map<string, string>): Record<string, number> {
  const names = Object.keys(grads);
  const squares = tf.tidy(() => tf.stack(names.map((n) => tf.sum(tf.square(grads[n]))))); // [V]
  const values = squares.dataSync(); // read outside tidy: much faster on WASM
  squares.dispose();
  const sums: Record<string, number> = {};
  names.forEach((n, i) => {
    const g = groupOf.get(n) ?? n;
    sums[g] = (sums[g] ?? 0) + values[i];
  });
  return Object.fromEntries(Object.entries(sums).map(([g, s]) => [g, Math.sqrt(s)]));
}

/**
 * ||dL_b/dx_{b,t}|| averaged over the batch, for t = 0..T-1, where L_b is sample b's loss
 * and x the extractor's input. The harness's loss is a batch mean, so its gradient is
 * scaled back by B to give per-sample sensitivities.
 */
export function sensitivityProfile(model: Model, t: BatchTensors): number[] {
  const { batchSize: B, length: T } = t;
  const x = tf.tidy(() => model.embed(t)); // [B, T, E], a constant: the profile is about the extractor
  const lossOf = (input: tf.Tensor) => model.loss(model.predict(model.extract(input as tf.Tensor3D, t, false), t), t);
  const perPosition = tf.tidy(() => {
    const g = tf.mul(tf.grad(lossOf)(x), B); // [B, T, E]
    return tf.mean(tf.sqrt(tf.sum(tf.square(g), 2)), 0); // [T]
  });
  const profile = Array.from(perPosition.dataSync());
  tf.dispose([x, perPosition]);
  if (profile.length !== T) throw new Error(`sensitivity profile has ${profile.length} positions, expected ${T}`);
  return profile;
}

/** Slope of log10 ||dL/dx_t|| against distance from the readout (T-1-t); zeros (no path) are left out. */
export function profileSlope(profile: number[]): number | null {
  const T = profile.length;
  const xs: number[] = [];
  const ys: number[] = [];
  profile.forEach((v, t) => {
    if (v > 0 && Number.isFinite(v)) {
      xs.push(T - 1 - t);
      ys.push(Math.log10(v));
    }
  });
  if (xs.length < 2) return null;
  return leastSquares(xs, ys).slope;
}

/** Vanishing after training: the far end's sensitivity is below 1e-6 of the readout's. */
export function isVanishing(profile: number[]): boolean {
  const readout = profile[profile.length - 1];
  const far = profile[0];
  return profile.length > 1 && readout > 0 && far / readout < 1e-6;
}

/** Tracks the running median of global norms and flags a step above 1000x it. */
export class ExplosionDetector {
  private readonly sorted: number[] = [];
  /** First step (1-based) whose norm exceeded the threshold. */
  explodingStep: number | undefined;

  constructor(
    private readonly factor = 1000,
    private readonly warmup = 5,
  ) {}

  observe(step: number, norm: number): void {
    const n = this.sorted.length;
    if (this.explodingStep === undefined && n >= this.warmup) {
      const median = n % 2 ? this.sorted[(n - 1) / 2] : (this.sorted[n / 2 - 1] + this.sorted[n / 2]) / 2;
      if (norm > this.factor * median) this.explodingStep = step;
    }
    // Binary insertion keeps the history sorted.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] < norm) lo = mid + 1;
      else hi = mid;
    }
    this.sorted.splice(lo, 0, norm);
  }
}

/**
 * Steps until the training loss, smoothed by a moving average over ~5% of the run, closed
 * 90% of the gap between its first smoothed value and its minimum; null if it never fell.
 */
export function stepsToThreshold(loss: number[], fraction = 0.9): number | null {
  const w = Math.max(1, Math.floor(loss.length / 20));
  const smooth: number[] = [];
  let sum = 0;
  loss.forEach((v, i) => {
    sum += v;
    if (i >= w) sum -= loss[i - w];
    if (i >= w - 1) smooth.push(sum / w);
  });
  if (smooth.length === 0) return null;
  const start = smooth[0];
  const min = Math.min(...smooth);
  if (!(start - min > 0)) return null;
  const target = start - fraction * (start - min);
  const i = smooth.findIndex((v) => v <= target);
  return i + w; // step number (1-based) of the window's last element
}
