/**
 * Flat elementwise kernels over n floats (the TCN's activations): relu and its gradient,
 * the residual add, accumulation. Each is a `rowKernel` called as one row of n units
 * (B = 1, H = n, strides 0), so it runs 4 lanes at a time with a scalar tail. And the layout
 * changes: `copyRows`, rows of floats from one strided matrix to another, and `transpose`.
 */
import { rowKernel } from './rows.js';
import { Fn, Op, Ty } from './wasm.js';

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
 * transpose(rows, cols, src, lds, dst, ldd): dst[c][r] = src[r][c] for r < rows, c < cols
 * (byte addresses, row strides in floats). Scalar: it moves weights and attention heads,
 * a few thousand floats per call, next to products of O(T) times as many operations.
 */
function transposeFn(): Fn {
  const f = new Fn('transpose', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32]);
  const [rows, cols, src, lds, dst, ldd] = f.params;
  const r = f.local(Ty.i32);
  const c = f.local(Ty.i32);
  const ps = f.local(Ty.i32);
  const pd = f.local(Ty.i32);
  const ldd4 = f.local(Ty.i32);
  f.get(ldd).i32(2).op(Op.i32Shl).set(ldd4);
  f.for(r, () => f.i32(0), () => f.get(rows), 1, () => {
    f.get(src).get(r).get(lds).op(Op.i32Mul).i32(2).op(Op.i32Shl).op(Op.i32Add).set(ps); // &src[r][0]
    f.get(dst).get(r).i32(2).op(Op.i32Shl).op(Op.i32Add).set(pd); // &dst[0][r]
    f.for(c, () => f.i32(0), () => f.get(cols), 1, () => {
      f.get(pd).get(ps).mem(Op.f32Load).mem(Op.f32Store);
      f.get(ps).i32(4).op(Op.i32Add).set(ps);
      f.get(pd).get(ldd4).op(Op.i32Add).set(pd);
    });
  });
  return f;
}

export const elementwiseFns = [relu, reluBackward, addRelu, addInto, copyRows, transposeFn()];
