/**
 * deltanet and gated-deltanet beyond the PyTorch fixtures (test/fixtures/golden/*deltanet*.json, held in
 * ../golden.test.ts): what their definitions declare (parameters, state, FLOPs, memory, padding, peer)
 * against the created models, the initialisation of torch_bench.py's DeltaNetMixer, and the gate: the gated
 * layer with no decay (A_log -> -inf, a = 1) is plain DeltaNet with the same weights.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../core/rng.js';
import { kernelOps } from '../../../extractors/ops.js';
import { deltanet, deltanetDims, deltanetOptions, gatedDeltanet } from '../../../extractors/ssm/deltanet.js';
import { causalDepthwise } from '../../../extractors/ssm/deltanetMixer.js';
import { parameterCount, type Extractor, type ExtractorDefinition } from '../../../extractors/types.js';
import { loadWeights, saveWeights } from '../../../extractors/weights.js';
import { initBackend } from '../../../kernels/backend.js';

function make(def: ExtractorDefinition, options: Record<string, unknown>, inputDim = 3, seed: number | string = 1): Extractor {
  return def.create(def.options.parse(options), { inputDim, rng: new Rng(seed), ops: kernelOps, length: 8 });
}

function free(ext: Extractor): void {
  ext.dispose?.();
  for (const v of Object.values(ext.variables)) v.dispose();
}

const both: [ExtractorDefinition, boolean][] = [
  [deltanet, false],
  [gatedDeltanet, true],
];

beforeAll(async () => {
  await initBackend('wasm');
});

describe('definitions', () => {
  it('are registered as torch peers that read pads', () => {
    for (const [def] of both) {
      expect(def.torchPeer).toEqual({});
      expect(def.padding).toBe('reads');
    }
  });

  it('width.params equals the parameters of the built model', () => {
    const configs: Record<string, unknown>[] = [
      {},
      { dModel: 8, layers: 1, heads: 2 },
      { dModel: 6, layers: 3, heads: 3, dConv: 2 },
      { dModel: 6, layers: 2, heads: 2, headDim: 4, expandV: 1.5, dConv: 3 },
    ];
    for (const [def] of both)
      for (const o of configs)
        for (const D of [3, 64]) {
          const ext = make(def, o, D);
          try {
            expect(def.width!.params(def.options.parse(o), D), `${def.name} ${JSON.stringify(o)} D=${D}`).toBe(parameterCount(ext.variables));
          } finally {
            free(ext);
          }
        }
    // The standard shapes (embedding 64): torch_bench.py's SSMStack prints 176704 and 177744.
    expect(deltanet.width!.params(deltanet.options.parse({}), 64)).toBe(176704);
    expect(gatedDeltanet.width!.params(gatedDeltanet.options.parse({}), 64)).toBe(177744);
  });

  it('dims as the peer: dk = headDim or floor(d / heads), dv = floor(dk expandV)', () => {
    expect(deltanetDims(deltanetOptions.parse({}), false)).toMatchObject({ dk: 32, dv: 32, heads: 4, dConv: 4 });
    expect(deltanetDims(deltanetOptions.parse({ dModel: 10, heads: 3 }), true)).toMatchObject({ dk: 3, dv: 3, gated: true });
    expect(deltanetDims(deltanetOptions.parse({ headDim: 5, expandV: 1.5 }), false)).toMatchObject({ dk: 5, dv: 7 });
  });

  it('state: per layer the matrix state heads*dk*dv and the conv buffers, constant in T', () => {
    for (const [def] of both) {
      const s = (T: number) => def.state!(def.options.parse({}), T, 64);
      // 2 layers * (4*32*32 matrix state + 3 * (2*128 + 128) conv inputs) = 2 * (4096 + 1152)
      expect(s(64).floats).toBe(10496);
      expect(s(4096).floats).toBe(10496);
      expect(s(64).what).toMatch(/heads\*dk\*dv = 4\*32\*32/);
      expect(def.state!(def.options.parse({ layers: 1, heads: 2, headDim: 3, expandV: 2, dConv: 1 }), 10, 3).floats).toBe(2 * 3 * 6);
    }
  });

  it('flops: a worked count, linear in B and T, and forwardFlops agrees with the built model', () => {
    // dModel 4, 1 layer, 2 heads (dk = dv = 2), dConv 2, D = 3; C = 2*2*2 + 2*2 = 12 convolved channels.
    // Per position: proj 2*3*4 + 4 = 28; final RMSNorm 18; the layer: RMSNorm 18, q/k/v projections 2*4*12 = 96,
    // convolutions 3*12 = 36, silu 24, l2norms 2*2*(3*2 + 2) = 32, q scale 4, b_proj 16, sigmoid 2,
    // recurrence 2*(6*4 + 2*2) = 56, g_proj 32, rms 2*(3*2 + 2) = 16, weight, silu, gate 4*2*2 = 16, o_proj 32,
    // residual 4 -> 384. Total 430 per position; B = 2, T = 5: 4300.
    const o = { dModel: 4, layers: 1, heads: 2, dConv: 2 };
    const ext = make(deltanet, o);
    const gext = make(gatedDeltanet, o);
    try {
      expect(ext.flops(2, 5)).toBe(4300);
      // Gated: + a S 2*4 in the recurrence, a_proj 2*4*2 = 16 and + dt_bias, softplus, * -exp(A_log), exp 4*2 = 8: +32.
      expect(gext.flops(2, 5)).toBe(4620);
      for (const [def, e] of [
        [deltanet, ext],
        [gatedDeltanet, gext],
      ] as const) {
        expect(e.flops(4, 10)).toBe(4 * e.flops(2, 5));
        expect(def.forwardFlops!(def.options.parse(o), { batch: 2, length: 5, inputDim: 3 })).toBe(e.flops(2, 5));
      }
    } finally {
      free(ext);
      free(gext);
    }
  });

  it('memory: terms in floats, training above inference, growing with B*T', () => {
    for (const [def] of both) {
      const m = (batch: number, length: number) => def.memory!(def.options.parse({}), { batch, length, inputDim: 64 });
      const a = m(32, 64);
      const sum = (ts: { floats: number }[]) => ts.reduce((s, t) => s + t.floats, 0);
      expect(sum(a.train)).toBeGreaterThan(sum(a.forward));
      expect(sum(m(32, 128).forward)).toBe(2 * sum(a.forward));
      for (const t of [...a.forward, ...a.train]) expect(t.what.length).toBeGreaterThan(0);
    }
  });
});

describe('initialisation (torch_bench.py DeltaNetMixer: nn.Linear / nn.Conv1d defaults, A_log, dt_bias)', () => {
  it('bounds, constants, and the decay parameters', () => {
    const o = { dModel: 16, layers: 2, heads: 4, dConv: 4 };
    const ext = make(gatedDeltanet, o, 5, 'init');
    try {
      const w = saveWeights(ext);
      const maxAbs = (n: string) => Math.max(...w[n].data.map(Math.abs));
      for (const l of [0, 1]) {
        const p = `layers.${l}.mixer`;
        for (const n of ['q_proj', 'k_proj', 'v_proj', 'a_proj', 'b_proj', 'g_proj']) expect(maxAbs(`${p}.${n}.weight`)).toBeLessThanOrEqual(1 / 4); // 1/sqrt(16)
        expect(maxAbs(`${p}.o_proj.weight`)).toBeLessThanOrEqual(1 / 4); // fan_in heads*dv = 16
        for (const n of ['q_conv1d', 'k_conv1d', 'v_conv1d']) {
          expect(w[`${p}.${n}.weight`].shape).toEqual([16, 1, 4]);
          expect(maxAbs(`${p}.${n}.weight`)).toBeLessThanOrEqual(1 / 2); // fan_in = d_conv
        }
        for (const a of w[`${p}.A_log`].data) {
          expect(Math.exp(a)).toBeGreaterThan(0);
          expect(Math.exp(a)).toBeLessThanOrEqual(16 + 1e-5);
        }
        for (const b of w[`${p}.dt_bias`].data) {
          const dt = Math.log1p(Math.exp(b)); // softplus
          expect(dt).toBeGreaterThanOrEqual(1e-3 * (1 - 1e-5));
          expect(dt).toBeLessThanOrEqual(1e-1 * (1 + 1e-5));
        }
        expect(w[`${p}.o_norm.weight`].data).toEqual(new Array(4).fill(1));
        expect(w[`layers.${l}.norm.weight`].data).toEqual(new Array(16).fill(1));
      }
      // Different layers draw different weights; the same seed draws the same ones.
      expect(w['layers.0.mixer.q_proj.weight'].data).not.toEqual(w['layers.1.mixer.q_proj.weight'].data);
      const again = make(gatedDeltanet, o, 5, 'init');
      try {
        expect(saveWeights(again)).toEqual(w);
      } finally {
        free(again);
      }
    } finally {
      free(ext);
    }
  });

  it('plain DeltaNet has no decay parameters', () => {
    const ext = make(deltanet, { dModel: 8, layers: 1, heads: 2 });
    try {
      const names = Object.keys(ext.variables);
      for (const n of ['a_proj.weight', 'A_log', 'dt_bias']) expect(names).not.toContain(`layers.0.mixer.${n}`);
      expect(names).toContain('layers.0.mixer.b_proj.weight');
    } finally {
      free(ext);
    }
  });
});

describe('forward', () => {
  it('the causal depthwise convolution is nn.Conv1d(groups=C, padding=K-1) cut to T', () => {
    const [B, T, C, K] = [2, 6, 3, 3];
    const rng = new Rng('conv');
    const x = Array.from({ length: B * T * C }, () => rng.normal());
    const w = Array.from({ length: C * K }, () => rng.normal());
    const y = tf.tidy(() => causalDepthwise(tf.tensor3d(x, [B, T, C]), tf.tensor3d(w, [C, 1, K])).dataSync());
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let j = 0; j < K; j++) {
            const src = t - (K - 1) + j;
            if (src >= 0) s += w[c * K + j] * x[(b * T + src) * C + c];
          }
          expect(y[(b * T + t) * C + c]).toBeCloseTo(s, 5);
        }
  });

  it('gated with no decay (A_log -> -inf: a = 1) equals plain DeltaNet with the same weights, values and gradients', () => {
    const o = { dModel: 6, layers: 2, heads: 2, dConv: 3 };
    const plain = make(deltanet, o, 3, 'plain');
    const gated = make(gatedDeltanet, o, 3, 'gated');
    try {
      const record = saveWeights(gated);
      for (const [n, w] of Object.entries(saveWeights(plain))) record[n] = w;
      for (const l of [0, 1]) record[`layers.${l}.mixer.A_log`].data = [-200, -200];
      loadWeights(gated, record);
      const rng = new Rng('x');
      const x = tf.tensor3d(
        Array.from({ length: 2 * 9 * 3 }, () => rng.normal()),
        [2, 9, 3],
      );
      const r = tf.tensor3d(
        Array.from({ length: 2 * 9 * 6 }, () => rng.normal()),
        [2, 9, 6],
      );
      const run = (e: Extractor) =>
        tf.tidy(() => {
          const y = e.apply(x, { training: true });
          const [gx] = tf.grads((xx: tf.Tensor) => tf.sum(tf.mul(e.apply(xx as tf.Tensor3D, { training: true }), r)))([x]);
          return { y: Array.from(y.dataSync()), gx: Array.from(gx.dataSync()) };
        });
      const a = run(plain);
      const b = run(gated);
      for (let i = 0; i < a.y.length; i++) expect(b.y[i]).toBeCloseTo(a.y[i], 6);
      for (let i = 0; i < a.gx.length; i++) expect(b.gx[i]).toBeCloseTo(a.gx[i], 5);
      // ... and with the initial A_log the decay changes the output.
      const decayed = make(gatedDeltanet, o, 3, 'gated');
      try {
        const rec = saveWeights(decayed);
        for (const [n, w] of Object.entries(saveWeights(plain))) rec[n] = w;
        loadWeights(decayed, rec);
        const c = run(decayed);
        expect(Math.max(...c.y.map((v, i) => Math.abs(v - a.y[i])))).toBeGreaterThan(1e-3);
      } finally {
        free(decayed);
      }
      tf.dispose([x, r]);
    } finally {
      free(plain);
      free(gated);
    }
  });
});
