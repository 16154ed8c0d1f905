/**
 * Flat elementwise kernels over n floats (the TCN's activations): relu and its gradient,
 * the residual add, accumulation. Each is a `rowKernel` called as one row of n units
 * (B = 1, H = n, strides 0), so it runs 4 lanes at a time with a scalar tail. And
 * `copyRows`, rows of floats from one strided matrix to another (layout changes).
 */
import { rowKernel } from './rows.js';

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

export const elementwiseFns = [relu, reluBackward, addRelu, addInto, copyRows];
