/**
 * Mamba's mixer (the selective SSM block of Gu & Dao 2023, mamba_ssm's `Mamba` /
 * torch_bench.py's `MambaMixer`) forward and backward on kernel memory, for ./ssmStack.ts.
 * Names after `layers.{i}.mixer.` and layouts are PyTorch's. With di = expand * d inner
 * channels, R = dt_rank, N = d_state, k = d_conv, per position (rows b*T + t):
 *
 *   xz  = U in_proj.weight^T                       [N, 2 di]  (x | z)
 *   c   = conv1d(x) (causal, depthwise, + bias)    [N, di]
 *   u   = silu(c)                                  [N, di]
 *   xd  = u x_proj.weight^T                        [N, R + 2N]  (dt | B | C)
 *   dtp = xd[:, :R] dt_proj.weight^T + dt_proj.bias [N, di];  dt = softplus(dtp)
 *   y   = selective scan(u, dt, A = -exp(A_log), B, C, D)    [N, di]
 *   g   = y silu(z);  out = g out_proj.weight^T    [N, d]
 *
 * Kept for the backward pass: xz, c, xd, dtp, y (u, dt and g are recomputed from them, one
 * elementwise pass each, rather than copied out and back).
 */
import type { Kernels } from '../../kernels/runtime/runtime.js';
import { depthwiseConvRows, depthwiseConvRowsBackward, putTapMajor, readChannelMajor } from '../../kernels/ops/depthwiseConv.js';
import { selectiveScanRows, selectiveScanRowsBackward, type ScanDims, type ScanInputs } from '../../kernels/ops/selectiveScan.js';
import { linearRows, linearRowsBackward, type HostWeights, type Mixer, type StackDims } from './stack.js';

export interface MambaDims {
  dInner: number;
  dtRank: number;
  dState: number;
  dConv: number;
}

export const MAMBA_NAMES = [
  'A_log',
  'D',
  'in_proj.weight',
  'conv1d.weight',
  'conv1d.bias',
  'x_proj.weight',
  'dt_proj.weight',
  'dt_proj.bias',
  'out_proj.weight',
] as const;

/** A = -exp(A_log) [di, N], transposed to the scan's [N, di]. */
function aTransposed(K: Kernels, aLog: Float32Array, di: number, N: number): number {
  const at = K.alloc(di * N);
  const heap = K.heap;
  const o = at >> 2;
  for (let c = 0; c < di; c++) for (let n = 0; n < N; n++) heap[o + n * di + c] = -Math.exp(aLog[c * N + n]);
  return at;
}

export function mambaMixer(m: MambaDims): Mixer {
  const { dInner: di, dtRank: R, dState: Ns, dConv: k } = m;
  const X = R + 2 * Ns; // x_proj's output width
  /** Buffers both passes derive from the kept ones. */
  const derived = (K: Kernels, N: number, xz: number, c: number, _xd: number, dtp: number) => {
    const u = K.alloc(N * di);
    K.rows('silu', 1, N * di, c, 0, u, 0);
    const dt = K.alloc(N * di);
    K.rows('softplus', 1, N * di, dtp, 0, dt, 0);
    return { u, dt, z: xz + 4 * di };
  };
  const scanInputs = (K: Kernels, w: HostWeights, u: number, dt: number, xd: number): ScanInputs => ({
    u: { at: u, ld: di },
    dt: { at: dt, ld: di },
    At: aTransposed(K, w.A_log, di, Ns),
    Bm: { at: xd + 4 * R, ld: X },
    Cm: { at: xd + 4 * (R + Ns), ld: X },
    D: K.put(w.D),
  });

  return {
    names: MAMBA_NAMES,
    forward(K, d: StackDims, w, U, keep) {
      const { B, T, N } = d;
      const xz = K.alloc(N * 2 * di);
      linearRows(K, N, d.d, 2 * di, U, d.d, w['in_proj.weight'], undefined, xz, 2 * di);
      const c = K.alloc(N * di);
      depthwiseConvRows(K, { B, T, C: di, K: k }, xz, 2 * di, putTapMajor(K, w['conv1d.weight'], di, k), K.put(w['conv1d.bias']), c, di);
      const u = K.alloc(N * di);
      K.rows('silu', 1, N * di, c, 0, u, 0);
      const xd = K.alloc(N * X);
      linearRows(K, N, di, X, u, di, w['x_proj.weight'], undefined, xd, X);
      const dtp = K.alloc(N * di);
      linearRows(K, N, R, di, xd, X, w['dt_proj.weight'], w['dt_proj.bias'], dtp, di);
      const dt = K.alloc(N * di);
      K.rows('softplus', 1, N * di, dtp, 0, dt, 0);
      const y = K.alloc(N * di);
      const sd: ScanDims = { B, T, C: di, N: Ns };
      selectiveScanRows(K, sd, scanInputs(K, w, u, dt, xd), { at: y, ld: di });
      keep('xz', xz, N * 2 * di);
      keep('c', c, N * di);
      keep('xd', xd, N * X);
      keep('dtp', dtp, N * di);
      keep('y', y, N * di);
      const g = K.alloc(N * di);
      K.rows('gateSilu', N, di, y, 4 * di, xz + 4 * di, 8 * di, g, 4 * di); // y silu(z)
      const out = K.alloc(N * d.d);
      linearRows(K, N, di, d.d, g, di, w['out_proj.weight'], undefined, out, d.d);
      return out;
    },

    backward(K, d: StackDims, w, s, dOut, dU) {
      const { B, T, N } = d;
      const { u, dt, z } = derived(K, N, s.xz, s.c, s.xd, s.dtp);
      const g = K.alloc(N * di);
      K.rows('gateSilu', N, di, s.y, 4 * di, z, 8 * di, g, 4 * di);
      // out = g W_out^T
      const dG = K.alloc(N * di);
      const outProj = linearRowsBackward(K, N, di, d.d, dOut, d.d, g, di, w['out_proj.weight'], dG, di, false, false);
      // g = y silu(z): dy, and dz into the second half of dxz
      const dxz = K.alloc(N * 2 * di);
      const dy = K.alloc(N * di);
      K.rows('gateSiluBackward', N, di, s.y, 4 * di, z, 8 * di, dG, 4 * di, dy, 4 * di, dxz + 4 * di, 8 * di);
      // the scan: du, ddt, dA, dD, and dB, dC into columns R.. of dxd
      const du = K.alloc(N * di);
      const ddt = K.alloc(N * di);
      const dAt = K.zeros(Ns * di);
      const dD = K.zeros(di);
      const dxd = K.alloc(N * X);
      const sd: ScanDims = { B, T, C: di, N: Ns };
      selectiveScanRowsBackward(
        K,
        sd,
        scanInputs(K, w, u, dt, s.xd),
        { at: dy, ld: di },
        {
          du: { at: du, ld: di },
          ddt: { at: ddt, ld: di },
          dAt,
          dD,
          dB: { at: dxd + 4 * R, ld: X },
          dC: { at: dxd + 4 * (R + Ns), ld: X },
        },
      );
      // dt = softplus(dtp), dtp = xd[:, :R] W_dt^T + b_dt: the first R columns of dxd
      K.rows('softplusBackward', 1, N * di, s.dtp, 0, ddt, 0, ddt, 0); // in place: ddt becomes d dtp
      const dtProj = linearRowsBackward(K, N, R, di, ddt, di, s.xd, X, w['dt_proj.weight'], dxd, X, false, true);
      // xd = u W_x^T: du += dxd W_x
      const xProj = linearRowsBackward(K, N, di, X, dxd, X, u, di, w['x_proj.weight'], du, di, true, false);
      // u = silu(c), c = conv(x): dx into the first half of dxz
      K.rows('siluBackward', 1, N * di, s.c, 0, du, 0, du, 0); // in place: du becomes dc
      const dwConv = K.zeros(k * di);
      const dbConv = K.zeros(di);
      depthwiseConvRowsBackward(K, { B, T, C: di, K: k }, s.xz, 2 * di, putTapMajor(K, w['conv1d.weight'], di, k), du, di, dxz, 2 * di, dwConv, dbConv);
      // xz = U W_in^T
      const inProj = linearRowsBackward(K, N, d.d, 2 * di, dxz, 2 * di, s.U, d.d, w['in_proj.weight'], dU, d.d, false, false);
      // A = -exp(A_log): dA_log = dA * A
      const gA = K.view(dAt, Ns * di);
      const dALog = new Float32Array(di * Ns);
      for (let c = 0; c < di; c++) for (let n = 0; n < Ns; n++) dALog[c * Ns + n] = -gA[n * di + c] * Math.exp(w.A_log[c * Ns + n]);
      return {
        A_log: dALog,
        D: K.read(dD, di),
        'in_proj.weight': inProj.dW,
        'conv1d.weight': readChannelMajor(K, dwConv, di, k),
        'conv1d.bias': K.read(dbConv, di),
        'x_proj.weight': xProj.dW,
        'dt_proj.weight': dtProj.dW,
        'dt_proj.bias': dtProj.db!,
        'out_proj.weight': outProj.dW,
      };
    },
  };
}
