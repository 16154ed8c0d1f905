/**
 * `--threads` through the CLI: a run on 2 kernel threads gives the same records, bit for
 * bit (timings aside), as on 1, at widths where the work is split (hidden 64, batch 32:
 * recurrent time loops by batch rows, products, attention pairs, row kernels; test/extractors/threads.test.ts
 * checks the kernel-level splits); the records say how many
 * threads ran; and workers x threads above the cores is refused before anything runs.
 */
import { mkdtempSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { byCell, fxbench, readLines } from './helpers.js';

const SUITE = [
  '--tasks',
  'recall',
  '--extractors',
  'rnn,lstm,gru,transformer,tcn,mamba,s4d,mingru,linear-attention',
  '-o',
  'rnn.hidden=64',
  '-o',
  'lstm.hidden=64',
  '-o',
  'gru.hidden=64',
  '-o',
  'transformer.dModel=64',
  '-o',
  'transformer.layers=1',
  '--no-tune',
  '--warmup',
  '0',
  '--eval-samples',
  '32',
  '--val-samples',
  '32',
  '--lengths',
  '16',
  '--seeds',
  '1',
  '--steps',
  '3',
  '--batch',
  '32',
];
const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-threads-'));
const file = (name: string) => path.join(dir, name);

describe('--threads', () => {
  it('gives bit-identical records on 2 kernel threads as on 1, and records the thread count', async () => {
    const [r1, r2] = [
      await fxbench(['run', ...SUITE, '--workers', '1', '--threads', '1', '--out', file('t1.jsonl')]),
      await fxbench(['run', ...SUITE, '--workers', '1', '--threads', '2', '--out', file('t2.jsonl')]),
    ];
    expect(r1.code, r1.stderr).toBe(0);
    expect(r2.code, r2.stderr).toBe(0);
    const [one, two] = [byCell(file('t1.jsonl')), byCell(file('t2.jsonl'))];
    expect(one.size).toBe(9);
    expect([...one.values()].every((x) => x.status === 'completed')).toBe(true);
    expect(two).toEqual(one);
    expect(readLines(file('t2.jsonl')).map((r) => (r.env as { threads?: number }).threads)).toEqual(Array(9).fill(2));
    expect(readLines(file('t1.jsonl')).map((r) => (r.env as { threads?: number }).threads)).toEqual(Array(9).fill(1));
  });

  it('refuses more threads than cores (workers x threads) with a one-line fix, before writing anything', async () => {
    const cores = os.availableParallelism();
    const out = file('over.jsonl');
    const r = await fxbench(['run', ...SUITE, '--workers', String(cores), '--threads', '2', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`--workers ${cores} x --threads 2 = ${2 * cores} threads on ${cores} cores`);
    expect(r.stderr).toContain('--oversubscribe');
    expect(existsSync(out)).toBe(false);
    const bad = await fxbench(['run', ...SUITE, '--threads', '0', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--threads 0: expected a positive integer');
  });
});
