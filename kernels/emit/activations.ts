/**
 * Activations of the state-space models, forward and backward, as `rowKernel`s (./rows.ts):
 * each takes (rows, units, then a byte address and a byte row stride per array), so a flat
 * buffer of n floats is one row of n units (strides 0) and a column block of a wider matrix
 * (z = the second half of Mamba's in_proj output) is rows with the matrix's row stride.
 *
 *   silu(x) = x sigmoid(x)                       siluBackward: dx = dy s (1 + x (1 - s))
 *   softplus(x) = log(1 + e^x)                   softplusBackward: dx = dy sigmoid(x)
 *   gelu(x) = x Phi(x) = x (1 + erf(x / sqrt 2)) / 2   (nn.GELU's exact form, not tanh's)
 *                                                geluBackward: dx = dy (Phi(x) + x phi(x))
 *   gateSilu: out = y silu(z)   (Mamba's output gate)
 *   gateSiluBackward: dy = dout silu(z); dz = dout y silu'(z)
 *   glu: out = a sigmoid(b), [a | b] the two halves of a row of 2H (nn.GLU(dim=-2) on [B, 2H, L])
 *   gluBackward: da = dout sigmoid(b); db = dout a sigmoid(b) (1 - sigmoid(b)), into [da | db]
 *
 * softplus is written without a logarithm: softplus(x) = max(x, 0) + log1p(e), e = exp(-|x|)
 * in (0, 1], and log1p(e) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = e / (2 + e) in
 * (0, 1/3]: seven terms reach float32 precision (the next is below 4e-8). It agrees with
 * PyTorch's softplus (threshold 20: x itself above it) to float32 rounding, since
 * log1p(exp(-20)) = 2e-9.
 *
 * sigmoid is 1 / (1 + exp(-x)). exp and the polynomials use fused multiply-adds where the
 * engine has them (./fma.ts).
 *
 * erf is Eigen's float rational approximation (x P(x^2) / Q(x^2), x clamped to +-4): max
 * abs error 6.5e-8 in exact arithmetic, 4.2e-7 evaluated in float32 (checked over [-6, 6]).
 */
import { expFma, hornerFma } from '../wasm/fma.js';
import type { Expr, Lanes, Scratch } from '../wasm/lanes.js';
import { bind, rowKernel, type RowKernel } from '../wasm/rows.js';
import { kernel } from '../wasm/assembler.js';

const poly = hornerFma;
const exp = expFma;

const ERF_P = [
  -1.60960333262415e-2, -2.95459980854025e-3, -7.34990630326855e-4, -5.69250639462346e-5, -2.10102402082508e-6, 2.77068142495902e-8, -2.72614225801306e-10,
];
const ERF_Q = [-1.42647390514189e-2, -7.37332916720468e-3, -1.68282697438203e-3, -2.13374055278905e-4, -1.45660718464996e-5];

/** 2 atanh(s) for s in [0, 1/3]: 2 s (1 + s^2/3 + s^4/5 + ... + s^12/13). */
const ATANH = [1, 1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11, 1 / 13];

type Tmp = Parameters<Parameters<typeof rowKernel>[2]>[4];

/** Expressions shared by the kernels, each binding its intermediate values to locals. */
function math(L: Lanes, s: Scratch, tmp: Tmp, out: Expr[]) {
  // 1 / (1 + exp(-x)): relative error ~1e-7 everywhere, where lanes.ts's tanh-based sigmoid
  // is accurate to 1.7e-7 absolute (so silu(x) = x sigmoid(x) would err by ~|x| 1.7e-7).
  const sig = (x: Expr) => bind(L, tmp, out, L.div(L.k(1), L.add(L.k(1), exp(L, s, L.sub(L.k(0), x)))));
  return {
    sig,
    /** silu(x) and silu'(x) = s (1 + x (1 - s)) for a bound x. */
    silu: (x: Expr) => L.mul(x, sig(x)),
    siluGrad: (x: Expr) => {
      const sg = sig(x);
      return L.mul(sg, L.add(L.k(1), L.mul(x, L.sub(L.k(1), sg))));
    },
    softplus: (x: Expr) => {
      const e = bind(L, tmp, out, expFma(L, s, L.min(x, L.sub(L.k(0), x)), true)); // exp(-|x|)
      const q = bind(L, tmp, out, L.div(e, L.add(L.k(2), e)));
      return L.add(L.relu(x), L.mul(L.mul(L.k(2), q), poly(L, L.mul(q, q), ATANH)));
    },
    /** Phi(x) = (1 + erf(x / sqrt 2)) / 2 for a bound x. */
    Phi: (x: Expr) => {
      const z = bind(L, tmp, out, L.min(L.max(L.mul(x, L.k(Math.SQRT1_2)), L.k(-4)), L.k(4)));
      const z2 = bind(L, tmp, out, L.mul(z, z));
      const e = L.div(L.mul(z, poly(L, z2, ERF_P)), poly(L, z2, ERF_Q));
      return L.mul(L.k(0.5), L.add(L.k(1), e));
    },
  };
}

const silu = rowKernel('silu', ['x', 'y'], (L, s, p, _g, tmp) => {
  const out: Expr[] = [];
  const m = math(L, s, tmp, out);
  const x = bind(L, tmp, out, L.load(p.x));
  out.push(L.store(p.y, m.silu(x)));
  return out;
});

const siluBackward = rowKernel('siluBackward', ['x', 'dy', 'dx'], (L, s, p, _g, tmp) => {
  const out: Expr[] = [];
  const m = math(L, s, tmp, out);
  const x = bind(L, tmp, out, L.load(p.x));
  out.push(L.store(p.dx, L.mul(L.load(p.dy), m.siluGrad(x))));
  return out;
});

const softplus = rowKernel('softplus', ['x', 'y'], (L, s, p, _g, tmp) => {
  const out: Expr[] = [];
  const m = math(L, s, tmp, out);
  const x = bind(L, tmp, out, L.load(p.x));
  out.push(L.store(p.y, m.softplus(x)));
  return out;
});

const softplusBackward = rowKernel('softplusBackward', ['x', 'dy', 'dx'], (L, s, p, _g, tmp) => {
  const out: Expr[] = [];
  const m = math(L, s, tmp, out);
  out.push(L.store(p.dx, L.mul(L.load(p.dy), m.sig(L.load(p.x)))));
  return out;
});

const gelu = rowKernel('gelu', ['x', 'y'], (L, s, p, _g, tmp) => {
  const out: Expr[] = [];
  const m = math(L, s, tmp, out);
  const x = bind(L, tmp, out, L.load(p.x));
  out.push(L.store(p.y, L.mul(x, m.Phi(x))));
  return out;
});

/** d/dx x Phi(x) = Phi(x) + x phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi). */
const geluBackward = rowKernel('geluBackward', ['x', 'dy', 'dx'], (L, s, p, _g, tmp) => {
  const out: Expr[] = [];
  const m = math(L, s, tmp, out);
  const x = bind(L, tmp, out, L.load(p.x));
  const Phi = bind(L, tmp, out, m.Phi(x));
  const phi = bind(L, tmp, out, L.mul(expFma(L, s, L.mul(L.mul(x, x), L.k(-0.5)), true), L.k(1 / Math.sqrt(2 * Math.PI))));
  out.push(L.store(p.dx, L.mul(L.load(p.dy), L.add(Phi, L.mul(x, phi)))));
  return out;
});

const gateSilu = rowKernel('gateSilu', ['y', 'z', 'out'], (L, s, p, _g, tmp) => {
  const out: Expr[] = [];
  const m = math(L, s, tmp, out);
  const z = bind(L, tmp, out, L.load(p.z));
  out.push(L.store(p.out, L.mul(L.load(p.y), m.silu(z))));
  return out;
});

const gateSiluBackward = rowKernel('gateSiluBackward', ['y', 'z', 'dout', 'dy', 'dz'], (L, s, p, _g, tmp) => {
  const out: Expr[] = [];
  const m = math(L, s, tmp, out);
  const z = bind(L, tmp, out, L.load(p.z));
  const d = bind(L, tmp, out, L.load(p.dout));
  const sg = m.sig(z);
  out.push(L.store(p.dy, L.mul(d, L.mul(z, sg))));
  out.push(L.store(p.dz, L.mul(L.mul(d, L.load(p.y)), L.mul(sg, L.add(L.k(1), L.mul(z, L.sub(L.k(1), sg)))))));
  return out;
});

/** o rows hold [a | b] (2H units, b at byte offset g1 = 4H); out rows hold H units. */
const glu = rowKernel('glu', ['o', 'out'], (L, s, p, g, tmp) => {
  const out: Expr[] = [];
  const m = math(L, s, tmp, out);
  out.push(L.store(p.out, L.mul(L.load(p.o), m.sig(L.load(p.o, g.g1)))));
  return out;
});

const gluBackward = rowKernel('gluBackward', ['o', 'dout', 'dO'], (L, s, p, g, tmp) => {
  const out: Expr[] = [];
  const m = math(L, s, tmp, out);
  const sg = m.sig(L.load(p.o, g.g1));
  const d = bind(L, tmp, out, L.load(p.dout));
  out.push(L.store(p.dO, L.mul(d, sg)));
  out.push(L.store(p.dO, L.mul(L.mul(d, L.load(p.o)), L.mul(sg, L.sub(L.k(1), sg))), g.g1));
  return out;
});

/** The SSM activation kernels for the runtime's table (./runtime.ts); all row kernels. */
export const ssmActivationKernels = {
  silu: kernel<RowKernel>(silu),
  siluBackward: kernel<RowKernel>(siluBackward),
  softplus: kernel<RowKernel>(softplus),
  softplusBackward: kernel<RowKernel>(softplusBackward),
  gelu: kernel<RowKernel>(gelu),
  geluBackward: kernel<RowKernel>(geluBackward),
  gateSilu: kernel<RowKernel>(gateSilu),
  gateSiluBackward: kernel<RowKernel>(gateSiluBackward),
  glu: kernel<RowKernel>(glu),
  gluBackward: kernel<RowKernel>(gluBackward),
};
