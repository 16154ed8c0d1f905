/**
 * Elementwise math written once, emitted twice: as f32x4 (four floats per instruction, the
 * main loop) and as scalar f32 (the tail when a width is not a multiple of 4, e.g. the tests'
 * hidden sizes 3 and 6). An `Expr` emits code that leaves one value on the stack; kernels
 * compose them like ordinary arithmetic:
 *
 *   L.store(pc, L.add(L.mul(f, L.load(pc)), L.mul(i, g)))      // c = f * c + i * g
 *
 * tanh is the rational approximation used by Eigen for float (numerator degree 13,
 * denominator degree 6, input clamped to +-7.9): max abs error 3.3e-7 against Math.tanh
 * over [-20, 20] when evaluated in float32, i.e. a few ulp. Only +, *, / and min/max, so it
 * vectorises. sigmoid(x) = 0.5 + 0.5 tanh(x / 2) (exact identity), max abs error 1.7e-7.
 * exp is Cephes' expf: x = n ln2 + r with n integer and |r| <= ln2 / 2, exp(r) by a degree-6
 * polynomial, times 2^n assembled from exponent bits (x clamped to [-87.3, 88.3]).
 */
import { Op, Simd, Ty, type Fn, type Local } from './assembler.js';

export type Expr = (f: Fn) => void;

export interface Lanes {
  /** Floats per value: 4 (f32x4) or 1 (f32). */
  readonly width: 4 | 1;
  readonly ty: Ty;
  load(p: Local, offset?: Local): Expr;
  /** Stores at p (+ offset, a byte-offset local). */
  store(p: Local, value: Expr, offset?: Local): Expr;
  k(x: number): Expr;
  get(l: Local): Expr;
  /** An f32 local in every lane (vector flavour: splat; scalar: the local itself). */
  bcast(l: Local): Expr;
  set(l: Local, value: Expr): Expr;
  add(a: Expr, b: Expr): Expr;
  sub(a: Expr, b: Expr): Expr;
  mul(a: Expr, b: Expr): Expr;
  div(a: Expr, b: Expr): Expr;
  min(a: Expr, b: Expr): Expr;
  max(a: Expr, b: Expr): Expr;
  /** Round to the nearest integer (ties to even), as a float. */
  nearest(a: Expr): Expr;
  sqrt(a: Expr): Expr;
  /** 2^n for a float n holding an integer in [-126, 127], built from its exponent bits. */
  pow2(n: Expr): Expr;
  /**
   * 2^n for t = n + ROUND_MAGIC (n an integer in [-126, 127]): t's low mantissa bits hold n,
   * so (bits(t) + 127) << 23 is 2^n's bit pattern (the shift drops the magic's bits).
   */
  pow2Magic(t: Expr): Expr;
  /** max(a, 0) */
  relu(a: Expr): Expr;
  /** a where y > 0, else 0 (the gradient through a relu whose output is y). */
  positiveMask(a: Expr, y: Expr): Expr;
  /** x >= 0 ? a : b, lane by lane (both a and b are evaluated). */
  whereNonNegative(x: Expr, a: Expr, b: Expr): Expr;
  /**
   * a, or +0 where |a| is below the flush threshold (the f32 at FLUSH_THRESHOLD_AT in kernel
   * memory: the smallest normal float when flushing subnormals, 0 when not); NaN and
   * infinities pass unchanged. `tmp`, a local of this flavour, holds a.
   */
  flush(a: Expr, tmp: Local): Expr;
}

/**
 * The byte address of the flush threshold in kernel memory (the runtime keeps bytes 0..63
 * out of the arena): 2^-126 = 1.1754944e-38 flushes subnormals to zero, 0 flushes nothing.
 * In memory rather than in the code so that one compiled module serves both settings.
 */
export const FLUSH_THRESHOLD_AT = 16;
/** The smallest positive normal float32, 2^-126: below it a float is subnormal. */
export const SMALLEST_NORMAL = 2 ** -126;

function lanes(vector: boolean): Lanes {
  const bin =
    (vop: Simd, sop: Op) =>
    (a: Expr, b: Expr): Expr =>
    (f) => {
      a(f);
      b(f);
      if (vector) f.simd(vop);
      else f.op(sop);
    };
  const address = (f: Fn, p: Local, offset?: Local) => {
    f.get(p);
    if (offset !== undefined) f.get(offset).op(Op.i32Add);
  };
  return {
    width: vector ? 4 : 1,
    ty: vector ? Ty.v128 : Ty.f32,
    load: (p, offset) => (f) => {
      address(f, p, offset);
      if (vector) f.vmem(Simd.load);
      else f.mem(Op.f32Load);
    },
    store: (p, value, offset) => (f) => {
      address(f, p, offset);
      value(f);
      if (vector) f.vmem(Simd.store);
      else f.mem(Op.f32Store);
    },
    k: (x) => (f) => (vector ? f.splat(x) : f.f32(x)),
    get: (l) => (f) => f.get(l),
    bcast: (l) => (f) => {
      f.get(l);
      if (vector) f.simd(Simd.f32x4Splat);
    },
    set: (l, value) => (f) => {
      value(f);
      f.set(l);
    },
    add: bin(Simd.f32x4Add, Op.f32Add),
    sub: bin(Simd.f32x4Sub, Op.f32Sub),
    mul: bin(Simd.f32x4Mul, Op.f32Mul),
    div: bin(Simd.f32x4Div, Op.f32Div),
    // Vector flavour: pmin/pmax (one instruction each; NaN still propagates from the first operand).
    min: bin(Simd.f32x4Pmin, Op.f32Min),
    max: bin(Simd.f32x4Pmax, Op.f32Max),
    nearest: (a) => (f) => {
      a(f);
      if (vector) f.simd(Simd.f32x4Nearest);
      else f.op(Op.f32Nearest);
    },
    sqrt: (a) => (f) => {
      a(f);
      if (vector) f.simd(Simd.f32x4Sqrt);
      else f.op(Op.f32Sqrt);
    },
    relu: (a) => (f) => {
      a(f);
      if (vector) f.splat(0).simd(Simd.f32x4Pmax);
      else f.f32(0).op(Op.f32Max);
    },
    positiveMask: (a, y) => (f) => {
      a(f);
      if (vector) {
        y(f);
        f.splat(0).simd(Simd.f32x4Gt).simd(Simd.v128And); // all-ones lanes where y > 0
      } else {
        f.f32(0);
        y(f);
        f.f32(0).op(Op.f32Gt).op(Op.select);
      }
    },
    pow2Magic: (t) => (f) => {
      t(f);
      if (vector) f.i32(127).simd(Simd.i32x4Splat).simd(Simd.i32x4Add).i32(23).simd(Simd.i32x4Shl);
      else f.op(Op.i32ReinterpretF32).i32(127).op(Op.i32Add).i32(23).op(Op.i32Shl).op(Op.f32ReinterpretI32);
    },
    whereNonNegative: (x, a, b) => (f) => {
      a(f);
      b(f);
      x(f);
      if (vector)
        f.splat(0).simd(Simd.f32x4Ge).simd(Simd.v128Bitselect); // all-ones lanes where x >= 0 pick a
      else f.f32(0).op(Op.f32Ge).op(Op.select);
    },
    flush: (a, tmp) => (f) => {
      if (vector) {
        a(f);
        f.set(tmp).get(tmp).get(tmp).simd(Simd.f32x4Abs);
        f.i32(FLUSH_THRESHOLD_AT).vmem(Simd.load32Splat);
        f.simd(Simd.f32x4Lt).simd(Simd.v128AndNot); // a & ~(|a| < threshold)
      } else {
        f.f32(0);
        a(f);
        f.set(tmp).get(tmp).get(tmp).op(Op.f32Abs);
        f.i32(FLUSH_THRESHOLD_AT).mem(Op.f32Load);
        f.op(Op.f32Lt).op(Op.select); // |a| < threshold ? 0 : a
      }
    },
    // The float with exponent field n + 127 and zero mantissa is 2^n: (n + 127) << 23, reinterpreted.
    pow2: (n) => (f) => {
      n(f);
      if (vector) f.simd(Simd.i32x4TruncSatF32x4S).i32(127).simd(Simd.i32x4Splat).simd(Simd.i32x4Add).i32(23).simd(Simd.i32x4Shl);
      else f.op(Op.i32TruncF32S).i32(127).op(Op.i32Add).i32(23).op(Op.i32Shl).op(Op.f32ReinterpretI32);
    },
  };
}

export const VEC = lanes(true);
export const SCALAR = lanes(false);

// Eigen's float tanh: tanh(x) ~ x P(x^2) / Q(x^2) on [-c, c].
const TANH_CLAMP = 7.90531110763549805;
const ALPHA = [
  4.89352455891786e-3, 6.37261928875436e-4, 1.48572235717979e-5, 5.12229709037114e-8, -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16,
];
const BETA = [4.89352518554385e-3, 2.268434632439e-3, 1.18534705686654e-4, 1.19825839466702e-6];

/** Horner's rule in y for coefficients c0 + c1 y + c2 y^2 + ... */
function horner(L: Lanes, y: Expr, coefficients: number[]): Expr {
  let e = L.k(coefficients[coefficients.length - 1]);
  for (let i = coefficients.length - 2; i >= 0; i--) e = L.add(L.mul(e, y), L.k(coefficients[i]));
  return e;
}

/** Scratch locals an activation needs; allocate once per kernel flavour with `scratch`. */
export interface Scratch {
  x: Local;
  x2: Local;
  t: Local;
}

export function scratch(f: Fn, L: Lanes): Scratch {
  return { x: f.local(L.ty), x2: f.local(L.ty), t: f.local(L.ty) };
}

export function tanh(L: Lanes, s: Scratch, x: Expr): Expr {
  return (f) => {
    L.set(s.x, L.min(L.max(x, L.k(-TANH_CLAMP)), L.k(TANH_CLAMP)))(f);
    L.set(s.x2, L.mul(L.get(s.x), L.get(s.x)))(f);
    L.div(L.mul(L.get(s.x), horner(L, L.get(s.x2), ALPHA)), horner(L, L.get(s.x2), BETA))(f);
  };
}

export function sigmoid(L: Lanes, s: Scratch, x: Expr): Expr {
  return L.add(L.k(0.5), L.mul(L.k(0.5), tanh(L, s, L.mul(L.k(0.5), x))));
}

// Cephes expf: ln 2 split in two so that n * LN2_HI is exact; the polynomial for exp(r) - 1 - r.
const LOG2E = 1.44269504088896341;
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
const EXP_P = [5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3, 1.3981999507e-3, 1.98756915e-4];

/**
 * 1.5 * 2^23: adding it to a float v in [-2^22, 2^22] rounds v to the nearest integer (ties to
 * even, as f32x4.nearest) into the sum's low mantissa bits.
 */
const ROUND_MAGIC = 12582912;

/**
 * exp(x); uses s.x (the clamped input, then r), s.x2 (n) and s.t (2^n). n = round(x / ln 2)
 * comes from one add of ROUND_MAGIC, and 2^n from that sum's bits (`pow2Magic`): the same n
 * and 2^n as nearest + pow2, bit for bit, without i32x4.trunc_sat_f32x4_s, which V8 lowers to
 * a long instruction sequence on x64 (SSE has no such conversion).
 */
export function exp(L: Lanes, s: Scratch, x: Expr): Expr {
  return (f) => {
    L.set(s.x, L.min(L.max(x, L.k(-87.3)), L.k(88.3)))(f);
    L.set(s.t, L.add(L.mul(L.get(s.x), L.k(LOG2E)), L.k(ROUND_MAGIC)))(f); // n + magic
    L.set(s.x2, L.sub(L.get(s.t), L.k(ROUND_MAGIC)))(f); // n = round(x / ln 2), exactly
    L.set(s.t, L.pow2Magic(L.get(s.t)))(f);
    L.set(s.x, L.sub(L.sub(L.get(s.x), L.mul(L.get(s.x2), L.k(LN2_HI))), L.mul(L.get(s.x2), L.k(LN2_LO))))(f); // r
    const r = L.get(s.x);
    // exp(x) = 2^n exp(r), exp(r) = 1 + r + r^2 P(r)
    L.mul(L.get(s.t), L.add(L.add(L.mul(L.mul(horner(L, r, EXP_P), r), r), r), L.k(1)))(f);
  };
}
