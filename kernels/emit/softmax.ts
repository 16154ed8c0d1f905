/**
 * Row-wise softmax kernels for attention, in place over rows of a [rows, cols] matrix with a
 * row stride of `ld` floats:
 *
 *   softmax(rows, cols, p, ld, scale, keep, stats):
 *                                            p_j = keep_j exp(scale (s_j - max s)) / sum_k keep_k exp(scale (s_k - max s))
 *   softmaxRecompute(rows, cols, p, ld, scale, keep, stats):
 *                                            the same p from the same scores, given the stats
 *   softmaxBackward(rows, cols, p, ldp, g, ldg, scale):
 *                                            g_j = scale p_j (g_j - sum_k p_k g_k)
 *
 * i.e. the softmax of the scaled scores (scale = 1/sqrt(d_head) > 0, so max(scale s) =
 * scale max s), and the gradient with respect to the unscaled scores given g = dL/dp.
 * `keep` is the byte address of a key mask [cols] (1 = attend, 0 = padding, shared by every
 * row), or 0 for none: a masked key gets probability exactly 0 and the max runs over the kept
 * keys only, as PyTorch's key_padding_mask (-inf added to the score). Its gradient needs no
 * mask: p_j = 0 there. `stats` (byte address of [rows, 2], or 0) receives each row's
 * (-scale max, sum): what the streaming attention keeps instead of p, to recompute p in its
 * backward pass bit for bit (./attention.ts). Each row is a few passes of 4 lanes at a time
 * plus a scalar tail for cols % 4.
 */
import { SCALAR, VEC, exp, scratch } from '../wasm/lanes.js';
import { accumulator, pass, reducingPass, rows } from '../wasm/rows.js';
import { Fn, kernel, Op, Ty } from '../wasm/assembler.js';

/** Added to a masked key's score before the row max: finite (so the max stays finite), far below any real score. */
const MASKED_SCORE = -3e38;

function softmaxFn(): Fn {
  const f = new Fn('softmax', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.f32, Ty.i32, Ty.i32]);
  const [n, cols, p, ld, scale, keep, stats] = f.params;
  const row = f.local(Ty.i32);
  const st = f.local(Ty.i32);
  const two = f.local(Ty.i32);
  f.i32(2).set(two);
  const max = accumulator(f, Op.f32Max);
  const m = max.into; // row max, then -scale * max
  const total = accumulator(f, Op.f32Add);
  const sum = total.into;
  const sv = scratch(f, VEC);
  const ss = scratch(f, SCALAR);
  /** The kernel body, without (keep = 0) or with a key mask. */
  const body = (masked: boolean) =>
    rows(
      f,
      n,
      [
        [p, ld, row],
        [stats, two, st],
      ],
      () => {
        // max (over the kept keys: a masked score is pushed to MASKED_SCORE; keep = 1 adds exactly 0)
        reducingPass(f, cols, [max], (L, off, [acc]) => {
          const s = masked ? L.add(L.load(row, off), L.mul(L.sub(L.load(keep, off), L.k(1)), L.k(-MASKED_SCORE))) : L.load(row, off);
          return [L.set(acc, L.max(L.get(acc), s))];
        });
        // e_j = exp(scale s_j - scale max) (times keep_j: exactly 0 at a masked key, as exp(-inf) in PyTorch), summed
        f.get(m).get(scale).op(Op.f32Mul).op(Op.f32Neg).set(m);
        reducingPass(f, cols, [total], (L, off, [acc]) => {
          const x = exp(L, L.width === 4 ? sv : ss, L.add(L.mul(L.load(row, off), L.bcast(scale)), L.bcast(m)));
          const e = masked ? L.mul(x, L.load(keep, off)) : x;
          return [L.store(row, e, off), L.set(acc, L.add(L.get(acc), L.load(row, off)))];
        });
        // A row whose keys are all masked has sum 0: its probabilities are 0 (PyTorch's are NaN).
        if (masked) f.get(sum).f32(1e-30).op(Op.f32Max).set(sum);
        // p_j = e_j / sum (a division, not a multiply by 1/sum: one rounding, as tf.softmax)
        pass(f, cols, (L, off) => [L.store(row, L.div(L.load(row, off), L.bcast(sum)), off)]);
        // The row's (-scale max, sum), from which softmaxRecompute reproduces p exactly.
        f.get(stats).if(() => {
          f.get(st).get(m).mem(Op.f32Store);
          f.get(st).get(sum).mem(Op.f32Store, 4);
        });
      },
    );
  f.get(keep)
    .op(Op.i32Eqz)
    .if(
      () => body(false),
      () => body(true),
    );
  return f;
}

/** p from the scores again, given the stats softmax wrote: the same operations in the same order, so the same bits. */
function softmaxRecomputeFn(): Fn {
  const f = new Fn('softmaxRecompute', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.f32, Ty.i32, Ty.i32]);
  const [n, cols, p, ld, scale, keep, stats] = f.params;
  const row = f.local(Ty.i32);
  const st = f.local(Ty.i32);
  const two = f.local(Ty.i32);
  const m = f.local(Ty.f32);
  const sum = f.local(Ty.f32);
  const sv = scratch(f, VEC);
  const ss = scratch(f, SCALAR);
  f.i32(2).set(two);
  const body = (masked: boolean) =>
    rows(
      f,
      n,
      [
        [p, ld, row],
        [stats, two, st],
      ],
      () => {
        f.get(st).mem(Op.f32Load).set(m);
        f.get(st).mem(Op.f32Load, 4).set(sum);
        pass(f, cols, (L, off) => {
          const x = exp(L, L.width === 4 ? sv : ss, L.add(L.mul(L.load(row, off), L.bcast(scale)), L.bcast(m)));
          return [L.store(row, L.div(masked ? L.mul(x, L.load(keep, off)) : x, L.bcast(sum)), off)];
        });
      },
    );
  f.get(keep)
    .op(Op.i32Eqz)
    .if(
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
  const acc = accumulator(f, Op.f32Add);
  const dot = acc.into;
  rows(
    f,
    n,
    [
      [p, ldp, rp],
      [g, ldg, rg],
    ],
    () => {
      // dot = sum_k p_k g_k
      reducingPass(f, cols, [acc], (L, off, [a]) => [L.set(a, L.add(L.get(a), L.mul(L.load(rp, off), L.load(rg, off))))]);
      // g_j = scale p_j (g_j - dot)
      pass(f, cols, (L, off) => [L.store(rg, L.mul(L.mul(L.bcast(scale), L.load(rp, off)), L.sub(L.load(rg, off), L.bcast(dot))), off)]);
    },
  );
  return f;
}

type Rows7 = (rows: number, cols: number, p: number, ld: number, scale: number, keep: number, stats: number) => void;

/** The softmax kernels for the runtime's table (./runtime.ts). */
export const softmaxKernels = {
  /** In place over `rows` rows of `cols` floats, row stride `ld` floats; `keep` a key mask [cols] or 0; `stats` [rows, 2] or 0. */
  softmax: kernel<Rows7>(softmaxFn()),
  softmaxRecompute: kernel<Rows7>(softmaxRecomputeFn()),
  softmaxBackward: kernel<(rows: number, cols: number, p: number, ldp: number, g: number, ldg: number, scale: number) => void>(softmaxBackwardFn()),
};
