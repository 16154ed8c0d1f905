/**
 * Causal depthwise 1-D convolution (nn.Conv1d with groups = channels and padding k - 1, the
 * padded tail chomped: Mamba's short convolution), forward and backward, over batch-major
 * rows (b*T + t) of C channels, 4 channels per instruction with a scalar tail:
 *
 *   depthwiseConv(B, T, C, K, x, ldx, w, bias, y, ldy):
 *     y[b,t,c] = bias[c] + sum_j w[j,c] x[b, t-(K-1-j), c]          (terms before t = 0 are 0)
 *   depthwiseConvBackward(B, T, C, K, x, ldx, w, dy, lddy, dx, lddx, dw, db):
 *     dx[b,t,c] = sum_j w[j,c] dy[b, t+(K-1-j), c]                    (terms after T-1 are 0; written)
 *     dw[j,c] += sum_{b,t} dy[b,t,c] x[b, t-(K-1-j), c];  db[c] += sum_{b,t} dy[b,t,c]   (accumulated)
 *
 * w is tap-major [K, C] (row j = tap j of every channel, so 4 channels are one vector load);
 * PyTorch's weight [C, 1, K] is its transpose, which the entry points below take care of.
 * Row strides (ldx, ldy, ...) are in floats, so x can be a column block of a wider matrix
 * (Mamba convolves the first half of in_proj's output in place). Addresses are bytes.
 *
 * Entry points: `depthwiseConvRows` / `depthwiseConvRowsBackward` on kernel memory, and
 * `causalDepthwiseConv1d`, a differentiable tf op in PyTorch's layout.
 */
import type { Lanes } from '../wasm/lanes.js';
import { pass } from '../wasm/rows.js';
import { Fn, kernel, Op, Ty, type Local } from '../wasm/assembler.js';

/** max(a, b) of two i32 values on the stack's producers. */
function maxI32(f: Fn, a: () => void, b: () => void, tmp: Local): void {
  a();
  f.set(tmp);
  b();
  f.get(tmp);
  b();
  f.get(tmp);
  f.op(Op.i32GtS).op(Op.select);
}

/**
 * The loops shared by both kernels: for b, for t, with `row(t)` setting per-row pointers,
 * then `pass` over the C channels.
 */
function rowsOf(f: Fn, Bn: Local, T: Local, body: (t: Local, rowIndex: Local) => void): void {
  const b = f.local(Ty.i32);
  const t = f.local(Ty.i32);
  const r = f.local(Ty.i32); // row index b*T + t
  f.i32(0).set(r);
  f.for(
    b,
    () => f.i32(0),
    () => f.get(Bn),
    1,
    () => {
      f.for(
        t,
        () => f.i32(0),
        () => f.get(T),
        1,
        () => {
          body(t, r);
          f.get(r).i32(1).op(Op.i32Add).set(r);
        },
      );
    },
  );
}

/** addr = base + 4 (index * ld) */
function rowAddress(f: Fn, base: Local, index: () => void, ld: Local, into: Local): void {
  f.get(base);
  index();
  f.get(ld).op(Op.i32Mul).i32(2).op(Op.i32Shl).op(Op.i32Add).set(into);
}

function forwardFn(): Fn {
  const f = new Fn('depthwiseConv', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32]);
  const [Bn, T, C, K, x, ldx, w, bias, y, ldy] = f.params;
  const j0 = f.local(Ty.i32); // first tap with a sample at t - (K-1-j) >= 0
  const w0 = f.local(Ty.i32); // tap j0's row of w
  const x0 = f.local(Ty.i32); // the input row tap j0 reads
  const yr = f.local(Ty.i32);
  const j = f.local(Ty.i32);
  const pw = f.local(Ty.i32);
  const px = f.local(Ty.i32);
  const tmp = f.local(Ty.i32);
  const rowBytes = f.local(Ty.i32);
  const wBytes = f.local(Ty.i32);
  f.get(ldx).i32(2).op(Op.i32Shl).set(rowBytes);
  f.get(C).i32(2).op(Op.i32Shl).set(wBytes);
  rowsOf(f, Bn, T, (t, r) => {
    // j0 = max(0, K - 1 - t)
    maxI32(
      f,
      () => f.i32(0),
      () => f.get(K).i32(1).op(Op.i32Sub).get(t).op(Op.i32Sub),
      tmp,
    );
    f.set(j0);
    f.get(w).get(j0).get(wBytes).op(Op.i32Mul).op(Op.i32Add).set(w0);
    // x row r - (K-1-j0)
    rowAddress(f, x, () => f.get(r).get(K).i32(1).op(Op.i32Sub).get(j0).op(Op.i32Sub).op(Op.i32Sub), ldx, x0);
    rowAddress(f, y, () => f.get(r), ldy, yr);
    pass(f, C, (L: Lanes, off: Local) => {
      const acc = f.local(L.ty);
      return [
        L.set(acc, L.load(bias, off)),
        (g) => {
          g.get(j0).set(j).get(w0).set(pw).get(x0).set(px);
          g.block(() =>
            g.loop(() => {
              g.get(j).get(K).op(Op.i32GeS).brIf(1);
              L.set(acc, L.add(L.get(acc), L.mul(L.load(pw, off), L.load(px, off))))(g);
              g.get(pw).get(wBytes).op(Op.i32Add).set(pw);
              g.get(px).get(rowBytes).op(Op.i32Add).set(px);
              g.get(j).i32(1).op(Op.i32Add).set(j).br(0);
            }),
          );
        },
        L.store(yr, L.get(acc), off),
      ];
    });
  });
  return f;
}

function backwardFn(): Fn {
  const f = new Fn('depthwiseConvBackward', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32]);
  const [Bn, T, C, K, x, ldx, w, dy, lddy, dx, lddx, dw, db] = f.params;
  const j0 = f.local(Ty.i32);
  const j1 = f.local(Ty.i32); // first tap whose output t + (K-1-j) <= T-1
  const dw0 = f.local(Ty.i32);
  const x0 = f.local(Ty.i32);
  const w1 = f.local(Ty.i32);
  const dy1 = f.local(Ty.i32);
  const dyr = f.local(Ty.i32);
  const dxr = f.local(Ty.i32);
  const j = f.local(Ty.i32);
  const p1 = f.local(Ty.i32);
  const p2 = f.local(Ty.i32);
  const tmp = f.local(Ty.i32);
  const xBytes = f.local(Ty.i32);
  const dyBytes = f.local(Ty.i32);
  const wBytes = f.local(Ty.i32);
  f.get(ldx).i32(2).op(Op.i32Shl).set(xBytes);
  f.get(lddy).i32(2).op(Op.i32Shl).set(dyBytes);
  f.get(C).i32(2).op(Op.i32Shl).set(wBytes);
  rowsOf(f, Bn, T, (t, r) => {
    maxI32(
      f,
      () => f.i32(0),
      () => f.get(K).i32(1).op(Op.i32Sub).get(t).op(Op.i32Sub),
      tmp,
    );
    f.set(j0);
    // j1 = max(0, K - T + t)
    maxI32(
      f,
      () => f.i32(0),
      () => f.get(K).get(T).op(Op.i32Sub).get(t).op(Op.i32Add),
      tmp,
    );
    f.set(j1);
    f.get(dw).get(j0).get(wBytes).op(Op.i32Mul).op(Op.i32Add).set(dw0);
    rowAddress(f, x, () => f.get(r).get(K).i32(1).op(Op.i32Sub).get(j0).op(Op.i32Sub).op(Op.i32Sub), ldx, x0);
    f.get(w).get(j1).get(wBytes).op(Op.i32Mul).op(Op.i32Add).set(w1);
    // dy row r + (K-1-j1)
    rowAddress(f, dy, () => f.get(r).get(K).i32(1).op(Op.i32Sub).get(j1).op(Op.i32Sub).op(Op.i32Add), lddy, dy1);
    rowAddress(f, dy, () => f.get(r), lddy, dyr);
    rowAddress(f, dx, () => f.get(r), lddx, dxr);
    pass(f, C, (L: Lanes, off: Local) => {
      const g0 = f.local(L.ty);
      const acc = f.local(L.ty);
      return [
        L.set(g0, L.load(dyr, off)),
        L.store(db, L.add(L.load(db, off), L.get(g0)), off),
        (g) => {
          // dw[j] += dy[t] x[t - (K-1-j)], j = j0 .. K-1 (x rows ascending, as the taps)
          g.get(j0).set(j).get(dw0).set(p1).get(x0).set(p2);
          g.block(() =>
            g.loop(() => {
              g.get(j).get(K).op(Op.i32GeS).brIf(1);
              L.store(p1, L.add(L.load(p1, off), L.mul(L.get(g0), L.load(p2, off))), off)(g);
              g.get(p1).get(wBytes).op(Op.i32Add).set(p1);
              g.get(p2).get(xBytes).op(Op.i32Add).set(p2);
              g.get(j).i32(1).op(Op.i32Add).set(j).br(0);
            }),
          );
          // dx[t] = sum_j w[j] dy[t + (K-1-j)], j = j1 .. K-1 (dy rows descending)
          L.set(acc, L.k(0))(g);
          g.get(j1).set(j).get(w1).set(p1).get(dy1).set(p2);
          g.block(() =>
            g.loop(() => {
              g.get(j).get(K).op(Op.i32GeS).brIf(1);
              L.set(acc, L.add(L.get(acc), L.mul(L.load(p1, off), L.load(p2, off))))(g);
              g.get(p1).get(wBytes).op(Op.i32Add).set(p1);
              g.get(p2).get(dyBytes).op(Op.i32Sub).set(p2);
              g.get(j).i32(1).op(Op.i32Add).set(j).br(0);
            }),
          );
          L.store(dxr, L.get(acc), off)(g);
        },
      ];
    });
  });
  return f;
}

/** The causal depthwise convolution kernels for the runtime's table (../runtime/runtime.ts). */
export const depthwiseConvKernels = {
  depthwiseConv: kernel<(B: number, T: number, C: number, K: number, x: number, ldx: number, w: number, bias: number, y: number, ldy: number) => void>(
    forwardFn(),
  ),
  depthwiseConvBackward: kernel<
    (
      B: number,
      T: number,
      C: number,
      K: number,
      x: number,
      ldx: number,
      w: number,
      dy: number,
      lddy: number,
      dx: number,
      lddx: number,
      dw: number,
      db: number,
    ) => void
  >(backwardFn()),
};
