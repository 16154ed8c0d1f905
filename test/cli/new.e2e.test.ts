/** `fxbench new extractor|task NAME` writes a plugin and a test that pass as they are, from a folder outside the repository. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fxbench } from './helpers.js';

describe('fxbench new', () => {
  it('writes an extractor and a task plugin whose own tests pass', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-new-'));
    for (const [kind, name] of [
      ['extractor', 'my-pool'],
      ['task', 'first-token'],
    ]) {
      const r = await fxbench(['new', kind, name, '--dir', dir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`wrote ${path.join(dir, `${name}.mjs`)}`);
    }
    const tests = spawnSync(process.execPath, ['--test', 'my-pool.test.mjs', 'first-token.test.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(tests.status, tests.stdout + tests.stderr).toBe(0);
    expect(tests.stdout).toMatch(/# pass 2/);
    const again = await fxbench(['new', 'task', 'first-token', '--dir', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/first-token\.mjs already exists: choose another name or --dir, or remove it/);
  });
});
