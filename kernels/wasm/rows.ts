/**
 * Building blocks for kernels that work row by row on a matrix (softmax, layer norm): a loop
 * over rows, passes over a row's columns (4 lanes at a time, then a scalar tail), and the
 * horizontal reduction of a vector accumulator; and `rowKernel`, the elementwise kernels'
 * skeleton (the recurrent cells, relu and friends).
 */
import { SCALAR, VEC, scratch, type Expr, type Lanes, type Scratch } from './lanes.js';
import { Fn, Op, Simd, Ty, type Local } from './assembler.js';

/** Sums (or maxes) the 4 lanes of a v128 local into an f32 local. */
export function horizontal(f: Fn, v: Local, into: Local, op: Op.f32Add | Op.f32Max): void {
  f.get(into);
  for (let lane = 0; lane < 4; lane++) f.get(v).simd(Simd.f32x4ExtractLane, lane).op(op);
  f.set(into);
}

/**
 * The skeleton every kernel here shares: `vector()` while 4 of the n units remain, then
 * `scalar()` for the rest (each step advances its own pointers); `afterVector` runs between.
 */
export function lanesLoop(f: Fn, n: Local, vector: () => void, scalar: () => void, afterVector?: () => void): void {
  const i = f.local(Ty.i32);
  f.i32(0).set(i);
  f.block(() =>
    f.loop(() => {
      f.get(i).i32(4).op(Op.i32Add).get(n).op(Op.i32GtS).brIf(1);
      vector();
      f.get(i).i32(4).op(Op.i32Add).set(i).br(0);
    }),
  );
  afterVector?.();
  f.block(() =>
    f.loop(() => {
      f.get(i).get(n).op(Op.i32GeS).brIf(1);
      scalar();
      f.get(i).i32(1).op(Op.i32Add).set(i).br(0);
    }),
  );
}

/**
 * One pass over a row: `body(L, offset)` for 4 columns at a time, then one at a time;
 * `offset` is the byte offset of the current column from the row starts.
 */
export function pass(f: Fn, cols: Local, body: (L: Lanes, offset: Local) => Expr[], afterVector?: () => void): void {
  const off = f.local(Ty.i32);
  const step = (exprs: Expr[], bytes: number) => () => {
    for (const e of exprs) e(f);
    f.get(off).i32(bytes).op(Op.i32Add).set(off);
  };
  const vec = step(body(VEC, off), 16);
  const sca = step(body(SCALAR, off), 4);
  f.i32(0).set(off);
  lanesLoop(f, cols, vec, sca, afterVector);
}

/** A reduction carried through a pass: a v128 accumulator for the 4-lane part, then an f32 one (the result) for the tail. */
export interface Accumulator {
  vec: Local;
  into: Local;
  op: Op.f32Add | Op.f32Max;
}

export function accumulator(f: Fn, op: Op.f32Add | Op.f32Max): Accumulator {
  return { vec: f.local(Ty.v128), into: f.local(Ty.f32), op };
}

/**
 * A pass over a row that also reduces (the row max, a sum, a dot product): each accumulator
 * starts at its identity, `body` gets the current flavour's accumulator locals (v128 in the
 * 4-lane part, f32 in the tail), and between the two the vector accumulators are folded
 * horizontally into the scalar ones, which the tail continues. Results in `acc.into`.
 */
export function reducingPass(f: Fn, cols: Local, accs: Accumulator[], body: (L: Lanes, offset: Local, acc: Local[]) => Expr[]): void {
  for (const a of accs) {
    const identity = a.op === Op.f32Max ? -Infinity : 0;
    f.f32(identity).set(a.into).f32(identity).simd(Simd.f32x4Splat).set(a.vec);
  }
  pass(
    f,
    cols,
    (L, off) =>
      body(
        L,
        off,
        accs.map((a) => (L.width === 4 ? a.vec : a.into)),
      ),
    () => {
      for (const a of accs) horizontal(f, a.vec, a.into, a.op);
    },
  );
}

/** A loop over rows r, setting each `row` local to base + 4 r ld (the start of row r of its matrix). */
export function rows(f: Fn, n: Local, ptrs: [base: Local, ld: Local, row: Local][], body: () => void): void {
  const r = f.local(Ty.i32);
  f.for(
    r,
    () => f.i32(0),
    () => f.get(n),
    1,
    () => {
      for (const [base, ld, row] of ptrs) f.get(base).get(r).get(ld).op(Op.i32Mul).i32(2).op(Op.i32Shl).op(Op.i32Add).set(row);
      body();
    },
  );
}

/** Byte offsets of gates 1, 2, 3 within a row (gate 0 is at offset 0). */
export interface Gates {
  g1: Local;
  g2: Local;
  g3: Local;
}

/** A row kernel's JS signature: (B, H, then a byte address and a byte row stride per array). */
export type RowKernel = (B: number, H: number, ...ptrsAndStrides: number[]) => void;

export type Body = (L: Lanes, s: Scratch, p: Record<string, Local>, g: Gates, tmp: () => Local) => Expr[];

/**
 * A kernel looping over sequences b and hidden units u (4 at a time, then a scalar tail),
 * with one pointer per named array advanced in step; `body` emits the math for one group of
 * lanes at the current pointers.
 */
export function rowKernel(name: string, arrays: string[], body: Body): Fn {
  const f = new Fn(name, [Ty.i32, Ty.i32, ...arrays.flatMap(() => [Ty.i32, Ty.i32])]);
  const [B, H] = f.params;
  const base = (k: number) => f.params[2 + 2 * k];
  const stride = (k: number) => f.params[3 + 2 * k];
  const p: Record<string, Local> = {};
  for (const a of arrays) p[a] = f.local(Ty.i32);
  const g: Gates = { g1: f.local(Ty.i32), g2: f.local(Ty.i32), g3: f.local(Ty.i32) };
  const b = f.local(Ty.i32);
  f.get(H).i32(2).op(Op.i32Shl).set(g.g1);
  f.get(g.g1).get(g.g1).op(Op.i32Add).set(g.g2);
  f.get(g.g2).get(g.g1).op(Op.i32Add).set(g.g3);

  const advance = (bytes: number) => {
    for (const a of arrays) f.get(p[a]).i32(bytes).op(Op.i32Add).set(p[a]);
  };
  const flavour = (L: Lanes) => {
    const s = scratch(f, L);
    const exprs = body(L, s, p, g, () => f.local(L.ty));
    return () => {
      for (const e of exprs) e(f);
      advance(4 * L.width);
    };
  };
  const vectorStep = flavour(VEC);
  const scalarStep = flavour(SCALAR);

  f.for(
    b,
    () => f.i32(0),
    () => f.get(B),
    1,
    () => {
      arrays.forEach((a, k) => f.get(base(k)).get(b).get(stride(k)).op(Op.i32Mul).op(Op.i32Add).set(p[a]));
      lanesLoop(f, H, vectorStep, scalarStep); // 4 units at a time while 4 remain, then one at a time
    },
  );
  return f;
}

/** Loads into fresh locals, so that a value read once can be used many times. */
export function bind(L: Lanes, tmp: () => Local, out: Expr[], e: Expr): Expr {
  const l = tmp();
  out.push(L.set(l, e));
  return L.get(l);
}
