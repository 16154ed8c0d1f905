/**
 * The library pipeline, from the package API as a library user calls it: a suite runs to a
 * results file, a second call resumes to nothing, a non-empty file without `resume` is
 * refused, a shard runs its cells only, tuning runs before the main cells, and a stop ends
 * the run with what finished on disk.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseShard, readResults, runSuite, StopSignal, UsageError, type SuiteInput } from '../../../index.js';
import { tuningFile } from '../../../harness/run/tune.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-runsuite-'));
const suite: SuiteInput = {
  name: 'lib',
  tasks: [{ name: 'recall', options: { symbols: 4 } }],
  extractors: [{ name: 'lstm', options: { hidden: 8 } }],
  lengths: [6],
  seeds: [1, 2],
  steps: 4,
  batch: 8,
  embedDim: 8,
  evalSamples: 32,
  valSamples: 32,
  tune: false,
};

describe('runSuite', () => {
  it('runs every cell to the results file, and a resumed call finds nothing left', async () => {
    const out = path.join(dir, 'a.jsonl');
    const first = await runSuite(suite, { out, workers: 1 });
    expect(first.stopped).toBe(false);
    expect(first.records.map((r) => r.cellId).sort()).toEqual(['recall/lstm/T6/s1', 'recall/lstm/T6/s2']);
    expect(readResults([out]).records).toHaveLength(2);
    const again = await runSuite(suite, { out, workers: 1, resume: true });
    expect(again).toMatchObject({ records: [], toRun: 0, stopped: false });
    await expect(runSuite(suite, { out, workers: 1 })).rejects.toThrow(UsageError);
  });

  it('runs only its shard', async () => {
    const out = path.join(dir, 'shard.jsonl');
    const r = await runSuite(suite, { out, workers: 1, shard: parseShard('1/2') });
    expect(r.records.map((x) => x.cellId)).toEqual(['recall/lstm/T6/s2']);
  });

  it('tunes before the main cells, and the records carry the choice', async () => {
    const out = path.join(dir, 'tuned.jsonl');
    const r = await runSuite({ ...suite, seeds: [1], tune: { lr: [1e-3, 1e-2], steps: 2 } }, { out, workers: 1 });
    expect(readResults([tuningFile(out)]).records.length).toBeGreaterThanOrEqual(2);
    expect(r.records[0].tuning?.grid).toEqual({ lr: [1e-3, 1e-2] });
    expect([1e-3, 1e-2]).toContain(r.records[0].train.lr);
  });

  it('records whether the kernels flushed subnormals, in this thread and on worker threads', async () => {
    const inThread = await runSuite({ ...suite, seeds: [1] }, { out: path.join(dir, 'flush-1.jsonl'), workers: 1, flushSubnormals: false });
    expect(inThread.records[0].env.flushSubnormals).toBe(false);
    // Worker threads load the built worker script: run the built library (npm test builds dist/ first).
    const built = (await import('../../../dist/harness/run/runSuite.js')) as typeof import('../../../harness/run/runSuite.js');
    const onWorkers = await built.runSuite(suite, { out: path.join(dir, 'flush-2.jsonl'), workers: 2, flushSubnormals: false });
    expect(onWorkers.records.map((r) => r.env.flushSubnormals)).toEqual([false, false]);
    const byDefault = await runSuite({ ...suite, seeds: [1] }, { out: path.join(dir, 'flush-3.jsonl'), workers: 1 });
    expect(byDefault.records[0].env.flushSubnormals).toBe(true);
  });

  it('stops when asked, keeping what finished', async () => {
    const out = path.join(dir, 'stopped.jsonl');
    const stop = new StopSignal();
    stop.request();
    const r = await runSuite(suite, { out, workers: 1, stop });
    expect(r).toMatchObject({ stopped: true, records: [], toRun: 2 });
    expect(readResults([out]).records).toEqual([]);
  });
});
