/**
 * Elementwise activations and gates, forward and backward, as flat row kernels (./rows.ts
 * `rowKernel`: rows of n floats, each array with its own byte stride; strides 0 and rows 1
 * for a flat buffer). One table, `ACTIVATIONS`, gives each activation's value and its
 * derivative; every kernel below is emitted from it:
 *
 *   act_<kind>(rows, n, x, xs, y, ys)                          y = f(x)
 *   actBackward_<kind>(rows, n, v, vs, dy, dys)                dy = dy f'(x), in place, where v is
 *                                                              x or y = f(x), whichever the kind's
 *                                                              slope reads (`ACTIVATIONS[kind].from`)
 *   gate_<kind>(rows, n, x, xs, g, gs, y, ys)                  y = x f(g)            (GLU-style gating)
 *   gateBackward_<kind>(rows, n, x, xs, g, gs, dy, dys, dg, dgs)
 *                                                              dg = dy x f'(g); dy = dy f(g), in place
 *
 * The kinds: sigmoid, tanh, relu, silu (x sigmoid(x)), elu1 (elu(x) + 1, the feature map
 * of linear attention, Katharopoulos et al. 2020) and mingru-g (minGRU's g: x + 0.5 for
 * x >= 0, sigmoid(x) below; Feng et al. 2024). Derivatives at the kinks follow PyTorch's
 * autograd: relu'(0) = 0; elu1 and mingru-g take the x >= 0 branch at 0 (slope 1).
 */
import { exp, sigmoid, tanh, type Expr, type Lanes, type Scratch } from '../wasm/lanes.js';
import { bind, rowKernel } from '../wasm/rows.js';
import type { Fn, Local } from '../wasm/assembler.js';

export const ACTIVATION_KINDS = ['sigmoid', 'tanh', 'relu', 'silu', 'elu1', 'mingru-g'] as const;
export type ActivationKind = (typeof ACTIVATION_KINDS)[number];

interface Activation {
  /** f(x). */
  value(L: Lanes, s: Scr, x: Expr): Expr;
  /** Which of x and y = f(x) the slope is computed from: a backward pass keeps only that one. */
  from: 'x' | 'y';
  /** f'(x), from v = x or y (see `from`; a bound local, cheap to read). */
  slope(L: Lanes, s: Scr, v: Expr): Expr;
}

export const ACTIVATIONS: Record<ActivationKind, Activation> = {
  sigmoid: { value: (L, s, x) => sigmoid(L, s, x), from: 'y', slope: (L, _s, y) => L.mul(y, L.sub(L.k(1), y)) },
  tanh: { value: (L, s, x) => tanh(L, s, x), from: 'y', slope: (L, _s, y) => L.sub(L.k(1), L.mul(y, y)) },
  relu: { value: (L, _s, x) => L.relu(x), from: 'y', slope: (L, _s, y) => L.positiveMask(L.k(1), y) }, // y > 0 exactly where x > 0
  // silu'(x) = s (1 + x (1 - s)), s = sigmoid(x) recomputed.
  silu: {
    value: (L, s, x) => L.mul(x, sigmoid(L, s, x)),
    from: 'x',
    slope: (L, s, x) => sigmoidTimes(L, s, x, (sg) => L.add(L.k(1), L.mul(x, L.sub(L.k(1), sg)))),
  },
  // elu(x) + 1 = x + 1 (x > 0), exp(x) (x <= 0): the slope is 1, resp. exp(x) = y, i.e. min(y, 1).
  elu1: { value: (L, s, x) => L.whereNonNegative(x, L.add(x, L.k(1)), exp(L, s, x)), from: 'y', slope: (L, _s, y) => L.min(y, L.k(1)) },
  // From x, not y: y >= 0.5 tells the branch too, except where sigmoid(x < 0) rounds to 0.5 (|x| < 1e-7).
  'mingru-g': {
    value: (L, s, x) => L.whereNonNegative(x, L.add(x, L.k(0.5)), sigmoid(L, s, x)),
    from: 'x',
    slope: (L, s, x) =>
      L.whereNonNegative(
        x,
        L.k(1),
        sigmoidTimes(L, s, x, (sg) => L.sub(L.k(1), sg)),
      ),
  },
};

/** The activations' scratch locals: lanes.ts's three, and one for a sigmoid used twice. */
type Scr = Scratch & { sg: Local };
const sc = (s: Scratch, tmp: () => Local): Scr => ({ ...s, sg: tmp() });

/** sigmoid(x) * rest(sigmoid(x)), sigmoid(x) evaluated once (into s.sg). */
function sigmoidTimes(L: Lanes, s: Scr, x: Expr, rest: (sg: Expr) => Expr): Expr {
  return (f) => {
    L.set(s.sg, sigmoid(L, s, x))(f);
    L.mul(L.get(s.sg), rest(L.get(s.sg)))(f);
  };
}

type Underscored<S extends string> = S extends `${infer A}-${infer B}` ? `${A}_${Underscored<B>}` : S;
export type ActivationOp = 'act' | 'actBackward' | 'gate' | 'gateBackward';
/** An activation kernel's export name, e.g. `gate_silu`, `act_mingru_g`. */
export type ActivationKernelName = `${ActivationOp}_${Underscored<ActivationKind>}`;

/** Kernel names, one set per kind (the identifiers are WebAssembly export names, so no dash). */
export const kernelName = (op: ActivationOp, kind: ActivationKind) => `${op}_${kind.replaceAll('-', '_')}` as ActivationKernelName;

function activationFns(kind: ActivationKind): Fn[] {
  const A = ACTIVATIONS[kind];
  return [
    rowKernel(kernelName('act', kind), ['x', 'y'], (L, s, p, _g, tmp) => [L.store(p.y, A.value(L, sc(s, tmp), L.load(p.x)))]),
    rowKernel(kernelName('actBackward', kind), ['v', 'dy'], (L, s, p, _g, tmp) => {
      const out: Expr[] = [];
      const v = bind(L, tmp, out, L.load(p.v));
      out.push(L.store(p.dy, L.mul(L.load(p.dy), A.slope(L, sc(s, tmp), v))));
      return out;
    }),
    rowKernel(kernelName('gate', kind), ['x', 'g', 'y'], (L, s, p, _g, tmp) => [L.store(p.y, L.mul(L.load(p.x), A.value(L, sc(s, tmp), L.load(p.g))))]),
    rowKernel(kernelName('gateBackward', kind), ['x', 'g', 'dy', 'dg'], (L, s, p, _g, tmp) => {
      const out: Expr[] = [];
      const scr = sc(s, tmp);
      const g = bind(L, tmp, out, L.load(p.g));
      const y = bind(L, tmp, out, A.value(L, scr, g));
      const dy = bind(L, tmp, out, L.load(p.dy));
      out.push(L.store(p.dg, L.mul(L.mul(dy, L.load(p.x)), A.slope(L, scr, A.from === 'x' ? g : y))));
      out.push(L.store(p.dy, L.mul(dy, y)));
      return out;
    }),
  ];
}

export const activationKernelFns = ACTIVATION_KINDS.flatMap(activationFns);
