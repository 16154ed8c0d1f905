/**
 * Crash safety, resume, determinism and sharding through the CLI, on one tiny suite
 * (12 cells). Every variant must end with the same set of records as one uninterrupted
 * run, timings aside: killed and resumed (SIGKILL, and a torn last line), interrupted
 * with SIGINT and resumed with the command it printed, run on 2 workers, run as 2 shards
 * and merged.
 */
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { byCell, fxbench, readLines } from './helpers.js';

const SUITE = [
  '--tasks',
  'recall,adding',
  '--extractors',
  'rnn,gru,transformer',
  '-o',
  'rnn.hidden=8',
  '-o',
  'gru.hidden=8',
  '-o',
  'transformer.dModel=8',
  '-o',
  'transformer.heads=2',
  '-o',
  'transformer.ffDim=16',
  '-o',
  'transformer.layers=1',
  // Tuning on (two learning rates): its trials run on the workers, resume and shard with the cells.
  '--tune',
  'lr=0.003,0.01',
  '--warmup',
  '0',
  '--eval-samples',
  '16',
  '--val-samples',
  '8',
  '--lengths',
  '6',
  '--seeds',
  '1,2',
  '--steps',
  '4',
  '--batch',
  '4',
];
const CELLS = 12;

const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-runs-'));
const file = (name: string) => path.join(dir, name);
let reference: Map<string, Record<string, unknown>>;

beforeAll(async () => {
  const r = await fxbench(['run', ...SUITE, '--workers', '1', '--out', file('ref.jsonl')]);
  expect(r.code, r.stderr).toBe(0);
  reference = byCell(file('ref.jsonl'));
  expect(reference.size).toBe(CELLS);
  expect([...reference.values()].every((x) => x.status === 'completed')).toBe(true);
});

describe('determinism', () => {
  it('gives identical records (timings aside) on 2 workers as on 1, and on a repeated run', async () => {
    const r = await fxbench(['run', ...SUITE, '--workers', '2', '--out', file('w2.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    expect(byCell(file('w2.jsonl'))).toEqual(reference);
  });
});

describe('crash safety and resume', () => {
  it('resumes a run killed with SIGKILL (and a torn last line) to the same records as an uninterrupted run', async () => {
    const out = file('killed.jsonl');
    const killed = await fxbench(['run', ...SUITE, '--workers', '1', '--out', out], { file: out, signal: 'SIGKILL' });
    expect(killed.signal).toBe('SIGKILL');
    const kept = readLines(out);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(CELLS);
    // A kill in the middle of a write leaves part of a line: simulate it.
    appendFileSync(out, '{"schemaVersion":1,"cellId":"recall/gru/T6');

    // Without --out the report goes beside the results file.
    const report = await fxbench(['report', out]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout.trim()).toBe(`report: ${path.join(out.replace(/\.jsonl$/, '-report'), 'index.html')}`);
    expect(report.stderr).toMatch(new RegExp(`warning: .*killed\\.jsonl:${kept.length + 1}: torn last line`));

    const resumed = await fxbench(['run', ...SUITE, '--workers', '1', '--out', out, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/torn last line .*removed/);
    expect(resumed.stderr).toContain(`resuming: ${kept.length} done in ${out}, ${CELLS - kept.length} to run`);
    expect(byCell(out)).toEqual(reference);
  });

  it('stops on SIGINT after the current step, prints the exact resume command, and that command finishes the run', async () => {
    const out = file('interrupted.jsonl');
    const run = await fxbench(['run', ...SUITE, '--workers', '2', '--out', out], { file: out, signal: 'SIGINT' });
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('SIGINT: stopping after the current training step');
    const line = /resume with: (.*)/.exec(run.stderr)?.[1];
    expect(line).toBeDefined();
    expect(line).toContain(`--resume --out ${out}`);
    const done = readLines(out);
    expect(done.length).toBeLessThan(CELLS);
    // Run exactly what was printed (its arguments after `node bin/fxbench.js`).
    const args = line!
      .split(' ')
      .slice(2)
      .map((a) => a.replace(/^'(.*)'$/, '$1'));
    const resumed = await fxbench(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(byCell(out)).toEqual(reference);
  });

  it('refuses to resume into a file of another configuration (see store.test.ts for the other refusals), and to overwrite results without --resume', async () => {
    const out = file('other.jsonl');
    copyFileSync(file('ref.jsonl'), out);
    const steps = await fxbench(['run', ...SUITE.slice(0, -4), '--steps', '5', '--batch', '4', '--out', out, '--resume']);
    expect(steps.code).toBe(2);
    expect(steps.stderr.trim()).toMatch(
      /^fxbench: --resume: .*other\.jsonl:1: cell recall\/rnn\/T6\/s1 was run with train\.steps = 4, this run has 5: resume with the same suite and flags, or write to another --out$/,
    );
    const fresh = await fxbench(['run', ...SUITE, '--out', out]);
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toMatch(/already holds results: add --resume/);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(file('ref.jsonl'), 'utf8'));
  });
});

describe('sharding and merge', () => {
  it('two shards merged equal the unsharded run', async () => {
    const shards = await Promise.all([0, 1].map((i) => fxbench(['run', ...SUITE, '--workers', '1', '--shard', `${i}/2`, '--out', file(`shard${i}.jsonl`)])));
    for (const s of shards) expect(s.code, s.stderr).toBe(0);
    expect(shards[0].stderr).toContain('shard 0/2: 6 of 12 cells');
    const a = byCell(file('shard0.jsonl'));
    const b = byCell(file('shard1.jsonl'));
    expect([...a.keys()].filter((k) => b.has(k))).toEqual([]);
    // A torn line in one input is reported, not fatal.
    copyFileSync(file('shard1.jsonl'), file('shard1-torn.jsonl'));
    appendFileSync(file('shard1-torn.jsonl'), '{"schema');
    const merged = await fxbench(['merge', file('shard0.jsonl'), file('shard1-torn.jsonl'), '--out', file('merged.jsonl')]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stderr).toMatch(/warning: .*shard1-torn\.jsonl:7: torn last line/);
    expect(merged.stderr).toContain('merged 12 cells of suite "custom" from 2 files');
    expect(byCell(file('merged.jsonl'))).toEqual(reference);
  });

  it('refuses mixed suites (store.test.ts covers mixed configurations and duplicates)', async () => {
    const other = file('other-suite.jsonl');
    writeFileSync(
      other,
      readLines(file('shard1.jsonl'))
        .map((r) => JSON.stringify({ ...r, suite: 'other' }) + '\n')
        .join(''),
    );
    const mixed = await fxbench(['merge', file('shard0.jsonl'), other, '--out', file('m1.jsonl')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/mixed suites: .*shard0\.jsonl:1 is suite "custom", .*other-suite\.jsonl:1 is suite "other"/);
  });
});
