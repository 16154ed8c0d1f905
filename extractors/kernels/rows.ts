/**
 * Building blocks for kernels that work row by row on a matrix (softmax, layer norm): a loop
 * over rows, passes over a row's columns (4 lanes at a time, then a scalar tail), and the
 * horizontal reduction of a vector accumulator.
 */
import { SCALAR, VEC, type Expr, type Lanes } from './lanes.js';
import { Fn, Op, Simd, Ty, type Local } from './wasm.js';

/** Sums (or maxes) the 4 lanes of a v128 local into an f32 local. */
export function horizontal(f: Fn, v: Local, into: Local, op: Op.f32Add | Op.f32Max): void {
  f.get(into);
  for (let lane = 0; lane < 4; lane++) f.get(v).simd(Simd.f32x4ExtractLane, lane).op(op);
  f.set(into);
}

/**
 * One pass over a row: `body(L, offset)` for 4 columns at a time, then one at a time;
 * `offset` is the byte offset of the current column from the row starts.
 */
export function pass(f: Fn, cols: Local, body: (L: Lanes, offset: Local) => Expr[], afterVector?: () => void): void {
  const j = f.local(Ty.i32);
  const off = f.local(Ty.i32);
  const vec = body(VEC, off);
  const sca = body(SCALAR, off);
  f.i32(0).set(j).i32(0).set(off);
  f.block(() =>
    f.loop(() => {
      f.get(j).i32(4).op(Op.i32Add).get(cols).op(Op.i32GtS).brIf(1);
      for (const e of vec) e(f);
      f.get(j).i32(4).op(Op.i32Add).set(j).get(off).i32(16).op(Op.i32Add).set(off).br(0);
    }),
  );
  afterVector?.();
  f.block(() =>
    f.loop(() => {
      f.get(j).get(cols).op(Op.i32GeS).brIf(1);
      for (const e of sca) e(f);
      f.get(j).i32(1).op(Op.i32Add).set(j).get(off).i32(4).op(Op.i32Add).set(off).br(0);
    }),
  );
}

/** A loop over rows r, setting each `row` local to base + 4 r ld (the start of row r of its matrix). */
export function rows(f: Fn, n: Local, ptrs: [base: Local, ld: Local, row: Local][], body: () => void): void {
  const r = f.local(Ty.i32);
  f.for(r, () => f.i32(0), () => f.get(n), 1, () => {
    for (const [base, ld, row] of ptrs) f.get(base).get(r).get(ld).op(Op.i32Mul).i32(2).op(Op.i32Shl).op(Op.i32Add).set(row);
    body();
  });
}

