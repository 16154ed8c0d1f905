/**
 * The held-out score binned by per-step meta (`Batch.stepMeta`): per-step tasks whose facts
 * differ from step to step (MQAR: each query's distance to its pair; selective copy: each
 * output's distance to its data token). The per-sample binning in the runner averages whole
 * samples; here each counted step (mask 1) is scored alone, in the task's metric, and binned by
 * its own value, so a bin's `n` counts steps. Pure arithmetic on host arrays.
 */
import type { Batch, MetricName, Task } from '../../../tasks/types.js';

/** Mean score of the counted steps whose meta[key] == value (the results' `byMeta` bin). */
export interface MetaBin {
  value: number;
  n: number;
  score: number;
}

/** One step's score in the task's metric: 1/0 hit (accuracy), negative log-likelihood (cross-entropy), squared error (mse). */
function stepScore(task: Task, pred: Float32Array, k: number, target: number, metric: MetricName): number {
  if (task.output.kind === 'regression') return (pred[k] - target) ** 2;
  const C = task.output.classes;
  const row = pred.subarray(k * C, k * C + C); // logits of step k
  let arg = 0;
  let max = -Infinity;
  for (let c = 0; c < C; c++) if (row[c] > max) [max, arg] = [row[c], c];
  if (metric !== 'cross-entropy') return arg === target ? 1 : 0;
  let z = 0;
  for (let c = 0; c < C; c++) z += Math.exp(row[c] - max);
  return Math.log(z) + max - row[target];
}

/** Accumulates per-step bins over evaluation batches. */
export class StepMetaBins {
  private readonly bins = new Map<string, Map<number, { n: number; sum: number }>>();

  /** Bins the counted steps of one batch; `pred` is the model's output for it (logits [B*T, C] or values [B*T]). */
  add(task: Task, batch: Batch, pred: Float32Array, metric: MetricName): void {
    if (!batch.stepMeta || task.output.per !== 'step') return;
    const N = batch.batchSize * batch.length;
    for (const [key, values] of Object.entries(batch.stepMeta)) {
      const bins = this.bins.get(key) ?? new Map<number, { n: number; sum: number }>();
      this.bins.set(key, bins);
      for (let k = 0; k < N; k++) {
        if ((batch.mask ? batch.mask[k] : 1) === 0 || Number.isNaN(values[k])) continue;
        const bin = bins.get(values[k]) ?? { n: 0, sum: 0 };
        bin.n++;
        bin.sum += stepScore(task, pred, k, batch.targets[k], metric);
        bins.set(values[k], bin);
      }
    }
  }

  /** The bins by key, each sorted by value; keys that never had a counted step are left out. */
  result(): Record<string, MetaBin[]> {
    const out: Record<string, MetaBin[]> = {};
    for (const [key, bins] of this.bins) {
      if (bins.size) out[key] = [...bins.entries()].sort((a, b) => a[0] - b[0]).map(([value, { n, sum }]) => ({ value, n, score: sum / n }));
    }
    return out;
  }
}
