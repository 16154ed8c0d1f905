/**
 * Fused multiply-add for `Expr` code (./lanes.ts) and an exp built on it, for the kernels
 * whose time goes into polynomials (the selective scan's exp(dt A), the activations' sigmoid,
 * erf and log1p series). Where the engine has relaxed SIMD (./features.ts) the vector flavour
 * emits f32x4.relaxed_madd, which may round once (fused) or twice depending on the CPU, so
 * results can differ in the last bit between machines (recorded as env.kernels); elsewhere,
 * and in the scalar flavour, a multiply then an add.
 */
import { hasFma, RELAXED_MADD } from './features.js';
import type { Expr, Lanes, Scratch } from './lanes.js';
import type { Simd } from './assembler.js';

/** a b + c */
export const fmadd =
  (L: Lanes, a: Expr, b: Expr, c: Expr): Expr =>
  (f) => {
    if (L.width === 4 && hasFma()) {
      a(f);
      b(f);
      c(f);
      f.simd(RELAXED_MADD as Simd);
    } else L.add(L.mul(a, b), c)(f);
  };

/** c0 + c1 y + c2 y^2 + ... by Horner's rule in fused multiply-adds. */
export function hornerFma(L: Lanes, y: Expr, c: number[]): Expr {
  let e = L.k(c[c.length - 1]);
  for (let i = c.length - 2; i >= 0; i--) e = fmadd(L, e, y, L.k(c[i]));
  return e;
}

// lanes.ts's exp (Cephes expf): log2 e, ln 2 in two parts, the polynomial for exp(r) - 1 - r.
const LOG2E = 1.44269504088896341;
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
const EXP_P = [5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3, 1.3981999507e-3, 1.98756915e-4];
/** 1.5 * 2^23: adding it rounds to the nearest integer (ties to even). */
const ROUND_MAGIC = 12582912;

/**
 * exp(x): lanes.ts's exp (the same clamps, range reduction and polynomial) with the reduction
 * and Horner steps as fused multiply-adds; `nonPositive` drops the upper clamp for callers
 * whose x is never above 0. Uses s.x (r), s.x2 (n) and s.t.
 */
export function expFma(L: Lanes, s: Scratch, x: Expr, nonPositive = false): Expr {
  return (f) => {
    const lo = L.max(x, L.k(-87.3));
    L.set(s.x, nonPositive ? lo : L.min(lo, L.k(88.3)))(f);
    L.set(s.t, L.add(L.mul(L.get(s.x), L.k(LOG2E)), L.k(ROUND_MAGIC)))(f); // n + magic
    L.set(s.x2, L.sub(L.get(s.t), L.k(ROUND_MAGIC)))(f); // n
    L.set(s.x, fmadd(L, L.get(s.x2), L.k(-LN2_LO), fmadd(L, L.get(s.x2), L.k(-LN2_HI), L.get(s.x))))(f); // r = x - n ln 2
    const e = hornerFma(L, L.get(s.x), EXP_P);
    // 2^n (1 + r + r^2 P(r))
    L.mul(L.pow2Magic(L.get(s.t)), L.add(fmadd(L, L.mul(e, L.get(s.x)), L.get(s.x), L.get(s.x)), L.k(1)))(f);
  };
}
