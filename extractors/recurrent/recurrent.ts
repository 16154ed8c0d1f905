/**
 * The recurrent family: Elman RNN, LSTM and GRU, laid out exactly as PyTorch's nn.RNN /
 * nn.LSTM / nn.GRU (weights `weight_ih_l{k}` [G*H, D], `weight_hh_l{k}` [G*H, H],
 * `bias_ih_l{k}`, `bias_hh_l{k}`; gate order LSTM i,f,g,o and GRU r,z,n), initialised as
 * PyTorch does: every weight U(-1/sqrt(H), 1/sqrt(H)).
 *
 * Gate-bias initialisations from the literature (`forgetBias` of lstm, `updateBias` of gru),
 * applied to every layer after PyTorch's init. PyTorch has two bias vectors; the gate's
 * total bias b_ih + b_hh is set (b_ih = the value, b_hh = 0):
 * - 'pytorch': PyTorch's default, U(-1/sqrt(H), 1/sqrt(H)) twice: about 0;
 * - 'unit': 1 (Jozefowicz, Zaremba & Sutskever 2015; Keras's `unit_forget_bias`);
 * - 'chrono': Tallec & Ollivier 2018, b ~ log(U[1, T_max - 1]) per unit with T_max the
 *   training length T (the harness tells it: `ExtractorContext.length`); for the LSTM also
 *   b_input = -b_forget. The GRU's update gate z is the LSTM forget gate's analogue (in
 *   PyTorch's GRU h' = (1 - z) n + z h, so z near 1 keeps the state): its leaky-unit
 *   derivation gives the same b_z ~ log(U[1, T_max - 1]), with 1 - z tying the input side;
 * - a number: that total bias for every unit (e.g. 3).
 *
 * The rnn's `activation` (tanh, or ReLU as nn.RNN(nonlinearity='relu')) and `recurrentInit`
 * give the IRNN of Le, Jaitly & Hinton 2015 ("A Simple Way to Initialize Recurrent Networks
 * of Rectified Linear Units"): ReLU units, W_hh = I, biases 0, and the non-recurrent weights
 * W_ih drawn from a Gaussian of mean 0 and standard deviation 0.001 (their section 4.2: "the
 * non-recurrent weights are initialized with a random matrix, whose entries are sampled from
 * a Gaussian distribution with mean of zero and standard deviation of 0.001"), in every layer.
 *
 * The article's point about recurrence is visible in the code: step t needs h_{t-1}, so
 * the T steps of the loop in ./recurrentLayer.ts are a chain of dependent operations
 * (critical path T per layer), unlike the Transformer's one batched attention.
 *
 * Speed: a layer is one tf op with an explicit backward pass through time
 * (./recurrentLayer.ts), computed by the WebAssembly kernels of ./kernels/ rather than as
 * ~10 tfjs ops per time step, each of which costs tens of microseconds of overhead.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Rng } from '../../core/rng.js';
import { uniformVariable } from '../common.js';
import { GATES, recurrentLayer, type Activation, type Cell, type LayerWeights } from './layer.js';
import { defineExtractor, type Extractor, type ExtractorContext, type MemoryTerm, type RunShape } from '../types.js';
import { UsageError } from '../../core/errors.js';

export type { Cell } from './layer.js';

export const recurrentOptions = z
  .object({
    hidden: z.number().int().positive().default(128).describe('hidden state width H (and output width)'),
    layers: z.number().int().positive().default(1).describe('stacked recurrent layers'),
    spectralRadius: z
      .number()
      .positive()
      .optional()
      .describe("initialise each gate's recurrent block as this times a random orthogonal matrix (its spectral radius); unset: PyTorch's uniform init"),
  })
  .strict();
export type RecurrentOptions = z.output<typeof recurrentOptions> & {
  forgetBias?: GateBias;
  updateBias?: GateBias;
  activation?: Activation;
  recurrentInit?: RecurrentInit;
};

export const RECURRENT_INITS = ['pytorch', 'orthogonal', 'identity'] as const;
export type RecurrentInit = (typeof RECURRENT_INITS)[number];

/** Le et al. 2015's standard deviation of the non-recurrent weights under the identity init. */
export const IDENTITY_INPUT_STD = 0.001;

/** The identity and orthogonal inits set W_hh themselves: a spectral radius would be a second, contradictory recurrent init. */
const INIT_WITH_RADIUS =
  "recurrentInit 'identity' or 'orthogonal' sets W_hh itself (spectral radius 1): it cannot be combined with spectralRadius; drop one of the two";

export const rnnOptions = recurrentOptions
  .extend({
    activation: z
      .enum(['tanh', 'relu'])
      .default('tanh')
      .describe(
        "h_t = act(W_ih x_t + W_hh h_{t-1} + b): 'tanh' (nn.RNN's default) or 'relu' (nn.RNN(nonlinearity='relu'); the IRNN with recurrentInit identity)",
      ),
    recurrentInit: z
      .enum(RECURRENT_INITS)
      .default('pytorch')
      .describe(
        "'pytorch' (every weight U(-1/sqrt(H), 1/sqrt(H))), 'orthogonal' (W_hh a random orthogonal matrix, Saxe et al. 2014; the rest as pytorch; spectralRadius 1 is the same draw) or 'identity' (Le, Jaitly & Hinton 2015: W_hh = I, W_ih ~ N(0, 0.001^2), biases 0); neither with spectralRadius",
      ),
  })
  .refine((o) => o.recurrentInit === 'pytorch' || o.spectralRadius === undefined, { message: INIT_WITH_RADIUS });
export type RnnOptions = z.output<typeof rnnOptions>;

export const GATE_BIAS_INITS = ['pytorch', 'unit', 'chrono'] as const;
/** A gate-bias initialisation: a named scheme or a constant total bias. */
export type GateBias = (typeof GATE_BIAS_INITS)[number] | number;
const gateBias = z.union([z.enum(GATE_BIAS_INITS), z.number().finite()]);

/** Defaults chosen by measurement (docs/guide/extractors-and-tasks.md, "Initialisations from the literature, and the defaults"). */
export const DEFAULT_FORGET_BIAS: GateBias = 'chrono';
export const DEFAULT_UPDATE_BIAS: GateBias = 'chrono';

export const lstmOptions = recurrentOptions.extend({
  forgetBias: gateBias
    .default(DEFAULT_FORGET_BIAS)
    .describe(
      "forget-gate bias: 'pytorch' (~0), 'unit' (1, Jozefowicz et al. 2015), 'chrono' (log U[1, T-1], Tallec & Ollivier 2018; input gate -that), or a number",
    ),
});
export const gruOptions = recurrentOptions.extend({
  updateBias: gateBias
    .default(DEFAULT_UPDATE_BIAS)
    .describe("update-gate (z) bias, the forget gate's analogue: 'pytorch' (~0), 'unit' (1), 'chrono' (log U[1, T-1]), or a number"),
});

/** Gate rows of each cell's G*H bias vector: [start, end) of the gate the scheme targets, and of the LSTM's input gate. */
const GATE_ROWS: Partial<Record<Cell, { keep: number; input?: number }>> = {
  lstm: { keep: 1, input: 0 }, // i, f, g, o: f is block 1, i block 0
  gru: { keep: 1 }, // r, z, n: z is block 1
};

/**
 * Sets the total bias of the memory-keeping gate (LSTM forget, GRU update) of one layer:
 * bias_ih = the scheme's value, bias_hh = 0 on those rows. Chrono draws from its own stream,
 * so choosing it leaves every other initial weight unchanged.
 */
function initGateBias(cell: Cell, scheme: GateBias, H: number, w: LayerWeights, rng: Rng, length: number | undefined, layer: number): void {
  const rows = GATE_ROWS[cell];
  if (!rows || scheme === 'pytorch') return;
  const bIh = w.bIh.dataSync().slice() as Float32Array;
  const bHh = w.bHh.dataSync().slice() as Float32Array;
  const keep = rows.keep * H;
  let values: Float64Array;
  if (scheme === 'chrono') {
    if (length === undefined) {
      throw new UsageError(
        `${cell}: the chrono initialisation needs the training length T (T_max): pass it as the extractor context's length (createExtractor(name, options, { length }))`,
      );
    }
    // Tallec & Ollivier 2018, eq. 16: b ~ log(U([1, T_max - 1])).
    const r = rng.fork(`chrono_l${layer}`);
    const top = Math.max(1, length - 1);
    values = Float64Array.from({ length: H }, () => Math.log(1 + r.uniform() * (top - 1)));
  } else {
    values = new Float64Array(H).fill(scheme === 'unit' ? 1 : scheme);
  }
  for (let j = 0; j < H; j++) {
    bIh[keep + j] = values[j];
    bHh[keep + j] = 0;
    if (scheme === 'chrono' && rows.input !== undefined) {
      bIh[rows.input * H + j] = -values[j];
      bHh[rows.input * H + j] = 0;
    }
  }
  (w.bIh as tf.Variable).assign(tf.tensor1d(bIh));
  (w.bHh as tf.Variable).assign(tf.tensor1d(bHh));
}

export function createRecurrent(cell: Cell, opts: RecurrentOptions, ctx: ExtractorContext): Extractor {
  const H = opts.hidden;
  const G = GATES[cell];
  const bound = 1 / Math.sqrt(H);
  const variables: Record<string, tf.Variable> = {};
  const layers: LayerWeights[] = [];
  const scheme = cell === 'lstm' ? opts.forgetBias : cell === 'gru' ? opts.updateBias : undefined;
  const identity = opts.recurrentInit === 'identity';
  // The schema refuses this too; here for callers that build options without parsing them.
  if ((opts.recurrentInit ?? 'pytorch') !== 'pytorch' && opts.spectralRadius !== undefined) throw new UsageError(`${cell}: ${INIT_WITH_RADIUS}`);
  // The orthogonal init is spectral radius 1: one code path, so the two give the same weights.
  const radius = opts.recurrentInit === 'orthogonal' ? 1 : opts.spectralRadius;
  for (let l = 0; l < opts.layers; l++) {
    const din = l === 0 ? ctx.inputDim : H;
    const w = (name: string, shape: number[]) => (variables[`${name}_l${l}`] = uniformVariable(ctx.rng, shape, bound, `${cell}.${name}_l${l}`));
    layers.push({ wIh: w('weight_ih', [G * H, din]), wHh: w('weight_hh', [G * H, H]), bIh: w('bias_ih', [G * H]), bHh: w('bias_hh', [G * H]) });
    if (scheme !== undefined) initGateBias(cell, scheme, H, layers[l], ctx.rng, ctx.length, l);
    if (radius !== undefined) {
      // Pascanu et al.'s knob: rho < 1 makes a linearised recurrence contract (vanishing), rho > 1 expand (exploding).
      // A forked stream, so setting it leaves every other initial weight unchanged.
      const blocks = Array.from({ length: G }, (_, g) => randomOrthogonal(ctx.rng.fork(`orthogonal_l${l}_g${g}`), H));
      const data = new Float32Array(G * H * H);
      blocks.forEach((q, g) => q.forEach((v, i) => (data[g * H * H + i] = radius * v)));
      variables[`weight_hh_l${l}`].assign(tf.tensor2d(data, [G * H, H]));
    }
    if (identity) initIdentity(layers[l], G, H, din, ctx.rng.fork(`identity_l${l}`));
  }

  return {
    variables,
    outputDim: H,
    apply(x) {
      let seq = x; // [B, T, D], then [B, T, H] after each layer
      for (const w of layers) seq = recurrentLayer(cell, seq, w, opts.activation);
      return seq;
    },
    flops(B, T) {
      // FLOP convention (all built-in extractors): a matMul multiply-add = 2 FLOPs; every
      // elementwise op (add, sub, mul, div, bias add, scale, and each activation: tanh,
      // sigmoid, relu, exp, sqrt) = 1 FLOP per output element; a reduction (sum, mean, max)
      // = 1 FLOP per input element; data movement (reshape, transpose, slice, split, stack,
      // pad, concat) = 0. The count is of the model's math (what PyTorch's cells compute),
      // including the recurrent matMul at t = 0 on the zero state.
      // Per layer, for each of the B*T (sequence, step) pairs:
      //   input projection  W_ih x + b_ih: 2*G*H*din + G*H
      //   recurrent proj.   W_hh h + b_hh: 2*G*H*H   + G*H
      //   cell math:        ELEMENTWISE[cell] * H (see the table below)
      let total = 0;
      for (let l = 0; l < opts.layers; l++) {
        const din = l === 0 ? ctx.inputDim : H;
        total += B * T * (2 * G * H * (din + H) + 2 * G * H + ELEMENTWISE[cell] * H);
      }
      return total;
    },
  };
}

/**
 * The identity init of one layer (Le et al. 2015): every gate's recurrent block W_hh = I, W_ih
 * ~ N(0, 0.001^2), both biases 0. Drawn from its own forked stream, so choosing it leaves
 * every other initial weight unchanged.
 */
function initIdentity(w: LayerWeights, G: number, H: number, din: number, rng: Rng): void {
  const whh = new Float32Array(G * H * H); // [G*H, H]: I in each gate's H x H block
  for (let g = 0; g < G; g++) for (let i = 0; i < H; i++) whh[(g * H + i) * H + i] = 1;
  const wih = Float32Array.from({ length: G * H * din }, () => IDENTITY_INPUT_STD * rng.normal()); // [G*H, din]
  w.wHh.assign(tf.tensor2d(whh, [G * H, H]));
  w.wIh.assign(tf.tensor2d(wih, [G * H, din]));
  w.bIh.assign(tf.zeros([G * H]));
  w.bHh.assign(tf.zeros([G * H]));
}

/**
 * Elementwise FLOPs per hidden unit per step of each cell's math (bias adds are counted
 * with the projections, not here):
 * - rnn:  add xp+hp, tanh (or relu)                                                  = 2
 * - lstm: add xp+hp (4 gates), sigmoid i, f, o, tanh g, f*c, i*g, add, tanh c', o*tanh = 4 + 4 + 5 = 13
 * - gru:  add xr+hr, sigmoid r, add xz+hz, sigmoid z, r*hn, add xn, tanh n,
 *         h-n, z*(h-n), n+...                                                        = 10
 */
const ELEMENTWISE: Record<Cell, number> = { rnn: 2, lstm: 13, gru: 10 };

/** PyTorch's count: per layer G*H*(D_in + H) weights and 2*G*H biases (the activation and init change none). */
export function recurrentParams(cell: Cell, o: RecurrentOptions, inputDim: number): number {
  const G = GATES[cell];
  let n = 0;
  for (let l = 0; l < o.layers; l++) n += G * o.hidden * ((l === 0 ? inputDim : o.hidden) + o.hidden) + 2 * G * o.hidden;
  return n;
}

/**
 * Peak floats of a recurrent stack: gate pre-activations, states and the input per layer,
 * N*(G*H + 2H + D_in), in the kernel arena and again as host copies for backward: the
 * O(T*B*G*H) term. Training holds about twice the forward.
 */
export function recurrentMemory(
  cell: Cell,
  o: RecurrentOptions,
  { batch: B, length: T, inputDim: D }: RunShape,
): { forward: MemoryTerm[]; train: MemoryTerm[] } {
  const G = GATES[cell];
  const [H, L, N] = [o.hidden, o.layers, B * T];
  let floats = 0;
  for (let l = 0; l < L; l++) floats += 2 * N * (G * H + 2 * H + (l === 0 ? D : H)) + N * H;
  const what = `recurrent gates and states T*B*G*H = ${T}*${B}*${G}*${H} floats per layer (x${L} layers, kept for backpropagation through time)`;
  return { forward: [{ floats, what }], train: [{ floats: 2 * floats, what }] };
}

/** State at inference: h per layer (and the LSTM's cell state c), whatever the length. */
export function recurrentState(cell: Cell, o: RecurrentOptions): MemoryTerm {
  const per = cell === 'lstm' ? 2 : 1;
  return { floats: per * o.hidden * o.layers, what: `${cell === 'lstm' ? 'h and c' : 'h'}: ${per}*H*layers = ${per}*${o.hidden}*${o.layers}` };
}

/** A random n x n orthogonal matrix (row-major): modified Gram-Schmidt on Gaussian rows. */
export function randomOrthogonal(rng: Rng, n: number): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) q[i] = rng.normal();
  for (let i = 0; i < n; i++) {
    const row = q.subarray(i * n, (i + 1) * n);
    for (let j = 0; j < i; j++) {
      const prev = q.subarray(j * n, (j + 1) * n);
      let dot = 0;
      for (let k = 0; k < n; k++) dot += row[k] * prev[k];
      for (let k = 0; k < n; k++) row[k] -= dot * prev[k];
    }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += row[k] * row[k];
    norm = Math.sqrt(norm);
    for (let k = 0; k < n; k++) row[k] /= norm;
  }
  return q;
}

/** The peer's Recurrent module holds nn.RNN/LSTM/GRU as `.rnn`. */
const PEER_NAMES = { stateName: (name: string) => `rnn.${name}` };

export const rnn = defineExtractor({
  name: 'rnn',
  torchPeer: PEER_NAMES,
  description:
    'Elman RNN: h_t = tanh(W_ih x_t + W_hh h_{t-1} + b) (or ReLU: the IRNN of Le et al. 2015 with recurrentInit identity), one shared weight set applied step by step',
  options: rnnOptions,
  create: (o, ctx) => createRecurrent('rnn', o, ctx),
  width: { option: 'hidden', params: (o, inputDim) => recurrentParams('rnn', o, inputDim) },
  memory: (o, shape) => recurrentMemory('rnn', o, shape),
  state: (o) => recurrentState('rnn', o),
  padding: 'reads',
  initSearch: { recurrentInit: [...RECURRENT_INITS] },
});

export const lstm = defineExtractor({
  name: 'lstm',
  torchPeer: PEER_NAMES,
  description: 'LSTM: a cell state c_t guarded by input, forget and output gates (sigmoids), PyTorch gate order i,f,g,o',
  options: lstmOptions,
  create: (o, ctx) => createRecurrent('lstm', o, ctx),
  width: { option: 'hidden', params: (o, inputDim) => recurrentParams('lstm', o, inputDim) },
  memory: (o, shape) => recurrentMemory('lstm', o, shape),
  state: (o) => recurrentState('lstm', o),
  padding: 'reads',
  initSearch: { forgetBias: ['pytorch', 'chrono'] },
});

export const gru = defineExtractor({
  name: 'gru',
  torchPeer: PEER_NAMES,
  description: 'GRU: reset and update gates, no separate cell state, PyTorch gate order r,z,n',
  options: gruOptions,
  create: (o, ctx) => createRecurrent('gru', o, ctx),
  width: { option: 'hidden', params: (o, inputDim) => recurrentParams('gru', o, inputDim) },
  memory: (o, shape) => recurrentMemory('gru', o, shape),
  state: (o) => recurrentState('gru', o),
  padding: 'reads',
  initSearch: { updateBias: ['pytorch', 'chrono'] },
});
