/**
 * One recurrent layer (rnn, lstm or gru) as a single tf op: x [B, T, D] -> y [B, T, H], with
 * its gradient written out as backpropagation through time. Both passes run on the
 * WebAssembly kernels (./kernels): the matrix products on `gemm`, the gate math of each
 * time step on one cell kernel for all B sequences.
 *
 * Why not tfjs ops: a step is ~10 small ops, each with tens of microseconds of fixed cost on
 * the WASM backend, and tape-based autodiff adds as many again backwards; at T = 256 that
 * overhead was most of a training step. Here a step costs one gemm and one kernel call.
 * The op is a `hostOp` (./kernels/hostOp.ts): under a gradient tape what the backward pass
 * reads (x, the states, the gates, the weights) stays pinned in kernel memory in between.
 *
 * Layout: inside the kernels' memory every buffer is time-major, [T, B, width] (row t*B + b):
 * the B rows of one time step are contiguous. (Batch-major rows of one step would sit
 * T rows apart, a power-of-two stride that maps them all onto the same cache sets.) x, dy
 * come in and y, dx go out batch-major [B, T, .], transposed by the copy that moves them
 * across anyway. y and c carry one block of B zero rows in front (h_{-1} = c_{-1} = 0), so
 * step t reads its predecessor at row block t - 1 with no special case for t = 0, and the
 * block of all h_{t-1} (H_prev for dW_hh) is the same buffer from its start.
 *
 * Forward, per layer (N = T*B rows):
 *   xg = X W_ih^T                               one gemm for all steps      [N, G*H]
 *   for t: xg[t] += h[t-1] W_hh^T (rnn, lstm)   or hp = h[t-1] W_hh^T (gru) [B, G*H]
 *          cell kernel: gates (in place of xg[t]), c[t], h[t]  (biases added here)
 * Backward (dy in):
 *   for t = T-1..0: cell kernel: dpre[t] (in place of the gates), dc carried;
 *                   dh = dpre[t] W_hh (+ dh z for gru)                    [B, H]
 *   then, for all steps at once (the sums over t become one product each):
 *   dW_ih = dpre^T X [G*H, D]; dW_hh = dpre^T H_prev [G*H, H]; dx = dpre W_ih [N, D];
 *   db = column sums of dpre (gru: b_hh's from the hidden-side gradient dhp).
 */
import type * as tf from '@tensorflow/tfjs';
import { hostOp } from '../../kernels/runtime/hostOp.js';
import type { Kernels } from '../../kernels/runtime/runtime.js';
import { MR } from '../../kernels/emit/gemmPacked.js';

export type Cell = 'rnn' | 'lstm' | 'gru';

/** The rnn's nonlinearity (nn.RNN's `nonlinearity`); the lstm and gru have their gates' fixed ones. */
export type Activation = 'tanh' | 'relu';

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
  activation: Activation; // rnn only
  B: number;
  T: number;
  D: number;
  H: number;
  GH: number;
}

/** What the forward pass keeps for the backward pass: byte addresses of time-major buffers (pinned between the passes). */
interface Saved {
  d: Dims;
  X: number; // [T*B, D]
  XG: number; // [T*B, G*H] activated gates (rnn: the pre-activations, unused)
  H0: number; // [(T+1)*B, H] outputs after the zero block h_{-1}
  C0: number; // lstm: [(T+1)*B, H] cell states after the zero block c_{-1}
  HN: number; // gru: [T*B, H] W_hn h_{t-1} + b_hn
  wIh: number; // [G*H, D] as stored
  wHh: number; // [G*H, H] as stored
}

/**
 * x [B, T, D] -> y [B, T, H] through one layer of `cell`; differentiable in x and the weights.
 * `activation` is the rnn's (tanh or ReLU, each its own pair of cell kernels); the other cells ignore it.
 */
export function recurrentLayer(cell: Cell, x: tf.Tensor3D, w: LayerWeights, activation: Activation = 'tanh'): tf.Tensor3D {
  const [B, T, D] = x.shape;
  const [GH, H] = w.wHh.shape; // [G*H, H]
  const d: Dims = { cell, activation, B, T, D, H, GH };
  return hostOp<Saved>(
    {
      name: `${cell} layer`,
      forward: (K, [xAt, wIh, wHh, bIh, bHh]) => forward(K, d, xAt, wIh, wHh, bIh, bHh),
      backward: (K, s, dy) => backward(K, s, dy),
    },
    [x, w.wIh, w.wHh, w.bIh, w.bHh],
  ) as tf.Tensor3D;
}

/** A new batch-major [B, T, W] buffer of the time-major [T, B, W] buffer at `at`. */
function batchMajor(K: Kernels, at: number, B: number, T: number, W: number): number {
  const out = K.alloc(B * T * W);
  K.reorder(at, out, B, T, W, 'batch');
  return out;
}

/** A new time-major [T, B, W] buffer of the batch-major [B, T, W] buffer at `at`. */
function timeMajor(K: Kernels, at: number, B: number, T: number, W: number): number {
  const out = K.alloc(B * T * W);
  K.reorder(at, out, B, T, W, 'time');
  return out;
}

/**
 * A buffer of T + 1 blocks of n floats whose first block is zero (the state before step 0).
 * The other T blocks are written by the steps before anything reads them, so they are not
 * cleared: zeroing all of them cost ~3% of an inference pass at T = 256.
 */
function zeroFirstBlock(K: Kernels, T: number, n: number): number {
  const at = K.alloc((T + 1) * n);
  K.heap.fill(0, at >> 2, (at >> 2) + n);
  return at;
}

/** The forward pass over all steps, x batch-major [B, T, D] at `x`; returns y batch-major [B, T, H]. */
function forward(K: Kernels, d: Dims, x: number, wIh: number, wHh: number, bIh: number, bHh: number): { y: number; shape: number[]; saved: Saved } {
  const { cell, B, T, D, H, GH } = d;
  const N = T * B;
  const X = timeMajor(K, x, B, T, D); // [N, D]
  const WihT = K.transposed(wIh, GH, D); // [D, G*H]
  const XG = K.alloc(N * GH); // [N, G*H]
  K.gemm(N, GH, D, X, D, 1, WihT, GH, XG, GH); // xg = X W_ih^T, every step at once
  const WhhT = K.packB(K.transposed(wHh, GH, H), GH, H, GH); // [H, G*H], packed once for the T step products
  const H0 = zeroFirstBlock(K, T, B * H); // [(T+1)*B, H]: h_{-1} = 0, then h_0 .. h_{T-1}
  const sG = 4 * GH; // row strides in bytes (contiguous rows)
  const sH = 4 * H;
  const xg = (t: number) => XG + t * B * sG; // step t's [B, G*H] block
  const h = (t: number) => H0 + (t + 1) * B * sH; // h_t, t = -1 .. T-1
  let C0 = 0;
  let HN = 0;
  // Sequences never mix in the recurrence: with kernel threads, each runs the whole time loop
  // for its rows of the batch ([b0, b1): the blocks below offset by b0 rows, `n` rows each).
  if (cell === 'gru') {
    const HP = K.zeros(B * GH); // [B, G*H] W_hh h_{t-1} (zero at t = 0)
    HN = K.alloc(N * H); // [N, H]
    K.parallelRows(B, MR, (b0, b1) => {
      const [n, oG, oH] = [b1 - b0, b0 * sG, b0 * sH];
      for (let t = 0; t < T; t++) {
        if (t > 0) K.gemmPackedB(n, WhhT, h(t - 1) + oH, H, 1, HP + oG, GH); // hp = h_{t-1} W_hh^T
        K.fns.gruForward(n, H, xg(t) + oG, sG, HP + oG, sG, bIh, 0, bHh, 0, h(t - 1) + oH, sH, HN + t * B * sH + oH, sH, h(t) + oH, sH);
      }
    });
  } else {
    // rnn and lstm: both biases enter only as their sum.
    const bias = K.copy(bIh, GH);
    K.ew.addInto(GH, bias, bHh);
    if (cell === 'lstm') C0 = zeroFirstBlock(K, T, B * H); // [(T+1)*B, H]: c_{-1} = 0, then c_0 ..
    const c = (t: number) => C0 + (t + 1) * B * sH;
    // h_t = act(xg[t] + b). By name: K.fns must be read inside the body, where it records the calls for a thread.
    const rnnCell = d.activation === 'relu' ? 'rnnReluForward' : 'rnnForward';
    K.parallelRows(B, MR, (b0, b1) => {
      const [n, oG, oH] = [b1 - b0, b0 * sG, b0 * sH];
      for (let t = 0; t < T; t++) {
        if (t > 0) K.gemmPackedB(n, WhhT, h(t - 1) + oH, H, 1, xg(t) + oG, GH, true); // xg[t] += h_{t-1} W_hh^T
        if (cell === 'rnn') K.fns[rnnCell](n, H, xg(t) + oG, sG, bias, 0, h(t) + oH, sH);
        else K.fns.lstmForward(n, H, xg(t) + oG, sG, bias, 0, c(t - 1) + oH, sH, c(t) + oH, sH, h(t) + oH, sH);
      }
    });
  }
  return { y: batchMajor(K, h(0), B, T, H), shape: [B, T, H], saved: { d, X, XG, H0, C0, HN, wIh, wHh } };
}

/** The backward pass through time, dy batch-major [B, T, H] at `dy`; the gradients of x, W_ih, W_hh, b_ih, b_hh. */
function backward(K: Kernels, s: Saved, dy: number): number[] {
  const { d, H0 } = s;
  const { cell, B, T, H, GH } = d;
  const N = T * B;
  const dY = timeMajor(K, dy, B, T, H); // [N, H]
  const Whh = K.packB(s.wHh, H, GH, H); // [G*H, H] as stored (dh = dpre W_hh needs no transpose), packed once
  // DG, the gradient of the pre-activations, overwrites the saved gates step by step.
  const DG = cell === 'rnn' ? K.alloc(N * GH) : s.XG; // [N, G*H]
  const DH = K.zeros(B * H); // [B, H] dL/dh_t carried from step t+1
  const sG = 4 * GH;
  const sH = 4 * H;
  const dg = (t: number) => DG + t * B * sG;
  const h = (t: number) => H0 + (t + 1) * B * sH;
  const dYt = (t: number) => dY + t * B * sH;
  // The hidden-side gradient differs from DG only for the gru (n gate: dn * r).
  let DHP = DG;
  // As in the forward pass, each kernel thread runs the whole loop for its rows [b0, b1).
  if (cell === 'lstm') {
    const c = (t: number) => s.C0 + (t + 1) * B * sH;
    const DC = K.zeros(B * H); // [B, H] dL/dc_t carried from step t+1
    K.parallelRows(B, MR, (b0, b1) => {
      const [n, oG, oH] = [b1 - b0, b0 * sG, b0 * sH];
      for (let t = T - 1; t >= 0; t--) {
        K.fns.lstmBackward(n, H, dg(t) + oG, sG, c(t) + oH, sH, c(t - 1) + oH, sH, dYt(t) + oH, sH, DH + oH, sH, DC + oH, sH);
        if (t > 0) K.gemmPackedB(n, Whh, dg(t) + oG, GH, 1, DH + oH, H); // dh_{t-1} = dpre_t W_hh
      }
    });
  } else if (cell === 'rnn') {
    const rnnCell = d.activation === 'relu' ? 'rnnReluBackward' : 'rnnBackward'; // the forward pass's activation (K.fns read in the body, as above)
    K.parallelRows(B, MR, (b0, b1) => {
      const [n, oG, oH] = [b1 - b0, b0 * sG, b0 * sH];
      for (let t = T - 1; t >= 0; t--) {
        K.fns[rnnCell](n, H, dg(t) + oG, sG, h(t) + oH, sH, dYt(t) + oH, sH, DH + oH, sH);
        if (t > 0) K.gemmPackedB(n, Whh, dg(t) + oG, GH, 1, DH + oH, H);
      }
    });
  } else {
    DHP = K.alloc(N * GH); // [N, G*H]
    const dhp = (t: number) => DHP + t * B * sG;
    K.parallelRows(B, MR, (b0, b1) => {
      const [n, oG, oH] = [b1 - b0, b0 * sG, b0 * sH];
      for (let t = T - 1; t >= 0; t--) {
        K.fns.gruBackward(n, H, dg(t) + oG, sG, s.HN + t * B * sH + oH, sH, h(t - 1) + oH, sH, dYt(t) + oH, sH, DH + oH, sH, dhp(t) + oG, sG);
        if (t > 0) K.gemmPackedB(n, Whh, dhp(t) + oG, GH, 1, DH + oH, H, true); // dh_{t-1} = dh z + dhp_t W_hh
      }
    });
  }
  return weightGrads(K, s, DG, DHP);
}

/** The sums over all (t, b) of the backward pass, one gemm each (see the file comment). */
function weightGrads(K: Kernels, s: Saved, DG: number, DHP: number): number[] {
  const { B, T, D, H, GH } = s.d;
  const N = T * B;
  const dWih = K.alloc(GH * D);
  const dWhh = K.alloc(GH * H);
  const dX = K.alloc(N * D);
  const dbIh = K.zeros(GH);
  const dbHh = K.zeros(GH);
  K.gemm(GH, D, N, DG, 1, GH, s.X, D, dWih, D); // dW_ih = DG^T X (A = DG read transposed: rsa 1, csa G*H)
  K.gemm(GH, H, N, DHP, 1, GH, s.H0, H, dWhh, H); // dW_hh = DHP^T H_prev (rows h_{-1} .. h_{T-2})
  K.gemm(N, D, GH, DG, GH, 1, s.wIh, D, dX, D); // dx = DG W_ih
  K.fns.addInto(N, GH, dbIh, 0, DG, 4 * GH); // db_ih = column sums of DG
  K.fns.addInto(N, GH, dbHh, 0, DHP, 4 * GH); // db_hh = column sums of DHP
  return [batchMajor(K, dX, B, T, D), dWih, dWhh, dbIh, dbHh];
}
