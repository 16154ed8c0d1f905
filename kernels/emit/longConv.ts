/**
 * Causal convolution of every channel with its own kernel as long as the sequence (S4D's
 * "SSM convolution kernel" K [T, H]), computed directly, forward and backward:
 *
 *   longConv:           y[b,t,h] = sum_{s=0..t} k[s,h] x[b,t-s,h]
 *   (backward input)    dx[b,t,h] = sum_{s=0..T-1-t} k[s,h] dy[b,t+s,h]
 *                       = longConv of dy read backwards in time, written backwards
 *   longConvKernelGrad: dk[s,h] += sum_b sum_{t=s..T-1} dy[b,t,h] x[b,t-s,h]
 *
 * Layout: channel groups. The kernels work on G = ceil(H/4) groups of 4 channels, each group's
 * rows contiguous: x, y as [G][B][T][4], k, dk as [G][T][4] (the entry points below pack
 * [B*T, H] rows into it and back with `copyRows`, zero-filling the last group's missing
 * channels). In [B*T, H] rows the 4 channels of a step sit one cache line apart from the
 * next step's; packed, a sequence of one group is 16 T contiguous bytes (4 KB at T = 256), and
 * the kernel gradient's pass over every sequence of a group (128 KB at B = 32) stays in L2.
 * Unpacked, the kernels ran at about a third of the GEMM's rate per multiply-add (profile of
 * an s4d training step at T = 256); packed, see ../s4dMixer.ts.
 *
 * 4 outputs per block: each k row (or dy row) loaded is used 4 times. The blocks' first and
 * last steps, where some of the 4 outputs have no term, are written out (the "triangles");
 * outputs past the last full block run one at a time.
 *
 * `longConv` takes byte strides for x and y: per group, per sequence and per row, the row
 * stride possibly negative: with x and y at their last rows and row strides negated it
 * computes the backward-input sum above. Addresses are bytes.
 *
 * Threads: every entry point below splits its kernel calls by ranges of groups
 * (`Kernels.parallelRows`), one range per kernel thread. Groups are independent in all
 * three kernels and in the packing (each has its own k, x, y and dk rows; a group's dk sums
 * over the batch inside one call), so no sum changes order: bit-identical on any count.
 *
 * Cost: T(T+1)/2 multiply-adds per sequence and channel for each of the three, i.e. O(T^2);
 * an FFT would be O(T log T). See ../s4d.ts for why the direct form is used.
 */
import { hasFma, RELAXED_MADD } from '../wasm/features.js';
import { VEC, type Expr, type Lanes } from '../wasm/lanes.js';
import { Fn, kernel, Op, Simd, Ty, type Local } from '../wasm/assembler.js';

const I32 = Ty.i32;

/** acc += a b (fused where the engine has relaxed SIMD, vector flavour only). */
function fma(f: Fn, L: Lanes, acc: Local, a: Expr, b: Expr): void {
  if (L.width === 4 && hasFma()) {
    a(f);
    b(f);
    f.get(acc)
      .simd(RELAXED_MADD as Simd)
      .set(acc);
  } else L.set(acc, L.add(L.get(acc), L.mul(a, b)))(f);
}

/** for g < G: body(), with `gb` = g (the group index). */
function groups(f: Fn, G: Local, g: Local, body: () => void): void {
  f.for(
    g,
    () => f.i32(0),
    () => f.get(G),
    1,
    body,
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
 * Forward, per group and sequence, for each block of 4 outputs t0 .. t0+3 (t0 a multiple of
 * 4): output i needs x[t0 + i - s] at lag s. A window of 4 registers holds the rows by
 * residue: row t0 - s goes into w[(-s) mod 4], and output i reads w[(i - s) mod 4], so each
 * lag loads one k row and one x row for 4 multiply-adds (unrolled by 4 lags, so that the
 * register roles are static). Lags 0 .. t0 cover every output; t0 + 1 .. t0 + 3 (the
 * triangle) only outputs i >= s - t0, whose rows are already in the window.
 */
function forwardFn(): Fn {
  const f = new Fn('longConv', Array(12).fill(I32));
  const [G, Bn, T, k, x, xg, xs, xr, y, yg, ys, yr] = f.params;
  const [g, b, t0, s, kb, xb, yb, pk, px, py, o2, o3, y2, y3] = Array.from({ length: 14 }, () => f.local(I32));
  const L = VEC;
  const [kv, a0, a1, a2, a3, w0, w1, w2, w3] = Array.from({ length: 9 }, () => f.local(L.ty));
  const acc = [a0, a1, a2, a3];
  const w = [w0, w1, w2, w3];
  const xo = [undefined, xr, o2, o3] as (Local | undefined)[];
  const yo = [undefined, yr, y2, y3] as (Local | undefined)[];
  f.get(xr).i32(1).op(Op.i32Shl).set(o2);
  f.get(o2).get(xr).op(Op.i32Add).set(o3);
  f.get(yr).i32(1).op(Op.i32Shl).set(y2);
  f.get(y2).get(yr).op(Op.i32Add).set(y3);
  /** Lag s with s mod 4 = p: load k[s]; load x[t0 - s] into w[-p] unless in the triangle; acc_i += k w[i - p] for i >= first. */
  const lag = (p: number, load: boolean, first = 0) => {
    L.set(kv, L.load(pk))(f);
    f.get(pk).i32(16).op(Op.i32Add).set(pk);
    if (load) {
      L.set(w[(4 - p) % 4], L.load(px))(f);
      f.get(px).get(xr).op(Op.i32Sub).set(px);
    }
    for (let i = first; i < 4; i++) fma(f, L, acc[i], L.get(kv), L.get(w[(i - p + 4) % 4]));
  };
  groups(f, G, g, () => {
    f.get(k).get(g).get(T).op(Op.i32Mul).i32(4).op(Op.i32Shl).op(Op.i32Add).set(kb); // k + 16 T g
    f.for(
      b,
      () => f.i32(0),
      () => f.get(Bn),
      1,
      () => {
        f.get(x).get(g).get(xg).op(Op.i32Mul).op(Op.i32Add).get(b).get(xs).op(Op.i32Mul).op(Op.i32Add).set(xb);
        f.get(y).get(g).get(yg).op(Op.i32Mul).op(Op.i32Add).get(b).get(ys).op(Op.i32Mul).op(Op.i32Add).set(yb);
        f.i32(0).set(t0);
        // full blocks of 4 outputs t0 .. t0+3
        whileDo(
          f,
          () => f.get(t0).i32(4).op(Op.i32Add).get(T).op(Op.i32LeS),
          () => {
            for (const a of acc) L.set(a, L.k(0))(f);
            f.get(kb).set(pk);
            f.get(xb).get(t0).get(xr).op(Op.i32Mul).op(Op.i32Add).set(px); // x row t0
            for (let i = 1; i < 4; i++) L.set(w[i], L.load(px, xo[i]))(f); // rows t0+1 .. t0+3
            // lags 0 .. t0 - 1 in groups of 4 (t0 of them), then lag t0
            f.i32(0).set(s);
            whileDo(
              f,
              () => f.get(s).get(t0).op(Op.i32LtS),
              () => {
                for (let p = 0; p < 4; p++) lag(p, true);
                f.get(s).i32(4).op(Op.i32Add).set(s);
              },
            );
            lag(0, true);
            for (let p = 1; p < 4; p++) lag(p, false, p); // the triangle
            f.get(yb).get(t0).get(yr).op(Op.i32Mul).op(Op.i32Add).set(py);
            for (let i = 0; i < 4; i++) L.store(py, L.get(acc[i]), yo[i])(f);
            f.get(t0).i32(4).op(Op.i32Add).set(t0);
          },
        );
        // the last T % 4 outputs, one at a time
        whileDo(
          f,
          () => f.get(t0).get(T).op(Op.i32LtS),
          () => {
            L.set(a0, L.k(0))(f);
            f.get(kb).set(pk);
            f.get(xb).get(t0).get(xr).op(Op.i32Mul).op(Op.i32Add).set(px);
            f.for(
              s,
              () => f.i32(0),
              () => f.get(t0).i32(1).op(Op.i32Add),
              1,
              () => {
                fma(f, L, a0, L.load(pk), L.load(px));
                f.get(pk).i32(16).op(Op.i32Add).set(pk);
                f.get(px).get(xr).op(Op.i32Sub).set(px);
              },
            );
            f.get(yb).get(t0).get(yr).op(Op.i32Mul).op(Op.i32Add).set(py);
            L.store(py, L.get(a0))(f);
            f.get(t0).i32(1).op(Op.i32Add).set(t0);
          },
        );
      },
    );
  });
  return f;
}

/**
 * dk, per group, for each block of 4 lags s0 .. s0+3 (s0 a multiple of 4), summed over the
 * sequences: lag i needs dy[t] x[t - s0 - i]. With j = t - s0, row j of x goes into w[j mod 4]
 * and lag i reads w[(j - i) mod 4]: one dy row and one x row per step for 4 multiply-adds
 * (unrolled by 4 steps; the last (T - s0 - 3) mod 4 steps guarded one by one). Steps
 * j = 0, 1, 2 (the triangle) have terms only for lags i <= j.
 */
function kernelGradFn(): Fn {
  const f = new Fn('longConvKernelGrad', Array(6).fill(I32));
  const [G, Bn, T, dy, x, dk] = f.params;
  const [g, b, s0, j, pd, px, seq, grp, pk, jEnd, base] = Array.from({ length: 11 }, () => f.local(I32));
  const L = VEC;
  const [dv, a0, a1, a2, a3, w0, w1, w2, w3] = Array.from({ length: 9 }, () => f.local(L.ty));
  const acc = [a0, a1, a2, a3];
  const w = [w0, w1, w2, w3];
  f.get(T).i32(4).op(Op.i32Shl).set(seq); // 16 T bytes per sequence
  f.get(seq).get(Bn).op(Op.i32Mul).set(grp);
  /** Step j with j mod 4 = p: load dy[s0 + j] and x[j] (into w[p]); acc_i += dy w[p - i] for i <= last. */
  const stepAt = (p: number, last = 3) => {
    L.set(dv, L.load(pd))(f);
    f.get(pd).i32(16).op(Op.i32Add).set(pd);
    L.set(w[p], L.load(px))(f);
    f.get(px).i32(16).op(Op.i32Add).set(px);
    for (let i = 0; i <= last; i++) fma(f, L, acc[i], L.get(dv), L.get(w[(p - i + 4) % 4]));
  };
  groups(f, G, g, () => {
    f.get(g).get(grp).op(Op.i32Mul).set(base); // the group's byte offset in dy and x
    f.i32(0).set(s0);
    // full blocks of 4 lags s0 .. s0+3
    whileDo(
      f,
      () => f.get(s0).i32(4).op(Op.i32Add).get(T).op(Op.i32LeS),
      () => {
        for (const a of acc) L.set(a, L.k(0))(f);
        f.get(T).get(s0).op(Op.i32Sub).set(jEnd); // steps j = 0 .. T - s0 - 1
        f.for(
          b,
          () => f.i32(0),
          () => f.get(Bn),
          1,
          () => {
            f.get(dy).get(base).op(Op.i32Add).get(b).get(seq).op(Op.i32Mul).op(Op.i32Add).get(s0).i32(4).op(Op.i32Shl).op(Op.i32Add).set(pd);
            f.get(x).get(base).op(Op.i32Add).get(b).get(seq).op(Op.i32Mul).op(Op.i32Add).set(px);
            for (let p = 0; p < 3; p++) stepAt(p, p); // the triangle j = 0, 1, 2
            stepAt(3);
            // j = 4 .. jEnd - 1: groups of 4, then the rest one guarded step at a time
            f.i32(4).set(j);
            whileDo(
              f,
              () => f.get(j).i32(4).op(Op.i32Add).get(jEnd).op(Op.i32LeS),
              () => {
                for (let p = 0; p < 4; p++) stepAt(p);
                f.get(j).i32(4).op(Op.i32Add).set(j);
              },
            );
            for (let p = 0; p < 3; p++) {
              f.get(j).i32(p).op(Op.i32Add).get(jEnd).op(Op.i32LtS);
              f.if(() => stepAt(p));
            }
          },
        );
        f.get(dk).get(g).get(T).op(Op.i32Mul).get(s0).op(Op.i32Add).i32(4).op(Op.i32Shl).op(Op.i32Add).set(pk);
        for (let i = 0; i < 4; i++) {
          L.store(pk, L.add(L.load(pk), L.get(acc[i])))(f);
          f.get(pk).i32(16).op(Op.i32Add).set(pk);
        }
        f.get(s0).i32(4).op(Op.i32Add).set(s0);
      },
    );
    // the last T % 4 lags, one at a time
    whileDo(
      f,
      () => f.get(s0).get(T).op(Op.i32LtS),
      () => {
        L.set(a0, L.k(0))(f);
        f.for(
          b,
          () => f.i32(0),
          () => f.get(Bn),
          1,
          () => {
            f.get(dy).get(base).op(Op.i32Add).get(b).get(seq).op(Op.i32Mul).op(Op.i32Add).get(s0).i32(4).op(Op.i32Shl).op(Op.i32Add).set(pd);
            f.get(x).get(base).op(Op.i32Add).get(b).get(seq).op(Op.i32Mul).op(Op.i32Add).set(px);
            f.for(
              j,
              () => f.get(s0),
              () => f.get(T),
              1,
              () => {
                fma(f, L, a0, L.load(pd), L.load(px));
                f.get(pd).i32(16).op(Op.i32Add).set(pd);
                f.get(px).i32(16).op(Op.i32Add).set(px);
              },
            );
          },
        );
        f.get(dk).get(g).get(T).op(Op.i32Mul).get(s0).op(Op.i32Add).i32(4).op(Op.i32Shl).op(Op.i32Add).set(pk);
        L.store(pk, L.add(L.load(pk), L.get(a0)))(f);
        f.get(s0).i32(1).op(Op.i32Add).set(s0);
      },
    );
  });
  return f;
}

/**
 * Rows to groups (or back), a cache line at a time: for each block of 4 groups (the 64 bytes
 * of a row they occupy), every row, into 4 streams 16 n bytes apart. (Row by row over all G
 * groups wrote G streams at a power-of-two stride, and cost more than the convolution at T = 64.)
 */
function packFn(): Fn {
  const f = new Fn('packGroups', Array(6).fill(I32));
  const [n, G, rows, ld, packed, unpack] = f.params;
  const [g0, gEnd, g, r, pr, pp, gs] = Array.from({ length: 7 }, () => f.local(I32));
  f.get(n).i32(4).op(Op.i32Shl).set(gs);
  const loop = (toPacked: boolean) =>
    f.for(
      g0,
      () => f.i32(0),
      () => f.get(G),
      4,
      () => {
        // groups g0 .. min(g0 + 4, G) - 1
        f.get(g0).i32(4).op(Op.i32Add).get(G).get(g0).i32(4).op(Op.i32Add).get(G).op(Op.i32LtS).op(Op.select).set(gEnd);
        f.for(
          r,
          () => f.i32(0),
          () => f.get(n),
          1,
          () => {
            f.get(rows).get(r).get(ld).op(Op.i32Mul).op(Op.i32Add).get(g0).i32(4).op(Op.i32Shl).op(Op.i32Add).set(pr);
            f.get(packed).get(g0).get(gs).op(Op.i32Mul).op(Op.i32Add).get(r).i32(4).op(Op.i32Shl).op(Op.i32Add).set(pp);
            f.for(
              g,
              () => f.get(g0),
              () => f.get(gEnd),
              1,
              () => {
                if (toPacked) f.get(pp).get(pr).vmem(Simd.load).vmem(Simd.store);
                else f.get(pr).get(pp).vmem(Simd.load).vmem(Simd.store);
                f.get(pr).i32(16).op(Op.i32Add).set(pr);
                f.get(pp).get(gs).op(Op.i32Add).set(pp);
              },
            );
          },
        );
      },
    );
  f.get(unpack);
  f.if(
    () => loop(false),
    () => loop(true),
  );
  return f;
}

/** The long convolution kernels for the runtime's table (../runtime/runtime.ts). */
export const longConvKernels = {
  /** Packed layout (see above): G groups; x, y strides in bytes per group, sequence and row. */
  longConv: kernel<
    (
      G: number,
      B: number,
      T: number,
      k: number,
      x: number,
      xGroup: number,
      xSeq: number,
      xRow: number,
      y: number,
      yGroup: number,
      ySeq: number,
      yRow: number,
    ) => void
  >(forwardFn()),
  /** dk [G][T][4] += the kernel gradient from dy, x [G][B][T][4] (contiguous). */
  longConvKernelGrad: kernel<(G: number, B: number, T: number, dy: number, x: number, dk: number) => void>(kernelGradFn()),
  /** Rows [n] of G full groups (row stride ld bytes) to [G][n][4], or back when `unpack` is 1. */
  packGroups: kernel<(n: number, G: number, rows: number, ld: number, packed: number, unpack: number) => void>(packFn()),
};
