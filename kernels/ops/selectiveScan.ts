/**
 * The selective scan on the host side: entry points on kernel memory and a differentiable
 * tf op over the kernels of ../emit/selectiveScan.ts (the recurrence and its layout are
 * described there).
 */
import * as tf from '@tensorflow/tfjs';
import { kernels, type Kernels } from '../runtime/runtime.js';

/** Shapes of a scan: B sequences of T steps, C channels, N states per channel. */
export interface ScanDims {
  B: number;
  T: number;
  C: number;
  N: number;
}

/** An [rows, cols] matrix in kernel memory: byte address and row stride in floats. */
export interface Strided {
  at: number;
  ld: number;
}

/** The scan's inputs in kernel memory (rows b*T + t). */
export interface ScanInputs {
  u: Strided; // [B*T, C]
  dt: Strided; // [B*T, C], after softplus
  /** A transposed, [N, C] contiguous (A = -exp(A_log), PyTorch's A_log is [C, N]). */
  At: number;
  Bm: Strided; // [B*T, N]
  Cm: Strided; // [B*T, N]
  D: number; // [C]
}

/** y [B*T, C] (row stride y.ld) = the selective scan of `s` (see the file comment). */
export function selectiveScanRows(K: Kernels, d: ScanDims, s: ScanInputs, y: Strided): void {
  const mark = K.mark();
  const h = K.alloc(8 * d.N); // per n: A of 4 channels, then their state
  K.fns.selectiveScan(d.B, d.T, d.C, d.N, s.u.at, s.u.ld, s.dt.at, s.dt.ld, s.At, s.Bm.at, s.Bm.ld, s.Cm.at, s.Cm.ld, s.D, y.at, y.ld, h);
  K.release(mark);
}

/** Where the scan's gradients go (kernel memory). */
export interface ScanGrads {
  du: Strided; // written
  ddt: Strided; // written
  dAt: number; // [N, C], accumulated
  dD: number; // [C], accumulated
  dB: Strided; // [B*T, N], written
  dC: Strided; // [B*T, N], written
}

/** The gradients of `selectiveScanRows` given dy [B*T, C]. */
export function selectiveScanRowsBackward(K: Kernels, d: ScanDims, s: ScanInputs, dy: Strided, g: ScanGrads): void {
  const mark = K.mark();
  const rowsN = d.B * d.T;
  const dBp = K.zeros(4 * rowsN * d.N);
  const dCp = K.zeros(4 * rowsN * d.N);
  const work = K.alloc(4 * d.N * (2 * d.T + 3));
  K.fns.selectiveScanBackward(
    d.B,
    d.T,
    d.C,
    d.N,
    s.u.at,
    s.u.ld,
    s.dt.at,
    s.dt.ld,
    s.At,
    s.Bm.at,
    s.Bm.ld,
    s.Cm.at,
    s.Cm.ld,
    s.D,
    dy.at,
    dy.ld,
    g.du.at,
    g.du.ld,
    g.ddt.at,
    g.ddt.ld,
    g.dAt,
    g.dD,
    dBp,
    dCp,
    work,
  );
  K.fns.laneSum(rowsN, d.N, dBp, g.dB.at, g.dB.ld);
  K.fns.laneSum(rowsN, d.N, dCp, g.dC.at, g.dC.ld);
  K.release(mark);
}

type GradFn = Parameters<typeof tf.customGrad>[0];

/**
 * The selective scan as a differentiable tf op: u, delta [B, T, C], A [C, N] (the negative
 * real state matrix, i.e. -exp(A_log)), Bm, Cm [B, T, N], D [C] -> y [B, T, C] with
 * h_t = exp(delta_t A) h_{t-1} + delta_t Bm_t u_t and y_t = Cm_t . h_t + D u_t (no gate, no
 * softplus: mamba_ssm's selective_scan_ref with delta_softplus = False and z = None).
 */
export function selectiveScan(u: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, Bm: tf.Tensor3D, Cm: tf.Tensor3D, D: tf.Tensor1D): tf.Tensor3D {
  const [B, T, C] = u.shape;
  const N = A.shape[1];
  const d: ScanDims = { B, T, C, N };
  const op = tf.customGrad(((...args: tf.Tensor[]) => {
    const host = args.slice(0, 6).map((t) => t.dataSync() as Float32Array);
    const K = kernels();
    const put = (): ScanInputs => ({
      u: { at: K.put(host[0]), ld: C },
      dt: { at: K.put(host[1]), ld: C },
      At: K.putTransposed(host[2], C, N),
      Bm: { at: K.put(host[3]), ld: N },
      Cm: { at: K.put(host[4]), ld: N },
      D: K.put(host[5]),
    });
    const mark = K.mark();
    let y: tf.Tensor;
    try {
      const Y = K.alloc(B * T * C);
      selectiveScanRows(K, d, put(), { at: Y, ld: C });
      y = K.tensor(Y, [B, T, C]);
    } finally {
      K.release(mark);
    }
    return {
      value: y,
      gradFunc: (dy: tf.Tensor) => {
        const m = K.mark();
        try {
          const s = put();
          const g: ScanGrads = {
            du: { at: K.alloc(B * T * C), ld: C },
            ddt: { at: K.alloc(B * T * C), ld: C },
            dAt: K.zeros(N * C),
            dD: K.zeros(C),
            dB: { at: K.alloc(B * T * N), ld: N },
            dC: { at: K.alloc(B * T * N), ld: N },
          };
          selectiveScanRowsBackward(K, d, s, { at: K.putTensor(dy), ld: C }, g);
          const dA = new Float32Array(C * N);
          const dAt = K.view(g.dAt, N * C);
          for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) dA[c * N + n] = dAt[n * C + c];
          return [
            K.tensor(g.du.at, [B, T, C]),
            K.tensor(g.ddt.at, [B, T, C]),
            tf.tensor(dA, [C, N]),
            K.tensor(g.dB.at, [B, T, N]),
            K.tensor(g.dC.at, [B, T, N]),
            K.tensor(g.dD, [C]),
          ];
        } finally {
          K.release(m);
        }
      },
    };
  }) as unknown as GradFn) as unknown as (...t: tf.Tensor[]) => tf.Tensor3D;
  return op(u, delta, A, Bm, Cm, D);
}
