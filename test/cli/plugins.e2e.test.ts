/**
 * Plugins from any folder through the CLI (Node's own module resolution): a plugin that takes
 * tf and z from the plugin API trains from a folder with no node_modules; one that imports
 * tfjs itself there is refused in one line with exit 2, saying what to do instead.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fxbench, readLines } from './helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-plugins-e2e-'));
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe('plugins from anywhere, through the CLI', () => {
  it('a plugin taking tf and z from the API runs from a folder without node_modules', async () => {
    const plugin = file(
      'linear.mjs',
      `export default function ({ tf, z, registerExtractor }) {
  registerExtractor({
    name: 'outside-linear',
    description: 'a linear map per position (test fixture)',
    options: z.object({ hidden: z.number().int().positive().default(8) }).strict(),
    create(o, ctx) {
      const w = tf.variable(tf.randomNormal([ctx.inputDim, o.hidden], 0, 0.1, 'float32', 7));
      return {
        variables: { weight: w },
        outputDim: o.hidden,
        apply: (x) => tf.tanh(tf.matMul(x.reshape([-1, ctx.inputDim]), w)).reshape([x.shape[0], x.shape[1], o.hidden]),
        flops: (B, T) => 2 * B * T * ctx.inputDim * o.hidden,
      };
    },
  });
}
`,
    );
    const out = path.join(dir, 'outside.jsonl');
    const r = await fxbench([
      '--plugin',
      plugin,
      'run',
      '--tasks',
      'adding',
      '--extractors',
      'outside-linear,lstm',
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
      ['lstm', 'completed'],
      ['outside-linear', 'completed'],
    ]);
  });

  it('a plugin importing tfjs itself from there is refused with what to do instead', async () => {
    const plugin = file('imports-tf.mjs', "import * as tf from '@tensorflow/tfjs';\nexport const extractors = [];\n");
    const r = await fxbench(['--plugin', plugin, 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/imports @tensorflow\/tfjs, which is not installed beside it: take tf and z from the plugin API instead/);
  });
});
