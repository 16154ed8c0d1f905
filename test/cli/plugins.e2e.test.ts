/**
 * Plugins from any folder through the CLI (Node's own module resolution): a plugin that takes
 * tf and z from the plugin API trains from a folder with no node_modules; one that imports
 * tfjs itself there is refused in one line with exit 2, saying what to do instead.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fxbench, readLines, root } from './helpers.js';

/** A plugin that imports nothing (tf and z from the plugin API), copied into a folder with no node_modules. */
const API_LINEAR = path.resolve(import.meta.dirname, '../fixtures/plugins/api-linear.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-plugins-e2e-'));
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe('plugins from anywhere, through the CLI', () => {
  it('a plugin taking tf and z from the API runs from a folder without node_modules', async () => {
    const plugin = file('api-linear.mjs', readFileSync(API_LINEAR, 'utf8'));
    const out = path.join(dir, 'outside.jsonl');
    const r = await fxbench([
      '--plugin',
      plugin,
      'run',
      '--tasks',
      'adding',
      '--extractors',
      'api-linear,lstm',
      '--lengths',
      '8',
      '--steps',
      '3',
      '--no-tune',
      '--workers',
      '2',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(
      readLines(out)
        .map((x) => [x.extractor.name, x.status])
        .sort(),
    ).toEqual([
      ['api-linear', 'completed'],
      ['lstm', 'completed'],
    ]);
  });

  it("a package plugin installed in the working directory's node_modules loads, in the main process and on worker threads", () => {
    const project = mkdtempSync(path.join(os.tmpdir(), 'fxbench-package-plugin-'));
    const pkg = path.join(project, 'node_modules', 'fxbench-plugin-demo');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'fxbench-plugin-demo', version: '1.0.0', type: 'module', main: 'index.js' }));
    writeFileSync(
      path.join(pkg, 'index.js'),
      `export default function ({ z, registerTask }) {
  registerTask({ name: 'demo-first', description: 'the first of T random bits (package fixture)', example: 'a b -> a', source: 'test', options: z.object({}).strict(),
    create: () => ({ input: { kind: 'tokens', vocab: 2, tokens: ['a', 'b'] }, output: { kind: 'classes', classes: 2, labels: ['a', 'b'], per: 'sequence' },
      chance: () => ({ value: 0.5, metric: 'accuracy', why: 'two classes' }), minLength: 1,
      sample(rng, B, T) { const inputs = new Int32Array(B * T); for (let i = 0; i < inputs.length; i++) inputs[i] = rng.int(2); const targets = new Int32Array(B); for (let b = 0; b < B; b++) targets[b] = inputs[b * T]; return { batchSize: B, length: T, inputs, targets, meta: Array.from({ length: B }, () => ({})) }; },
      decode: () => ({ input: '', target: '' }) }) });
}
`,
    );
    const out = path.join(project, 'r.jsonl');
    const args = [
      '--plugin',
      'fxbench-plugin-demo',
      'run',
      '--tasks',
      'demo-first',
      '--extractors',
      'rnn,lstm',
      '--lengths',
      '6',
      '--steps',
      '3',
      '--no-tune',
      '--workers',
      '2',
      '--out',
      out,
      '--quiet',
    ];
    const r = spawnSync(process.execPath, [path.join(root, 'bin/fxbench.js'), ...args], { cwd: project, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('plugin fxbench-plugin-demo: registered task demo-first');
    expect(readLines(out).map((x) => x.status)).toEqual(['completed', 'completed']);
  });

  it('a plugin importing tfjs itself from there is refused with what to do instead', async () => {
    const plugin = file('imports-tf.mjs', "import * as tf from '@tensorflow/tfjs';\nexport const extractors = [];\n");
    const r = await fxbench(['--plugin', plugin, 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/imports @tensorflow\/tfjs, which is not installed beside it: take tf and z from the plugin API instead/);
  });
});
