/**
 * Stage 4 (evaluate): a predictor scored on samples in the task's metric, beside the
 * constant predictor fit to training data (its majority class, or its mean target), on
 * the same samples: the empirical chance the score is measured from. Pure host code: the
 * model enters as a `Predictor`.
 */
import type { Rng } from '../../core/rng.js';
import { StepMetaBins } from './measure/stepMeta.js';
import type { Batch, MetricName, Task } from '../../tasks/types.js';

export interface Evaluated {
  value: number;
  /** The constant predictor's value on the same samples: the empirical chance. */
  chance: number;
  loss: number;
  accuracy?: number;
  samples: number;
  byMeta: Record<string, { value: number; n: number; score: number }[]>;
}

/**
 * The constant predictor fit to training data, the baseline the score is measured from:
 * class tasks predict the training class frequencies (Laplace-smoothed, so the argmax is
 * the majority class and the cross-entropy finite), regression tasks the mean target.
 */
export type Constant = { kind: 'classes'; logProbs: Float32Array } | { kind: 'regression'; mean: number };

/** `n` samples of a stream as batches of `B` (the last one smaller when B does not divide n). */
/** A fixed length, or a draw per batch (a length range: ../suite/lengthRange.ts). */
export type Lengths = number | (() => number);
const lengthOf = (l: Lengths) => (typeof l === 'number' ? l : l());

export function* drawBatches(task: Task, rng: Rng, n: number, B: number, length: Lengths): Generator<Batch> {
  for (let done = 0; done < n; done += B) yield task.sample(rng, Math.min(B, n - done), lengthOf(length));
}

/** Fit the constant predictor to the first ceil(n / B) batches of the training stream. */
export function fitConstant(task: Task, trainRng: Rng, n: number, B: number, length: Lengths): Constant {
  const out = task.output;
  const counts = out.kind === 'classes' ? new Float64Array(out.classes) : undefined;
  let sum = 0;
  let count = 0;
  for (let done = 0; done < n; done += B) {
    const batch = task.sample(trainRng, B, lengthOf(length)); // the same batches training starts with
    batch.targets.forEach((y, k) => {
      const w = batch.mask ? batch.mask[k] : 1;
      if (counts) counts[y] += w;
      else sum += w * y;
      count += w;
    });
  }
  if (!counts) return { kind: 'regression', mean: count ? sum / count : 0 };
  const total = counts.reduce((a, b) => a + b, 0);
  return { kind: 'classes', logProbs: Float32Array.from(counts, (c) => Math.log((c + 1) / (total + counts.length))) };
}

/** The constant predictor's output for a batch, shaped as the model's: logits [N, C] or values [N]. */
export function constantPrediction(task: Task, batch: Batch, c: Constant): Float32Array {
  const N = batch.batchSize * (task.output.per === 'step' ? batch.length : 1);
  if (c.kind === 'regression') return new Float32Array(N).fill(c.mean);
  const C = c.logProbs.length;
  const pred = new Float32Array(N * C);
  for (let i = 0; i < N; i++) pred.set(c.logProbs, i * C);
  return pred;
}

/** A model as evaluation sees it: a batch in, its predictions (logits [N, C] or values [N], flat) and mean loss out. */
export type Predictor = (batch: Batch) => { pred: Float32Array; loss: number };

/**
 * Stage 4: per-sample scores in the task's metric, so they can be averaged overall and
 * binned by meta; the constant predictor is scored on the same samples (the empirical chance).
 */
export function evaluate(predict: Predictor, task: Task, batches: Iterable<Batch>, constant: Constant): Evaluated {
  let metric: string | undefined;
  const model_ = new Scores();
  const base = new Scores();
  const metas: Batch['meta'] = [];
  const steps = new StepMetaBins(); // per-step meta (Batch.stepMeta): its bins count steps
  let lossSum = 0;
  let n = 0;
  for (const batch of batches) {
    metric ??= task.chance(batch.length).metric;
    const { pred, loss } = predict(batch);
    lossSum += loss * batch.batchSize;
    n += batch.batchSize;
    scoreBatch(task, batch, pred, metric, model_);
    steps.add(task, batch, pred, metric as MetricName);
    scoreBatch(task, batch, constantPrediction(task, batch, constant), metric, base);
    metas.push(...batch.meta);
  }
  const byMeta: Evaluated['byMeta'] = {};
  const keys = new Set(metas.flatMap((m) => Object.keys(m)));
  for (const key of keys) {
    const bins = new Map<number, { n: number; sum: number }>();
    metas.forEach((m, i) => {
      if (m[key] === undefined) return;
      const bin = bins.get(m[key]) ?? { n: 0, sum: 0 };
      bin.n++;
      bin.sum += model_.scores[i];
      bins.set(m[key], bin);
    });
    byMeta[key] = [...bins.entries()].sort((a, b) => a[0] - b[0]).map(([value, { n, sum }]) => ({ value, n, score: sum / n }));
  }
  Object.assign(byMeta, steps.result());
  if (!metric) throw new Error('evaluate: no samples');
  return {
    value: model_.value(metric),
    chance: base.value(metric),
    loss: lossSum / n,
    accuracy: model_.correct.length ? mean(model_.correct) : undefined,
    samples: n,
    byMeta,
  };
}

/** Per-sample results of one predictor: its score in the metric, accuracy (class tasks) and counted steps. */
export class Scores {
  readonly scores: number[] = [];
  readonly correct: number[] = [];
  readonly weights: number[] = [];
  /** Accuracy and MSE: the mean over samples; cross-entropy: the mean over counted steps of all samples. */
  value(metric: string): number {
    if (metric !== 'cross-entropy') return mean(this.scores);
    let s = 0;
    let w = 0;
    this.scores.forEach((x, i) => {
      s += x * this.weights[i];
      w += this.weights[i];
    });
    return w ? s / w : NaN;
  }
}

export function scoreBatch(task: Task, batch: Batch, pred: Float32Array, metric: string, out: Scores): void {
  const { batchSize: B, length: T } = batch;
  if (task.output.kind === 'regression') {
    const per = task.output.per === 'step' ? T : 1;
    for (let i = 0; i < B; i++) {
      let se = 0;
      let n = 0;
      for (let s = 0; s < per; s++) {
        const k = i * per + s;
        const w = batch.mask ? batch.mask[k] : 1;
        se += w * (pred[k] - batch.targets[k]) ** 2;
        n += w;
      }
      out.scores.push(se / Math.max(n, 1));
      out.weights.push(n);
    }
    return;
  }
  const C = task.output.classes;
  const per = task.output.per === 'step' ? T : 1;
  for (let i = 0; i < B; i++) {
    let hits = 0;
    let nll = 0;
    let n = 0;
    for (let s = 0; s < per; s++) {
      const k = i * per + s;
      const w = batch.mask ? batch.mask[k] : 1;
      if (w === 0) continue;
      const row = pred.subarray(k * C, k * C + C);
      let arg = 0;
      let max = -Infinity;
      for (let c = 0; c < C; c++) if (row[c] > max) [max, arg] = [row[c], c];
      let z = 0;
      for (let c = 0; c < C; c++) z += Math.exp(row[c] - max);
      const target = batch.targets[k];
      hits += w * (arg === target ? 1 : 0);
      nll += w * (Math.log(z) + max - row[target]);
      n += w;
    }
    const acc = hits / Math.max(n, 1);
    out.correct.push(acc);
    out.scores.push(metric === 'cross-entropy' ? nll / Math.max(n, 1) : acc);
    out.weights.push(n);
  }
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/**
 * The evaluations at several lengths as one: the unweighted mean over lengths of the value,
 * the empirical chance, the loss and the accuracy (the length-generalisation score of
 * Delétang et al.: each length counts once), samples summed, and each meta bin pooled
 * over lengths by its sample count.
 */
export function meanOverLengths(es: readonly Evaluated[]): Evaluated {
  const avg = (f: (e: Evaluated) => number) => es.reduce((a, e) => a + f(e), 0) / es.length;
  const byMeta: Evaluated['byMeta'] = {};
  for (const e of es)
    for (const [key, bins] of Object.entries(e.byMeta)) {
      const pooled = new Map((byMeta[key] ?? []).map((b) => [b.value, { ...b }]));
      for (const b of bins) {
        const p = pooled.get(b.value);
        if (!p) pooled.set(b.value, { ...b });
        else {
          p.score = (p.score * p.n + b.score * b.n) / (p.n + b.n);
          p.n += b.n;
        }
      }
      byMeta[key] = [...pooled.values()].sort((a, b) => a.value - b.value);
    }
  const accuracies = es.flatMap((e) => (e.accuracy === undefined ? [] : [e.accuracy]));
  return {
    value: avg((e) => e.value),
    chance: avg((e) => e.chance),
    loss: avg((e) => e.loss),
    ...(accuracies.length === es.length ? { accuracy: avg((e) => e.accuracy!) } : {}),
    samples: es.reduce((a, e) => a + e.samples, 0),
    byMeta,
  };
}
