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

/**
 * What the forward pass keeps for the backward pass, time-major (host copies: the kernel
 * memory is scratch, reused by the next call).
 */
interface Saved {
  x: Float32Array; // [T*B, D]
  gates: Float32Array; // [T*B, G*H] activated gates (rnn: none, empty)
  h: Float32Array; // [(T+1)*B, H] outputs after the zero block h_{-1}
  c?: Float32Array; // lstm: [(T+1)*B, H] cell states after the zero block c_{-1}
  hn?: Float32Array; // gru: [T*B, H] W_hn h_{t-1} + b_hn
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
      value: y,
      gradFunc: (dy: tf.Tensor) => {
        if (!saved) throw new Error(`${cell} layer: no state was kept for the backward pass (its forward ran outside a gradient tape)`);
        const g = backward(dims, saved, dy.dataSync() as Float32Array, weights.wIh, weights.wHh);
        return [g.dx, tf.tensor2d(g.dWih, [GH, D]), tf.tensor2d(g.dWhh, [GH, H]), tf.tensor1d(g.dbIh), tf.tensor1d(g.dbHh)];
      },
    };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as LayerOp;
}

const OPS: Record<Cell, LayerOp> = { rnn: layerOp('rnn'), lstm: layerOp('lstm'), gru: layerOp('gru') };

/**
 * The forward pass over all steps. x is batch-major [B, T, D]; returns y batch-major
 * [B, T, H] and, if `keep`, the state the backward pass needs.
 */
function forward(d: Dims, x: Float32Array, wIh: Float32Array, wHh: Float32Array, bIh: Float32Array, bHh: Float32Array, keep: boolean): { y: tf.Tensor3D; saved?: Saved } {
  const { cell, B, T, D, H, GH } = d;
  const N = T * B;
  const K = kernels();
  const mark = K.mark();
  try {
    const X = K.putTimeMajor(x, B, T, D); // [N, D]
    const WihT = K.putTransposed(wIh, GH, D); // [D, G*H]
    const WhhT = K.packB(K.putTransposed(wHh, GH, H), GH, H, GH); // [H, G*H], packed once for the T step products
    const XG = K.alloc(N * GH); // [N, G*H]
    const H0 = K.zeros((T + 1) * B * H); // [(T+1)*B, H]: h_{-1} = 0, then h_0 .. h_{T-1}
    K.gemm(N, GH, D, X, D, 1, WihT, GH, XG, GH); // xg = X W_ih^T, every step at once
    const sG = 4 * GH; // row strides in bytes (contiguous rows)
    const sH = 4 * H;
    const xg = (t: number) => XG + t * B * sG; // step t's [B, G*H] block
    const h = (t: number) => H0 + (t + 1) * B * sH; // h_t, t = -1 .. T-1
    const f = K.fns;
    let c0 = 0;
    let HN = 0;
    if (cell === 'gru') {
      const bih = K.put(bIh);
      const bhh = K.put(bHh);
      const HP = K.zeros(B * GH); // [B, G*H] W_hh h_{t-1} (zero at t = 0)
      HN = K.alloc(N * H); // [N, H]
      for (let t = 0; t < T; t++) {
        if (t > 0) K.gemmPackedB(B, WhhT, h(t - 1), H, 1, HP, GH); // hp = h_{t-1} W_hh^T
        f.gruForward(B, H, xg(t), sG, HP, sG, bih, 0, bhh, 0, h(t - 1), sH, HN + t * B * sH, sH, h(t), sH);
      }
    } else {
      // rnn and lstm: both biases enter only as their sum.
      const bias = K.put(bIh.map((v, i) => v + bHh[i]));
      if (cell === 'lstm') c0 = K.zeros((T + 1) * B * H); // [(T+1)*B, H]: c_{-1} = 0, then c_0 ..
      const c = (t: number) => c0 + (t + 1) * B * sH;
      for (let t = 0; t < T; t++) {
        if (t > 0) K.gemmPackedB(B, WhhT, h(t - 1), H, 1, xg(t), GH, true); // xg[t] += h_{t-1} W_hh^T
        if (cell === 'rnn') f.rnnForward(B, H, xg(t), sG, bias, 0, h(t), sH);
        else f.lstmForward(B, H, xg(t), sG, bias, 0, c(t - 1), sH, c(t), sH, h(t), sH);
      }
    }
    const y = K.batchMajorTensor(h(0), B, T, H);
    if (!keep) return { y };
    const saved: Saved = { x: K.save(X, N * D), h: K.save(H0, (T + 1) * B * H), gates: cell === 'rnn' ? new Float32Array(0) : K.save(XG, N * GH) };
    if (cell === 'lstm') saved.c = K.save(c0, (T + 1) * B * H);
    if (cell === 'gru') saved.hn = K.save(HN, N * H);
    return { y, saved };
  } finally {
    K.release(mark);
  }
}

interface Grads {
  dx: tf.Tensor3D;
  dWih: Float32Array;
  dWhh: Float32Array;
  dbIh: Float32Array;
  dbHh: Float32Array;
}

/** The backward pass through time; dy is batch-major [B, T, H]. */
function backward(d: Dims, s: Saved, dy: Float32Array, wIh: Float32Array, wHh: Float32Array): Grads {
  const { cell, B, T, H, GH } = d;
  const N = T * B;
  const K = kernels();
  const mark = K.mark();
  try {
    const H0 = K.putSaved(s.h); // [(T+1)*B, H], h_{-1} = 0 first
    const dY = K.putTimeMajor(dy, B, T, H); // [N, H]
    const Whh = K.packB(K.put(wHh), H, GH, H); // [G*H, H] as stored (dh = dpre W_hh needs no transpose), packed once
    // DG, the gradient of the pre-activations, overwrites the saved gates step by step.
    const DG = cell === 'rnn' ? K.alloc(N * GH) : K.putSaved(s.gates); // [N, G*H]
    const DH = K.zeros(B * H); // [B, H] dL/dh_t carried from step t+1
    const sG = 4 * GH;
    const sH = 4 * H;
    const dg = (t: number) => DG + t * B * sG;
    const h = (t: number) => H0 + (t + 1) * B * sH;
    const dYt = (t: number) => dY + t * B * sH;
    const f = K.fns;
    // The hidden-side gradient differs from DG only for the gru (n gate: dn * r).
    let DHP = DG;
    if (cell === 'lstm') {
      const C0 = K.putSaved(s.c!); // [(T+1)*B, H]
      const c = (t: number) => C0 + (t + 1) * B * sH;
      const DC = K.zeros(B * H); // [B, H] dL/dc_t carried from step t+1
      for (let t = T - 1; t >= 0; t--) {
        f.lstmBackward(B, H, dg(t), sG, c(t), sH, c(t - 1), sH, dYt(t), sH, DH, sH, DC, sH);
        if (t > 0) K.gemmPackedB(B, Whh, dg(t), GH, 1, DH, H); // dh_{t-1} = dpre_t W_hh
      }
    } else if (cell === 'rnn') {
      for (let t = T - 1; t >= 0; t--) {
        f.rnnBackward(B, H, dg(t), sG, h(t), sH, dYt(t), sH, DH, sH);
        if (t > 0) K.gemmPackedB(B, Whh, dg(t), GH, 1, DH, H);
      }
    } else {
      const HN = K.putSaved(s.hn!); // [N, H]
      DHP = K.alloc(N * GH); // [N, G*H]
      const dhp = (t: number) => DHP + t * B * sG;
      for (let t = T - 1; t >= 0; t--) {
        f.gruBackward(B, H, dg(t), sG, HN + t * B * sH, sH, h(t - 1), sH, dYt(t), sH, DH, sH, dhp(t), sG);
        if (t > 0) K.gemmPackedB(B, Whh, dhp(t), GH, 1, DH, H, true); // dh_{t-1} = dh z + dhp_t W_hh
      }
    }
    return weightGrads(K, d, s, DG, DHP, H0, wIh);
  } finally {
    K.release(mark);
  }
}

/** The sums over all (t, b) of the backward pass, one gemm each (see the file comment). */
function weightGrads(K: Kernels, d: Dims, s: Saved, DG: number, DHP: number, Hprev: number, wIh: Float32Array): Grads {
  const { B, T, D, H, GH } = d;
  const N = T * B;
  const X = K.putSaved(s.x); // [N, D]
  const Wih = K.put(wIh); // [G*H, D] as stored
  const one = K.put([1]);
  const dWih = K.alloc(GH * D);
  const dWhh = K.alloc(GH * H);
  const dX = K.alloc(N * D);
  const dbIh = K.alloc(GH);
  const dbHh = K.alloc(GH);
  K.gemm(GH, D, N, DG, 1, GH, X, D, dWih, D); // dW_ih = DG^T X (A = DG read transposed: rsa 1, csa G*H)
  K.gemm(GH, H, N, DHP, 1, GH, Hprev, H, dWhh, H); // dW_hh = DHP^T H_prev (rows h_{-1} .. h_{T-2})
  K.gemm(N, D, GH, DG, GH, 1, Wih, D, dX, D); // dx = DG W_ih
  K.gemm(1, GH, N, one, 0, 0, DG, GH, dbIh, GH); // db_ih = 1^T DG (A: one value, strides 0)
  K.gemm(1, GH, N, one, 0, 0, DHP, GH, dbHh, GH); // db_hh = 1^T DHP
  return { dx: K.batchMajorTensor(dX, B, T, D), dWih: K.read(dWih, GH * D), dWhh: K.read(dWhh, GH * H), dbIh: K.read(dbIh, GH), dbHh: K.read(dbHh, GH) };
}
