/**
 * Linear scans along time, forward and backward: the recurrence of minGRU (Feng et al. 2024)
 * and of any model whose gates depend on the input only, so that the state update is linear
 * in the state:
 *
 *   linear:  h_t = a_t h_{t-1} + b_t
 *   lerp:    h_t = h_{t-1} + z_t (v_t - h_{t-1}) = (1 - z_t) h_{t-1} + z_t v_t   (torch.lerp)
 *
 * elementwise over W channels, for S sequences of T steps, h_{-1} = h0 (or 0).
 *
 *   scan_<mode>(S, T, W, a, b, h0, h, ss, ts)
 *   scanBackward_<mode>(S, T, W, a, b, h, h0, g, da, db, dh0, ss, ts)
 *
 * Element (s, t, u) of every [S, T, W]-shaped array is at byte base + 4 (s ss + t ts + u), so
 * one kernel reads batch-major [B, T, W] buffers (ss = T W, ts = W) or time-major [T, B, W]
 * ones (ss = W, ts = B W). h0 and dh0 are [S, W] rows (0 = none). For lerp, a holds z and
 * b holds v.
 *
 * Backward, given g = dL/dh_t (every t; overwritten):
 *   G_t = g_t + c_{t+1} G_{t+1}, c = a (linear) or 1 - z (lerp)   (into g: reverse pass)
 *   linear: da_t = G_t h_{t-1}; db_t = G_t (that is g itself; db unused, pass 0)
 *   lerp:   dz_t = G_t (v_t - h_{t-1}) (into da);  dv_t = G_t z_t (into db)
 *   dh0 = c_0 G_0 (when h0 is given)
 *
 * T >= 1 (callers skip empty sequences). Sequential in t, vectorised over u (4 channels at a time, a scalar tail); the state of step
 * t - 1 is the row just written, in cache. The parallel (Blelloch) scan does more work and
 * pays only with parallel hardware, which a WebAssembly instance in Node does not have.
 */
import type { Expr, Lanes } from '../wasm/lanes.js';
import { pass } from '../wasm/rows.js';
import { Fn, Op, Ty, type Local } from '../wasm/assembler.js';

export type ScanMode = 'linear' | 'lerp';

/** What h_{-1} is: a row of h0, or zero. */
type Prev = { row: Local } | 'zero';

function prevOf(L: Lanes, prev: Prev, off: Local): Expr {
  return prev === 'zero' ? L.k(0) : L.load(prev.row, off);
}

/** h_t from a_t (z_t), b_t (v_t) and h_{t-1}. */
function step(mode: ScanMode, L: Lanes, a: Expr, b: Expr, prev: Expr, prevIsZero: boolean): Expr {
  if (mode === 'linear') return prevIsZero ? b : L.add(L.mul(a, prev), b);
  return prevIsZero ? L.mul(a, b) : L.add(prev, L.mul(a, L.sub(b, prev)));
}

/** ptr = base + 4 (s ss) for the sequence s. */
function seqStart(f: Fn, base: Local, s: Local, ssB: Local, into: Local): void {
  f.get(base).get(s).get(ssB).op(Op.i32Mul).op(Op.i32Add).set(into);
}

function forwardFn(mode: ScanMode): Fn {
  const f = new Fn(`scan_${mode}`, Array(9).fill(Ty.i32));
  const [S, T, W, a, b, h0, h, ss, ts] = f.params;
  const [s, t, pa, pb, ph, pp, ssB, tsB, rowB] = Array.from({ length: 9 }, () => f.local(Ty.i32));
  f.get(ss).i32(2).op(Op.i32Shl).set(ssB);
  f.get(ts).i32(2).op(Op.i32Shl).set(tsB);
  f.get(W).i32(2).op(Op.i32Shl).set(rowB);
  const row = (prev: Prev) =>
    pass(f, W, (L, off) => [L.store(ph, L.flush(step(mode, L, L.load(pa, off), L.load(pb, off), prevOf(L, prev, off), prev === 'zero'), f.local(L.ty)), off)]);
  f.for(
    s,
    () => f.i32(0),
    () => f.get(S),
    1,
    () => {
      seqStart(f, a, s, ssB, pa);
      seqStart(f, b, s, ssB, pb);
      seqStart(f, h, s, ssB, ph);
      // t = 0 reads h0's row s, or zero.
      f.get(h0).if(
        () => {
          f.get(h0).get(s).get(rowB).op(Op.i32Mul).op(Op.i32Add).set(pp);
          row({ row: pp });
        },
        () => row('zero'),
      );
      f.for(
        t,
        () => f.i32(1),
        () => f.get(T),
        1,
        () => {
          f.get(ph).set(pp);
          for (const p of [pa, pb, ph]) f.get(p).get(tsB).op(Op.i32Add).set(p);
          row({ row: pp });
        },
      );
    },
  );
  return f;
}

function backwardFn(mode: ScanMode): Fn {
  const f = new Fn(`scanBackward_${mode}`, Array(13).fill(Ty.i32));
  const [S, T, W, a, b, h, h0, g, da, db, dh0, ss, ts] = f.params;
  const [s, t, pa, pb, ph, pg, pda, pdb, pn, pgn, ssB, tsB, rowB, p0, pd0] = Array.from({ length: 15 }, () => f.local(Ty.i32));
  f.get(ss).i32(2).op(Op.i32Shl).set(ssB);
  f.get(ts).i32(2).op(Op.i32Shl).set(tsB);
  f.get(W).i32(2).op(Op.i32Shl).set(rowB);
  /** c_t (the factor that carries G_t to G_{t-1}) at pointer p. */
  const carry = (L: Lanes, p: Local, off: Local) => (mode === 'linear' ? L.load(p, off) : L.sub(L.k(1), L.load(p, off)));
  /** The gradients of step t's inputs, given G_t (in g) and h_{t-1}. */
  const grads = (prev: Prev) =>
    pass(f, W, (L, off) => {
      const G = L.load(pg, off);
      const hp = prevOf(L, prev, off);
      const flushed = (e: Expr) => L.flush(e, f.local(L.ty));
      if (mode === 'linear') return [L.store(pda, prev === 'zero' ? L.k(0) : flushed(L.mul(G, hp)), off)];
      return [
        L.store(pda, flushed(L.mul(G, prev === 'zero' ? L.load(pb, off) : L.sub(L.load(pb, off), hp))), off),
        L.store(pdb, flushed(L.mul(G, L.load(pa, off))), off),
      ];
    });
  f.for(
    s,
    () => f.i32(0),
    () => f.get(S),
    1,
    () => {
      // 1. Reverse pass: G_t = g_t + c_{t+1} G_{t+1} for t = T-2 .. 0 (pn, pgn: step t+1's rows).
      f.get(T).i32(1).op(Op.i32Sub).set(t);
      f.get(a).get(s).get(ssB).op(Op.i32Mul).op(Op.i32Add).get(t).get(tsB).op(Op.i32Mul).op(Op.i32Add).set(pn);
      f.get(g).get(s).get(ssB).op(Op.i32Mul).op(Op.i32Add).get(t).get(tsB).op(Op.i32Mul).op(Op.i32Add).set(pgn);
      f.block(() =>
        f.loop(() => {
          f.get(t).i32(1).op(Op.i32LtS).brIf(1); // until t = 0 has been updated
          f.get(pgn).get(tsB).op(Op.i32Sub).set(pg);
          pass(f, W, (L, off) => [L.store(pg, L.flush(L.add(L.load(pg, off), L.mul(carry(L, pn, off), L.load(pgn, off))), f.local(L.ty)), off)]);
          f.get(pg).set(pgn);
          f.get(pn).get(tsB).op(Op.i32Sub).set(pn);
          f.get(t).i32(1).op(Op.i32Sub).set(t).br(0);
        }),
      );
      // 2. Forward pass: the inputs' gradients, step 0 against h0 (or zero), then against h_{t-1}.
      seqStart(f, a, s, ssB, pa);
      seqStart(f, b, s, ssB, pb);
      seqStart(f, h, s, ssB, ph);
      seqStart(f, g, s, ssB, pg);
      seqStart(f, da, s, ssB, pda);
      seqStart(f, db, s, ssB, pdb);
      f.get(h0).if(
        () => {
          f.get(h0).get(s).get(rowB).op(Op.i32Mul).op(Op.i32Add).set(p0);
          grads({ row: p0 });
          // dh0 = c_0 G_0
          f.get(dh0).get(s).get(rowB).op(Op.i32Mul).op(Op.i32Add).set(pd0);
          pass(f, W, (L, off) => [L.store(pd0, L.flush(L.mul(carry(L, pa, off), L.load(pg, off)), f.local(L.ty)), off)]);
        },
        () => grads('zero'),
      );
      f.for(
        t,
        () => f.i32(1),
        () => f.get(T),
        1,
        () => {
          for (const p of [pa, pb, pg, pda, pdb]) f.get(p).get(tsB).op(Op.i32Add).set(p);
          grads({ row: ph }); // h_{t-1}
          f.get(ph).get(tsB).op(Op.i32Add).set(ph);
        },
      );
    },
  );
  return f;
}

export const scanFns = (['linear', 'lerp'] as const).flatMap((m) => [forwardFn(m), backwardFn(m)]);
