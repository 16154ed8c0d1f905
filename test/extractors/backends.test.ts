/**
 * The wasm and cpu backends agree on the standard shapes (width 128, input 64), where the
 * golden fixtures' width 4 cannot reach the larger-kernel code paths of the wasm matMul.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, type BackendName } from '../../kernels/backend.js';
import { Rng } from '../../core/rng.js';
import { builtinExtractors } from '../../extractors/index.js';
import { loadWeights, saveWeights, type WeightRecord } from '../../extractors/weights.js';

const B = 2;
const T = 8;
const D = 64;
const configs: { label: string; name: string; options: Record<string, unknown> }[] = [
  { label: 'rnn', name: 'rnn', options: { hidden: 128 } },
  { label: 'lstm', name: 'lstm', options: { hidden: 128 } },
  { label: 'gru', name: 'gru', options: { hidden: 128 } },
  { label: 'transformer', name: 'transformer', options: { dModel: 128, heads: 4, ffDim: 512, layers: 1, positional: 'learned', maxLen: 16 } },
  { label: 'tcn', name: 'tcn', options: { channels: 128, kernel: 3, levels: 4 } },
];

interface Out {
  y: Float32Array;
  grads: Record<string, Float32Array>;
}

function run(name: string, options: Record<string, unknown>, weights: WeightRecord | undefined, x: number[], r: number[]): { out: Out; weights: WeightRecord } {
  const def = builtinExtractors.find((d) => d.name === name)!;
  const ext = def.create(def.options.parse(options), { inputDim: D, rng: new Rng(`backends/${name}`), length: 64 });
  try {
    if (weights) loadWeights(ext, weights);
    const out = tf.tidy(() => {
      const xt = tf.tensor3d(x, [B, T, D]);
      const rt = tf.tensor(r, [B, T, ext.outputDim]);
      const f = (xx: tf.Tensor3D) => tf.sum(tf.mul(ext.apply(xx, { training: true }), rt)) as tf.Scalar;
      const y = ext.apply(xt, { training: true }).dataSync() as Float32Array;
      const [gx] = tf.grads((xx: tf.Tensor) => f(xx as tf.Tensor3D))([xt]);
      const { grads } = tf.variableGrads(() => f(xt), Object.values(ext.variables));
      const g: Record<string, Float32Array> = { x: gx.dataSync() as Float32Array };
      for (const [n, v] of Object.entries(ext.variables)) g[n] = grads[v.name].dataSync() as Float32Array;
      return { y, grads: g };
    });
    return { out, weights: weights ?? saveWeights(ext) };
  } finally {
    ext.dispose?.();
    for (const v of Object.values(ext.variables)) v.dispose();
  }
}

/** max |a - b| / max(1, max |b|): float32 summation order differs between backends. */
function relErr(a: Float32Array, b: Float32Array): number {
  let m = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    m = Math.max(m, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return m / scale;
}

describe('wasm and cpu agree at the standard shapes', () => {
  for (const c of configs) {
    it(c.label, async () => {
      const rng = new Rng(`backends/${c.label}`);
      const x = Array.from({ length: B * T * D }, () => rng.normal());
      const H = (c.options.hidden ?? c.options.dModel ?? c.options.channels) as number;
      const r = Array.from({ length: B * T * H }, () => rng.normal());
      const results: Partial<Record<BackendName, Out>> = {};
      let weights: WeightRecord | undefined;
      for (const backend of ['wasm', 'cpu'] as BackendName[]) {
        await initBackend(backend);
        const res = run(c.name, c.options, weights, x, r);
        weights = res.weights;
        results[backend] = res.out;
      }
      const [w, cpu] = [results.wasm!, results.cpu!];
      expect(relErr(w.y, cpu.y), 'y').toBeLessThan(1e-5);
      for (const n of Object.keys(cpu.grads)) expect(relErr(w.grads[n], cpu.grads[n]), n).toBeLessThan(1e-4);
    });
  }
});
