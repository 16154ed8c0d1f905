/**
 * Causal convolution of every channel with its own kernel as long as the sequence (S4D's
 * "SSM convolution kernel" K [T, H]), computed directly, forward and backward:
 *
 *   longConv:           y[b,t,h] = sum_{s=0..t} k[s,h] x[b,t-s,h]
 *   (backward input)    dx[b,t,h] = sum_{s=0..T-1-t} k[s,h] dy[b,t+s,h]
 *                       = longConv of dy read backwards in time, written backwards
 *   longConvKernelGrad: dk[s,h] += sum_b sum_{t=s..T-1} dy[b,t,h] x[b,t-s,h]
 *
 * 4 channels per instruction (a scalar tail for H % 4) and 4 outputs per block: each k row
 * (or dy row) loaded is used 4 times. The blocks' first and last steps, where some of the 4
 * outputs have no term, are written out (the "triangles"); outputs past the last full block
 * run one at a time.
 *
 * `longConv` takes its rows as byte strides, a sequence stride and a row stride that may be
 * negative: with x and y at their last rows and row strides negated it computes the
 * backward-input sum above. k [T, H] and dk are contiguous. Addresses are bytes.
 *
 * Cost: T(T+1)/2 multiply-adds per sequence and channel for each of the three, i.e. O(T^2);
 * an FFT would be O(T log T). See ../s4d.ts for why the direct form is used.
 */
import { hasFma, RELAXED_MADD } from './features.js';
import { SCALAR, VEC, type Expr, type Lanes } from './lanes.js';
import type { Kernels } from './runtime.js';
import { Fn, Op, Simd, Ty, type Local } from './wasm.js';

export interface LongConvExports {
  longConv(B: number, T: number, H: number, k: number, x: number, xSeq: number, xRow: number, y: number, ySeq: number, yRow: number): void;
  longConvKernelGrad(B: number, T: number, H: number, dy: number, x: number, dk: number): void;
}

const I32 = Ty.i32;

/** acc += a b (fused where the engine has relaxed SIMD, vector flavour only). */
function fma(f: Fn, L: Lanes, acc: Local, a: Expr, b: Expr): void {
  if (L.width === 4 && hasFma()) {
    a(f);
    b(f);
    f.get(acc).simd(RELAXED_MADD as Simd).set(acc);
  } else L.set(acc, L.add(L.get(acc), L.mul(a, b)))(f);
}

/** Blocks of 4 channels, then single channels; `body(L)` runs with `cb` = the channel's byte offset. */
function channels(f: Fn, H: Local, cb: Local, body: (L: Lanes) => () => void): void {
  const c = f.local(I32);
  const vec = body(VEC);
  const sca = body(SCALAR);
  f.i32(0).set(c);
  f.block(() =>
    f.loop(() => {
      f.get(c).i32(4).op(Op.i32Add).get(H).op(Op.i32GtS).brIf(1);
      f.get(c).i32(2).op(Op.i32Shl).set(cb);
      vec();
      f.get(c).i32(4).op(Op.i32Add).set(c).br(0);
    }),
  );
  f.block(() =>
    f.loop(() => {
      f.get(c).get(H).op(Op.i32GeS).brIf(1);
      f.get(c).i32(2).op(Op.i32Shl).set(cb);
      sca();
      f.get(c).i32(1).op(Op.i32Add).set(c).br(0);
    }),
  );
}

/** while (cond) body: `cond` leaves an i32. */
function whileDo(f: Fn, cond: () => void, body: () => void): void {
  f.block(() =>
    f.loop(() => {
      cond();
      f.op(Op.i32Eqz).brIf(1);
      body();
      f.br(0);
    }),
  );
}

/**
 * Forward, per sequence and channel group, for each block of 4 outputs t0 .. t0+3 (t0 a
 * multiple of 4): output i needs x[t0 + i - s] at lag s. A window of 4 registers holds the
 * rows by residue: row t0 - s goes into w[(-s) mod 4], and output i reads w[(i - s) mod 4],
 * so each lag loads one k row and one x row for 4 multiply-adds (unrolled by 4 lags, so that
 * the register roles are static). Lags 0 .. t0 cover every output; t0 + 1 .. t0 + 3 (the
 * triangle) only outputs i >= s - t0, whose rows are already in the window.
 */
function forwardFn(): Fn {
  const f = new Fn('longConv', Array(10).fill(I32));
  const [Bn, T, H, k, x, xs, xr, y, ys, yr] = f.params;
  const [b, cb, t0, s, xb, yb, pk, px, py, ks, o2, o3, y2, y3] = Array.from({ length: 14 }, () => f.local(I32));
  f.get(H).i32(2).op(Op.i32Shl).set(ks); // k row stride (bytes)
  f.get(xr).i32(1).op(Op.i32Shl).set(o2);
  f.get(o2).get(xr).op(Op.i32Add).set(o3);
  f.get(yr).i32(1).op(Op.i32Shl).set(y2);
  f.get(y2).get(yr).op(Op.i32Add).set(y3);
  f.for(b, () => f.i32(0), () => f.get(Bn), 1, () => {
    channels(f, H, cb, (L) => {
      const [kv, a0, a1, a2, a3, w0, w1, w2, w3] = Array.from({ length: 9 }, () => f.local(L.ty));
      const acc = [a0, a1, a2, a3];
      const w = [w0, w1, w2, w3];
      const xo = [undefined, xr, o2, o3] as (Local | undefined)[];
      const yo = [undefined, yr, y2, y3] as (Local | undefined)[];
      /** Lag s with s mod 4 = p: load k[s]; load x[t0 - s] into w[-p] unless in the triangle; acc_i += k w[i - p] for i >= first. */
      const lag = (p: number, load: boolean, first = 0) => {
        L.set(kv, L.load(pk))(f);
        f.get(pk).get(ks).op(Op.i32Add).set(pk);
        if (load) {
          L.set(w[(4 - p) % 4], L.load(px))(f);
          f.get(px).get(xr).op(Op.i32Sub).set(px);
        }
        for (let i = first; i < 4; i++) fma(f, L, acc[i], L.get(kv), L.get(w[(i - p + 4) % 4]));
      };
      return () => {
        f.get(x).get(b).get(xs).op(Op.i32Mul).op(Op.i32Add).get(cb).op(Op.i32Add).set(xb);
        f.get(y).get(b).get(ys).op(Op.i32Mul).op(Op.i32Add).get(cb).op(Op.i32Add).set(yb);
        f.i32(0).set(t0);
        // full blocks of 4 outputs t0 .. t0+3
        whileDo(f, () => f.get(t0).i32(4).op(Op.i32Add).get(T).op(Op.i32LeS), () => {
          for (const a of acc) L.set(a, L.k(0))(f);
          f.get(k).get(cb).op(Op.i32Add).set(pk);
          f.get(xb).get(t0).get(xr).op(Op.i32Mul).op(Op.i32Add).set(px); // x row t0
          for (let i = 1; i < 4; i++) L.set(w[i], L.load(px, xo[i]))(f); // rows t0+1 .. t0+3
          // lags 0 .. t0 - 1 in groups of 4 (t0 of them), then lag t0
          f.i32(0).set(s);
          whileDo(f, () => f.get(s).get(t0).op(Op.i32LtS), () => {
            for (let p = 0; p < 4; p++) lag(p, true);
            f.get(s).i32(4).op(Op.i32Add).set(s);
          });
          lag(0, true);
          for (let p = 1; p < 4; p++) lag(p, false, p); // the triangle
          f.get(yb).get(t0).get(yr).op(Op.i32Mul).op(Op.i32Add).set(py);
          for (let i = 0; i < 4; i++) L.store(py, L.get(acc[i]), yo[i])(f);
          f.get(t0).i32(4).op(Op.i32Add).set(t0);
        });
        // the last T % 4 outputs, one at a time
        whileDo(f, () => f.get(t0).get(T).op(Op.i32LtS), () => {
          L.set(a0, L.k(0))(f);
          f.get(k).get(cb).op(Op.i32Add).set(pk);
          f.get(xb).get(t0).get(xr).op(Op.i32Mul).op(Op.i32Add).set(px);
          f.for(s, () => f.i32(0), () => f.get(t0).i32(1).op(Op.i32Add), 1, () => {
            fma(f, L, a0, L.load(pk), L.load(px));
            f.get(pk).get(ks).op(Op.i32Add).set(pk);
            f.get(px).get(xr).op(Op.i32Sub).set(px);
          });
          f.get(yb).get(t0).get(yr).op(Op.i32Mul).op(Op.i32Add).set(py);
          L.store(py, L.get(a0))(f);
          f.get(t0).i32(1).op(Op.i32Add).set(t0);
        });
      };
    });
  });
  return f;
}

/**
 * dk, per channel group, for each block of 4 lags s0 .. s0+3 (s0 a multiple of 4), summed over
 * the sequences: lag i needs dy[t] x[t - s0 - i]. With j = t - s0, row j of x goes into
 * w[j mod 4] and lag i reads w[(j - i) mod 4]: one dy row and one x row per step for 4
 * multiply-adds (unrolled by 4 steps; the last (T - s0 - 3) mod 4 steps guarded one by one).
 * Steps j = 0, 1, 2 (the triangle) have terms only for lags i <= j.
 */
function kernelGradFn(): Fn {
  const f = new Fn('longConvKernelGrad', Array(6).fill(I32));
  const [Bn, T, H, dy, x, dk] = f.params;
  const [b, cb, s0, j, pd, px, row, seq, pk, jEnd] = Array.from({ length: 10 }, () => f.local(I32));
  f.get(H).i32(2).op(Op.i32Shl).set(row);
  f.get(T).get(row).op(Op.i32Mul).set(seq);
  channels(f, H, cb, (L) => {
    const [dv, a0, a1, a2, a3, w0, w1, w2, w3] = Array.from({ length: 9 }, () => f.local(L.ty));
    const acc = [a0, a1, a2, a3];
    const w = [w0, w1, w2, w3];
    /** Step j with j mod 4 = p: load dy[s0 + j] and x[j] (into w[p]); acc_i += dy w[p - i] for i <= last. */
    const stepAt = (p: number, last = 3) => {
      L.set(dv, L.load(pd))(f);
      f.get(pd).get(row).op(Op.i32Add).set(pd);
      L.set(w[p], L.load(px))(f);
      f.get(px).get(row).op(Op.i32Add).set(px);
      for (let i = 0; i <= last; i++) fma(f, L, acc[i], L.get(dv), L.get(w[(p - i + 4) % 4]));
    };
    return () => {
      f.i32(0).set(s0);
      // full blocks of 4 lags s0 .. s0+3
      whileDo(f, () => f.get(s0).i32(4).op(Op.i32Add).get(T).op(Op.i32LeS), () => {
        for (const a of acc) L.set(a, L.k(0))(f);
        f.get(T).get(s0).op(Op.i32Sub).set(jEnd); // steps j = 0 .. T - s0 - 1
        f.for(b, () => f.i32(0), () => f.get(Bn), 1, () => {
          f.get(dy).get(b).get(seq).op(Op.i32Mul).op(Op.i32Add).get(cb).op(Op.i32Add).get(s0).get(row).op(Op.i32Mul).op(Op.i32Add).set(pd);
          f.get(x).get(b).get(seq).op(Op.i32Mul).op(Op.i32Add).get(cb).op(Op.i32Add).set(px);
          for (let p = 0; p < 3; p++) stepAt(p, p); // the triangle j = 0, 1, 2
          stepAt(3);
          // j = 4 .. jEnd - 1: groups of 4, then the rest one guarded step at a time
          f.i32(4).set(j);
          whileDo(f, () => f.get(j).i32(4).op(Op.i32Add).get(jEnd).op(Op.i32LeS), () => {
            for (let p = 0; p < 4; p++) stepAt(p);
            f.get(j).i32(4).op(Op.i32Add).set(j);
          });
          for (let p = 0; p < 3; p++) {
            f.get(j).i32(p).op(Op.i32Add).get(jEnd).op(Op.i32LtS);
            f.if(() => stepAt(p));
          }
        });
        f.get(dk).get(cb).op(Op.i32Add).get(s0).get(row).op(Op.i32Mul).op(Op.i32Add).set(pk);
        for (let i = 0; i < 4; i++) {
          L.store(pk, L.add(L.load(pk), L.get(acc[i])))(f);
          f.get(pk).get(row).op(Op.i32Add).set(pk);
        }
        f.get(s0).i32(4).op(Op.i32Add).set(s0);
      });
      // the last T % 4 lags, one at a time
      whileDo(f, () => f.get(s0).get(T).op(Op.i32LtS), () => {
        L.set(a0, L.k(0))(f);
        f.for(b, () => f.i32(0), () => f.get(Bn), 1, () => {
          f.get(dy).get(b).get(seq).op(Op.i32Mul).op(Op.i32Add).get(cb).op(Op.i32Add).get(s0).get(row).op(Op.i32Mul).op(Op.i32Add).set(pd);
          f.get(x).get(b).get(seq).op(Op.i32Mul).op(Op.i32Add).get(cb).op(Op.i32Add).set(px);
          f.for(j, () => f.get(s0), () => f.get(T), 1, () => {
            fma(f, L, a0, L.load(pd), L.load(px));
            f.get(pd).get(row).op(Op.i32Add).set(pd);
            f.get(px).get(row).op(Op.i32Add).set(px);
          });
        });
        f.get(dk).get(cb).op(Op.i32Add).get(s0).get(row).op(Op.i32Mul).op(Op.i32Add).set(pk);
        L.store(pk, L.add(L.load(pk), L.get(a0)))(f);
        f.get(s0).i32(1).op(Op.i32Add).set(s0);
      });
    };
  });
  return f;
}

export const longConvFns = [forwardFn(), kernelGradFn()];

/** Y [B*T, H] = the causal convolution of X [B*T, H] with k [T, H] (contiguous rows, kernel memory). */
export function longConvRows(K: Kernels, B: number, T: number, H: number, k: number, X: number, Y: number): void {
  const row = 4 * H;
  K.fns.longConv(B, T, H, k, X, T * row, row, Y, T * row, row);
}

/** dX [B*T, H] (written) and dk [T, H] (accumulated) from dY, for `longConvRows`. */
export function longConvRowsBackward(K: Kernels, B: number, T: number, H: number, k: number, X: number, dY: number, dX: number, dk: number): void {
  const row = 4 * H;
  // dx[t] = sum_s k[s] dy[t+s]: the forward sum over time reversed (last rows first, strides negated)
  K.fns.longConv(B, T, H, k, dY + (T - 1) * row, T * row, -row, dX + (T - 1) * row, T * row, -row);
  K.fns.longConvKernelGrad(B, T, H, dY, X, dk);
}
