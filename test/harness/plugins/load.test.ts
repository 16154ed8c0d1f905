/**
 * Plugins load from any folder: one that takes tf and z from the plugin API needs nothing
 * installed beside it and trains; a TypeScript file is refused in one line saying what to do.
 * Through the CLI, with Node's own module resolution: test/cli/plugins.e2e.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../kernels/backend.js';
import { runCell } from '../../../harness/cell/runCell.js';
import { loadPlugins } from '../../../harness/plugins/load.js';
import { expandSuite, parseSuite } from '../../../harness/suite/suite.js';

/** A plugin that imports nothing (tf and z from the plugin API), copied into a folder with no node_modules. */
const API_LINEAR = path.resolve(import.meta.dirname, '../../fixtures/plugins/api-linear.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-plugin-anywhere-')); // no node_modules here or above
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

beforeAll(async () => {
  await initBackend('wasm');
});

describe('plugins from anywhere', () => {
  it('a plugin that takes tf and z from the API loads from a folder without node_modules, and trains', async () => {
    const plugin = file('api-linear.mjs', readFileSync(API_LINEAR, 'utf8'));
    expect(await loadPlugins([plugin])).toEqual([{ plugin, extractors: ['api-linear'], tasks: [] }]);
    const [cell] = expandSuite(
      parseSuite({ name: 'p', tasks: ['adding'], extractors: ['api-linear'], lengths: [8], seeds: [1], steps: 3, tune: false }, 'test'),
    );
    const record = await runCell(cell);
    expect(record.status, record.status === 'errored' ? record.message : '').toBe('completed');
  });

  it('a TypeScript plugin is refused with how to compile it', async () => {
    const plugin = file('typed.ts', 'export const extractors: unknown[] = [];\n');
    await expect(loadPlugins([plugin])).rejects.toThrow(/is TypeScript, which Node .* cannot load: compile it first \(npx tsc/);
  });
});
