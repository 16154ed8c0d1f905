/**
 * Row-wise softmax kernels for attention, in place over rows of a [rows, cols] matrix with a
 * row stride of `ld` floats:
 *
 *   softmax(rows, cols, p, ld, scale, keep): p_j = keep_j exp(scale (s_j - max s)) / sum_k keep_k exp(scale (s_k - max s))
 *   softmaxBackward(rows, cols, p, ldp, g, ldg, scale):
 *                                            g_j = scale p_j (g_j - sum_k p_k g_k)
 *
 * i.e. the softmax of the scaled scores (scale = 1/sqrt(d_head) > 0, so max(scale s) =
 * scale max s), and the gradient with respect to the unscaled scores given g = dL/dp.
 * `keep` is the byte address of a key mask [cols] (1 = attend, 0 = padding, shared by every
 * row), or 0 for none: a masked key gets probability exactly 0 and the max runs over the kept
 * keys only, as PyTorch's key_padding_mask (-inf added to the score). Its gradient needs no
 * mask: p_j = 0 there. Each row is a few passes of 4 lanes at a time plus a scalar tail for
 * cols % 4.
 */
import { SCALAR, VEC, exp, scratch } from './lanes.js';
import { horizontal, pass, rows } from './rows.js';
import { Fn, Op, Simd, Ty } from './wasm.js';

/** Added to a masked key's score before the row max: finite (so the max stays finite), far below any real score. */
const MASKED_SCORE = -3e38;

function softmaxFn(): Fn {
  const f = new Fn('softmax', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.f32, Ty.i32]);
  const [n, cols, p, ld, scale, keep] = f.params;
  const row = f.local(Ty.i32);
  const m = f.local(Ty.f32); // row max, then -scale * max
  const sum = f.local(Ty.f32);
  const vacc = f.local(Ty.v128);
  const sv = scratch(f, VEC);
  const ss = scratch(f, SCALAR);
  /** The kernel body, without (keep = 0) or with a key mask. */
  const body = (masked: boolean) =>
    rows(f, n, [[p, ld, row]], () => {
      // max (over the kept keys: a masked score is pushed to MASKED_SCORE; keep = 1 adds exactly 0)
      f.f32(-Infinity).set(m).f32(-Infinity).simd(Simd.f32x4Splat).set(vacc);
      pass(
        f,
        cols,
        (L, off) => {
          const acc = L.width === 4 ? vacc : m;
          const s = masked ? L.add(L.load(row, off), L.mul(L.sub(L.load(keep, off), L.k(1)), L.k(-MASKED_SCORE))) : L.load(row, off);
          return [L.set(acc, L.max(L.get(acc), s))];
        },
        () => horizontal(f, vacc, m, Op.f32Max),
      );
      // e_j = exp(scale s_j - scale max) (times keep_j: exactly 0 at a masked key, as exp(-inf) in PyTorch), summed
      f.get(m).get(scale).op(Op.f32Mul).op(Op.f32Neg).set(m);
      f.f32(0).set(sum).f32(0).simd(Simd.f32x4Splat).set(vacc);
      pass(
        f,
        cols,
        (L, off) => {
          const acc = L.width === 4 ? vacc : sum;
          const x = exp(L, L.width === 4 ? sv : ss, L.add(L.mul(L.load(row, off), L.bcast(scale)), L.bcast(m)));
          const e = masked ? L.mul(x, L.load(keep, off)) : x;
          return [L.store(row, e, off), L.set(acc, L.add(L.get(acc), L.load(row, off)))];
        },
        () => horizontal(f, vacc, sum, Op.f32Add),
      );
      // A row whose keys are all masked has sum 0: its probabilities are 0 (PyTorch's are NaN).
      if (masked) f.get(sum).f32(1e-30).op(Op.f32Max).set(sum);
      // p_j = e_j / sum (a division, not a multiply by 1/sum: one rounding, as tf.softmax)
      pass(f, cols, (L, off) => [L.store(row, L.div(L.load(row, off), L.bcast(sum)), off)]);
    });
  f.get(keep).op(Op.i32Eqz).if(
    () => body(false),
    () => body(true),
  );
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
