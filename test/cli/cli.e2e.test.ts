/** The CLI as a user meets it: the built bin (npm test builds dist/ first). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/fxbench.js');

function fxbench(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('fxbench CLI', () => {
  it('names every registered command when none is given, and prints the version', async () => {
    const { COMMANDS } = await import('../../cli/commands/index.js');
    const none = fxbench();
    expect(none.code).toBe(2);
    const line = none.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    for (const c of COMMANDS) expect(line).toContain(c.command.split(' ')[0]);
    expect(line).toMatch(/audit.*merge|merge.*audit/);
    const version = fxbench('--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version);
  });

  it('rejects an unknown extractor with a did-you-mean message, exit code 2 and no stack trace', () => {
    const r = fxbench('run', '--tasks', 'recall', '--extractors', 'lstn', '--lengths', '8');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown extractor "lstn": did you mean "lstm"?');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('rejects bad numbers and unknown flags before any work', () => {
    const bad = fxbench('run', '--tasks', 'recall', '--extractors', 'rnn', '--lengths', '8,x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--lengths: "x" is not a number/);
    const neg = fxbench('run', '--tasks', 'recall', '--extractors', 'rnn', '--lengths', '-4');
    expect(neg.code).toBe(2);
    expect(neg.stderr).toMatch(/--lengths -4: expected a positive integer \(or a .* range\) in each entry, got -4/);
    const flag = fxbench('run', '--tasks', 'recall', '--extractor', 'rnn');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown argument/i);
  });

  it('lists tasks and extractors with their options and chance baselines', () => {
    const r = fxbench('list', '--json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { tasks: { name: string; chance: number }[]; extractors: { name: string; options: { key: string }[] }[] };
    expect(list.extractors.map((e) => e.name)).toEqual(expect.arrayContaining(['rnn', 'lstm', 'transformer']));
    expect(list.tasks.find((t) => t.name === 'recall')?.chance).toBeGreaterThan(0);
    expect(list.extractors.find((e) => e.name === 'transformer')?.options.map((o) => o.key)).toContain('heads');
  });

  it("lists every extractor's state size at T = 64 and 1024 with its formula and padding treatment", () => {
    const list = JSON.parse(fxbench('list', '--json').stdout) as {
      extractors: { name: string; padding: string; state?: { at: { length: number; bytes: number; what: string }[]; constant: boolean } }[];
    };
    const of = (name: string) => list.extractors.find((e) => e.name === name)!;
    expect(of('lstm').state).toMatchObject({
      constant: true,
      at: [
        { length: 64, bytes: 2 * 128 * 4 },
        { length: 1024, bytes: 2 * 128 * 4 },
      ],
    });
    expect(of('transformer').state).toMatchObject({
      constant: false,
      at: [
        { length: 64, bytes: 2 * 2 * 64 * 128 * 4 },
        { length: 1024, bytes: 2 * 2 * 1024 * 128 * 4 },
      ],
    });
    for (const e of list.extractors) expect(['masked', 'reads', 'refuses']).toContain(e.padding);
  });

  it('runs a tiny suite end to end, writing JSONL results and an HTML report', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-cli-'));
    const out = path.join(dir, 'r.jsonl');
    const r = fxbench(
      'run',
      '--tasks',
      'recall,adding',
      '--extractors',
      'rnn,transformer',
      '--lengths',
      '6',
      '--steps',
      '3',
      '--batch',
      '4',
      '--no-tune',
      '--eval-samples',
      '16',
      '--val-samples',
      '8',
      '--out',
      out,
      '--report',
      path.join(dir, 'report'),
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => JSON.parse(l).status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(r.stdout).toMatch(/report: .*index\.html/);
    expect(existsSync(path.join(dir, 'report', 'index.html'))).toBe(true);
  });
});

describe('plugins through the CLI', () => {
  const plugins = ['--plugin', './examples/plugins/bow-extractor.mjs', '--plugin', './examples/plugins/majority-task.mjs'];

  it('registers the example extractor and task plugins, also inside worker threads', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-plugin-'));
    const out = path.join(dir, 'r.jsonl');
    const r = fxbench(
      ...plugins,
      'run',
      '--tasks',
      'majority,recall',
      '--extractors',
      'bow,rnn',
      '--lengths',
      '6',
      '--steps',
      '2',
      '--batch',
      '4',
      '--no-tune',
      '--eval-samples',
      '16',
      '--val-samples',
      '8',
      '--workers',
      '2',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('registered extractor bow');
    const records = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((x) => x.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(records.map((x) => `${x.task.name}/${x.extractor.name}`).sort()).toEqual(['majority/bow', 'majority/rnn', 'recall/bow', 'recall/rnn']);
    const list = JSON.parse(fxbench(...plugins, 'list', '--json').stdout) as { tasks: { name: string }[] };
    expect(list.tasks.map((t) => t.name)).toContain('majority');
  });

  it('refuses a missing plugin file and a plugin that registers nothing, with exit code 2', () => {
    const missing = fxbench('--plugin', './nope.mjs', 'list');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/plugin file \.\/nope\.mjs does not exist/);
    const empty = fxbench('--plugin', './test/fixtures/plugins/empty.mjs', 'list');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/plugin \.\/test\/fixtures\/plugins\/empty\.mjs registered nothing/);
  });
});
