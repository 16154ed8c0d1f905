import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../kernels/backend.js';
import { Rng } from '../../core/rng.js';
import { mlp } from '../../extractors/mlp.js';
import { parameterCount } from '../../extractors/types.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('mlp (the fully connected baseline)', () => {
  const create = (o: Record<string, unknown>, D = 3) => mlp.create(mlp.options.parse(o), { inputDim: D, rng: new Rng(1) });

  it('has parameters that grow with the length it reads (no weight sharing)', () => {
    // fc1: H*(maxLen*D) + H, fc2: H*H + H. H=4, D=3: maxLen 8 -> 4*24+4 + 16+4 = 120; maxLen 16 -> 4*48+4 + 20 = 216.
    expect(parameterCount(create({ hidden: 4, maxLen: 8 }).variables)).toBe(120);
    expect(parameterCount(create({ hidden: 4, maxLen: 16 }).variables)).toBe(216);
  });

  it('counts FLOPs by hand: 2*B*maxLen*D*H + 2*B*H*H + 3*B*H', () => {
    // B=2, maxLen=8, D=3, H=4: 2*2*8*3*4 = 384; 2*2*4*4 = 64; 3*2*4 = 24 -> 472
    expect(create({ hidden: 4, maxLen: 8 }).flops(2, 5)).toBe(472);
  });

  it('reads shorter sequences as left-padded with zeros, and refuses longer ones', () => {
    const e = create({ hidden: 4, maxLen: 6 });
    const x = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 7) as tf.Tensor3D;
    const short = e.apply(x, { training: false });
    const padded = e.apply(
      tf.pad(x, [
        [0, 0],
        [2, 0],
        [0, 0],
      ]) as tf.Tensor3D,
      { training: false },
    );
    // The same features (every position carries the sequence's features).
    expect(Array.from(short.slice([0, 3, 0], [2, 1, 4]).dataSync())).toEqual(Array.from(padded.slice([0, 5, 0], [2, 1, 4]).dataSync()));
    expect(() => e.apply(tf.zeros([1, 7, 3]) as tf.Tensor3D, { training: false })).toThrow(/maxLen=6/);
  });
});

describe("rnn spectralRadius (Pascanu et al.'s knob)", () => {
  it('initialises the recurrent matrix as rho times an orthogonal matrix: every singular value is rho', async () => {
    const { rnn } = await import('../../extractors/recurrent/recurrent.js');
    const H = 6;
    const e = rnn.create(rnn.options.parse({ hidden: H, spectralRadius: 1.5 }), { inputDim: 3, rng: new Rng(2) });
    const w = e.variables.weight_hh_l0; // [H, H]
    const wtw = tf.matMul(w, w, true, false).arraySync() as number[][]; // W^T W = rho^2 I
    for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) expect(wtw[i][j]).toBeCloseTo(i === j ? 2.25 : 0, 5);
    // Other weights are untouched by the option: the same as without it.
    const plain = rnn.create(rnn.options.parse({ hidden: H }), { inputDim: 3, rng: new Rng(2) });
    expect(Array.from(e.variables.weight_ih_l0.dataSync())).toEqual(Array.from(plain.variables.weight_ih_l0.dataSync()));
  });
});
