/**
 * Linear attention (Katharopoulos et al. 2020) of one head of one sequence, in its RNN form:
 * a dh x dh state S and a normaliser z, forward and backward. With q, k, v the head's rows
 * (feature map already applied: q = phi(q'), k = phi(k'), padded keys zeroed):
 *
 *   causal:  S_t = S_{t-1} + k_t v_t^T,  z_t = z_{t-1} + k_t       (S_{-1} = 0, z_{-1} = 0)
 *   else:    S_t = S = sum_s k_s v_s^T,  z_t = z = sum_s k_s
 *   den_t = q_t . z_t + eps;   o_t = q_t^T S_t / den_t
 *
 *   linearAttention(T, dh, q, k, v, ld, o, ldo, den, S, z, eps, causal)
 *   linearAttentionBackward(T, dh, q, k, v, ld, o, ldo, den, go, dq, dk, dv, S, z, R, r, gn, gd, causal)
 *
 * Rows of q, k, v (and dq, dk, dv) are `ld` floats apart, rows of o and go `ldo` (the heads'
 * channels of the encoder's [N, 3d] and [N, d] buffers); den [T] is written forward and read
 * back. S, z, R, r, gn [T, dh], gd [T] are scratch (zeroed here). Addresses in bytes.
 *
 * Backward, given go_t = dL/do_t: with gn_t = go_t / den_t and gd_t = -(go_t . o_t) / den_t
 * (the gradients of the numerator and of the denominator),
 *   dq_t = S_t gn_t + gd_t z_t;
 *   with R_s = sum_{t >= s} q_t gn_t^T and r_s = sum_{t >= s} gd_t q_t (every t when not causal):
 *   dk_s = R_s v_s + r_s;  dv_s = R_s^T k_s.
 * A forward sweep rebuilds S_t for dq (storing every S_t would take T dh^2 floats per head), a
 * reverse sweep builds R_s for dk and dv.
 *
 * Cost per step and head: 4 dh^2 multiply-adds forward, 8 dh^2 backward, vectorised over the
 * dh columns of S (4 at a time, a scalar tail for dh % 4).
 */
import type { Expr, Lanes } from '../wasm/lanes.js';
import { horizontal, pass } from '../wasm/rows.js';
import { Fn, Op, Simd, Ty, type Local } from '../wasm/assembler.js';

/** The f32 at p, in every lane. */
const splatLoad =
  (L: Lanes, p: Local): Expr =>
  (f) => {
    f.get(p);
    if (L.width === 4) f.vmem(Simd.load32Splat);
    else f.mem(Op.f32Load);
  };

/** p += bytes, a constant. */
function advance(f: Fn, p: Local, bytes: number): void {
  f.get(p).i32(bytes).op(Op.i32Add).set(p);
}

/** p += the i32 local `by` (Locals are numbers at run time, hence a function of its own). */
function advanceBy(f: Fn, p: Local, by: Local): void {
  f.get(p).get(by).op(Op.i32Add).set(p);
}

/** n floats at p = 0. */
function zero(f: Fn, p: Local, n: () => void): void {
  const i = f.local(Ty.i32);
  const q = f.local(Ty.i32);
  f.get(p).set(q);
  f.for(
    i,
    () => f.i32(0),
    n,
    1,
    () => {
      f.get(q).f32(0).mem(Op.f32Store);
      advance(f, q, 4);
    },
  );
}

/** Locals both kernels use. */
interface Common {
  T: Local;
  dh: Local;
  dhB: Local; // 4 dh: a row of S in bytes
  ldB: Local;
  i: Local;
  pSi: Local; // row i of a state matrix (+ the column offset)
  pai: Local; // element i of a vector
  pbi: Local;
  vacc: Local;
  sacc: Local;
  vtmp: Local;
  stmp: Local;
  vcol: Local;
  scol: Local;
}

function common(f: Fn, T: Local, dh: Local, ld: Local): Common {
  const c: Common = {
    T,
    dh,
    dhB: f.local(Ty.i32),
    ldB: f.local(Ty.i32),
    i: f.local(Ty.i32),
    pSi: f.local(Ty.i32),
    pai: f.local(Ty.i32),
    pbi: f.local(Ty.i32),
    vacc: f.local(Ty.v128),
    sacc: f.local(Ty.f32),
    vtmp: f.local(Ty.v128),
    stmp: f.local(Ty.f32),
    vcol: f.local(Ty.v128),
    scol: f.local(Ty.f32),
  };
  f.get(dh).i32(2).op(Op.i32Shl).set(c.dhB);
  f.get(ld).i32(2).op(Op.i32Shl).set(c.ldB);
  return c;
}

const pick = (L: Lanes, v: Local, s: Local) => (L.width === 4 ? v : s);

/**
 * Column-outer sweep over a state matrix M [dh, dh] for the columns at `off` (4 or 1):
 *   col = colOf(off)                         (e.g. v_t's columns)
 *   for i: [update: M[i, col] += a_i col]; acc += b_i M[i, col]
 * returns the Exprs for `pass`; acc (per lanes flavour) is left in c.vacc / c.sacc.
 */
function columnSweep(
  f: Fn,
  c: Common,
  L: Lanes,
  off: Local,
  M: Local,
  colPtr: Local | undefined,
  a: Local | undefined,
  b: Local,
  update: () => boolean,
): Expr[] {
  const acc = pick(L, c.vacc, c.sacc);
  const col = pick(L, c.vcol, c.scol);
  const m = pick(L, c.vtmp, c.stmp);
  const out: Expr[] = [L.set(acc, L.k(0))];
  if (colPtr !== undefined) out.push(L.set(col, L.load(colPtr, off)));
  out.push(() => {
    f.get(M).get(off).op(Op.i32Add).set(c.pSi);
    if (a !== undefined) f.get(a).set(c.pai);
    f.get(b).set(c.pbi);
    f.for(
      c.i,
      () => f.i32(0),
      () => f.get(c.dh),
      1,
      () => {
        if (update()) {
          L.set(m, L.add(L.load(c.pSi), L.mul(splatLoad(L, c.pai), L.get(col))))(f);
          L.store(c.pSi, L.get(m))(f);
        } else {
          L.set(m, L.load(c.pSi))(f);
        }
        L.set(acc, L.add(L.get(acc), L.mul(splatLoad(L, c.pbi), L.get(m))))(f);
        advanceBy(f, c.pSi, c.dhB);
        if (a !== undefined) advance(f, c.pai, 4);
        advance(f, c.pbi, 4);
      },
    );
  });
  return out;
}

/** M[i, :] += a_i b[:] for every i (the outer-product update alone). */
function outerUpdate(f: Fn, c: Common, M: Local, a: Local, b: Local): void {
  f.get(M).set(c.pSi);
  f.get(a).set(c.pai);
  f.for(
    c.i,
    () => f.i32(0),
    () => f.get(c.dh),
    1,
    () => {
      pass(f, c.dh, (L, off) => [L.store(c.pSi, L.add(L.load(c.pSi, off), L.mul(splatLoad(L, c.pai), L.load(b, off))), off)]);
      advanceBy(f, c.pSi, c.dhB);
      advance(f, c.pai, 4);
    },
  );
}

/** vec[i] += a_i scale for every i (scale an f32 local, or 1). */
function axpy(f: Fn, c: Common, vec: Local, a: Local, scale?: Local): void {
  pass(f, c.dh, (L, off) => [L.store(vec, L.add(L.load(vec, off), scale === undefined ? L.load(a, off) : L.mul(L.load(a, off), L.bcast(scale))), off)]);
}

/** into = sum_i a_i b_i (f32). */
function dot(f: Fn, c: Common, a: Local, b: Local, into: Local): void {
  f.f32(0).set(into).splat(0).set(c.vacc);
  pass(
    f,
    c.dh,
    (L, off) => {
      const acc = L.width === 4 ? c.vacc : into;
      return [L.set(acc, L.add(L.get(acc), L.mul(L.load(a, off), L.load(b, off))))];
    },
    () => horizontal(f, c.vacc, into, Op.f32Add),
  );
}

function forwardFn(): Fn {
  const I = Ty.i32;
  const f = new Fn('linearAttention', [I, I, I, I, I, I, I, I, I, I, I, Ty.f32, I]);
  const [T, dh, q, k, v, ld, o, ldo, den, S, z, eps, causal] = f.params;
  const c = common(f, T, dh, ld);
  const [t, pq, pk, pv, po, pden, ldoB] = Array.from({ length: 7 }, () => f.local(I));
  const dsum = f.local(Ty.f32);
  f.get(ldo).i32(2).op(Op.i32Shl).set(ldoB);
  zero(f, S, () => f.get(dh).get(dh).op(Op.i32Mul));
  zero(f, z, () => f.get(dh));
  const rows0 = () => {
    f.get(q).set(pq).get(k).set(pk).get(v).set(pv).get(o).set(po).get(den).set(pden);
  };
  const nextRow = () => {
    for (const p of [pq, pk, pv]) advanceBy(f, p, c.ldB);
    advanceBy(f, po, ldoB);
    advance(f, pden, 4);
  };
  // Not causal: S and z over the whole sequence first.
  f.get(causal)
    .op(Op.i32Eqz)
    .if(() => {
      rows0();
      f.for(
        t,
        () => f.i32(0),
        () => f.get(T),
        1,
        () => {
          outerUpdate(f, c, S, pk, pv);
          axpy(f, c, z, pk);
          nextRow();
        },
      );
    });
  rows0();
  f.for(
    t,
    () => f.i32(0),
    () => f.get(T),
    1,
    () => {
      f.get(causal).if(() => axpy(f, c, z, pk)); // z_t = z_{t-1} + k_t
      dot(f, c, pq, z, dsum);
      f.get(dsum).get(eps).op(Op.f32Add).set(dsum);
      f.get(pden).get(dsum).mem(Op.f32Store);
      // o_t[cols] = sum_i q_i S_t[i, cols] / den, S_t updated first (causal).
      const sweep = (upd: boolean) =>
        pass(f, dh, (L, off) => [
          ...columnSweep(f, c, L, off, S, pv, pk, pq, () => upd),
          L.store(po, L.div(L.get(pick(L, c.vacc, c.sacc)), L.bcast(dsum)), off),
        ]);
      f.get(causal).if(
        () => sweep(true),
        () => sweep(false),
      );
      nextRow();
    },
  );
  return f;
}

function backwardFn(): Fn {
  const I = Ty.i32;
  const f = new Fn('linearAttentionBackward', Array(20).fill(I));
  const [T, dh, q, k, v, ld, o, ldo, den, go, dq, dk, dv, S, z, R, r, gn, gd, causal] = f.params;
  const c = common(f, T, dh, ld);
  const [t, pq, pk, pv, po, pgo, pdq, pdk, pdv, pden, pgn, pgd, ldoB] = Array.from({ length: 13 }, () => f.local(I));
  const [dsum, gdt, s1] = [f.local(Ty.f32), f.local(Ty.f32), f.local(Ty.f32)];
  f.get(ldo).i32(2).op(Op.i32Shl).set(ldoB);
  for (const [p, n] of [
    [S, 'sq'],
    [R, 'sq'],
    [z, 'v'],
    [r, 'v'],
  ] as const)
    zero(f, p, () => (n === 'sq' ? f.get(dh).get(dh).op(Op.i32Mul) : f.get(dh)));
  const rowsAt = (row: () => void) => {
    // pointers of row `row` (an i32 on the stack, consumed per pointer)
    for (const [p, base, stride] of [
      [pq, q, c.ldB],
      [pk, k, c.ldB],
      [pv, v, c.ldB],
      [pdq, dq, c.ldB],
      [pdk, dk, c.ldB],
      [pdv, dv, c.ldB],
      [po, o, ldoB],
      [pgo, go, ldoB],
    ] as const) {
      f.get(base);
      row();
      f.get(stride).op(Op.i32Mul).op(Op.i32Add).set(p);
    }
    f.get(den);
    row();
    f.i32(4).op(Op.i32Mul).op(Op.i32Add).set(pden);
    f.get(gd);
    row();
    f.i32(4).op(Op.i32Mul).op(Op.i32Add).set(pgd);
    f.get(gn);
    row();
    f.get(c.dhB).op(Op.i32Mul).op(Op.i32Add).set(pgn);
  };
  const step = (dir: 1 | -1) => {
    const s = dir === 1 ? 1 : -1;
    for (const p of [pq, pk, pv, pdq, pdk, pdv]) {
      f.get(p).get(c.ldB);
      f.op(s === 1 ? Op.i32Add : Op.i32Sub).set(p);
    }
    for (const p of [po, pgo])
      f.get(p)
        .get(ldoB)
        .op(s === 1 ? Op.i32Add : Op.i32Sub)
        .set(p);
    for (const p of [pden, pgd])
      f.get(p)
        .i32(4)
        .op(s === 1 ? Op.i32Add : Op.i32Sub)
        .set(p);
    f.get(pgn)
      .get(c.dhB)
      .op(s === 1 ? Op.i32Add : Op.i32Sub)
      .set(pgn);
  };

  // 1. gn_t = go_t / den_t, gd_t = -(go_t . o_t) / den_t, for every t.
  rowsAt(() => f.i32(0));
  f.for(
    t,
    () => f.i32(0),
    () => f.get(T),
    1,
    () => {
      f.get(pden).mem(Op.f32Load).set(dsum);
      dot(f, c, pgo, po, s1);
      f.get(pgd).f32(0).get(s1).op(Op.f32Sub).get(dsum).op(Op.f32Div).mem(Op.f32Store);
      pass(f, dh, (L, off) => [L.store(pgn, L.div(L.load(pgo, off), L.bcast(dsum)), off)]);
      step(1);
    },
  );

  // 2. Not causal: S, z (as forward) and R, r over the whole sequence.
  f.get(causal)
    .op(Op.i32Eqz)
    .if(() => {
      rowsAt(() => f.i32(0));
      f.for(
        t,
        () => f.i32(0),
        () => f.get(T),
        1,
        () => {
          outerUpdate(f, c, S, pk, pv);
          axpy(f, c, z, pk);
          outerUpdate(f, c, R, pq, pgn);
          f.get(pgd).mem(Op.f32Load).set(gdt);
          axpy(f, c, r, pq, gdt);
          step(1);
        },
      );
    });

  // 3. Forward sweep: dq_t[i] = sum_j S_t[i, j] gn_t[j] + gd_t z_t[i], S_t and z_t built on the way (causal).
  const dqRows = (upd: boolean) => {
    f.get(S).set(c.pSi);
    f.get(pk).set(c.pai);
    f.get(pdq).set(c.pbi);
    const pz = f.local(I);
    f.get(z).set(pz);
    f.for(
      c.i,
      () => f.i32(0),
      () => f.get(dh),
      1,
      () => {
        if (upd) {
          // z_i += k_i
          f.get(pz).get(pz).mem(Op.f32Load).get(c.pai).mem(Op.f32Load).op(Op.f32Add).mem(Op.f32Store);
        }
        f.f32(0).set(c.sacc).splat(0).set(c.vacc);
        pass(
          f,
          dh,
          (L, off) => {
            const acc = pick(L, c.vacc, c.sacc);
            const m = pick(L, c.vtmp, c.stmp);
            const out: Expr[] = [];
            if (upd) out.push(L.set(m, L.add(L.load(c.pSi, off), L.mul(splatLoad(L, c.pai), L.load(pv, off)))), L.store(c.pSi, L.get(m), off));
            else out.push(L.set(m, L.load(c.pSi, off)));
            out.push(L.set(acc, L.add(L.get(acc), L.mul(L.get(m), L.load(pgn, off)))));
            return out;
          },
          () => horizontal(f, c.vacc, c.sacc, Op.f32Add),
        );
        // dq_i = acc + gd_t z_i
        f.get(c.pbi).get(c.sacc).get(pgd).mem(Op.f32Load).get(pz).mem(Op.f32Load).op(Op.f32Mul).op(Op.f32Add).mem(Op.f32Store);
        advanceBy(f, c.pSi, c.dhB);
        advance(f, c.pai, 4);
        advance(f, c.pbi, 4);
        advance(f, pz, 4);
      },
    );
  };
  rowsAt(() => f.i32(0));
  f.for(
    t,
    () => f.i32(0),
    () => f.get(T),
    1,
    () => {
      f.get(causal).if(
        () => dqRows(true),
        () => dqRows(false),
      );
      step(1);
    },
  );

  // 4. Reverse sweep: dk_s[i] = sum_j R_s[i, j] v_s[j] + r_s[i]; dv_s[j] = sum_i R_s[i, j] k_s[i],
  //    R_s = R_{s+1} + q_s gn_s^T and r_s = r_{s+1} + gd_s q_s built on the way (causal).
  const dkdvRows = (upd: boolean) => {
    pass(f, dh, (L, off) => [L.store(pdv, L.k(0), off)]);
    if (upd) {
      f.get(pgd).mem(Op.f32Load).set(gdt);
      axpy(f, c, r, pq, gdt);
    }
    const pr = f.local(I);
    f.get(R).set(c.pSi);
    f.get(pq).set(c.pai);
    f.get(pk).set(c.pbi);
    f.get(r).set(pr);
    const pdki = f.local(I);
    f.get(pdk).set(pdki);
    f.for(
      c.i,
      () => f.i32(0),
      () => f.get(dh),
      1,
      () => {
        f.f32(0).set(c.sacc).splat(0).set(c.vacc);
        pass(
          f,
          dh,
          (L, off) => {
            const acc = pick(L, c.vacc, c.sacc);
            const m = pick(L, c.vtmp, c.stmp);
            const out: Expr[] = [];
            if (upd) out.push(L.set(m, L.add(L.load(c.pSi, off), L.mul(splatLoad(L, c.pai), L.load(pgn, off)))), L.store(c.pSi, L.get(m), off));
            else out.push(L.set(m, L.load(c.pSi, off)));
            out.push(L.set(acc, L.add(L.get(acc), L.mul(L.get(m), L.load(pv, off)))));
            out.push(L.store(pdv, L.add(L.load(pdv, off), L.mul(splatLoad(L, c.pbi), L.get(m))), off));
            return out;
          },
          () => horizontal(f, c.vacc, c.sacc, Op.f32Add),
        );
        f.get(pdki).get(c.sacc).get(pr).mem(Op.f32Load).op(Op.f32Add).mem(Op.f32Store);
        advanceBy(f, c.pSi, c.dhB);
        advance(f, c.pai, 4);
        advance(f, c.pbi, 4);
        advance(f, pr, 4);
        advance(f, pdki, 4);
      },
    );
  };
  rowsAt(() => f.get(T).i32(1).op(Op.i32Sub));
  f.for(
    t,
    () => f.i32(0),
    () => f.get(T),
    1,
    () => {
      f.get(causal).if(
        () => dkdvRows(true),
        () => dkdvRows(false),
      );
      step(-1);
    },
  );
  return f;
}

export const linearAttentionFns = [forwardFn(), backwardFn()];
