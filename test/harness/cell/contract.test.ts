/**
 * Broken plugins are refused before any training, in one line naming what is wrong: an
 * extractor whose apply returns another width than its outputDim (C+1, C-1, 2C), a task
 * whose sample() returns too few inputs or a label outside its classes. Well-formed
 * built-ins pass.
 */
import { mkdtempSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../kernels/backend.js';
import { checkContracts } from '../../../harness/cell/contract.js';
import { loadPlugins } from '../../../harness/plugins/load.js';
import { runSuite } from '../../../harness/run/runSuite.js';
import { expandSuite, parseSuite } from '../../../harness/suite/suite.js';
import { UsageError } from '../../../core/errors.js';

const cells = (tasks: unknown[], extractors: unknown[], length = 6) =>
  expandSuite(parseSuite({ name: 'c', tasks, extractors, lengths: [length], seeds: [1], steps: 2, embedDim: 8 }, 'test'));

beforeAll(async () => {
  await initBackend('wasm');
  await loadPlugins([path.resolve(import.meta.dirname, '../../fixtures/plugins/broken-contracts.mjs')]);
});

describe('plugin contracts on a dry batch', () => {
  it('pass for the built-ins (corpus tasks built for their training split, as a cell builds them)', () => {
    expect(() =>
      checkContracts(
        cells(
          ['recall', 'adding', 'agreement', 'brown-genre', 'brown-agreement', 'mqar', 'copy', 'dyck', 'listops', 'selective-copy', 'parity'],
          ['rnn', 'lstm', { name: 'transformer', options: { dModel: 8, heads: 2, ffDim: 8, layers: 1 } }, 'tcn', 'mingru'],
          48,
        ),
      ),
    ).not.toThrow();
  });

  it.each([
    [1, 9],
    [-1, 7],
    [8, 16],
  ])('refuse an extractor whose outputDim is off by %i (declares %i, returns 8)', (extra, declared) => {
    const run = () => checkContracts(cells(['recall'], [{ name: 'wrong-width', options: { extra } }]));
    expect(run).toThrow(UsageError);
    expect(run).toThrow(new RegExp(`^extractor wrong-width: apply returned features of width 8 but declares outputDim ${declared}: `));
  });

  it('refuse a task that returns too few inputs or a label outside its classes', () => {
    expect(() => checkContracts(cells(['short-batch'], ['rnn']))).toThrow(
      /^task short-batch: sample\(\) returned 11 input values for a batch of 2 x 6, expected 12 /,
    );
    expect(() => checkContracts(cells(['bad-label'], ['rnn']))).toThrow(/^task bad-label: sample\(\) returned target 2 at 0, outside its 2 classes/);
  });

  it('step aside for a plugin that throws or exits on the dry batch: that is a failing cell, recorded as errored in its own cell', async () => {
    await loadPlugins([path.resolve(import.meta.dirname, '../../fixtures/plugins/failing.mjs')]);
    expect(() => checkContracts(cells(['recall'], ['throws', 'crash']))).not.toThrow();
    expect(() => checkContracts(cells(['broken-task'], ['rnn']))).not.toThrow();
  });

  it('stop runSuite before it writes anything', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'fxbench-contract-')), 'never.jsonl');
    await expect(
      runSuite({ name: 'c', tasks: ['recall'], extractors: ['wrong-width'], lengths: [6], seeds: [1], steps: 2, tune: false }, { out, workers: 1 }),
    ).rejects.toThrow(UsageError);
    expect(existsSync(out)).toBe(false);
  });
});
