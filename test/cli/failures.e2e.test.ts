/**
 * Failure isolation through the CLI: an extractor or task that throws ends its cell
 * `errored`, an extractor that produces NaN ends its cell `diverged` (step and last finite
 * norms recorded), a worker thread that dies errors its cell only, a cell too big for the
 * WASM heap is refused before allocating; in every case the rest of the suite runs.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fxbench, readLines } from './helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-failures-'));
const plugin = ['--plugin', './test/fixtures/plugins/failing.mjs'];
const tiny = ['--lengths', '6', '--steps', '4', '--batch', '4', '-o', 'rnn.hidden=8', '--no-tune', '--eval-samples', '16', '--val-samples', '8'];

describe('failure isolation', () => {
  it('records throwing extractors and tasks as errored and NaN as diverged, and runs the rest', async () => {
    const out = path.join(dir, 'fail.jsonl');
    const r = await fxbench([
      ...plugin,
      'run',
      '--tasks',
      'recall,broken-task',
      '--extractors',
      'throws,nan,rnn',
      ...tiny,
      '-o',
      'nan.finiteSteps=2',
      '--workers',
      '1',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('5 cells did not complete');
    const byId = new Map(readLines(out).map((x) => [x.cellId as string, x]));
    expect(byId.size).toBe(6);
    expect(byId.get('recall/throws/T6/s1')).toMatchObject({ status: 'errored', message: 'fixture extractor failed on purpose' });
    expect(byId.get('broken-task/rnn/T6/s1')).toMatchObject({ status: 'errored', message: 'fixture task cannot sample' });
    expect(byId.get('recall/rnn/T6/s1')).toMatchObject({ status: 'completed' });
    const diverged = byId.get('recall/nan/T6/s1')!;
    expect(diverged).toMatchObject({
      status: 'diverged',
      divergedAtStep: 3,
      atDivergence: { loss: 'NaN', gradNorm: 'NaN' },
      lastFinite: { step: 2 },
    });
    const curves = diverged.curves as { loss: number[]; gradNorm: number[] };
    expect(curves.loss).toHaveLength(2);
    expect(curves.gradNorm.every((g) => Number.isFinite(g) && g > 0)).toBe(true);
    expect((diverged.lastFinite as { gradNorm: number }).gradNorm).toBe(curves.gradNorm[1]);
    expect(diverged.message).toMatch(/^loss NaN and gradient norm NaN at training step 3 .*last finite step 2: loss [\d.]+, gradient norm [\d.]+$/);
  });

  it('errors only the cell whose worker thread dies, and replaces the worker', async () => {
    const out = path.join(dir, 'crash.jsonl');
    const r = await fxbench([...plugin, 'run', '--tasks', 'recall', '--extractors', 'crash,rnn', ...tiny, '--seeds', '1,2', '--workers', '2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const records = readLines(out);
    expect(records).toHaveLength(4);
    for (const x of records.filter((x) => (x.extractor as { name: string }).name === 'crash')) {
      expect(x).toMatchObject({ status: 'errored' });
      expect(x.message).toMatch(/the worker thread running this cell died \(exit code 7\)/);
    }
    expect(records.filter((x) => x.status === 'completed')).toHaveLength(2);
  });

  it('refuses a cell that would not fit the WASM heap as an errored record, and a suite of only such cells before any work', async () => {
    const big = [
      '-o',
      'transformer.dModel=8',
      '-o',
      'transformer.heads=2',
      '-o',
      'transformer.ffDim=16',
      '-o',
      'transformer.layers=1',
      '--steps',
      '2',
      '--batch',
      '64',
      '--no-tune',
      '--eval-samples',
      '64',
      '--val-samples',
      '64',
    ];
    const out = path.join(dir, 'memory.jsonl');
    const r = await fxbench(['run', '--tasks', 'recall', '--extractors', 'transformer', ...big, '--lengths', '6,262144', '--out', out, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: 1 of 2 cells exceed the memory budget/);
    const [small, huge] = readLines(out);
    expect(small).toMatchObject({ status: 'completed', cellId: 'recall/transformer/T6/s1' });
    expect(huge).toMatchObject({ status: 'errored', cellId: 'recall/transformer/T262144/s1' });
    expect(huge.message).toMatch(
      /^not run: estimated peak memory [\d.]+ GiB exceeds the 3\.0 GiB budget \(the 4 GiB WASM heap less a 25% safety margin\); dominant term: activations B\*T\*\(8 dModel \+ ffDim\)\*layers = 64\*262144\*80\*1/,
    );
    expect(huge.estimatedPeakBytes).toBeGreaterThan(4 * 2 ** 30);

    const all = await fxbench([
      'run',
      '--tasks',
      'recall',
      '--extractors',
      'transformer',
      ...big,
      '--lengths',
      '262144',
      '--out',
      path.join(dir, 'none.jsonl'),
    ]);
    expect(all.code).toBe(2);
    expect(all.stderr.trim().split('\n')).toHaveLength(1);
    expect(all.stderr).toMatch(/^fxbench: every cell of this run would be refused, e.g. recall\/transformer\/T262144\/s1: not run: estimated peak memory/);
  });
});
