/** Two real runs started together on one --out (one runs, the other stops in one line), and `report` on a file holding a cell twice. */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockFileOf } from '../../harness/store/lock.js';
import { fxbench, readLines } from './helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-lock-e2e-'));
let n = 0;
const fresh = () => path.join(dir, `r${++n}.jsonl`);

// A suite long enough that the second run starts while the first is still running.
const suite = (steps: number) => [
  '--tasks',
  'recall',
  '--extractors',
  'rnn',
  '--lengths',
  '6',
  '--seeds',
  '1,2',
  '--steps',
  String(steps),
  '--batch',
  '2',
  '--workers',
  '1',
];

describe('two writers through the CLI', () => {
  it('of two runs started together on one --out, one runs every cell and the other stops with one line, exit 2', async () => {
    const out = fresh();
    const runs = await Promise.all([0, 1].map(() => fxbench(['run', ...suite(150), '--out', out, '--resume', '--quiet'])));
    const codes = runs.map((r) => r.code).sort();
    expect(codes, runs.map((r) => r.stderr).join('\n')).toEqual([0, 2]);
    const refused = runs.find((r) => r.code === 2)!;
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^fxbench: --out .* is being written by another fxbench run, pid \d+ on host /);
    expect(readLines(out).map((r) => r.cellId)).toEqual(['recall/rnn/T6/s1', 'recall/rnn/T6/s2']);
    expect(existsSync(lockFileOf(out))).toBe(false);
  });

  it('report counts identical copies of a cell once with a warning, and refuses copies that differ', async () => {
    const out = fresh();
    const run = await fxbench(['run', ...suite(2), '--out', out, '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    const [first] = readFileSync(out, 'utf8').split('\n');
    const twice = fresh();
    writeFileSync(twice, readFileSync(out, 'utf8'));
    appendFileSync(twice, first + '\n');
    const ok = await fxbench(['report', twice, '--out', path.join(dir, 'report-twice')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/warning: cell recall\/rnn\/T6\/s1 is present 2 times with identical contents \(.*:1, .*:3\): counted once/);
    const differ = fresh();
    writeFileSync(differ, readFileSync(out, 'utf8'));
    appendFileSync(differ, JSON.stringify({ ...JSON.parse(first), wallMs: 1 }) + '\n');
    const bad = await fxbench(['report', differ, '--out', path.join(dir, 'report-differ')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/cell recall\/rnn\/T6\/s1 of suite ".*" is in .*:1 and .*:3 with different contents \(wallMs: [\d.]+ vs 1\): two runs wrote it/);
  });
});
