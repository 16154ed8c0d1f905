/**
 * Adam's update as a kernel, over n floats of one variable (Kingma & Ba 2015, bias-corrected,
 * as torch.optim.Adam and tf.train.adam), in float32 as both of them compute it:
 *
 *   adam(n, w, g, m, v, scale, lr, b1, b2, eps, bc1, bc2):
 *     g' = scale g;  m = b1 m + (1 - b1) g';  v = b2 v + (1 - b2) g'^2;
 *     w -= lr (m / bc1) / (sqrt(v / bc2) + eps)      (bc1 = 1 - b1^t, bc2 = 1 - b2^t)
 *
 * 4 lanes at a time, then a scalar tail. Its own module (`adamKernel`): each optimiser keeps
 * its moments in a memory of its own between steps (../../harness/optimizer.ts).
 */
import { pass } from '../wasm/rows.js';
import { assemble, Fn, Op, Ty } from '../wasm/assembler.js';

function adamFn(): Fn {
  const f = new Fn('adam', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.f32, Ty.f32, Ty.f32, Ty.f32, Ty.f32, Ty.f32, Ty.f32]);
  const [n, w, g, m, v, scale, lr, b1, b2, eps, bc1, bc2] = f.params;
  const c1 = f.local(Ty.f32); // 1 - b1
  const c2 = f.local(Ty.f32); // 1 - b2
  f.f32(1).get(b1).op(Op.f32Sub).set(c1);
  f.f32(1).get(b2).op(Op.f32Sub).set(c2);
  const gs = { v: f.local(Ty.v128), s: f.local(Ty.f32) };
  const ms = { v: f.local(Ty.v128), s: f.local(Ty.f32) };
  const vs = { v: f.local(Ty.v128), s: f.local(Ty.f32) };
  pass(f, n, (L, off) => {
    const pick = (x: { v: typeof gs.v; s: typeof gs.s }) => (L.width === 4 ? x.v : x.s);
    const gi = L.get(pick(gs));
    const mi = L.get(pick(ms));
    const vi = L.get(pick(vs));
    return [
      L.set(pick(gs), L.mul(L.load(g, off), L.bcast(scale))),
      L.set(pick(ms), L.add(L.mul(L.bcast(b1), L.load(m, off)), L.mul(L.bcast(c1), gi))),
      L.set(pick(vs), L.add(L.mul(L.bcast(b2), L.load(v, off)), L.mul(L.mul(L.bcast(c2), gi), gi))),
      L.store(m, mi, off),
      L.store(v, vi, off),
      L.store(w, L.sub(L.load(w, off), L.div(L.mul(L.bcast(lr), L.div(mi, L.bcast(bc1))), L.add(L.sqrt(L.div(vi, L.bcast(bc2))), L.bcast(eps)))), off),
    ];
  });
  return f;
}

export interface AdamKernel {
  adam(n: number, w: number, g: number, m: number, v: number, scale: number, lr: number, b1: number, b2: number, eps: number, bc1: number, bc2: number): void;
}

let compiled: WebAssembly.Module | undefined;

/** An instance of the Adam kernel over `memory` (the module is compiled once per process). */
export function adamKernel(memory: WebAssembly.Memory): AdamKernel {
  compiled ??= new WebAssembly.Module(assemble([adamFn()]));
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as AdamKernel;
}
