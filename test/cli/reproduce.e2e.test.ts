/**
 * `fxbench reproduce` through the built CLI: bad input exits 2 with one line; tallec2018's
 * quick profile runs end to end into one folder (records, comparison.json, the report opening
 * with "Paper vs fxbench", the same table on the terminal, the report path last); and a resumed
 * run keeps every finished record without recomputing it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLines, root, type Run } from './helpers.js';

/** `fxbench args...` with a guard long enough for a quick profile on a busy 2-core machine. */
function fxbench(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/fxbench.js'), ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const guard = setTimeout(() => child.kill('SIGKILL'), 840_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('fxbench reproduce (CLI)', () => {
  it('bad input: one line on stderr, exit code 2', async () => {
    for (const [args, line] of [
      [['reproduce', 'nope2020'], /^fxbench: unknown recipe "nope2020"/],
      [['reproduce', 'tallec2018', '--profile', 'standard'], /^fxbench: unknown profile "standard" \(profiles: quick, full\)$/],
    ] as [string[], RegExp][]) {
      const r = await fxbench(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(line);
    }
  });

  it('runs tallec2018 --profile quick end to end, and a resume recomputes nothing', { timeout: 1_800_000 }, async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'fxbench-reproduce-')), 'tallec');
    const r = await fxbench(['reproduce', 'tallec2018', '--profile', 'quick', '--out', dir, '--workers', '2', '--quiet']);
    expect(r.code, r.stderr).toBe(0);

    // Records: every cell of the quick profile, once.
    const records = readLines(path.join(dir, 'results.jsonl'));
    expect(records).toHaveLength(6);
    expect(new Set(records.map((x) => x.suite))).toEqual(new Set(['tallec2018-adding']));

    // The comparison: every number of the recipe with a computed verdict; the full profile's cells are not run.
    const comparison = JSON.parse(readFileSync(path.join(dir, 'comparison.json'), 'utf8'));
    expect(comparison).toMatchObject({ recipe: 'tallec2018', profile: 'quick', indicative: true });
    const verdicts = Object.fromEntries(comparison.rows.map((row: { id: string; verdict: string }) => [row.id, row.verdict]));
    expect(Object.keys(verdicts)).toEqual([
      'adding-100/chrono-below-pytorch',
      'adding-100/chrono-below-unit',
      'adding-200/chrono-below-pytorch',
      'copy-500/chrono-below-defaults',
    ]);
    expect(['reproduced', 'partly', 'not']).toContain(verdicts['adding-100/chrono-below-pytorch']);
    expect(verdicts['adding-200/chrono-below-pytorch']).toBe('not run');
    expect(verdicts['copy-500/chrono-below-defaults']).toBe('not run');

    // The terminal: the same table at the end, then the report's path on the last line.
    expect(r.stdout).toContain('Paper vs fxbench: tallec2018 (Tallec & Ollivier 2018');
    for (const [id, verdict] of Object.entries(verdicts)) expect(r.stdout).toMatch(new RegExp(`^${verdict} +${id.replace(/[/.]/g, '\\$&')}: `, 'm'));
    const lines = r.stdout.trim().split('\n');
    const report = path.join(dir, 'report', 'index.html');
    expect(lines.at(-1)).toBe(`report: ${path.resolve(report)}`);

    // The report opens with the paper-vs-fxbench table, one row per number.
    const html = readFileSync(report, 'utf8');
    const body = html.slice(html.indexOf('</header>'));
    expect(body.match(/<h2 id="[^"]+"/)![0]).toBe('<h2 id="reproduction"');
    expect(body.match(/<tr id="number-/g)).toHaveLength(4);
    expect(existsSync(path.join(dir, 'report', 'results.csv'))).toBe(true);

    // Resume, as the interrupted-run line gives it (--out the results file): nothing is recomputed, nothing lost.
    const again = await fxbench(['reproduce', 'tallec2018', '--profile', 'quick', '--resume', '--out', path.join(dir, 'results.jsonl'), '--workers', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming: 6 done in .*results\.jsonl, 0 to run/);
    expect(readLines(path.join(dir, 'results.jsonl'))).toEqual(records);
    const resumed = JSON.parse(readFileSync(path.join(dir, 'comparison.json'), 'utf8'));
    expect(resumed.rows.map((row: { verdict: string }) => row.verdict)).toEqual(Object.values(verdicts));
  });
});
