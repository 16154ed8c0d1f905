/**
 * Flat elementwise kernels over n floats (the TCN's activations): relu and its gradient,
 * the residual add, accumulation. Each is a `rowKernel` called as one row of n units
 * (B = 1, H = n, strides 0), so it runs 4 lanes at a time with a scalar tail. And the layout
 * changes: `copyRows`, rows of floats from one strided matrix to another, and `copy2d`.
 */
import { rowKernel, type RowKernel } from '../wasm/rows.js';
import { Fn, kernel, Op, Ty } from '../wasm/assembler.js';

/** x = max(x, 0), in place. */
const relu = rowKernel('relu', ['x'], (L, _s, p) => [L.store(p.x, L.relu(L.load(p.x)))]);

/** dy = dy where y > 0, else 0 (y the relu's output), in place. */
const reluBackward = rowKernel('reluBackward', ['y', 'dy'], (L, _s, p) => [L.store(p.dy, L.positiveMask(L.load(p.dy), L.load(p.y)))]);

/** out = max(a + b, 0): a residual block's output. */
const addRelu = rowKernel('addRelu', ['a', 'b', 'out'], (L, _s, p) => [L.store(p.out, L.relu(L.add(L.load(p.a), L.load(p.b))))]);

/** a += b */
const addInto = rowKernel('addInto', ['a', 'b'], (L, _s, p) => [L.store(p.a, L.add(L.load(p.a), L.load(p.b)))]);

/** copyRows(rows, width, src, srcStride, dst, dstStride): each row's `width` floats (strides in bytes). */
const copyRows = rowKernel('copyRows', ['src', 'dst'], (L, _s, p) => [L.store(p.dst, L.load(p.src))]);

/**
 * copy2d(rows, cols, src, rs, cs, dst, rd, cd): dst[r rd + c cd] = src[r rs + c cs] for
 * r < rows, c < cols (byte addresses, strides in floats): transposes (cs = the source's row
 * length) and the taps of a convolution weight [Cout, Cin, k] (cs = k). In blocks of 8 x 8,
 * so that a strided side touches 8 cache lines at a time (a 512 x 128 weight transposed row
 * by row writes a new line per element); scalar inside a block: it moves weights and
 * attention heads, next to products of O(T) times as many operations.
 */
function copy2dFn(): Fn {
  const f = new Fn('copy2d', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32]);
  const [rows, cols, src, rs, cs, dst, rd, cd] = f.params;
  const [r0, c0, r, c, rEnd, cEnd, ps, pd, cs4, cd4] = Array.from({ length: 10 }, () => f.local(Ty.i32));
  const min = (a: () => void, b: () => void, into: typeof r) => {
    a();
    f.set(into);
    b();
    f.get(into)
      .op(Op.i32LtS)
      .if(() => {
        b();
        f.set(into);
      });
  };
  f.get(cs).i32(2).op(Op.i32Shl).set(cs4);
  f.get(cd).i32(2).op(Op.i32Shl).set(cd4);
  f.for(
    r0,
    () => f.i32(0),
    () => f.get(rows),
    8,
    () => {
      min(
        () => f.get(r0).i32(8).op(Op.i32Add),
        () => f.get(rows),
        rEnd,
      );
      f.for(
        c0,
        () => f.i32(0),
        () => f.get(cols),
        8,
        () => {
          min(
            () => f.get(c0).i32(8).op(Op.i32Add),
            () => f.get(cols),
            cEnd,
          );
          f.for(
            r,
            () => f.get(r0),
            () => f.get(rEnd),
            1,
            () => {
              f.get(src).get(r).get(rs).op(Op.i32Mul).get(c0).get(cs).op(Op.i32Mul).op(Op.i32Add).i32(2).op(Op.i32Shl).op(Op.i32Add).set(ps); // &src[r][c0]
              f.get(dst).get(r).get(rd).op(Op.i32Mul).get(c0).get(cd).op(Op.i32Mul).op(Op.i32Add).i32(2).op(Op.i32Shl).op(Op.i32Add).set(pd); // &dst[r][c0]
              f.for(
                c,
                () => f.get(c0),
                () => f.get(cEnd),
                1,
                () => {
                  f.get(pd).get(ps).mem(Op.f32Load).mem(Op.f32Store);
                  f.get(ps).get(cs4).op(Op.i32Add).set(ps);
                  f.get(pd).get(cd4).op(Op.i32Add).set(pd);
                },
              );
            },
          );
        },
      );
    },
  );
  return f;
}

/** The elementwise and layout kernels for the runtime's table (./runtime.ts); `Kernels.ew` calls the flat ones as one row. */
export const elementwiseKernels = {
  relu: kernel<RowKernel>(relu),
  reluBackward: kernel<RowKernel>(reluBackward),
  addRelu: kernel<RowKernel>(addRelu),
  addInto: kernel<RowKernel>(addInto),
  copyRows: kernel<RowKernel>(copyRows),
  copy2d: kernel<(rows: number, cols: number, src: number, rs: number, cs: number, dst: number, rd: number, cd: number) => void>(copy2dFn()),
};
