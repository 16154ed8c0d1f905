/**
 * Per-step meta: the held-out score of single steps binned by `Batch.stepMeta`, by hand on a
 * crafted batch (every metric), and through a real cell on mqar, whose `byMeta.distance` must
 * count every query of the evaluation batches once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../kernels/backend.js';
import { StepMetaBins } from '../../../../harness/cell/measure/stepMeta.js';
import { resultSchema } from '../../../../harness/store/results.js';
import { runCell } from '../../../../harness/cell/runCell.js';
import { expandSuite, parseSuite } from '../../../../harness/suite/suite.js';
import type { Batch, Task } from '../../../../tasks/types.js';

const classTask = { output: { kind: 'classes', classes: 3, labels: ['a', 'b', 'c'], per: 'step' } } as unknown as Task;
const regressionTask = { output: { kind: 'regression', per: 'step' } } as unknown as Task;

/** B = 2, T = 3: counted steps 0, 2 (sample 0) and 1, 2 (sample 1); distances 5, 7, 5, NaN. */
function batch(targets: Int32Array | Float32Array): Batch {
  return {
    batchSize: 2,
    length: 3,
    inputs: new Int32Array(6),
    targets,
    mask: Float32Array.from([1, 0, 1, 0, 1, 1]),
    meta: [{}, {}],
    stepMeta: { distance: Float64Array.from([5, 9, 7, NaN, 5, NaN]) },
  };
}

describe('StepMetaBins', () => {
  const targets = Int32Array.from([0, 0, 2, 0, 1, 1]);
  // Logits per step: argmax 0 (hit), -, 1 (miss), -, 1 (hit), 0 (miss, but no distance: not binned).
  const logits = Float32Array.from([2, 0, 0, 9, 9, 9, 0, 3, 1, 9, 9, 9, 0, 1, 0, 4, 0, 0]);

  it('bins accuracy over counted steps with a distance, each step alone', () => {
    const bins = new StepMetaBins();
    bins.add(classTask, batch(targets), logits, 'accuracy');
    expect(bins.result()).toEqual({
      distance: [
        { value: 5, n: 2, score: 1 },
        { value: 7, n: 1, score: 0 },
      ],
    });
    // A second batch adds to the same bins.
    bins.add(classTask, batch(targets), logits, 'accuracy');
    expect(bins.result().distance[0]).toEqual({ value: 5, n: 4, score: 1 });
  });

  it("bins cross-entropy as each step's negative log-likelihood", () => {
    const bins = new StepMetaBins();
    bins.add(classTask, batch(targets), logits, 'cross-entropy');
    const nll = (row: number[], y: number) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[y];
    const [d5, d7] = bins.result().distance;
    expect(d5.score).toBeCloseTo((nll([2, 0, 0], 0) + nll([0, 1, 0], 1)) / 2, 6);
    expect(d7.score).toBeCloseTo(nll([0, 3, 1], 2), 6);
  });

  it('bins squared error for regression', () => {
    const bins = new StepMetaBins();
    bins.add(regressionTask, batch(Float32Array.from([1, 0, 2, 0, 3, 0])), Float32Array.from([0, 5, 2.5, 5, 1, 5]), 'mse');
    expect(bins.result()).toEqual({
      distance: [
        { value: 5, n: 2, score: (1 + 4) / 2 },
        { value: 7, n: 1, score: 0.25 },
      ],
    });
  });

  it('ignores batches without step meta and per-sequence tasks', () => {
    const bins = new StepMetaBins();
    bins.add(classTask, { ...batch(targets), stepMeta: undefined }, logits, 'accuracy');
    bins.add({ output: { kind: 'classes', classes: 3, labels: [], per: 'sequence' } } as unknown as Task, batch(targets), logits, 'accuracy');
    expect(bins.result()).toEqual({});
  });
});

describe('a cell on mqar', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('records accuracy by query distance over every evaluated query, and its state size', async () => {
    const [cell] = expandSuite(
      parseSuite({
        tasks: [{ name: 'mqar', options: { vocab: 32, pairs: 4 } }],
        extractors: [{ name: 'gru', options: { hidden: 16 } }],
        lengths: [24],
        steps: 3,
        batch: 8,
        evalSamples: 16,
        embedDim: 8,
        generalize: [1],
      }),
    );
    const record = resultSchema.parse(await runCell(cell));
    if (record.status !== 'completed') throw new Error(JSON.stringify(record));
    const bins = record.byMeta.distance;
    expect(bins.reduce((s, b) => s + b.n, 0)).toBe(2 * 8 * 4); // evalSamples * queries
    expect(bins.every((b) => b.value >= 1 && b.value < 24 && b.score >= 0 && b.score <= 1)).toBe(true);
    // The overall accuracy is the query-weighted mean of the bins (every sample has 4 queries).
    expect(bins.reduce((s, b) => s + b.n * b.score, 0) / 64).toBeCloseTo(record.metrics.value, 10);
    expect(record.metrics.chance).toBeCloseTo(1 / 16, 12);
    expect(record.extractor).toMatchObject({ stateBytes: 4 * 16, widthOption: 'hidden' });
  });
});
