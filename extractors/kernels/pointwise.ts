/**
 * Elementwise activations and gates, forward and backward, as flat row kernels (./rows.ts
 * `rowKernel`: rows of n floats, each array with its own byte stride; strides 0 and rows 1
 * for a flat buffer). One table, `ACTIVATIONS`, gives each activation's value and its
 * derivative; every kernel below is emitted from it:
 *
 *   act_<kind>(rows, n, x, xs, y, ys)                          y = f(x)
 *   actBackward_<kind>(rows, n, x, xs, y, ys, dy, dys)         dy = dy f'(x), in place (y = f(x) as saved)
 *   gate_<kind>(rows, n, x, xs, g, gs, y, ys)                  y = x f(g)            (GLU-style gating)
 *   gateBackward_<kind>(rows, n, x, xs, g, gs, dy, dys, dg, dgs)
 *                                                              dg = dy x f'(g); dy = dy f(g), in place
 *
 * The kinds: sigmoid, tanh, relu, silu (x sigmoid(x)), elu1 (elu(x) + 1, the feature map
 * of linear attention, Katharopoulos et al. 2020) and mingru-g (minGRU's g: x + 0.5 for
 * x >= 0, sigmoid(x) below; Feng et al. 2024). Derivatives at the kinks follow PyTorch's
 * autograd: relu'(0) = 0; elu1 and mingru-g take the x >= 0 branch at 0 (slope 1).
 */
import { exp, sigmoid, tanh, type Expr, type Lanes, type Scratch } from './lanes.js';
import { bind, rowKernel } from './rows.js';
import type { Fn } from './wasm.js';

export const ACTIVATION_KINDS = ['sigmoid', 'tanh', 'relu', 'silu', 'elu1', 'mingru-g'] as const;
export type ActivationKind = (typeof ACTIVATION_KINDS)[number];

interface Activation {
  /** f(x). */
  value(L: Lanes, s: Scratch, x: Expr): Expr;
  /** f'(x), given x and y = f(x) (both cheap to read: bound locals). */
  slope(L: Lanes, s: Scratch, x: Expr, y: Expr): Expr;
}

export const ACTIVATIONS: Record<ActivationKind, Activation> = {
  sigmoid: { value: (L, s, x) => sigmoid(L, s, x), slope: (L, _s, _x, y) => L.mul(y, L.sub(L.k(1), y)) },
  tanh: { value: (L, s, x) => tanh(L, s, x), slope: (L, _s, _x, y) => L.sub(L.k(1), L.mul(y, y)) },
  relu: { value: (L, _s, x) => L.relu(x), slope: (L, _s, x) => L.positiveMask(L.k(1), x) },
  // silu'(x) = s + x s (1 - s) = s + y (1 - s), with s = sigmoid(x) recomputed.
  silu: { value: (L, s, x) => L.mul(x, sigmoid(L, s, x)), slope: (L, s, x, y) => ((sg) => L.add(sg, L.mul(y, L.sub(L.k(1), sg))))(sigmoid(L, s, x)) },
  // elu(x) + 1 = x + 1 (x > 0), exp(x) (x <= 0): the slope is 1, resp. exp(x) = y, i.e. min(y, 1).
  elu1: { value: (L, s, x) => L.whereNonNegative(x, L.add(x, L.k(1)), exp(L, s, x)), slope: (L, _s, _x, y) => L.min(y, L.k(1)) },
  'mingru-g': {
    value: (L, s, x) => L.whereNonNegative(x, L.add(x, L.k(0.5)), sigmoid(L, s, x)),
    slope: (L, _s, x, y) => L.whereNonNegative(x, L.k(1), L.mul(y, L.sub(L.k(1), y))),
  },
};

type Underscored<S extends string> = S extends `${infer A}-${infer B}` ? `${A}_${Underscored<B>}` : S;
export type ActivationOp = 'act' | 'actBackward' | 'gate' | 'gateBackward';
/** An activation kernel's export name, e.g. `gate_silu`, `act_mingru_g`. */
export type ActivationKernelName = `${ActivationOp}_${Underscored<ActivationKind>}`;

/** Kernel names, one set per kind (the identifiers are WebAssembly export names, so no dash). */
export const kernelName = (op: ActivationOp, kind: ActivationKind) => `${op}_${kind.replaceAll('-', '_')}` as ActivationKernelName;

function activationFns(kind: ActivationKind): Fn[] {
  const A = ACTIVATIONS[kind];
  return [
    rowKernel(kernelName('act', kind), ['x', 'y'], (L, s, p) => [L.store(p.y, A.value(L, s, L.load(p.x)))]),
    rowKernel(kernelName('actBackward', kind), ['x', 'y', 'dy'], (L, s, p, _g, tmp) => {
      const out: Expr[] = [];
      const x = bind(L, tmp, out, L.load(p.x));
      const y = bind(L, tmp, out, L.load(p.y));
      out.push(L.store(p.dy, L.mul(L.load(p.dy), A.slope(L, s, x, y))));
      return out;
    }),
    rowKernel(kernelName('gate', kind), ['x', 'g', 'y'], (L, s, p) => [L.store(p.y, L.mul(L.load(p.x), A.value(L, s, L.load(p.g))))]),
    rowKernel(kernelName('gateBackward', kind), ['x', 'g', 'dy', 'dg'], (L, s, p, _g, tmp) => {
      const out: Expr[] = [];
      const g = bind(L, tmp, out, L.load(p.g));
      const y = bind(L, tmp, out, A.value(L, s, g));
      const dy = bind(L, tmp, out, L.load(p.dy));
      out.push(L.store(p.dg, L.mul(L.mul(dy, L.load(p.x)), A.slope(L, s, g, y))));
      out.push(L.store(p.dy, L.mul(dy, y)));
      return out;
    }),
  ];
}

export const activationKernelFns = ACTIVATION_KINDS.flatMap(activationFns);
