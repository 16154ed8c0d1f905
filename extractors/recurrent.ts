/**
 * The recurrent family: Elman RNN, LSTM and GRU, laid out exactly as PyTorch's nn.RNN /
 * nn.LSTM / nn.GRU (weights `weight_ih_l{k}` [G*H, D], `weight_hh_l{k}` [G*H, H],
 * `bias_ih_l{k}`, `bias_hh_l{k}`; gate order LSTM i,f,g,o and GRU r,z,n), initialised as
 * PyTorch does: every weight U(-1/sqrt(H), 1/sqrt(H)).
 *
 * The article's point about recurrence is visible in the code: step t needs h_{t-1}, so
 * the T steps of the loop below are a chain of dependent operations (critical path T per
 * layer), unlike the Transformer's one batched attention.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { matMul, transposeLast, uniformVariable } from './common.js';
import { defineExtractor, type Extractor, type ExtractorContext } from './types.js';

/** Gates per cell: the G in PyTorch's [G*H, D] weight layout. */
export type Cell = 'rnn' | 'lstm' | 'gru';
const GATES: Record<Cell, number> = { rnn: 1, lstm: 4, gru: 3 };

export const recurrentOptions = z
  .object({
    hidden: z.number().int().positive().default(128).describe('hidden state width H (and output width)'),
    layers: z.number().int().positive().default(1).describe('stacked recurrent layers'),
  })
  .strict();
export type RecurrentOptions = z.output<typeof recurrentOptions>;

interface LayerWeights {
  wIh: tf.Variable; // [G*H, Din]
  wHh: tf.Variable; // [G*H, H]
  bIh: tf.Variable; // [G*H]
  bHh: tf.Variable; // [G*H]
}

export function createRecurrent(cell: Cell, opts: RecurrentOptions, ctx: ExtractorContext): Extractor {
  const H = opts.hidden;
  const G = GATES[cell];
  const bound = 1 / Math.sqrt(H);
  const variables: Record<string, tf.Variable> = {};
  const layers: LayerWeights[] = [];
  for (let l = 0; l < opts.layers; l++) {
    const din = l === 0 ? ctx.inputDim : H;
    const w = (name: string, shape: number[]) => (variables[`${name}_l${l}`] = uniformVariable(ctx.rng, shape, bound, `${cell}.${name}_l${l}`));
    layers.push({ wIh: w('weight_ih', [G * H, din]), wHh: w('weight_hh', [G * H, H]), bIh: w('bias_ih', [G * H]), bHh: w('bias_hh', [G * H]) });
  }
  const step = STEPS[cell];

  return {
    variables,
    outputDim: H,
    apply(x) {
      const [B, T] = x.shape;
      let seq: tf.Tensor3D = tf.transpose(x, [1, 0, 2]); // [T, B, D] time-major: a step is a leading slice
      for (const w of layers) {
        const din = seq.shape[2];
        // One matMul projects every time step's input at once.
        const xp = tf.add(matMul(seq.reshape([T * B, din]), transposeLast(w.wIh)), w.bIh).reshape([T, B, G * H]); // [T, B, G*H]
        const wHhT = transposeLast(w.wHh); // [H, G*H], transposed once per sequence, not per step
        const inputs = tf.unstack(xp) as tf.Tensor2D[]; // T x [B, G*H]
        let state: State = { h: tf.zeros([B, H]), c: tf.zeros([B, H]) };
        const hs: tf.Tensor2D[] = [];
        for (let t = 0; t < T; t++) {
          const hp = tf.add(matMul(state.h, wHhT), w.bHh) as tf.Tensor2D; // [B, G*H]
          state = step(inputs[t], hp, state, H);
          hs.push(state.h);
        }
        seq = tf.stack(hs) as tf.Tensor3D; // [T, B, H]
      }
      return tf.transpose(seq, [1, 0, 2]); // [B, T, H]
    },
    flops(B, T) {
      // FLOP convention (all built-in extractors): a matMul multiply-add = 2 FLOPs; every
      // elementwise op (add, sub, mul, div, bias add, scale, and each activation: tanh,
      // sigmoid, relu, exp, sqrt) = 1 FLOP per output element; a reduction (sum, mean, max)
      // = 1 FLOP per input element; data movement (reshape, transpose, slice, split, stack,
      // pad, concat) = 0. The count is of what apply() computes, including the recurrent
      // matMul at t = 0 on the zero state.
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

interface State {
  h: tf.Tensor2D; // [B, H]
  c: tf.Tensor2D; // [B, H], the LSTM's cell state (unused by rnn and gru)
}

/** One step of each cell, given the projected input xp = W_ih x + b_ih and hp = W_hh h + b_hh, both [B, G*H]. */
type Step = (xp: tf.Tensor2D, hp: tf.Tensor2D, s: State, H: number) => State;

/**
 * Elementwise FLOPs per hidden unit per step of each cell as STEPS computes it (bias adds
 * are counted with the projections, not here):
 * - rnn:  add xp+hp, tanh                                                            = 2
 * - lstm: add xp+hp (4 gates), sigmoid i, f, o, tanh g, f*c, i*g, add, tanh c', o*tanh = 4 + 4 + 5 = 13
 * - gru:  add xr+hr, sigmoid r, add xz+hz, sigmoid z, r*hn, add xn, tanh n,
 *         h-n, z*(h-n), n+...                                                        = 10
 */
const ELEMENTWISE: Record<Cell, number> = { rnn: 2, lstm: 13, gru: 10 };

const STEPS: Record<Cell, Step> = {
  // h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
  rnn: (xp, hp, s) => ({ h: tf.tanh(tf.add(xp, hp)) as tf.Tensor2D, c: s.c }),
  // i,f,g,o = chunks of the gates; c' = f*c + i*g; h' = o*tanh(c')
  lstm: (xp, hp, s) => {
    const [i, f, g, o] = tf.split(tf.add(xp, hp), 4, 1) as tf.Tensor2D[]; // 4 x [B, H]
    const c = tf.add(tf.mul(tf.sigmoid(f), s.c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
    return { h: tf.mul(tf.sigmoid(o), tf.tanh(c)), c };
  },
  // r,z from both projections; n = tanh(xn + r * hn) with hn including b_hn (PyTorch's GRU); h' = (1-z)*n + z*h
  gru: (xp, hp, s) => {
    const [xr, xz, xn] = tf.split(xp, 3, 1) as tf.Tensor2D[];
    const [hr, hz, hn] = tf.split(hp, 3, 1) as tf.Tensor2D[];
    const r = tf.sigmoid(tf.add(xr, hr));
    const zg = tf.sigmoid(tf.add(xz, hz));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    return { h: tf.add(n, tf.mul(zg, tf.sub(s.h, n))), c: s.c };
  },
};

export const rnn = defineExtractor({
  name: 'rnn',
  description: 'Elman RNN: h_t = tanh(W_ih x_t + W_hh h_{t-1} + b), one shared weight set applied step by step',
  options: recurrentOptions,
  create: (o, ctx) => createRecurrent('rnn', o, ctx),
});

export const lstm = defineExtractor({
  name: 'lstm',
  description: 'LSTM: a cell state c_t guarded by input, forget and output gates (sigmoids), PyTorch gate order i,f,g,o',
  options: recurrentOptions,
  create: (o, ctx) => createRecurrent('lstm', o, ctx),
});

export const gru = defineExtractor({
  name: 'gru',
  description: 'GRU: reset and update gates, no separate cell state, PyTorch gate order r,z,n',
  options: recurrentOptions,
  create: (o, ctx) => createRecurrent('gru', o, ctx),
});
