/**
 * Padding masks through the harness: tasks' key-padding masks reach every `apply` call
 * (training, evaluation, sensitivity profile), the `mean` readout averages real positions
 * only, a masked extractor's last position does not move when more left padding is added,
 * an extractor that reads pads is accepted, one that refuses masks is refused before any
 * work, and every record names the extractor's padding treatment.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UsageError } from '../../../core/errors.js';
import { Rng } from '../../../core/rng.js';
import { lastPosition } from '../../../extractors/common.js';
import { defineExtractor, type ApplyOptions, type ExtractorDefinition } from '../../../extractors/types.js';
import { initBackend } from '../../../kernels/backend.js';
import { batchTensorList, buildModel } from '../../../harness/cell/model.js';
import { extractors, registerExtractor, tasks } from '../../../harness/plugins/registries.js';
import { runCell } from '../../../harness/cell/runCell.js';
import { expandSuite, parseSuite } from '../../../harness/suite/suite.js';
import { createExtractor } from '../../../index.js';
import type { Batch } from '../../../tasks/types.js';

/** Every mask an `apply` call received: null when none, else its shape and values. */
const seen: ({ shape: number[]; values: number[] } | null)[] = [];

const probe = defineExtractor({
  name: 'mask-probe',
  description: 'records the masks it is given (test)',
  options: z.object({}).strict(),
  create(_o, ctx) {
    const w = tf.variable(tf.scalar(0.5), true, 'mask-probe.w');
    return {
      variables: { w },
      outputDim: ctx.inputDim,
      apply(x: tf.Tensor3D, opts: ApplyOptions) {
        seen.push(opts.mask ? { shape: opts.mask.shape, values: Array.from(opts.mask.dataSync()) } : null);
        return tf.tanh(tf.mul(x, w)) as tf.Tensor3D;
      },
      flops: (B, T) => B * T * ctx.inputDim,
    };
  },
});

const refuser = defineExtractor({
  name: 'refuser-inline',
  description: 'refuses padding masks (test)',
  options: z.object({}).strict(),
  padding: 'refuses',
  create(_o, ctx) {
    const w = tf.variable(tf.scalar(1), true, 'refuser-inline.w');
    return { variables: { w }, outputDim: ctx.inputDim, apply: (x: tf.Tensor3D) => tf.mul(x, w) as tf.Tensor3D, flops: () => 0 };
  },
});

function suite(over: Record<string, unknown>) {
  return parseSuite({ name: 'padding', lengths: [12], seeds: [1], steps: 3, batch: 4, embedDim: 8, evalSamples: 8, generalize: [1], ...over });
}

/** `batch` with `extra` more pads on the left of every row (keyMask included). */
function padMore(batch: Batch, extra: number): Batch {
  const { batchSize: B, length: T } = batch;
  const L = T + extra;
  const inputs = new Int32Array(B * L);
  const keyMask = new Float32Array(B * L);
  for (let b = 0; b < B; b++) {
    inputs.set((batch.inputs as Int32Array).subarray(b * T, (b + 1) * T), b * L + extra);
    keyMask.set(batch.keyMask ? batch.keyMask.subarray(b * T, (b + 1) * T) : new Float32Array(T).fill(1), b * L + extra);
  }
  return { ...batch, length: L, inputs, keyMask };
}

beforeAll(async () => {
  await initBackend('wasm');
  for (const def of [probe, refuser] as ExtractorDefinition[]) if (!extractors.has(def.name)) registerExtractor(def);
});

describe('padding masks in the harness', () => {
  it('reach every apply call (training, evaluation, sensitivity profile) with the batch key mask', async () => {
    seen.length = 0;
    const [cell] = expandSuite(suite({ tasks: ['agreement'], extractors: ['mask-probe'] }));
    const record = await runCell(cell);
    expect(record.status, JSON.stringify(record)).toBe('completed');
    // 2 profiles + 3 steps + the memory profile + 2 evaluation batches.
    expect(seen.length).toBeGreaterThanOrEqual(8);
    for (const m of seen) {
      expect(m, 'agreement at T=12 always pads some row of 4').not.toBeNull();
      expect(m!.shape).toEqual([4, 12]);
      expect(m!.values.every((v) => v === 0 || v === 1)).toBe(true);
      expect(m!.values.some((v) => v === 0)).toBe(true);
      // 0s only as a left prefix of each row, and the last position (the readout) is a token.
      for (let b = 0; b < 4; b++) {
        const row = m!.values.slice(b * 12, (b + 1) * 12);
        const zeros = row.filter((v) => v === 0).length;
        expect(row.slice(0, zeros).every((v) => v === 0) && row.slice(zeros).every((v) => v === 1)).toBe(true);
        expect(row[11]).toBe(1);
      }
    }
    // A task without padding passes no mask.
    seen.length = 0;
    const [plain] = expandSuite(suite({ tasks: [{ name: 'recall', options: { symbols: 4 } }], extractors: ['mask-probe'] }));
    expect((await runCell(plain)).status).toBe('completed');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((m) => m === null)).toBe(true);
  });

  it('the mean readout averages real positions only', () => {
    const task = tasks.get('agreement').create(tasks.get('agreement').options.parse({}));
    const model = buildModel(
      task,
      extractors.get('lstm'),
      extractors.get('lstm').options.parse({ hidden: 4 }),
      { embedDim: 8, readout: 'mean' },
      new Rng('mean'),
      undefined,
      10,
    );
    const batch = task.sample(new Rng('mean/batch'), 3, 10);
    const t = model.toTensors(batch);
    try {
      const [B, T, H] = [3, 10, 4];
      const rng = new Rng('mean/features');
      const f = Float32Array.from({ length: B * T * H }, () => rng.normal());
      const g = f.map((v, i) => (batch.keyMask![Math.floor(i / H)] === 0 ? v + 10 * rng.normal() : v)); // other values at the pads
      const [a, b] = [f, g].map((d) => tf.tidy(() => model.predict(tf.tensor3d(d, [B, T, H]), t)).arraySync() as number[][]);
      expect(batch.keyMask!.some((v) => v === 0)).toBe(true);
      expect(b).toEqual(a); // pads do not enter the mean
      // ... and the value is the head applied to the mean over the real positions.
      const W = model.variables['head.weight'].arraySync() as number[][];
      const bias = model.variables['head.bias'].arraySync() as number[];
      for (let s = 0; s < B; s++) {
        const real = Array.from({ length: T }, (_, p) => p).filter((p) => batch.keyMask![s * T + p] === 1);
        const mean = Array.from({ length: H }, (_, h) => real.reduce((acc, p) => acc + f[(s * T + p) * H + h], 0) / real.length);
        for (let c = 0; c < W.length; c++) expect(a[s][c]).toBeCloseTo(bias[c] + W[c].reduce((acc, w, h) => acc + w * mean[h], 0), 5);
      }
      // Without a mask every position counts (so the check above can fail).
      const unmasked = tf.tidy(() => model.predict(tf.tensor3d(g, [B, T, H]))).arraySync() as number[][];
      expect(unmasked).not.toEqual(a);
    } finally {
      tf.dispose(batchTensorList(t));
      model.dispose();
    }
  });

  it("a masked extractor's last position does not change when more left padding is added (transformer)", () => {
    // Without positions: sinusoidal or learned positions are counted from the first column,
    // so left padding shifts them (as in PyTorch with left padding).
    const task = tasks.get('agreement').create(tasks.get('agreement').options.parse({}));
    const def = extractors.get('transformer');
    expect(def.padding).toBe('masked');
    const model = buildModel(
      task,
      def,
      def.options.parse({ dModel: 8, heads: 2, ffDim: 16, layers: 2, positional: 'none' }),
      { embedDim: 8, readout: 'last' },
      new Rng('shift'),
      undefined,
      12,
    );
    try {
      const batch = task.sample(new Rng('shift/batch'), 4, 12);
      const last = (b: Batch) => {
        const t = model.toTensors(b);
        try {
          return tf.tidy(() => lastPosition(model.extract(model.embed(t), t, false))).arraySync() as number[][];
        } finally {
          tf.dispose(batchTensorList(t));
        }
      };
      const base = last(batch);
      for (const extra of [1, 7, 20]) {
        const more = last(padMore(batch, extra));
        for (let b = 0; b < 4; b++) for (let h = 0; h < 8; h++) expect(Math.abs(more[b][h] - base[b][h])).toBeLessThan(1e-5);
      }
      // The LSTM reads the pads: the same change moves its last position (the check can fail).
      const lstm = buildModel(
        task,
        extractors.get('lstm'),
        extractors.get('lstm').options.parse({ hidden: 8 }),
        { embedDim: 8, readout: 'last' },
        new Rng('shift'),
        undefined,
        12,
      );
      try {
        const read = (b: Batch) => {
          const t = lstm.toTensors(b);
          try {
            return tf.tidy(() => lastPosition(lstm.extract(lstm.embed(t), t, false))).arraySync() as number[][];
          } finally {
            tf.dispose(batchTensorList(t));
          }
        };
        const d = read(padMore(batch, 20))[0].map((v, h) => Math.abs(v - read(batch)[0][h]));
        expect(Math.max(...d)).toBeGreaterThan(1e-4);
      } finally {
        lstm.dispose();
      }
    } finally {
      model.dispose();
    }
  });

  it('an extractor that ignores the mask (reads pads) is accepted, and records say so', async () => {
    const cells = expandSuite(
      suite({
        tasks: ['agreement'],
        extractors: [
          { name: 'lstm', options: { hidden: 8 } },
          { name: 'transformer', options: { dModel: 8, heads: 2, ffDim: 16, layers: 1 } },
        ],
      }),
    );
    const [lstmRecord, transformerRecord] = [await runCell(cells[0]), await runCell(cells[1])];
    expect(lstmRecord.status).toBe('completed');
    expect(lstmRecord.extractor.padding).toBe('reads');
    expect(transformerRecord.status).toBe('completed');
    expect(transformerRecord.extractor.padding).toBe('masked');
  });

  it("refuses an extractor declaring padding 'refuses' on a task that pads, before any work; accepts it where nothing pads", async () => {
    let error: unknown;
    try {
      expandSuite(suite({ tasks: ['agreement'], extractors: ['refuser-inline'] }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(
      /^extractor refuser-inline declares padding 'refuses' \(it cannot take a key-padding mask\), but task agreement left-pads its samples at length 12: /,
    );
    expect((error as Error).message).not.toContain('\n');
    // dyck pads only at odd lengths: refused at 13, accepted at 12.
    expect(() => expandSuite(suite({ tasks: ['dyck'], extractors: ['refuser-inline'], lengths: [13] }))).toThrow(UsageError);
    const [cell] = expandSuite(suite({ tasks: ['dyck'], extractors: ['refuser-inline'] }));
    const record = await runCell(cell);
    expect(record.status).toBe('completed');
    expect(record.extractor.padding).toBe('refuses');
  });

  it('a padded batch that reaches a refusing extractor anyway (a task that did not declare pads) is an error, not a silent mask', () => {
    const agreement = tasks.get('agreement').create(tasks.get('agreement').options.parse({}));
    const undeclared = { ...agreement, pads: undefined };
    const model = buildModel(undeclared, refuser, refuser.options.parse({}), { embedDim: 8, readout: 'last' }, new Rng('r'));
    const t = model.toTensors(agreement.sample(new Rng('r/b'), 4, 12));
    try {
      expect(() => tf.tidy(() => model.extract(model.embed(t), t, false))).toThrow(/declares padding 'refuses' but was given a batch with left padding/);
    } finally {
      tf.dispose(batchTensorList(t));
      model.dispose();
    }
  });

  it('createExtractor(...).apply passes a mask on, and refuses one for an extractor that cannot take it', () => {
    const x = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
    const mask = tf.tensor2d([
      [0, 0, 1, 1, 1],
      [1, 1, 1, 1, 1],
    ]);
    const x2 = tf.tidy(() => tf.add(x, tf.mul(tf.sub(1, mask).expandDims(2), 5))) as tf.Tensor3D; // other values at the pads
    const t = createExtractor('transformer', { dModel: 4, heads: 2, ffDim: 8, layers: 1, positional: 'none' }, { inputDim: 3 });
    const r = createExtractor('refuser-inline', {}, { inputDim: 3 });
    try {
      const [a, b] = [x, x2].map((v) => tf.tidy(() => t.apply(v, { mask })).arraySync() as number[][][]);
      for (let p = 2; p < 5; p++) for (let h = 0; h < 4; h++) expect(Math.abs(a[0][p][h] - b[0][p][h])).toBeLessThan(1e-5);
      expect(() => r.apply(x, { mask })).toThrow(UsageError);
      expect(() => tf.tidy(() => r.apply(x))).not.toThrow();
    } finally {
      t.dispose();
      r.dispose();
      tf.dispose([x, x2, mask]);
    }
  });
});
