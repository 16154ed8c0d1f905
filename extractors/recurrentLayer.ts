/**
 * One recurrent layer (rnn, lstm or gru) as a single tf op: x [B, T, D] -> y [B, T, H], with
 * its gradient written out as backpropagation through time. Both passes run on the
 * WebAssembly kernels (./kernels): the matrix products on `gemm`, the gate math of each
 * time step on one cell kernel for all B sequences.
 *
 * Why not tfjs ops: a step is ~10 small ops, each with tens of microseconds of fixed cost on
 * the WASM backend, and tape-based autodiff adds as many again backwards; at T = 256 that
 * overhead was most of a training step. Here a step costs one gemm and one kernel call.
 *
 * Layout: every buffer stays batch-major like x ([B, T, width], row b*T + t), so no
 * transposes are needed; the kernels read a time step's B rows with a row stride of T rows.
 *
 * Forward, per layer:
 *   xg = X W_ih^T                              one gemm for all steps       [B*T, G*H]
 *   for t: xg[t] += y[t-1] W_hh^T (rnn, lstm)  or hp = y[t-1] W_hh^T (gru)  [B, G*H]
 *          cell kernel: gates, c[t], y[t]  (biases added here)
 * Backward (dy [B, T, H] in):
 *   for t = T-1..0: cell kernel: dpre[t] (in place of the gates), dc carried;
 *                   dh = dpre[t] W_hh (+ dh z for gru)                     [B, H]
 *   then, for all steps at once (the sums over t become one product each):
 *   dW_ih = dpre^T X [G*H, D]; dW_hh = dpre^T H_prev [G*H, H]; dx = dpre W_ih [B*T, D];
 *   db = column sums of dpre (gru: b_hh's from the hidden-side gradient dhp).
 */
import * as tf from '@tensorflow/tfjs';
import { kernels, type Kernels } from './kernels/runtime.js';

export type Cell = 'rnn' | 'lstm' | 'gru';

/** Gates per cell: the G in PyTorch's [G*H, D] weight layout. */
export const GATES: Record<Cell, number> = { rnn: 1, lstm: 4, gru: 3 };

export interface LayerWeights {
  wIh: tf.Variable; // [G*H, Din]
  wHh: tf.Variable; // [G*H, H]
  bIh: tf.Variable; // [G*H]
  bHh: tf.Variable; // [G*H]
}

/** Shapes of one call. */
interface Dims {
  cell: Cell;
  B: number;
  T: number;
  D: number;
  H: number;
  GH: number;
}

/** What the forward pass keeps for the backward pass (host copies: the kernel memory is scratch). */
interface Saved {
  x: Float32Array; // [B*T, D]
  gates: Float32Array; // [B*T, G*H] activated gates (rnn: unused, empty)
  y: Float32Array; // [B*T, H]
  c?: Float32Array; // lstm: cell states [B*T, H]
  hn?: Float32Array; // gru: W_hn h + b_hn [B*T, H]
}

/** x [B, T, D] -> y [B, T, H] through one layer of `cell`; differentiable in x and the weights. */
export function recurrentLayer(cell: Cell, x: tf.Tensor3D, w: LayerWeights): tf.Tensor3D {
  return OPS[cell](x, w.wIh, w.wHh, w.bIh, w.bHh);
}

type LayerOp = (x: tf.Tensor3D, wIh: tf.Tensor, wHh: tf.Tensor, bIh: tf.Tensor, bHh: tf.Tensor) => tf.Tensor3D;

/** The layer of one cell type as a tf op whose gradient is `backward` (customGrad passes tensors only, hence one op per cell). */
function layerOp(cell: Cell): LayerOp {
  const f = (x: tf.Tensor3D, wIh: tf.Tensor, wHh: tf.Tensor, bIh: tf.Tensor, bHh: tf.Tensor) => {
    const [B, T, D] = x.shape;
    const [GH, H] = wHh.shape; // [G*H, H]
    const dims: Dims = { cell, B, T, D, H, GH };
    const weights = { wIh: wIh.dataSync() as Float32Array, wHh: wHh.dataSync() as Float32Array };
    // Keep what backward needs only when a gradient is being recorded (not in inference).
    const keep = tf.engine().state.gradientDepth > 0;
    const { y, saved } = forward(dims, x.dataSync() as Float32Array, weights.wIh, weights.wHh, bIh.dataSync() as Float32Array, bHh.dataSync() as Float32Array, keep);
    return {
      value: tf.tensor3d(y, [B, T, H]),
      gradFunc: (dy: tf.Tensor) => {
        if (!saved) throw new Error(`${cell} layer: no state was kept for the backward pass (its forward ran outside a gradient tape)`);
        const g = backward(dims, saved, dy.dataSync() as Float32Array, weights.wIh, weights.wHh);
        return [tf.tensor3d(g.dx, [B, T, D]), tf.tensor2d(g.dWih, [GH, D]), tf.tensor2d(g.dWhh, [GH, H]), tf.tensor1d(g.dbIh), tf.tensor1d(g.dbHh)];
      },
    };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as LayerOp;
}

const OPS: Record<Cell, LayerOp> = { rnn: layerOp('rnn'), lstm: layerOp('lstm'), gru: layerOp('gru') };

/** Byte strides of a batch-major [B, T, width] buffer: the row of (b, t) is at base + b*T*width*4 + t*width*4. */
const rowBytes = (width: number) => 4 * width;

function forward(d: Dims, x: Float32Array, wIh: Float32Array, wHh: Float32Array, bIh: Float32Array, bHh: Float32Array, keep: boolean): { y: Float32Array; saved?: Saved } {
  const { cell, B, T, D, H, GH } = d;
  const K = kernels();
  const mark = K.mark();
  try {
    const X = K.put(x); // [B*T, D]
    const WihT = K.putTransposed(wIh, GH, D); // [D, G*H]
    const WhhT = K.putTransposed(wHh, GH, H); // [H, G*H]
    const XG = K.alloc(B * T * GH); // [B*T, G*H]
    const Y = K.alloc(B * T * H); // [B*T, H]
    const zero = K.zeros(GH); // the zero initial state (read with stride 0)
    K.gemm(B * T, GH, D, X, D, 1, WihT, GH, XG, GH); // xg = X W_ih^T, every step at once
    // Per-step views: step t's row of sequence b in a [B, T, w] buffer is base + t*w*4, stride T*w*4.
    const at = (base: number, w: number, t: number) => base + t * rowBytes(w);
    const sG = T * rowBytes(GH);
    const sH = T * rowBytes(H);
    const f = K.fns;
    if (cell === 'gru') {
      const bih = K.put(bIh);
      const bhh = K.put(bHh);
      const HP = K.alloc(B * GH); // [B, G*H] W_hh h_{t-1} of the current step
      const HN = K.alloc(B * T * H); // [B*T, H]
      for (let t = 0; t < T; t++) {
        if (t > 0) K.gemm(B, GH, H, at(Y, H, t - 1), T * H, 1, WhhT, GH, HP, GH);
        const [hp, sHp] = t > 0 ? [HP, rowBytes(GH)] : [zero, 0];
        const [hPrev, sPrev] = t > 0 ? [at(Y, H, t - 1), sH] : [zero, 0];
        f.gruForward(B, H, at(XG, GH, t), sG, hp, sHp, bih, 0, bhh, 0, hPrev, sPrev, at(HN, H, t), sH, at(Y, H, t), sH);
      }
      return { y: K.read(Y, B * T * H), saved: keep ? { x, gates: K.read(XG, B * T * GH), y: K.read(Y, B * T * H), hn: K.read(HN, B * T * H) } : undefined };
    }
    // rnn and lstm: both biases enter only as their sum.
    const bias = K.put(bIh.map((v, i) => v + bHh[i]));
    const C = cell === 'lstm' ? K.alloc(B * T * H) : 0; // [B*T, H] cell states
    for (let t = 0; t < T; t++) {
      if (t > 0) K.gemm(B, GH, H, at(Y, H, t - 1), T * H, 1, WhhT, GH, at(XG, GH, t), T * GH, true); // xg[t] += h_{t-1} W_hh^T
      if (cell === 'rnn') f.rnnForward(B, H, at(XG, GH, t), sG, bias, 0, at(Y, H, t), sH);
      else {
        const [cPrev, sPrev] = t > 0 ? [at(C, H, t - 1), sH] : [zero, 0];
        f.lstmForward(B, H, at(XG, GH, t), sG, bias, 0, cPrev, sPrev, at(C, H, t), sH, at(Y, H, t), sH);
      }
    }
    const y = K.read(Y, B * T * H);
    if (!keep) return { y };
    return { y, saved: { x, y, gates: cell === 'lstm' ? K.read(XG, B * T * GH) : new Float32Array(0), c: cell === 'lstm' ? K.read(C, B * T * H) : undefined } };
  } finally {
    K.release(mark);
  }
}

interface Grads {
  dx: Float32Array;
  dWih: Float32Array;
  dWhh: Float32Array;
  dbIh: Float32Array;
  dbHh: Float32Array;
}

function backward(d: Dims, s: Saved, dy: Float32Array, wIh: Float32Array, wHh: Float32Array): Grads {
  const { cell, B, T, D, H, GH } = d;
  const K = kernels();
  const mark = K.mark();
  try {
    const Y = K.put(s.y); // [B*T, H]
    const dY = K.put(dy); // [B*T, H]
    const Whh = K.put(wHh); // [G*H, H], as stored: dh = dpre W_hh needs no transpose
    // DG: the gradient of the pre-activations; starts as the saved gates (overwritten in place, step by step).
    const DG = cell === 'rnn' ? K.alloc(B * T * GH) : K.put(s.gates); // [B*T, G*H]
    const DH = K.zeros(B * H); // [B, H] dL/dh_t carried from step t+1
    const zero = K.zeros(GH);
    const at = (base: number, w: number, t: number) => base + t * rowBytes(w);
    const sG = T * rowBytes(GH);
    const sH = T * rowBytes(H);
    const sDH = rowBytes(H);
    const f = K.fns;
    // The hidden-side gradient differs from DG only for the gru (n gate: dn * r).
    let DHP = DG;
    if (cell === 'lstm') {
      const C = K.put(s.c!);
      const DC = K.zeros(B * H); // [B, H] dL/dc_t carried from step t+1
      for (let t = T - 1; t >= 0; t--) {
        const [cPrev, sPrev] = t > 0 ? [at(C, H, t - 1), sH] : [zero, 0];
        f.lstmBackward(B, H, at(DG, GH, t), sG, at(C, H, t), sH, cPrev, sPrev, at(dY, H, t), sH, DH, sDH, DC, sDH);
        if (t > 0) K.gemm(B, H, GH, at(DG, GH, t), T * GH, 1, Whh, H, DH, H); // dh_{t-1} = dpre_t W_hh
      }
    } else if (cell === 'rnn') {
      for (let t = T - 1; t >= 0; t--) {
        f.rnnBackward(B, H, at(DG, GH, t), sG, at(Y, H, t), sH, at(dY, H, t), sH, DH, sDH);
        if (t > 0) K.gemm(B, H, GH, at(DG, GH, t), T * GH, 1, Whh, H, DH, H);
      }
    } else {
      const HN = K.put(s.hn!);
      DHP = K.alloc(B * T * GH); // [B*T, G*H]
      for (let t = T - 1; t >= 0; t--) {
        const [hPrev, sPrev] = t > 0 ? [at(Y, H, t - 1), sH] : [zero, 0];
        f.gruBackward(B, H, at(DG, GH, t), sG, at(HN, H, t), sH, hPrev, sPrev, at(dY, H, t), sH, DH, sDH, at(DHP, GH, t), sG);
        if (t > 0) K.gemm(B, H, GH, at(DHP, GH, t), T * GH, 1, Whh, H, DH, H, true); // dh_{t-1} = dh z + dhp_t W_hh
      }
    }
    return weightGrads(K, d, s, DG, DHP, Y, wIh);
  } finally {
    K.release(mark);
  }
}

/** The sums over all (b, t) of the backward pass, one gemm each (see the file comment). */
function weightGrads(K: Kernels, d: Dims, s: Saved, DG: number, DHP: number, Y: number, wIh: Float32Array): Grads {
  const { B, T, D, H, GH } = d;
  const N = B * T;
  const X = K.put(s.x); // [N, D]
  // H_prev [N, H]: row b*T + t is h_{t-1} of sequence b, zero at t = 0.
  const Hprev = K.alloc(N * H);
  const heap = K.heap;
  for (let b = 0; b < B; b++) {
    const row = (Hprev >> 2) + b * T * H;
    heap.fill(0, row, row + H);
    heap.copyWithin(row + H, (Y >> 2) + b * T * H, (Y >> 2) + (b * T + T - 1) * H);
  }
  const Wih = K.put(wIh); // [G*H, D] as stored
  const one = K.put([1]);
  const dWih = K.alloc(GH * D);
  const dWhh = K.alloc(GH * H);
  const dX = K.alloc(N * D);
  const dbIh = K.alloc(GH);
  const dbHh = K.alloc(GH);
  K.gemm(GH, D, N, DG, 1, GH, X, D, dWih, D); // dW_ih = DG^T X (A = DG read transposed: rsa 1, csa G*H)
  K.gemm(GH, H, N, DHP, 1, GH, Hprev, H, dWhh, H); // dW_hh = DHP^T H_prev
  K.gemm(N, D, GH, DG, GH, 1, Wih, D, dX, D); // dx = DG W_ih
  K.gemm(1, GH, N, one, 0, 0, DG, GH, dbIh, GH); // db_ih = 1^T DG (A: one value, strides 0)
  K.gemm(1, GH, N, one, 0, 0, DHP, GH, dbHh, GH); // db_hh = 1^T DHP
  return { dx: K.read(dX, N * D), dWih: K.read(dWih, GH * D), dWhh: K.read(dWhh, GH * H), dbIh: K.read(dbIh, GH), dbHh: K.read(dbHh, GH) };
}
