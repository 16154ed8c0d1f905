/**
 * Mamba's selective scan (Gu & Dao 2023, `selective_scan_ref` of mamba_ssm), fused: for each
 * sequence b and channel c, with a state of N values per channel,
 *
 *   h_t = exp(dt_t A) * h_{t-1} + dt_t B_t u_t          (h_{-1} = 0; A [C, N], B_t, C_t [N])
 *   y_t = C_t . h_t + D u_t
 *
 * where u, dt, y are [B*T, C] and B, C are [B*T, N] (input-dependent: rows of x_proj's output).
 * The state of 4 channels lives in a scratch of N slots (each A_n of the 4 channels, then
 * their h_n: one pointer walks both); nothing of size [B, T, C, N] is ever written, forward
 * or backward. exp(dt A) is `expNeg` below (dt A <= 0), with fused multiply-adds where the
 * engine has relaxed SIMD.
 *
 * Backward (dy given), per sequence and block of 4 channels: the forward recurrence is run
 * again, keeping h_t and a_t = exp(dt_t A) for every t in a scratch of (2T + 1) N vectors
 * (T = 256, N = 16: 130 KB, in L2), then the reverse pass:
 *
 *   g_t   = C_t dy_t + a_{t+1} g_{t+1}              the gradient of h_t (per channel and n)
 *   q_t   = g_t h_{t-1} a_t
 *   dA   += dt_t q_t                                 dB_t += g_t dt_t u_t  (summed over channels)
 *   ddt_t = sum_n (A q_t + g_t B_t u_t)              dC_t += dy_t h_t      (summed over channels)
 *   du_t  = dt_t sum_n g_t B_t + D dy_t              dD   += dy_t u_t
 *
 * dB and dC are sums over channels: each 4-channel block adds its 4 lanes into a partial sum
 * of 4 floats per (b, t, n) (`dBp`, `dCp`, [B*T*N] x 16 bytes, zeroed by the caller), which
 * `laneSum` reduces at the end (a horizontal add per block and step would cost more).
 *
 * Layouts: rows are b*T + t; row strides in floats; A is given transposed, [N, C] (so 4
 * channels at one n are one load), dA likewise. Addresses are bytes. Channel counts that are
 * not a multiple of 4 run their last channels one at a time.
 */
import { expFma, fmadd } from '../wasm/fma.js';
import { scratch, SCALAR, VEC, type Expr, type Lanes, type Scratch } from '../wasm/lanes.js';
import { Fn, kernel, Op, Simd, Ty, type Local } from '../wasm/assembler.js';

/** A float at p broadcast to every lane (vector flavour), or the float itself (scalar). */
const splat =
  (L: Lanes, p: Local): Expr =>
  (f) => {
    f.get(p);
    if (L.width === 4) f.vmem(Simd.load32Splat);
    else f.mem(Op.f32Load);
  };

/** A float at p + off (a byte-offset local) broadcast to every lane, or the float itself. */
const splatAt =
  (L: Lanes, p: Local, off: Local): Expr =>
  (f) => {
    f.get(p).get(off).op(Op.i32Add);
    if (L.width === 4) f.vmem(Simd.load32Splat);
    else f.mem(Op.f32Load);
  };

/** exp(x) for x <= 0 (the scan's dt A, where it spends most of its time): ./fma.ts's exp without the upper clamp. */
const expNeg = (L: Lanes, s: Scratch, x: Expr): Expr => expFma(L, s, x, true);

/** p += k, the byte count in the local k. */
const bump = (f: Fn, p: Local, k: Local) => f.get(p).get(k).op(Op.i32Add).set(p);
/** p += bytes, a constant. */
const step = (f: Fn, p: Local, bytes: number) => f.get(p).i32(bytes).op(Op.i32Add).set(p);

/** for (i = 0; i < n; i++) body() */
const count = (f: Fn, i: Local, n: Local, body: () => void) =>
  f.for(
    i,
    () => f.i32(0),
    () => f.get(n),
    1,
    body,
  );

/**
 * The channel loop both kernels share: blocks of 4 channels (vector flavour), then single
 * channels (scalar); `block(L, c)` emits the work for the channels from c (a local holding
 * the channel index), having set `cb` to the channel byte offset 4 c.
 */
function channels(f: Fn, C: Local, c: Local, cb: Local, block: (L: Lanes) => () => void): void {
  const vec = block(VEC);
  const sca = block(SCALAR);
  f.i32(0).set(c);
  f.block(() =>
    f.loop(() => {
      f.get(c).i32(4).op(Op.i32Add).get(C).op(Op.i32GtS).brIf(1);
      f.get(c).i32(2).op(Op.i32Shl).set(cb);
      vec();
      f.get(c).i32(4).op(Op.i32Add).set(c).br(0);
    }),
  );
  f.block(() =>
    f.loop(() => {
      f.get(c).get(C).op(Op.i32GeS).brIf(1);
      f.get(c).i32(2).op(Op.i32Shl).set(cb);
      sca();
      f.get(c).i32(1).op(Op.i32Add).set(c).br(0);
    }),
  );
}

const I32 = Ty.i32;

function forwardFn(): Fn {
  const f = new Fn('selectiveScan', Array(17).fill(I32));
  const [Bn, T, C, N, u, ldu, dt, lddt, A, Bm, ldB, Cm, ldC, D, y, ldy, h] = f.params;
  const [b, c, cb, t, n] = [f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const [pu, pdt, pB, pC, py, pa, ph, pBn, pCn] = Array.from({ length: 9 }, () => f.local(I32));
  const [su, sdt, sB, sC, sy, sA, sixteen] = Array.from({ length: 7 }, () => f.local(I32));
  const stride = (ld: Local, into: Local) => f.get(ld).i32(2).op(Op.i32Shl).set(into);
  stride(ldu, su);
  stride(lddt, sdt);
  stride(ldB, sB);
  stride(ldC, sC);
  stride(ldy, sy);
  stride(C, sA);
  f.i32(16).set(sixteen);
  /** base + 4 (b T ld) */
  const seqRow = (base: Local, ld: Local, into: Local) =>
    f.get(base).get(b).get(T).op(Op.i32Mul).get(ld).op(Op.i32Mul).i32(2).op(Op.i32Shl).op(Op.i32Add).set(into);

  count(f, b, Bn, () => {
    channels(f, C, c, cb, (L) => {
      const s = scratch(f, L);
      const [dtv, uv, dtu, acc, hv, ft] = Array.from({ length: 6 }, () => f.local(L.ty));
      return () => {
        // scratch slot n (32 bytes, both flavours): A[n, c..] then h_n = 0
        f.get(h).set(ph);
        f.get(A).get(cb).op(Op.i32Add).set(pa);
        count(f, n, N, () => {
          L.store(ph, L.load(pa))(f);
          f.get(ph).splat(0).vmem(Simd.store, 16);
          bump(f, pa, sA);
          step(f, ph, 32);
        });
        seqRow(u, ldu, pu);
        bump(f, pu, cb);
        seqRow(dt, lddt, pdt);
        bump(f, pdt, cb);
        seqRow(y, ldy, py);
        bump(f, py, cb);
        seqRow(Bm, ldB, pB);
        seqRow(Cm, ldC, pC);
        count(f, t, T, () => {
          L.set(dtv, L.load(pdt))(f);
          L.set(uv, L.load(pu))(f);
          L.set(dtu, L.mul(L.get(dtv), L.get(uv)))(f);
          L.set(acc, L.mul(L.load(D, cb), L.get(uv)))(f);
          f.get(h).set(ph);
          f.get(pB).set(pBn);
          f.get(pC).get(pB).op(Op.i32Sub).set(pCn); // C_t's offset from B_t's row (pCn reused as an offset)
          count(f, n, N, () => {
            // h_n = exp(dt A_n) h_n + dt u B_n;  y += C_n h_n
            L.set(hv, L.flush(fmadd(L, expNeg(L, s, L.mul(L.get(dtv), L.load(ph))), L.load(ph, sixteen), L.mul(L.get(dtu), splat(L, pBn))), ft))(f);
            L.store(ph, L.get(hv), sixteen)(f);
            L.set(acc, fmadd(L, splatAt(L, pBn, pCn), L.get(hv), L.get(acc)))(f);
            step(f, ph, 32);
            step(f, pBn, 4);
          });
          L.store(py, L.get(acc))(f);
          bump(f, pu, su);
          bump(f, pdt, sdt);
          bump(f, py, sy);
          bump(f, pB, sB);
          bump(f, pC, sC);
        });
      };
    });
  });
  return f;
}

function backwardFn(): Fn {
  const f = new Fn('selectiveScanBackward', Array(25).fill(I32));
  const [Bn, T, C, N, u, ldu, dt, lddt, A, Bm, ldB, Cm, ldC, D, dy, lddy, du, lddu, ddt, ldddt, dA, dD, dBp, dCp, work] = f.params;
  const [b, c, cb, t, n] = [f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const [pu, pdt, pB, pC, pdy, pdu, pddt, pa, pBn, pCn, pH, pAs, pg, pacc, pBp, pCp] = Array.from({ length: 16 }, () => f.local(I32));
  const [su, sdt, sB, sC, sdy, sdu, sddt, sA, sN] = Array.from({ length: 9 }, () => f.local(I32));
  const [hs, as, gs, dAs] = Array.from({ length: 4 }, () => f.local(I32)); // scratch regions
  const stride = (ld: Local, into: Local) => f.get(ld).i32(2).op(Op.i32Shl).set(into);
  stride(ldu, su);
  stride(lddt, sdt);
  stride(ldB, sB);
  stride(ldC, sC);
  stride(lddy, sdy);
  stride(lddu, sdu);
  stride(ldddt, sddt);
  stride(C, sA);
  f.get(N).i32(4).op(Op.i32Shl).set(sN); // 16 N: bytes of one step's N vectors
  // work: hs [(T+1) N] (h_{-1} = 0, then h_0 ..), as [T N] (a_t), gs [N] (g carried), dAs [N]
  f.get(work).set(hs);
  f.get(hs).get(T).i32(1).op(Op.i32Add).get(sN).op(Op.i32Mul).op(Op.i32Add).set(as);
  f.get(as).get(T).get(sN).op(Op.i32Mul).op(Op.i32Add).set(gs);
  f.get(gs).get(sN).op(Op.i32Add).set(dAs);
  const seqRow = (base: Local, ld: Local, into: Local) =>
    f.get(base).get(b).get(T).op(Op.i32Mul).get(ld).op(Op.i32Mul).i32(2).op(Op.i32Shl).op(Op.i32Add).set(into);
  const zero = (from: Local, p: Local) => {
    f.get(from).set(p);
    count(f, n, N, () => {
      f.get(p).splat(0).vmem(Simd.store);
      step(f, p, 16);
    });
  };

  count(f, b, Bn, () => {
    channels(f, C, c, cb, (L) => {
      const s = scratch(f, L);
      const [dtv, uv, dtu, av, gv, q, dyv, S1, S2, dDacc, ft] = Array.from({ length: 11 }, () => f.local(L.ty));
      return () => {
        // --- 1. the forward recurrence again, keeping h_t and a_t ---
        zero(hs, pH); // h_{-1}
        seqRow(u, ldu, pu);
        bump(f, pu, cb);
        seqRow(dt, lddt, pdt);
        bump(f, pdt, cb);
        seqRow(Bm, ldB, pB);
        f.get(as).set(pAs);
        // pH walks h_{t-1} (read) with h_t written sN bytes after it
        f.get(hs).set(pH);
        count(f, t, T, () => {
          L.set(dtv, L.load(pdt))(f);
          L.set(dtu, L.mul(L.get(dtv), L.load(pu)))(f);
          f.get(A).get(cb).op(Op.i32Add).set(pa);
          f.get(pB).set(pBn);
          count(f, n, N, () => {
            L.set(av, expNeg(L, s, L.mul(L.get(dtv), L.load(pa))))(f);
            L.store(pAs, L.get(av))(f);
            // h_t = a h_{t-1} + dt u B
            f.get(pH).get(sN).op(Op.i32Add).set(pg); // pg: h_t's slot (reused as a temporary pointer)
            L.store(pg, L.flush(L.add(L.mul(L.get(av), L.load(pH)), L.mul(L.get(dtu), splat(L, pBn))), ft))(f);
            bump(f, pa, sA);
            step(f, pAs, 16);
            step(f, pH, 16);
            step(f, pBn, 4);
          });
          bump(f, pu, su);
          bump(f, pdt, sdt);
          bump(f, pB, sB);
        });
        // --- 2. the reverse pass, t = T-1 .. 0 ---
        zero(gs, pg);
        zero(dAs, pacc);
        L.set(dDacc, L.k(0))(f);
        // pointers at row T-1 of this sequence
        const last = (p: Local, st: Local) => f.get(p).get(st).op(Op.i32Sub).set(p);
        seqRow(u, ldu, pu);
        bump(f, pu, cb);
        seqRow(dt, lddt, pdt);
        bump(f, pdt, cb);
        seqRow(dy, lddy, pdy);
        bump(f, pdy, cb);
        seqRow(du, lddu, pdu);
        bump(f, pdu, cb);
        seqRow(ddt, ldddt, pddt);
        bump(f, pddt, cb);
        seqRow(Bm, ldB, pB);
        seqRow(Cm, ldC, pC);
        const toLast = (p: Local, st: Local) => f.get(p).get(T).i32(1).op(Op.i32Sub).get(st).op(Op.i32Mul).op(Op.i32Add).set(p);
        for (const [p, st] of [
          [pu, su],
          [pdt, sdt],
          [pdy, sdy],
          [pdu, sdu],
          [pddt, sddt],
          [pB, sB],
          [pC, sC],
        ] as const)
          toLast(p, st);
        // partial sums of dB, dC: row b T + T-1, 16 N bytes per row
        f.get(b).get(T).op(Op.i32Mul).get(T).op(Op.i32Add).i32(1).op(Op.i32Sub).get(sN).op(Op.i32Mul).set(pBp);
        f.get(dCp).get(pBp).op(Op.i32Add).set(pCp);
        f.get(dBp).get(pBp).op(Op.i32Add).set(pBp);
        // h_{T-2} (row T-1 of hs) and a_{T-1}
        f.get(hs).get(T).i32(1).op(Op.i32Sub).get(sN).op(Op.i32Mul).op(Op.i32Add).set(pH);
        f.get(as).get(T).i32(1).op(Op.i32Sub).get(sN).op(Op.i32Mul).op(Op.i32Add).set(pAs);
        count(f, t, T, () => {
          L.set(dyv, L.load(pdy))(f);
          L.set(uv, L.load(pu))(f);
          L.set(dtv, L.load(pdt))(f);
          L.set(dtu, L.mul(L.get(dtv), L.get(uv)))(f);
          L.set(S1, L.k(0))(f);
          L.set(S2, L.k(0))(f);
          f.get(A).get(cb).op(Op.i32Add).set(pa);
          f.get(pB).set(pBn);
          f.get(pC).set(pCn);
          f.get(gs).set(pg);
          f.get(dAs).set(pacc);
          count(f, n, N, () => {
            // g = g_carried + C dy
            L.set(gv, L.flush(L.add(L.load(pg), L.mul(L.get(dyv), splat(L, pCn))), ft))(f);
            L.set(av, L.load(pAs))(f);
            L.set(q, L.mul(L.get(gv), L.mul(L.load(pH), L.get(av))))(f); // g h_{t-1} a_t
            L.store(pacc, L.add(L.load(pacc), L.mul(L.get(dtv), L.get(q))))(f);
            L.set(S2, L.add(L.get(S2), L.mul(L.load(pa), L.get(q))))(f);
            L.set(S1, L.add(L.get(S1), L.mul(L.get(gv), splat(L, pBn))))(f);
            // partial sums over channels (the scalar flavour adds into lane 0 of the same slot)
            L.store(pBp, L.add(L.load(pBp), L.mul(L.get(gv), L.get(dtu))))(f);
            L.store(pCp, L.add(L.load(pCp), L.mul(L.get(dyv), L.load(pH, sN))))(f); // dy h_t, h_t sN bytes after h_{t-1}
            L.store(pg, L.flush(L.mul(L.get(av), L.get(gv)), ft))(f); // carried to t-1
            bump(f, pa, sA);
            step(f, pBn, 4);
            step(f, pCn, 4);
            step(f, pg, 16);
            step(f, pacc, 16);
            step(f, pH, 16);
            step(f, pAs, 16);
            step(f, pBp, 16);
            step(f, pCp, 16);
          });
          L.store(pdu, L.add(L.mul(L.get(dtv), L.get(S1)), L.mul(L.load(D, cb), L.get(dyv))))(f);
          L.store(pddt, L.add(L.get(S2), L.mul(L.get(uv), L.get(S1))))(f);
          L.set(dDacc, L.add(L.get(dDacc), L.mul(L.get(dyv), L.get(uv))))(f);
          // step back one row; the scratch pointers went forward N slots, so back 2 N
          for (const [p, st] of [
            [pu, su],
            [pdt, sdt],
            [pdy, sdy],
            [pdu, sdu],
            [pddt, sddt],
            [pB, sB],
            [pC, sC],
          ] as const)
            last(p, st);
          for (const p of [pH, pAs, pBp, pCp]) {
            f.get(p).get(sN).op(Op.i32Sub).get(sN).op(Op.i32Sub).set(p);
          }
        });
        // dA[n, c] += the block's sums; dD[c] += its sum
        f.get(dA).get(cb).op(Op.i32Add).set(pa);
        f.get(dAs).set(pacc);
        count(f, n, N, () => {
          L.store(pa, L.add(L.load(pa), L.load(pacc)))(f);
          bump(f, pa, sA);
          step(f, pacc, 16);
        });
        L.store(dD, L.add(L.load(dD, cb), L.get(dDacc)), cb)(f);
      };
    });
  });
  return f;
}

function laneSumFn(): Fn {
  const f = new Fn('laneSum', [I32, I32, I32, I32, I32]);
  const [rowsN, cols, src, dst, ld] = f.params;
  const [r, j, ps, pd, sd] = Array.from({ length: 5 }, () => f.local(I32));
  const v = f.local(Ty.v128);
  f.get(src).set(ps);
  f.get(ld).i32(2).op(Op.i32Shl).set(sd);
  count(f, r, rowsN, () => {
    f.get(dst).get(r).get(sd).op(Op.i32Mul).op(Op.i32Add).set(pd);
    count(f, j, cols, () => {
      f.get(ps).vmem(Simd.load).set(v);
      f.get(pd);
      f.get(v).simd(Simd.f32x4ExtractLane, 0).get(v).simd(Simd.f32x4ExtractLane, 1).op(Op.f32Add);
      f.get(v).simd(Simd.f32x4ExtractLane, 2).get(v).simd(Simd.f32x4ExtractLane, 3).op(Op.f32Add);
      f.op(Op.f32Add).mem(Op.f32Store);
      step(f, ps, 16);
      step(f, pd, 4);
    });
  });
  return f;
}

/** The selective scan kernels for the runtime's table (../runtime/runtime.ts). */
export const selectiveScanKernels = {
  selectiveScan: kernel<
    (
      B: number,
      T: number,
      C: number,
      N: number,
      u: number,
      ldu: number,
      dt: number,
      lddt: number,
      A: number,
      Bm: number,
      ldB: number,
      Cm: number,
      ldC: number,
      D: number,
      y: number,
      ldy: number,
      h: number,
    ) => void
  >(forwardFn()),
  selectiveScanBackward: kernel<
    (
      B: number,
      T: number,
      C: number,
      N: number,
      u: number,
      ldu: number,
      dt: number,
      lddt: number,
      A: number,
      Bm: number,
      ldB: number,
      Cm: number,
      ldC: number,
      D: number,
      dy: number,
      lddy: number,
      du: number,
      lddu: number,
      ddt: number,
      lddt2: number,
      dA: number,
      dD: number,
      dBp: number,
      dCp: number,
      work: number,
    ) => void
  >(backwardFn()),
  /** dst[r * ld + j] = sum of the 4 floats at src + 16 (r cols + j): partial sums to a [rows, cols] matrix (row stride ld floats). */
  laneSum: kernel<(rows: number, cols: number, src: number, dst: number, ld: number) => void>(laneSumFn()),
};
