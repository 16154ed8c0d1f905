/**
 * No tensor leaks: `tf.memory().numTensors` is the same before and after a cell (for every
 * built-in extractor, run twice, and for cells that error or diverge), and constant
 * across the training steps of a cell.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../kernels/backend.js';
import { loadPlugins } from '../../../harness/plugins/load.js';
import { extractors } from '../../../harness/plugins/registries.js';
import { runCell } from '../../../harness/cell/runCell.js';
import { expandSuite, parseSuite, type Cell } from '../../../harness/suite/suite.js';
import { builtinExtractors } from '../../../extractors/index.js';

/** Small widths for the built-ins; an extractor not listed runs with its defaults. */
const SMALL: Record<string, Record<string, unknown>> = {
  rnn: { hidden: 8 },
  lstm: { hidden: 8 },
  gru: { hidden: 8, layers: 2 },
  transformer: { dModel: 8, heads: 2, ffDim: 16, layers: 1 },
  tcn: { channels: 8, levels: 2 },
  mlp: { hidden: 8, maxLen: 24 },
  mamba: { dModel: 8, layers: 1, dState: 4 },
  s4d: { dModel: 8, layers: 1, dState: 4 },
};

function cellFor(name: string, options: Record<string, unknown> = SMALL[name] ?? {}, steps = 3): Cell {
  const [cell] = expandSuite(
    parseSuite({
      name: 'leaks',
      tasks: [{ name: 'recall', options: { symbols: 4 } }],
      extractors: [{ name, options }],
      lengths: [6],
      steps,
      batch: 4,
      embedDim: 8,
      evalSamples: 4,
      valSamples: 4,
      generalize: [1, 2],
    }),
  );
  return cell;
}

beforeAll(async () => {
  await initBackend('wasm');
  await loadPlugins([path.resolve(import.meta.dirname, '../../fixtures/plugins/failing.mjs')]);
});

describe('tensor hygiene', () => {
  for (const def of builtinExtractors) {
    it(`${def.name}: the same number of tensors before and after each of two cells, and across steps`, async () => {
      const cell = cellFor(def.name);
      const before = tf.memory().numTensors;
      for (let run = 0; run < 2; run++) {
        const perStep: number[] = [];
        const record = await runCell(cell, { onStep: () => perStep.push(tf.memory().numTensors) });
        expect(record.status, record.status === 'errored' ? record.message : '').toBe('completed');
        expect(perStep).toHaveLength(cell.train.steps);
        expect(new Set(perStep).size, `numTensors by step: ${perStep.join(', ')}`).toBe(1);
        expect(tf.memory().numTensors).toBe(before);
      }
    });
  }

  it('an extractor that throws mid-forward, and one that diverges, leave nothing behind', async () => {
    expect(extractors.has('throws')).toBe(true);
    const before = tf.memory().numTensors;
    const errored = await runCell(cellFor('throws', {}));
    expect(errored.status).toBe('errored');
    expect(tf.memory().numTensors).toBe(before);
    const diverged = await runCell(cellFor('nan', { finiteSteps: 1 }, 4));
    expect(diverged.status).toBe('diverged');
    expect(tf.memory().numTensors).toBe(before);
  });
});
