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
 *   softmaxCausal, softmaxCausalRecompute(rows, cols, p, ld, scale, keep, stats, first):
 *                                            the same with a causal mask besides: row r is the
 *                                            query at position first + r and attends keys
 *                                            j <= first + r only (a decoder's mask)
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
 *
 * The causal variants run those passes over the row's first min(cols, first + r + 1) keys
 * only and write exact zeros after them (PyTorch: -inf added to the scores of later keys), so
 * the masked keys cost nothing and the backward kernel needs no mask (p_j = 0 there). With a
 * key mask too, a key must be both in the past and a token; a query that sees no such key
 * (a left-padded position before the first token) gets all zeros, as with the key mask alone.
 */
import { SCALAR, VEC, exp, scratch } from '../wasm/lanes.js';
import { accumulator, pass, reducingPass, rows } from '../wasm/rows.js';
import { Fn, kernel, Op, Ty, type Local } from '../wasm/assembler.js';

/** Added to a masked key's score before the row max: finite (so the max stays finite), far below any real score. */
const MASKED_SCORE = -3e38;

/**
 * The columns a causal row reads: `lim` = min(cols, first + r + 1), from `next` = first + r + 1
 * (set before the first row, advanced after each), and the zeros written after them.
 */
interface CausalRow {
  lim: Local;
  start(): void;
  end(row: Local): void;
}

function causalRow(f: Fn, cols: Local, first: Local): CausalRow {
  const lim = f.local(Ty.i32);
  const next = f.local(Ty.i32);
  const j = f.local(Ty.i32);
  f.get(first).i32(1).op(Op.i32Add).set(next);
  return {
    lim,
    start() {
      f.get(next).get(cols).get(next).get(cols).op(Op.i32LtS).op(Op.select).set(lim); // next < cols ? next : cols
    },
    end(row) {
      // p_j = 0 for the keys after the query (the loop runs zero times when lim = cols)
      f.for(
        j,
        () => f.get(lim),
        () => f.get(cols),
        1,
        () => f.get(row).get(j).i32(2).op(Op.i32Shl).op(Op.i32Add).f32(0).mem(Op.f32Store),
      );
      f.get(next).i32(1).op(Op.i32Add).set(next);
    },
  };
}

function softmaxFn(causal: boolean): Fn {
  const f = new Fn(causal ? 'softmaxCausal' : 'softmax', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.f32, Ty.i32, Ty.i32, ...(causal ? [Ty.i32] : [])]);
  const [n, allCols, p, ld, scale, keep, stats, first] = f.params;
  const c = causal ? causalRow(f, allCols, first) : undefined;
  const cols = c ? c.lim : allCols; // the keys a row's passes read
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
        c?.start();
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
        c?.end(row);
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
function softmaxRecomputeFn(causal: boolean): Fn {
  const f = new Fn(causal ? 'softmaxCausalRecompute' : 'softmaxRecompute', [
    Ty.i32,
    Ty.i32,
    Ty.i32,
    Ty.i32,
    Ty.f32,
    Ty.i32,
    Ty.i32,
    ...(causal ? [Ty.i32] : []),
  ]);
  const [n, allCols, p, ld, scale, keep, stats, first] = f.params;
  const c = causal ? causalRow(f, allCols, first) : undefined;
  const cols = c ? c.lim : allCols;
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
        c?.start();
        f.get(st).mem(Op.f32Load).set(m);
        f.get(st).mem(Op.f32Load, 4).set(sum);
        pass(f, cols, (L, off) => {
          const x = exp(L, L.width === 4 ? sv : ss, L.add(L.mul(L.load(row, off), L.bcast(scale)), L.bcast(m)));
          return [L.store(row, L.div(masked ? L.mul(x, L.load(keep, off)) : x, L.bcast(sum)), off)];
        });
        c?.end(row);
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
/** As Rows7, and `first`: the query position of the first row (row r attends keys <= first + r). */
type Rows8 = (rows: number, cols: number, p: number, ld: number, scale: number, keep: number, stats: number, first: number) => void;

/** The softmax kernels for the runtime's table (./runtime.ts). */
export const softmaxKernels = {
  /** In place over `rows` rows of `cols` floats, row stride `ld` floats; `keep` a key mask [cols] or 0; `stats` [rows, 2] or 0. */
  softmax: kernel<Rows7>(softmaxFn(false)),
  softmaxRecompute: kernel<Rows7>(softmaxRecomputeFn(false)),
  /** The same with the causal mask: row r attends keys j <= first + r; later keys get exactly 0. */
  softmaxCausal: kernel<Rows8>(softmaxFn(true)),
  softmaxCausalRecompute: kernel<Rows8>(softmaxRecomputeFn(true)),
  softmaxBackward: kernel<(rows: number, cols: number, p: number, ldp: number, g: number, ldg: number, scale: number) => void>(softmaxBackwardFn()),
};
