/**
 * Initialisations from the literature, as options: LSTM forget-gate and GRU update-gate
 * biases (PyTorch's ~0, 'unit' = 1, 'chrono' = log U[1, T-1] with the training length told
 * through ExtractorContext.length, or a constant), and the TCN's weight normalisation and
 * N(0, 0.01) convolution init after Bai et al. Choosing one changes only the weights it names.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { gru, lstm } from '../../extractors/recurrent/recurrent.js';
import { tcn } from '../../extractors/tcn/tcn.js';
import type { Extractor, ExtractorDefinition } from '../../extractors/types.js';
import { initBackend } from '../../kernels/backend.js';
import { createExtractor } from '../../index.js';
import { builtinExtractors } from '../../extractors/index.js';

const H = 16;

function make(def: ExtractorDefinition, options: Record<string, unknown>, length?: number): Record<string, Float32Array> {
  const ext: Extractor = def.create(def.options.parse(options), { inputDim: 5, rng: new Rng('inits'), length });
  const out = Object.fromEntries(Object.entries(ext.variables).map(([n, v]) => [n, v.dataSync().slice() as Float32Array]));
  for (const v of Object.values(ext.variables)) v.dispose();
  return out;
}

/** Total bias b_ih + b_hh of gate block `g` (of H rows). */
const gateBias = (w: Record<string, Float32Array>, g: number, l = 0) =>
  Array.from({ length: H }, (_, j) => w[`bias_ih_l${l}`][g * H + j] + w[`bias_hh_l${l}`][g * H + j]);

beforeAll(async () => {
  await initBackend('wasm');
});

describe('recurrent gate-bias initialisations', () => {
  const cases = [
    { def: lstm, option: 'forgetBias', gate: 1 },
    { def: gru, option: 'updateBias', gate: 1 },
  ];
  for (const { def, option, gate } of cases) {
    it(`${def.name} ${option}: pytorch ~0, unit 1, a number, chrono log U[1, T-1]; other weights untouched`, () => {
      const base = make(def, { hidden: H, layers: 2, [option]: 'pytorch' });
      const bound = 1 / Math.sqrt(H);
      for (const b of gateBias(base, gate)) expect(Math.abs(b)).toBeLessThanOrEqual(2 * bound);
      for (const [scheme, value] of [
        ['unit', 1],
        [3, 3],
        [-0.5, -0.5],
      ] as const) {
        const w = make(def, { hidden: H, layers: 2, [option]: scheme });
        for (const l of [0, 1]) for (const b of gateBias(w, gate, l)) expect(b).toBeCloseTo(value, 6);
      }
      const T = 100;
      const chrono = make(def, { hidden: H, layers: 2, [option]: 'chrono' }, T);
      for (const l of [0, 1]) {
        const b = gateBias(chrono, gate, l);
        for (const v of b) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(Math.log(T - 1) + 1e-6);
        }
        expect(new Set(b.map((v) => v.toFixed(5))).size).toBe(H); // drawn per unit
        if (def.name === 'lstm') gateBias(chrono, 0, l).forEach((v, j) => expect(v).toBeCloseTo(-b[j], 6)); // b_i = -b_f
      }
      // Every weight other than the biases of the targeted gates is the PyTorch draw, bit for bit.
      for (const [name, data] of Object.entries(base)) {
        if (!name.startsWith('bias')) {
          expect(chrono[name], name).toEqual(data);
          continue;
        }
        // Bias rows: the targeted gate's block (and the LSTM input gate's, which chrono sets to -b_f).
        const targeted = (i: number) => (i >= gate * H && i < (gate + 1) * H) || (def.name === 'lstm' && i < H);
        for (let i = 0; i < data.length; i++) if (!targeted(i)) expect(chrono[name][i], `${name}[${i}]`).toBe(data[i]);
      }
    });
  }

  it('chrono needs the training length: a UsageError without one; the standalone API takes it', () => {
    expect(() => make(lstm, { hidden: H, forgetBias: 'chrono' })).toThrow(UsageError);
    expect(() => make(lstm, { hidden: H, forgetBias: 'chrono' })).toThrow(/needs the training length/);
    const s = createExtractor('gru', { hidden: H, updateBias: 'chrono' }, { inputDim: 5, length: 32 });
    const w = s.saveWeights();
    for (let j = 0; j < H; j++) expect(w.bias_ih_l0.data[H + j]).toBeLessThanOrEqual(Math.log(31) + 1e-6);
    s.dispose();
  });

  it('the rnn has no gate to bias: the options are lstm and gru only', () => {
    expect(lstm.options.safeParse({ updateBias: 'unit' }).success).toBe(false);
    expect(gru.options.safeParse({ forgetBias: 'unit' }).success).toBe(false);
    expect(lstm.options.safeParse({ forgetBias: 'two' }).success).toBe(false);
  });
});

describe('tcn weight normalisation and N(0, 0.01) init (Bai et al.)', () => {
  const o = { channels: 8, kernel: 3, levels: 2 };

  it("weight norm: PyTorch's names (bias, weight_g [C,1,1], weight_v), g = ||v|| per output channel, and the declared parameter count", () => {
    const w = make(tcn, { ...o, weightNorm: true });
    expect(Object.keys(w)).toEqual([
      'blocks.0.conv1.bias',
      'blocks.0.conv1.weight_g',
      'blocks.0.conv1.weight_v',
      'blocks.0.conv2.bias',
      'blocks.0.conv2.weight_g',
      'blocks.0.conv2.weight_v',
      'blocks.0.downsample.weight',
      'blocks.0.downsample.bias',
      'blocks.1.conv1.bias',
      'blocks.1.conv1.weight_g',
      'blocks.1.conv1.weight_v',
      'blocks.1.conv2.bias',
      'blocks.1.conv2.weight_g',
      'blocks.1.conv2.weight_v',
    ]);
    const v = w['blocks.0.conv1.weight_v']; // [8, 5, 3]
    const g = w['blocks.0.conv1.weight_g'];
    expect(g).toHaveLength(8);
    for (let c = 0; c < 8; c++) {
      let s = 0;
      for (let i = 0; i < 15; i++) s += v[c * 15 + i] ** 2;
      expect(g[c]).toBeCloseTo(Math.sqrt(s), 5);
    }
    // The unnormalised extractor's weight is the same draw as v (weight norm starts at W = v).
    expect(make(tcn, o)['blocks.0.conv1.weight']).toEqual(v);
    const n = Object.values(w).reduce((a, d) => a + d.length, 0);
    expect(tcn.width!.params(tcn.options.parse({ ...o, weightNorm: true }), 5)).toBe(n);
  });

  it("init 'normal': every convolution weight N(0, 0.01); 'bai': only the downsample (as Bai et al.'s code runs); biases unchanged", () => {
    const std = (d: Float32Array) => Math.sqrt(d.reduce((a, x) => a + x * x, 0) / d.length);
    const big = { channels: 32, kernel: 3, levels: 2 };
    const pytorch = make(tcn, big);
    const normal = make(tcn, { ...big, init: 'normal' });
    const bai = make(tcn, { ...big, init: 'bai', weightNorm: true });
    // The sample sd of n N(0, 0.01) draws has sd ~0.01/sqrt(2n); the mean ~0.01/sqrt(n): 5 of those each way.
    const near = (d: Float32Array) => {
      expect(Math.abs(std(d) - 0.01)).toBeLessThan((5 * 0.01) / Math.sqrt(2 * d.length));
      expect(Math.abs(d.reduce((a, x) => a + x, 0) / d.length)).toBeLessThan((5 * 0.01) / Math.sqrt(d.length));
    };
    for (const name of ['blocks.0.conv1.weight', 'blocks.1.conv2.weight', 'blocks.0.downsample.weight']) near(normal[name]);
    near(bai['blocks.0.downsample.weight']);
    expect(bai['blocks.0.conv1.weight_v']).toEqual(pytorch['blocks.0.conv1.weight']); // weight_norm's recompute undoes their init
    expect(std(pytorch['blocks.1.conv1.weight'])).toBeGreaterThan(0.05); // U(+-1/sqrt(96)): sd 0.059
    for (const name of Object.keys(pytorch).filter((n) => n.endsWith('bias'))) expect(normal[name]).toEqual(pytorch[name]);
  });
});

describe('initSearch on the definitions (the audit gives every recurrent arm its search)', () => {
  const withSearch = builtinExtractors.filter((d) => d.initSearch);

  it('the RNN, LSTM and GRU declare one, and only options they have', () => {
    expect(withSearch.map((d) => d.name).sort()).toEqual(expect.arrayContaining(['gru', 'lstm', 'rnn']));
    for (const d of withSearch) {
      const keys = Object.keys((d.options as unknown as { shape?: Record<string, unknown> }).shape ?? {});
      for (const k of Object.keys(d.initSearch!)) expect(keys, `${d.name}.${k}`).toContain(k);
    }
  });

  it("every list holds the option's default (PyTorch's, or the harness's) and only values the options accept", () => {
    for (const d of withSearch) {
      const defaults = d.options.parse({}) as Record<string, unknown>;
      for (const [k, values] of Object.entries(d.initSearch!)) {
        expect(values, `${d.name}.${k}`).toContain(defaults[k]);
        expect(new Set(values).size, `${d.name}.${k} distinct`).toBe(values.length);
        for (const v of values) expect(d.options.safeParse({ [k]: v }).success, `${d.name}.${k} = ${String(v)}`).toBe(true);
      }
    }
  });
});
