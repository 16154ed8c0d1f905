/**
 * examples/plugins/mingru-plugin.mjs, minGRU written on the public plugin API and `ctx.ops`,
 * against the built-in `mingru`: the same seed gives the same initial weights under the same
 * names, and the same (noisy) weights give the same outputs and gradients (x and every weight)
 * on both backends. And the harness loads it as a plugin and trains it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { mingru } from '../../extractors/recurrent/mingru.js';
import { kernelOps } from '../../extractors/ops.js';
import type { Extractor, ExtractorDefinition } from '../../extractors/types.js';
import { loadWeights, saveWeights } from '../../extractors/weights.js';
import { initBackend, type BackendName } from '../../kernels/backend.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'plugins', 'mingru-plugin.mjs');
let plugin: ExtractorDefinition;

function create(def: ExtractorDefinition, options: Record<string, unknown>, seed: string): Extractor {
  return def.create(def.options.parse(options), { inputDim: 3, rng: new Rng(seed), ops: kernelOps });
}

function free(ext: Extractor): void {
  for (const v of Object.values(ext.variables)) v.dispose();
}

/** Output and the gradients of sum(y * r) with respect to x and every weight, by name. */
function run(ext: Extractor, x: number[], r: number[], B: number, T: number): Record<string, Float32Array> {
  return tf.tidy(() => {
    const xt = tf.tensor3d(x, [B, T, 3]);
    const rt = tf.tensor3d(r, [B, T, ext.outputDim]);
    const loss = (xx: tf.Tensor) => tf.sum(tf.mul(ext.apply(xx as tf.Tensor3D, { training: true }), rt)) as tf.Scalar;
    const out: Record<string, Float32Array> = { y: ext.apply(xt, { training: true }).dataSync() as Float32Array };
    out.x = tf.grad(loss)(xt).dataSync() as Float32Array;
    const { grads } = tf.variableGrads(() => loss(xt), Object.values(ext.variables));
    for (const [n, v] of Object.entries(ext.variables)) out[n] = grads[v.name].dataSync() as Float32Array;
    return out;
  });
}

beforeAll(async () => {
  plugin = ((await import(pathToFileURL(file).href)) as { extractors: ExtractorDefinition[] }).extractors[0];
});

it('is under 80 lines and uses only the public API (tfjs, zod and ctx)', () => {
  const text = readFileSync(file, 'utf8');
  expect(text.split('\n').length).toBeLessThan(80);
  const imports = [...text.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
  expect(imports.sort()).toEqual(['@tensorflow/tfjs', 'zod']);
});

for (const backend of ['wasm', 'cpu'] as BackendName[]) {
  describe(`mingru-plugin gives the built-in's numbers (${backend})`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    for (const options of [{ hidden: 6 }, { hidden: 5, layers: 2 }]) {
      it(`options ${JSON.stringify(options)}`, () => {
        const ours = create(mingru, options, 'plugin-vs-builtin');
        const theirs = create(plugin, options, 'plugin-vs-builtin');
        try {
          // Same seed: same names, same initial values (same draws in the same order).
          const a = saveWeights(ours);
          const b = saveWeights(theirs);
          expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
          for (const n of Object.keys(a)) expect(b[n], n).toEqual(a[n]);
          expect(plugin.width!.params(plugin.options.parse(options), 3)).toBe(mingru.width!.params(mingru.options.parse(options), 3));
          // Noisy weights loaded into both.
          const noise = new Rng('plugin-vs-builtin/noise');
          for (const w of Object.values(a)) w.data = w.data.map((v) => v + 0.3 * noise.normal());
          loadWeights(ours, a);
          loadWeights(theirs, a);
          const B = 3;
          const T = 6;
          const data = new Rng('plugin-vs-builtin/data');
          const x = Array.from({ length: B * T * 3 }, () => data.normal());
          const r = Array.from({ length: B * T * ours.outputDim }, () => data.normal());
          const want = run(ours, x, r, B, T);
          const got = run(theirs, x, r, B, T);
          expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
          for (const [n, w] of Object.entries(want)) {
            const g = got[n];
            let err = 0;
            for (let i = 0; i < w.length; i++) err = Math.max(err, Math.abs(g[i] - w[i]));
            expect(err, n).toBeLessThan(1e-5);
            expect(Math.max(...w.map(Math.abs)), `${n} is not all zeros`).toBeGreaterThan(1e-3);
          }
          expect(theirs.flops(B, T)).toBe(ours.flops(B, T));
        } finally {
          free(ours);
          free(theirs);
        }
      });
    }
  });
}

describe('loaded as a plugin', () => {
  it('registers and trains through the harness (a few steps of recall)', async () => {
    await initBackend('wasm');
    const { loadPlugins } = await import('../../harness/plugins/load.js');
    const { runCell } = await import('../../harness/cell/runCell.js');
    const { expandSuite, parseSuite } = await import('../../harness/suite/suite.js');
    const [loaded] = await loadPlugins([file]);
    expect(loaded.extractors).toEqual(['mingru-plugin']);
    const [cell] = expandSuite(
      parseSuite({
        tasks: ['recall'],
        extractors: [{ name: 'mingru-plugin', options: { hidden: 8 } }],
        lengths: [6],
        steps: 3,
        batch: 4,
        evalSamples: 4,
        valSamples: 4,
      }),
    );
    const record = await runCell(cell);
    expect(record.status).toBe('completed');
    expect(record.extractor.params).toBe(2 * 8 * (64 + 1));
  });
});
