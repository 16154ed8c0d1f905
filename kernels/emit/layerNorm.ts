/**
 * LayerNorm over the last axis (nn.LayerNorm), forward and backward, on rows of [n, cols]:
 *
 *   layerNorm(n, cols, x, y, w, b, stats, eps):
 *     mean = sum x / cols;  var = sum (x - mean)^2 / cols (biased, as PyTorch);
 *     std = sqrt(var + eps);  y = (x - mean) / std w + b;  stats[r] = (mean, std)
 *   layerNormBackward(n, cols, x, dy, w, stats, dx, dw, db), with xhat = (x - mean) / std,
 *     g = dy w:  dx = (g - mean(g) - xhat mean(g xhat)) / std;
 *     dw += sum over rows of dy xhat;  db += sum over rows of dy   (dw, db zeroed by the caller)
 *
 * Dividing by std (rather than multiplying by a rounded 1/std) rounds once per element, as
 * the tf-ops version did; it keeps the forward pass smooth enough for the finite-difference
 * gradient checks of tiny models, where LayerNorm over 4 features amplifies rounding noise.
 */
import type { Expr, Lanes } from '../wasm/lanes.js';
import { accumulator, pass, reducingPass, rows, type Accumulator } from '../wasm/rows.js';
import { Fn, kernel, Op, Ty, type Local } from '../wasm/assembler.js';

/** Sum over a row of `term`, into `acc.into`. */
function rowSum(f: Fn, cols: Local, acc: Accumulator, term: (L: Lanes, off: Local) => Expr): void {
  reducingPass(f, cols, [acc], (L, off, [a]) => [L.set(a, L.add(L.get(a), term(L, off)))]);
}

function forwardFn(): Fn {
  const f = new Fn('layerNorm', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.f32]);
  const [n, cols, x, y, w, b, stats, eps] = f.params;
  const rx = f.local(Ty.i32);
  const ry = f.local(Ty.i32);
  const sumX = accumulator(f, Op.f32Add);
  const sumSq = accumulator(f, Op.f32Add);
  const mean = sumX.into;
  const std = sumSq.into;
  const st = f.local(Ty.i32);
  const two = f.local(Ty.i32);
  f.i32(2).set(two);
  rows(
    f,
    n,
    [
      [x, cols, rx],
      [y, cols, ry],
      [stats, two, st],
    ],
    () => {
      rowSum(f, cols, sumX, (L, off) => L.load(rx, off));
      f.get(mean).get(cols).op(Op.f32ConvertI32S).op(Op.f32Div).set(mean);
      rowSum(f, cols, sumSq, (L, off) => {
        const c = (l: Lanes) => l.sub(l.load(rx, off), l.bcast(mean));
        return L.mul(c(L), c(L));
      });
      // std = sqrt(sum / cols + eps)
      f.get(std).get(cols).op(Op.f32ConvertI32S).op(Op.f32Div).get(eps).op(Op.f32Add).op(Op.f32Sqrt).set(std);
      pass(f, cols, (L, off) => [L.store(ry, L.add(L.mul(L.div(L.sub(L.load(rx, off), L.bcast(mean)), L.bcast(std)), L.load(w, off)), L.load(b, off)), off)]);
      f.get(st).get(mean).mem(Op.f32Store);
      f.get(st).get(std).mem(Op.f32Store, 4);
    },
  );
  return f;
}

function backwardFn(): Fn {
  const f = new Fn('layerNormBackward', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32]);
  const [n, cols, x, dy, w, stats, dx, dw, db] = f.params;
  const rx = f.local(Ty.i32);
  const rdy = f.local(Ty.i32);
  const rdx = f.local(Ty.i32);
  const st = f.local(Ty.i32);
  const mean = f.local(Ty.f32);
  const std = f.local(Ty.f32);
  const sg = accumulator(f, Op.f32Add);
  const sgx = accumulator(f, Op.f32Add);
  const mg = sg.into; // mean(g), g = dy w
  const mgx = sgx.into; // mean(g xhat)
  const two = f.local(Ty.i32);
  f.i32(2).set(two);
  rows(
    f,
    n,
    [
      [x, cols, rx],
      [dy, cols, rdy],
      [dx, cols, rdx],
      [stats, two, st],
    ],
    () => {
      f.get(st).mem(Op.f32Load).set(mean);
      f.get(st).mem(Op.f32Load, 4).set(std);
      const xhat = (L: Lanes, off: Local) => L.div(L.sub(L.load(rx, off), L.bcast(mean)), L.bcast(std));
      // One pass: sums of g and g xhat for this row; dw, db accumulate over rows.
      reducingPass(f, cols, [sg, sgx], (L, off, [a1, a2]) => {
        const g = L.mul(L.load(rdy, off), L.load(w, off));
        return [
          L.set(a1, L.add(L.get(a1), g)),
          L.set(a2, L.add(L.get(a2), L.mul(g, xhat(L, off)))),
          L.store(dw, L.add(L.load(dw, off), L.mul(L.load(rdy, off), xhat(L, off))), off),
          L.store(db, L.add(L.load(db, off), L.load(rdy, off)), off),
        ];
      });
      f.get(mg).get(cols).op(Op.f32ConvertI32S).op(Op.f32Div).set(mg);
      f.get(mgx).get(cols).op(Op.f32ConvertI32S).op(Op.f32Div).set(mgx);
      pass(f, cols, (L, off) => [
        L.store(rdx, L.div(L.sub(L.sub(L.mul(L.load(rdy, off), L.load(w, off)), L.bcast(mg)), L.mul(xhat(L, off), L.bcast(mgx))), L.bcast(std)), off),
      ]);
    },
  );
  return f;
}

/** The LayerNorm kernels for the runtime's table (./runtime.ts): rows of [n, cols], contiguous; stats [n, 2] = (mean, std) per row. */
export const layerNormKernels = {
  layerNorm: kernel<(n: number, cols: number, x: number, y: number, w: number, b: number, stats: number, eps: number) => void>(forwardFn()),
  layerNormBackward: kernel<(n: number, cols: number, x: number, dy: number, w: number, stats: number, dx: number, dw: number, db: number) => void>(
    backwardFn(),
  ),
};
