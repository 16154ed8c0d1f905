/**
 * RMSNorm over the last axis (Zhang & Sennrich 2019; Mamba's norm, torch_bench.py's RMSNorm),
 * forward and backward, on contiguous rows of [n, cols]:
 *
 *   rmsNorm(n, cols, x, y, w, rstd, eps):
 *     r = 1 / sqrt(sum x^2 / cols + eps);  y = (x r) w;  rstd[row] = r
 *   rmsNormBackward(n, cols, x, dy, w, rstd, dx, dw), with xhat = x r and g = dy w:
 *     dx = r (g - xhat mean(g xhat));  dw += sum over rows of dy xhat   (dw zeroed by the caller)
 *
 * (d r / d x_j = -r^3 x_j / cols, so dx_j = r g_j - r^3 x_j sum_i g_i x_i / cols.)
 *
 * Entry points: the raw kernels (byte addresses into the kernel memory, for ops that keep
 * their activations there, ../ssmStack.ts) through `rmsNormRows` / `rmsNormRowsBackward`,
 * and `rmsNorm`, a differentiable tf op for code that works on tensors (plugins).
 */
import type { Expr, Lanes } from '../wasm/lanes.js';
import { horizontal, pass, rows } from '../wasm/rows.js';
import { Fn, kernel, Op, Simd, Ty, type Local } from '../wasm/assembler.js';

/** Sum over a row of `term`, into the f32 local `into` (vector accumulator `vacc`, then the tail). */
function rowSum(f: Fn, cols: Local, vacc: Local, into: Local, term: (L: Lanes, off: Local) => Expr): void {
  f.f32(0).set(into).f32(0).simd(Simd.f32x4Splat).set(vacc);
  pass(
    f,
    cols,
    (L, off) => {
      const acc = L.width === 4 ? vacc : into;
      return [L.set(acc, L.add(L.get(acc), term(L, off)))];
    },
    () => horizontal(f, vacc, into, Op.f32Add),
  );
}

function forwardFn(): Fn {
  const f = new Fn('rmsNorm', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.f32]);
  const [n, cols, x, y, w, rstd, eps] = f.params;
  const rx = f.local(Ty.i32);
  const ry = f.local(Ty.i32);
  const rr = f.local(Ty.i32);
  const r = f.local(Ty.f32);
  const vacc = f.local(Ty.v128);
  const one = f.local(Ty.i32);
  f.i32(1).set(one);
  rows(
    f,
    n,
    [
      [x, cols, rx],
      [y, cols, ry],
      [rstd, one, rr],
    ],
    () => {
      rowSum(f, cols, vacc, r, (L, off) => L.mul(L.load(rx, off), L.load(rx, off)));
      // r = 1 / sqrt(sum / cols + eps)
      f.f32(1).get(r).get(cols).op(Op.f32ConvertI32S).op(Op.f32Div).get(eps).op(Op.f32Add).op(Op.f32Sqrt).op(Op.f32Div).set(r);
      pass(f, cols, (L, off) => [L.store(ry, L.mul(L.mul(L.load(rx, off), L.bcast(r)), L.load(w, off)), off)]);
      f.get(rr).get(r).mem(Op.f32Store);
    },
  );
  return f;
}

function backwardFn(): Fn {
  const f = new Fn('rmsNormBackward', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32]);
  const [n, cols, x, dy, w, rstd, dx, dw] = f.params;
  const rx = f.local(Ty.i32);
  const rdy = f.local(Ty.i32);
  const rdx = f.local(Ty.i32);
  const rr = f.local(Ty.i32);
  const r = f.local(Ty.f32);
  const mgx = f.local(Ty.f32); // mean(g xhat), g = dy w
  const vacc = f.local(Ty.v128);
  const one = f.local(Ty.i32);
  f.i32(1).set(one);
  rows(
    f,
    n,
    [
      [x, cols, rx],
      [dy, cols, rdy],
      [dx, cols, rdx],
      [rstd, one, rr],
    ],
    () => {
      f.get(rr).mem(Op.f32Load).set(r);
      const xhat = (L: Lanes, off: Local) => L.mul(L.load(rx, off), L.bcast(r));
      // One pass: the row's sum of g xhat; dw accumulates over rows.
      f.f32(0).set(mgx).f32(0).simd(Simd.f32x4Splat).set(vacc);
      pass(
        f,
        cols,
        (L, off) => {
          const acc = L.width === 4 ? vacc : mgx;
          return [
            L.set(acc, L.add(L.get(acc), L.mul(L.mul(L.load(rdy, off), L.load(w, off)), xhat(L, off)))),
            L.store(dw, L.add(L.load(dw, off), L.mul(L.load(rdy, off), xhat(L, off))), off),
          ];
        },
        () => horizontal(f, vacc, mgx, Op.f32Add),
      );
      f.get(mgx).get(cols).op(Op.f32ConvertI32S).op(Op.f32Div).set(mgx);
      pass(f, cols, (L, off) => [L.store(rdx, L.mul(L.sub(L.mul(L.load(rdy, off), L.load(w, off)), L.mul(xhat(L, off), L.bcast(mgx))), L.bcast(r)), off)]);
    },
  );
  return f;
}

/** The RMSNorm kernels for the runtime's table (../runtime/runtime.ts); addresses in bytes, counts in floats. */
export const rmsNormKernels = {
  rmsNorm: kernel<(n: number, cols: number, x: number, y: number, w: number, rstd: number, eps: number) => void>(forwardFn()),
  rmsNormBackward: kernel<(n: number, cols: number, x: number, dy: number, w: number, rstd: number, dx: number, dw: number) => void>(backwardFn()),
};
