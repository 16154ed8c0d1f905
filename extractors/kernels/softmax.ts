/**
 * Row-wise softmax kernels for attention, in place over rows of a [rows, cols] matrix with a
 * row stride of `ld` floats:
 *
 *   softmax(rows, cols, p, ld, scale):       p_j = exp(scale (s_j - max s)) / sum_k exp(scale (s_k - max s))
 *   softmaxBackward(rows, cols, p, ldp, g, ldg, scale):
 *                                            g_j = scale p_j (g_j - sum_k p_k g_k)
 *
 * i.e. the softmax of the scaled scores (scale = 1/sqrt(d_head) > 0, so max(scale s) =
 * scale max s), and the gradient with respect to the unscaled scores given g = dL/dp.
 * Each row is a few passes of 4 lanes at a time plus a scalar tail for cols % 4.
 */
import { SCALAR, VEC, exp, scratch } from './lanes.js';
import { horizontal, pass, rows } from './rows.js';
import { Fn, Op, Simd, Ty } from './wasm.js';

function softmaxFn(): Fn {
  const f = new Fn('softmax', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.f32]);
  const [n, cols, p, ld, scale] = f.params;
  const row = f.local(Ty.i32);
  const m = f.local(Ty.f32); // row max, then -scale * max
  const sum = f.local(Ty.f32);
  const vacc = f.local(Ty.v128);
  const sv = scratch(f, VEC);
  const ss = scratch(f, SCALAR);
  rows(f, n, [[p, ld, row]], () => {
    // max
    f.f32(-Infinity).set(m).f32(-Infinity).simd(Simd.f32x4Splat).set(vacc);
    pass(
      f,
      cols,
      (L, off) => {
        const acc = L.width === 4 ? vacc : m;
        return [L.set(acc, L.max(L.get(acc), L.load(row, off)))];
      },
      () => horizontal(f, vacc, m, Op.f32Max),
    );
    // e_j = exp(scale s_j - scale max), summed
    f.get(m).get(scale).op(Op.f32Mul).op(Op.f32Neg).set(m);
    f.f32(0).set(sum).f32(0).simd(Simd.f32x4Splat).set(vacc);
    pass(
      f,
      cols,
      (L, off) => {
        const acc = L.width === 4 ? vacc : sum;
        const e = exp(L, L.width === 4 ? sv : ss, L.add(L.mul(L.load(row, off), L.bcast(scale)), L.bcast(m)));
        return [L.store(row, e, off), L.set(acc, L.add(L.get(acc), L.load(row, off)))];
      },
      () => horizontal(f, vacc, sum, Op.f32Add),
    );
    // p_j = e_j / sum (a division, not a multiply by 1/sum: one rounding, as tf.softmax)
    pass(f, cols, (L, off) => [L.store(row, L.div(L.load(row, off), L.bcast(sum)), off)]);
  });
  return f;
}

function softmaxBackwardFn(): Fn {
  const f = new Fn('softmaxBackward', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.f32]);
  const [n, cols, p, ldp, g, ldg, scale] = f.params;
  const rp = f.local(Ty.i32);
  const rg = f.local(Ty.i32);
  const dot = f.local(Ty.f32);
  const vacc = f.local(Ty.v128);
  rows(f, n, [[p, ldp, rp], [g, ldg, rg]], () => {
    // dot = sum_k p_k g_k
    f.f32(0).set(dot).f32(0).simd(Simd.f32x4Splat).set(vacc);
    pass(
      f,
      cols,
      (L, off) => {
        const acc = L.width === 4 ? vacc : dot;
        return [L.set(acc, L.add(L.get(acc), L.mul(L.load(rp, off), L.load(rg, off))))];
      },
      () => horizontal(f, vacc, dot, Op.f32Add),
    );
    // g_j = scale p_j (g_j - dot)
    pass(f, cols, (L, off) => [L.store(rg, L.mul(L.mul(L.bcast(scale), L.load(rp, off)), L.sub(L.load(rg, off), L.bcast(dot))), off)]);
  });
  return f;
}

export const softmaxFns = [softmaxFn(), softmaxBackwardFn()];
