/**
 * The Transformer's `causal` option (a decoder's mask, beyond the PyTorch golden fixtures
 * "transformer-causal*"): the features at position t do not change when inputs after t
 * change, and get no gradient from them, in both attention modes (probabilities kept, or
 * streamed in query blocks that straddle the diagonal), alone and combined with the key
 * padding mask; without `causal` the same change does reach earlier positions.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../kernels/backend.js';
import { Rng } from '../../../core/rng.js';
import { transformer } from '../../../extractors/transformer/transformer.js';
import { attentionOverride } from '../../../extractors/transformer/stack.js';
import type { Extractor } from '../../../extractors/types.js';

const [D, B, T] = [3, 3, 11];
const CUT = 6; // inputs at positions > CUT change

function make(options: Record<string, unknown>): Extractor {
  return transformer.create(transformer.options.parse({ dModel: 8, heads: 2, ffDim: 12, layers: 2, ...options }), { inputDim: D, rng: new Rng('causal-test') });
}

/** Features [B, T, H] of x, and d sum(y[:, <= CUT]) / dx. */
function run(ext: Extractor, x: Float32Array, mask?: number[][]) {
  return tf.tidy(() => {
    const m = mask ? tf.tensor2d(mask) : undefined;
    const upToCut = tf.tensor3d(
      Array.from({ length: B * T }, (_, i) => (i % T <= CUT ? 1 : 0)),
      [B, T, 1],
    );
    const xt = tf.tensor3d(x, [B, T, D]);
    const y = ext.apply(xt, { training: true, mask: m });
    const [gx] = tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(ext.apply(xx as tf.Tensor3D, { training: true, mask: m }), upToCut)))([xt]);
    return { y: y.arraySync() as number[][][], gx: gx.arraySync() as number[][][] };
  });
}

// Left-padded by 3 (queries 0..2 see no token), unpadded, right-padded by 2.
const MASK = [
  [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0],
];

describe('transformer causal', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterEach(() => {
    delete attentionOverride.mode;
    delete attentionOverride.block;
  });

  const modes = [
    { mode: 'probs' as const, block: undefined },
    { mode: 'stream' as const, block: 4 }, // blocks 0-3, 4-7, 8-10: the diagonal inside each
  ];
  for (const { mode, block } of modes) {
    for (const masked of [false, true]) {
      for (const norm of ['post', 'pre'] as const) {
        it(`${mode}${masked ? ', with the key padding mask' : ''}, ${norm}-norm: position t's features do not depend on inputs after t`, () => {
          attentionOverride.mode = mode;
          attentionOverride.block = block;
          const rng = new Rng(`causal/${mode}/${masked}/${norm}`);
          const x = Float32Array.from({ length: B * T * D }, () => rng.uniform() * 2 - 1);
          const x2 = Float32Array.from(x, (v, i) => (Math.floor(i / D) % T > CUT ? v + 2 * (rng.uniform() - 0.5) : v));
          const mask = masked ? MASK : undefined;
          const ext = make({ causal: true, norm });
          const a = run(ext, x, mask);
          const b = run(ext, x2, mask);
          for (let s = 0; s < B; s++) {
            for (let t = 0; t < T; t++) {
              if (t <= CUT)
                expect(b.y[s][t], `features at ${s},${t}`).toEqual(a.y[s][t]); // bit for bit, padded queries included
              else expect(a.gx[s][t], `d(y up to ${CUT})/d x at ${s},${t}`).toEqual([0, 0, 0]);
              expect(a.y[s][t].every(Number.isFinite), `finite at ${s},${t}`).toBe(true);
            }
          }
          expect(a.gx[1][CUT].some((v) => v !== 0)).toBe(true);
          // The same change reaches earlier positions without the causal mask (the test above can fail).
          const full = make({ causal: false, norm });
          const c = run(full, x, mask);
          const d = run(full, x2, mask);
          expect(Math.abs(c.y[1][0][0] - d.y[1][0][0])).toBeGreaterThan(1e-4);
          expect(c.gx[1][T - 1].some((v) => v !== 0)).toBe(true);
          for (const e of [ext, full]) {
            for (const v of Object.values(e.variables)) v.dispose();
            e.dispose?.();
          }
        });
      }
    }
  }

  it('keeping probabilities and streaming give the same features and gradients, bit for bit', () => {
    const rng = new Rng('causal/modes');
    const x = Float32Array.from({ length: B * T * D }, () => rng.uniform() * 2 - 1);
    const ext = make({ causal: true });
    attentionOverride.mode = 'probs';
    const a = run(ext, x, MASK);
    attentionOverride.mode = 'stream';
    attentionOverride.block = 4;
    const b = run(ext, x, MASK);
    expect(b.y).toEqual(a.y);
    expect(b.gx).toEqual(a.gx);
    for (const v of Object.values(ext.variables)) v.dispose();
    ext.dispose?.();
  });

  it('is off by default, and listed with its description', () => {
    const o = transformer.options.parse({});
    expect(o.causal).toBe(false);
    const field = (
      transformer.options as unknown as { shape: Record<string, { description?: string; _zod: { def: { innerType: { description?: string } } } }> }
    ).shape.causal;
    expect(field.description ?? field._zod.def.innerType.description).toMatch(/positions <= t/);
  });
});
