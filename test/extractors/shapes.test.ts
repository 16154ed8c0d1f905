/**
 * Shapes, gradient flow, parameter counts and the length guards of the built-in extractors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../kernels/backend.js';
import { Rng } from '../../core/rng.js';
import { builtinExtractors } from '../../extractors/index.js';
import { parameterCount, type Extractor, type ExtractorContext } from '../../extractors/types.js';
import type { WeightRecord } from '../../extractors/weights.js';

function create(name: string, options: Record<string, unknown>, inputDim: number, extra: Partial<ExtractorContext> = {}): Extractor {
  const def = builtinExtractors.find((d) => d.name === name);
  if (!def) throw new Error(`no built-in extractor ${name}`);
  return def.create(def.options.parse(options), { inputDim, rng: new Rng(`shapes/${name}`), length: 16, ...extra });
}

function free(ext: Extractor): void {
  ext.dispose?.();
  for (const v of Object.values(ext.variables)) v.dispose();
}

function randomTensor(rng: Rng, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Array.from({ length: n }, () => rng.normal()),
    shape,
  );
}

const D = 5;
const small: { label: string; name: string; options: Record<string, unknown> }[] = [
  { label: 'rnn', name: 'rnn', options: { hidden: 6, layers: 2 } },
  { label: 'lstm', name: 'lstm', options: { hidden: 6, layers: 2 } },
  { label: 'gru', name: 'gru', options: { hidden: 6, layers: 2 } },
  { label: 'transformer sinusoidal post', name: 'transformer', options: { dModel: 8, heads: 2, ffDim: 16, layers: 2 } },
  { label: 'transformer learned', name: 'transformer', options: { dModel: 8, heads: 2, ffDim: 16, layers: 2, positional: 'learned', maxLen: 12 } },
  { label: 'transformer none pre', name: 'transformer', options: { dModel: 8, heads: 4, ffDim: 16, layers: 1, positional: 'none', norm: 'pre' } },
  { label: 'transformer no norm, no residual', name: 'transformer', options: { dModel: 8, heads: 1, ffDim: 16, layers: 2, norm: 'none', residual: false } },
  { label: 'tcn with downsample', name: 'tcn', options: { channels: 6, kernel: 3, levels: 2 } },
  { label: 'tcn without downsample (D = channels)', name: 'tcn', options: { channels: D, kernel: 2, levels: 3 } },
  // maxLen = the test length, so no position is padding and every fc1 weight gets a gradient.
  { label: 'mlp', name: 'mlp', options: { hidden: 6, maxLen: 7 } },
  { label: 'mamba', name: 'mamba', options: { dModel: 6, layers: 2, dState: 3, dConv: 3, expand: 2 } },
  { label: 's4d', name: 's4d', options: { dModel: 6, layers: 2, dState: 4 } },
  { label: 'mingru', name: 'mingru', options: { hidden: 6, layers: 2 } },
  { label: 'linear-attention causal', name: 'linear-attention', options: { dModel: 8, heads: 2, ffDim: 16, layers: 2 } },
  {
    label: 'linear-attention not causal, learned, pre',
    name: 'linear-attention',
    options: { dModel: 8, heads: 2, ffDim: 16, layers: 1, causal: false, positional: 'learned', maxLen: 12, norm: 'pre' },
  },
  { label: 'deltanet', name: 'deltanet', options: { dModel: 6, layers: 2, heads: 2, dConv: 3 } },
  { label: 'gated-deltanet, headDim and expandV', name: 'gated-deltanet', options: { dModel: 6, layers: 2, heads: 2, headDim: 4, expandV: 1.5, dConv: 3 } },
];

describe('built-in extractors: shapes, gradients, parameters, guards', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('covers every built-in extractor', () => {
    expect(new Set(small.map((c) => c.name))).toEqual(new Set(builtinExtractors.map((d) => d.name)));
  });

  describe('output shape [B, T, H]', () => {
    for (const c of small) {
      it(c.label, () => {
        const ext = create(c.name, c.options, D);
        try {
          const H = ext.outputDim;
          expect(H).toBe(c.options.hidden ?? c.options.dModel ?? c.options.channels);
          for (const [B, T] of [
            [3, 7],
            [1, 1],
            [2, 12],
          ]) {
            if (ext.maxLength !== undefined && T > ext.maxLength) {
              // Bounded extractors (mlp) refuse longer input with a message naming the option.
              expect(() => tf.tidy(() => ext.apply(tf.zeros([B, T, D]) as tf.Tensor3D, { training: false }))).toThrow(/maxLen/);
              continue;
            }
            const shape = tf.tidy(() => ext.apply(tf.zeros([B, T, D]) as tf.Tensor3D, { training: false }).shape);
            expect(shape, `B=${B} T=${T}`).toEqual([B, T, H]);
          }
          // Defaults parse too and give the documented width.
          const def = builtinExtractors.find((d) => d.name === c.name)!;
          expect(def.options.parse({})).toBeTruthy();
        } finally {
          free(ext);
        }
      });
    }
  });

  describe('every weight receives gradient from a loss on the output', () => {
    const B = 3;
    const T = 7;
    for (const c of small) {
      it(c.label, () => {
        const ext = create(c.name, c.options, D);
        const rng = new Rng(`grads/${c.label}`);
        try {
          const grads = tf.tidy(() => {
            const x = randomTensor(rng, [B, T, D]) as tf.Tensor3D;
            const r = randomTensor(rng, [B, T, ext.outputDim]);
            const { grads } = tf.variableGrads(() => tf.sum(tf.mul(ext.apply(x, { training: true }), r)) as tf.Scalar, Object.values(ext.variables));
            const out: Record<string, { shape: number[]; data: Float32Array }> = {};
            for (const [n, v] of Object.entries(ext.variables)) out[n] = { shape: grads[v.name].shape, data: grads[v.name].dataSync() as Float32Array };
            return out;
          });
          expect(Object.keys(grads).sort()).toEqual(Object.keys(ext.variables).sort());
          for (const [n, g] of Object.entries(grads)) {
            expect(g.shape, n).toEqual(ext.variables[n].shape);
            expect(g.data.every(Number.isFinite), `${n} finite`).toBe(true);
            if (n === 'pos_embedding') {
              // Learned positions: only the rows of positions 0..T-1 are read, so only they get gradient.
              const d = g.shape[1];
              for (let row = 0; row < g.shape[0]; row++) {
                const norm = Math.hypot(...g.data.subarray(row * d, (row + 1) * d));
                if (row < T) expect(norm, `pos_embedding row ${row} < T`).toBeGreaterThan(0);
                else expect(norm, `pos_embedding row ${row} >= T`).toBe(0);
              }
            } else {
              expect(Math.max(...g.data.map(Math.abs)), `${n} has a non-zero gradient`).toBeGreaterThan(1e-7);
            }
            if (c.name === 'transformer' && n.endsWith('self_attn.in_proj_bias')) {
              // The key bias (rows d..2d) adds q.b_k to every score of a query's row, which the
              // softmax cancels: its true gradient is 0, so only float32 noise may show there
              // (not so in linear attention, where it passes through the feature map).
              const d = g.shape[0] / 3;
              const all = Math.max(...g.data.map(Math.abs));
              const key = Math.max(...g.data.subarray(d, 2 * d).map(Math.abs));
              expect(key, `${n}: key-bias gradient ~ 0`).toBeLessThan(1e-4 * all + 1e-6);
            }
          }
        } finally {
          free(ext);
        }
      });
    }
  });

  describe('parameter counts equal PyTorch', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'golden');
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      it(`fixture ${file}: same names, shapes and count as the PyTorch state_dict`, () => {
        const fx = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
          extractor: string;
          options: Record<string, unknown>;
          inputDim: number;
          weights: WeightRecord;
        };
        const ext = create(fx.extractor, fx.options, fx.inputDim);
        try {
          const torchCount = Object.values(fx.weights).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
          expect(parameterCount(ext.variables)).toBe(torchCount);
          expect(Object.keys(ext.variables).sort()).toEqual(Object.keys(fx.weights).sort());
          for (const [n, w] of Object.entries(fx.weights)) expect(ext.variables[n].shape, n).toEqual(w.shape);
        } finally {
          free(ext);
        }
      });
    }

    // The standard shapes of /work/shared/peers/README.md: embedding 64 in, width 128.
    // Counts worked out by hand from PyTorch's layouts (G gates: weight_ih [G*128, 64],
    // weight_hh [G*128, 128], bias_ih and bias_hh [G*128]).
    const standard: { name: string; options: Record<string, unknown>; torch: number }[] = [
      // rnn:  1*128*(64+128) + 2*1*128 = 24576 + 256 = 24832
      { name: 'rnn', options: { hidden: 128 }, torch: 1 * 128 * (64 + 128) + 2 * 1 * 128 },
      // lstm: 4*128*(64+128) + 2*4*128 = 98304 + 1024 = 99328
      { name: 'lstm', options: { hidden: 128 }, torch: 4 * 128 * (64 + 128) + 2 * 4 * 128 },
      // gru:  3*128*(64+128) + 2*3*128 = 73728 + 768 = 74496
      { name: 'gru', options: { hidden: 128 }, torch: 3 * 128 * (64 + 128) + 2 * 3 * 128 },
      // transformer: proj 64*128 + 128 = 8320; per layer: in_proj 3*128*128 + 3*128 = 49536,
      // out_proj 128*128 + 128 = 16512, linear1 512*128 + 512 = 66048, linear2 128*512 + 128
      // = 65664, norm1 + norm2 4*128 = 512 -> 198272; 8320 + 2*198272 = 404864 (sinusoidal: no weights)
      {
        name: 'transformer',
        options: { dModel: 128, heads: 4, ffDim: 512, layers: 2 },
        torch: 64 * 128 + 128 + 2 * (3 * 128 * 128 + 3 * 128 + 128 * 128 + 128 + 512 * 128 + 512 + 128 * 512 + 128 + 4 * 128),
      },
      // tcn: block 0: conv1 128*64*3 + 128 = 24704, conv2 128*128*3 + 128 = 49280,
      // downsample 128*64*1 + 128 = 8320 -> 82304; blocks 1..3: 2*49280 = 98560 each;
      // 82304 + 3*98560 = 377984
      {
        name: 'tcn',
        options: { channels: 128, kernel: 3, levels: 4 },
        torch: 128 * 64 * 3 + 128 + 128 * 128 * 3 + 128 + 128 * 64 + 128 + 3 * 2 * (128 * 128 * 3 + 128),
      },
      // mamba (d_inner 256, dt_rank 8, d_state 16, d_conv 4): proj 8320; per layer A_log 256*16
      // = 4096, D 256, in_proj 512*128 = 65536, conv1d 256*4 + 256 = 1280, x_proj 40*256 = 10240,
      // dt_proj 256*8 + 256 = 2304, out_proj 128*256 = 32768, norm 128 -> 116608;
      // 8320 + 2*116608 + norm_f 128 = 241664 (torch_bench.py's SSMStack("mamba") prints the same)
      {
        name: 'mamba',
        options: {},
        torch: 64 * 128 + 128 + 2 * (256 * 16 + 256 + 512 * 128 + 256 * 4 + 256 + 40 * 256 + 256 * 8 + 256 + 128 * 256 + 128) + 128,
      },
      // s4d (d_state 64: 32 complex modes): proj 8320; per layer D 128, log_dt 128, C 128*32*2
      // = 8192, log_A_real and A_imag 4096 each, output_linear 256*128 + 256 = 33024, norm 256
      // -> 49920; 8320 + 2*49920 + norm_f 256 = 108416 (as torch_bench.py's SSMStack("s4d"))
      { name: 's4d', options: {}, torch: 64 * 128 + 128 + 2 * (128 + 128 + 128 * 64 + 2 * 128 * 32 + 256 * 128 + 256 + 256) + 256 },
      // deltanet (4 heads, dk = dv = 32, d_conv 4): proj 8320; per layer q_proj, k_proj 2*128*128 = 32768,
      // v_proj 16384, b_proj 4*128 = 512, q/k/v_conv1d 3*128*4 = 1536, g_proj 16384, o_norm 32, o_proj 16384,
      // norm 128 -> 84128; 8320 + 2*84128 + norm_f 128 = 176704 (torch_bench.py's SSMStack("deltanet") prints the same)
      {
        name: 'deltanet',
        options: {},
        torch: 64 * 128 + 128 + 2 * (2 * 128 * 128 + 128 * 128 + 4 * 128 + 3 * 128 * 4 + 128 * 128 + 32 + 128 * 128 + 128) + 128,
      },
      // gated-deltanet: deltanet's + per layer a_proj 4*128 = 512, A_log 4, dt_bias 4 -> 84648; 177744 (as the peer's)
      {
        name: 'gated-deltanet',
        options: {},
        torch: 64 * 128 + 128 + 2 * (2 * 128 * 128 + 128 * 128 + 4 * 128 + 3 * 128 * 4 + 128 * 128 + 32 + 128 * 128 + 128 + 4 * 128 + 4 + 4) + 128,
      },
    ];
    const written: Record<string, number> = {
      rnn: 24832,
      lstm: 99328,
      gru: 74496,
      transformer: 404864,
      tcn: 377984,
      mamba: 241664,
      s4d: 108416,
      deltanet: 176704,
      'gated-deltanet': 177744,
    };
    for (const s of standard) {
      it(`standard ${s.name}: ${written[s.name]} parameters`, () => {
        expect(s.torch).toBe(written[s.name]); // the formula and the worked number agree
        const ext = create(s.name, s.options, 64);
        try {
          expect(parameterCount(ext.variables)).toBe(written[s.name]);
        } finally {
          free(ext);
        }
      });
    }
  });

  describe('length guards', () => {
    it('learned positions refuse T > maxLen with an error naming maxLen', () => {
      const ext = create('transformer', { dModel: 4, heads: 2, ffDim: 8, layers: 1, positional: 'learned', maxLen: 6 }, 3);
      try {
        expect(ext.maxLength).toBe(6);
        const ok = tf.tidy(() => ext.apply(tf.zeros([1, 6, 3]) as tf.Tensor3D, { training: false }).shape);
        expect(ok).toEqual([1, 6, 4]);
        expect(() => tf.tidy(() => ext.apply(tf.zeros([1, 7, 3]) as tf.Tensor3D, { training: false }))).toThrow(/maxLen/);
      } finally {
        free(ext);
      }
    });

    it('sinusoidal and no positions have no length bound', () => {
      for (const positional of ['sinusoidal', 'none']) {
        const ext = create('transformer', { dModel: 4, heads: 2, ffDim: 8, layers: 1, positional, maxLen: 6 }, 3);
        try {
          expect(ext.maxLength).toBeUndefined();
          expect(tf.tidy(() => ext.apply(tf.zeros([1, 9, 3]) as tf.Tensor3D, { training: false }).shape)).toEqual([1, 9, 4]);
        } finally {
          free(ext);
        }
      }
    });

    it('tcn warns through ctx.warn when T exceeds its receptive field', () => {
      const warnings: string[] = [];
      // kernel 3, 2 levels: receptive field 1 + 2*(3-1)*(2^2-1) = 13
      const ext = create('tcn', { channels: 4, kernel: 3, levels: 2 }, 3, { warn: (m) => warnings.push(m) });
      try {
        expect(ext.info?.receptiveField).toBe(13);
        tf.tidy(() => ext.apply(tf.zeros([1, 13, 3]) as tf.Tensor3D, { training: false }));
        expect(warnings).toEqual([]);
        tf.tidy(() => ext.apply(tf.zeros([1, 14, 3]) as tf.Tensor3D, { training: false }));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/receptive field 13/);
        expect(warnings[0]).toMatch(/14/);
      } finally {
        free(ext);
      }
      // Without a warn callback the long input still runs.
      const quiet = create('tcn', { channels: 4, kernel: 3, levels: 2 }, 3);
      try {
        expect(tf.tidy(() => quiet.apply(tf.zeros([1, 20, 3]) as tf.Tensor3D, { training: false }).shape)).toEqual([1, 20, 4]);
      } finally {
        free(quiet);
      }
    });

    for (const c of [
      { name: 'mamba', options: { dModel: 4, layers: 2, dState: 3, dConv: 3 } },
      { name: 's4d', options: { dModel: 4, layers: 2, dState: 4 } },
      { name: 'deltanet', options: { dModel: 4, layers: 2, heads: 2, dConv: 3 } },
      { name: 'gated-deltanet', options: { dModel: 4, layers: 2, heads: 2, dConv: 3 } },
    ]) {
      it(`${c.name}: the output at step t does not depend on inputs after t (causal), and does on inputs before`, () => {
        const ext = create(c.name, c.options, 3);
        try {
          const T = 11;
          const rng = new Rng(`causal/${c.name}`);
          const base = Array.from({ length: T * 3 }, () => rng.normal());
          const run = (x: number[]) => tf.tidy(() => ext.apply(tf.tensor3d(x, [1, T, 3]), { training: false }).dataSync());
          const y0 = run(base);
          const s = 4;
          const moved = base.slice();
          for (let j = 0; j < 3; j++) moved[s * 3 + j] += 1;
          const y1 = run(moved);
          const changed = Array.from({ length: T }, (_, t) => [0, 1, 2, 3].some((j) => y1[t * 4 + j] !== y0[t * 4 + j]));
          expect(changed).toEqual(Array.from({ length: T }, (_, t) => t >= s));
        } finally {
          free(ext);
        }
      });
    }

    it('tcn: the output at step t does not depend on inputs after t (causal), and sees exactly the receptive field', () => {
      // kernel 2, 2 levels: field 1 + 2*1*3 = 7. Perturb input step s and see which outputs move.
      const ext = create('tcn', { channels: 4, kernel: 2, levels: 2 }, 3);
      try {
        const T = 12;
        const field = 7;
        const rng = new Rng('causal');
        const base = Array.from({ length: T * 3 }, () => rng.normal());
        const run = (x: number[]) => tf.tidy(() => ext.apply(tf.tensor3d(x, [1, T, 3]), { training: false }).dataSync());
        const y0 = run(base);
        const s = 3;
        const moved = base.slice();
        for (let c = 0; c < 3; c++) moved[s * 3 + c] += 1;
        const y1 = run(moved);
        const changed = Array.from({ length: T }, (_, t) => [0, 1, 2, 3].some((c) => y1[t * 4 + c] !== y0[t * 4 + c]));
        for (let t = 0; t < s; t++) expect(changed[t], `step ${t} < ${s}`).toBe(false);
        for (let t = s + field; t < T; t++) expect(changed[t], `step ${t} beyond the field`).toBe(false);
        expect(changed.some((v) => v)).toBe(true);
      } finally {
        free(ext);
      }
    });
  });
});
