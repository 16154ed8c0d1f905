/**
 * linear-attention and mingru beyond the PyTorch fixtures: what their definitions declare
 * (state size, memory, padding) against their created models, causality, and the padding
 * mask of linear attention (padded positions cannot reach the tokens, forward or backward).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../core/rng.js';
import { linearTransformer } from '../../../extractors/transformer/linearAttention.js';
import { mingru } from '../../../extractors/recurrent/mingru.js';
import { kernelOps } from '../../../extractors/ops.js';
import type { Extractor, ExtractorDefinition } from '../../../extractors/types.js';
import { initBackend } from '../../../kernels/backend.js';

const D = 3;

function make(def: ExtractorDefinition, options: Record<string, unknown>): Extractor {
  return def.create(def.options.parse(options), { inputDim: D, rng: new Rng(`linattn/${def.name}`), ops: kernelOps });
}

function free(ext: Extractor): void {
  ext.dispose?.();
  for (const v of Object.values(ext.variables)) v.dispose();
}

/** Features [B, T, H] and d sum(y over the token positions) / dx. */
function run(ext: Extractor, x: Float32Array, mask: number[][] | undefined, B: number, T: number) {
  return tf.tidy(() => {
    const m = mask ? tf.tensor2d(mask) : undefined;
    const tokens = tf.tensor3d(Float32Array.from(mask ? mask.flat() : new Array(B * T).fill(1)), [B, T, 1]);
    const xt = tf.tensor3d(x, [B, T, D]);
    const y = ext.apply(xt, { training: true, mask: m });
    const [gx] = tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(ext.apply(xx as tf.Tensor3D, { training: true, mask: m }), tokens)))([xt]);
    return { y: y.arraySync() as number[][][], gx: gx.arraySync() as number[][][] };
  });
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('definitions', () => {
  it('state: minGRU H per layer; linear attention heads*(dh^2 + dh) per layer, constant in T when causal', () => {
    expect(mingru.state!(mingru.options.parse({ hidden: 128, layers: 2 }), 4096, 64).floats).toBe(256);
    const la = (o: Record<string, unknown>, T: number) => linearTransformer.state!(linearTransformer.options.parse(o), T, 64).floats;
    // dModel 128, 4 heads: dh 32, per layer 4 * (1024 + 32) = 4224; 2 layers.
    expect(la({}, 64)).toBe(8448);
    expect(la({}, 4096)).toBe(8448);
    // Not causal: every query is kept besides S and z.
    expect(la({ causal: false }, 100) - la({ causal: false }, 50)).toBe(2 * 50 * 128);
  });

  it('padding: linear attention masks padded keys, minGRU reads pads as the recurrent models do', () => {
    expect(linearTransformer.padding).toBe('masked');
    expect(mingru.padding).toBe('reads');
  });

  it('memory: linear in T (no T^2 attention term), and at least the activations a step keeps', () => {
    for (const def of [mingru, linearTransformer]) {
      const o = def.options.parse({});
      const at = (T: number) => def.memory!(o, { batch: 32, length: T, inputDim: 64 }).train.reduce((s, t) => s + t.floats, 0);
      expect(at(1024) / at(256), def.name).toBeCloseTo(4, 5);
    }
    // minGRU keeps input, pre-activation, gates and states per layer: >= B*T*(D + 4H) floats.
    const m = mingru.memory!(mingru.options.parse({}), { batch: 32, length: 256, inputDim: 64 });
    expect(m.train[0].floats).toBeGreaterThanOrEqual(32 * 256 * (64 + 4 * 128));
  });
});

describe('linear attention', () => {
  for (const causal of [true, false]) {
    it(`${causal ? 'causal' : 'not causal'}: padded positions change no token's features and get no gradient from them`, () => {
      const ext = make(linearTransformer, { dModel: 8, heads: 2, ffDim: 12, layers: 2, causal, norm: causal ? 'post' : 'pre' });
      try {
        const [B, T] = [3, 7];
        const mask = [
          [0, 0, 0, 1, 1, 1, 1],
          [1, 1, 1, 1, 1, 1, 1],
          [1, 1, 1, 1, 1, 0, 0],
        ];
        const rng = new Rng(`linattn/mask/${causal}`);
        const x = Float32Array.from({ length: B * T * D }, () => rng.uniform() * 2 - 1);
        const x2 = Float32Array.from(x, (v, i) => (mask.flat()[Math.floor(i / D)] === 0 ? v + 3 * (rng.uniform() - 0.5) : v));
        const a = run(ext, x, mask, B, T);
        const b = run(ext, x2, mask, B, T);
        const open = run(ext, x2, undefined, B, T); // without the mask the pads do reach the tokens
        let reached = 0;
        for (let s = 0; s < B; s++) {
          for (let t = 0; t < T; t++) {
            if (mask[s][t] === 0) expect(a.gx[s][t], `d(tokens)/d(pad x) at ${s},${t}`).toEqual([0, 0, 0]);
            else {
              for (let c = 0; c < 8; c++) expect(b.y[s][t][c]).toBeCloseTo(a.y[s][t][c], 5);
              reached = Math.max(reached, ...open.y[s][t].map((v, c) => Math.abs(v - a.y[s][t][c])));
            }
          }
        }
        expect(reached, 'the pads matter without the mask').toBeGreaterThan(1e-3);
      } finally {
        free(ext);
      }
    });
  }

  it('causal: the features at t do not depend on later inputs; not causal, they do', () => {
    for (const causal of [true, false]) {
      const ext = make(linearTransformer, { dModel: 8, heads: 2, ffDim: 12, layers: 1, causal });
      try {
        const [B, T] = [1, 6];
        const rng = new Rng('linattn/causal');
        const x = Float32Array.from({ length: B * T * D }, () => rng.uniform() * 2 - 1);
        const later = Float32Array.from(x, (v, i) => (i >= 4 * D ? v + 1 : v)); // positions 4, 5 changed
        const a = run(ext, x, undefined, B, T).y[0];
        const b = run(ext, later, undefined, B, T).y[0];
        const change = Math.max(...[0, 1, 2, 3].flatMap((t) => a[t].map((v, c) => Math.abs(v - b[t][c]))));
        if (causal) expect(change).toBeLessThan(1e-6);
        else expect(change).toBeGreaterThan(1e-3);
      } finally {
        free(ext);
      }
    }
  });

  it('refuses a length past its learned positions with the option to raise, under its own name', () => {
    const ext = make(linearTransformer, { dModel: 8, heads: 2, ffDim: 12, layers: 1, positional: 'learned', maxLen: 4 });
    try {
      expect(() => tf.tidy(() => ext.apply(tf.zeros([1, 6, D]) as tf.Tensor3D, { training: false }))).toThrow(
        /linear-attention with learned positions .* -o linear-attention\.maxLen=6/,
      );
    } finally {
      free(ext);
    }
  });
});
