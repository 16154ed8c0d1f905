/**
 * Subnormal flushing (`setFlushSubnormals`, on by default): the kernels that carry state or
 * gradients through time write values of magnitude below 2^-126 as 0 when flushing is on and
 * keep them when it is off; normal-range values come out bit for bit the same either way, and
 * NaN and infinities pass.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { withBuffers } from '../helpers/kernelBuffers.js';
import { flushesSubnormals, kernels, setFlushSubnormals } from '../../kernels/runtime/runtime.js';
import { SMALLEST_NORMAL } from '../../kernels/wasm/lanes.js';

const K = kernels();
const [B, H] = [3, 6]; // one 4-lane group and a 2-unit scalar tail per row
const SUB = 2 ** -140; // subnormal in float32
const isSubnormal = (x: number) => x !== 0 && Math.abs(x) < SMALLEST_NORMAL;

const run = (arrays: Record<string, ArrayLike<number>>, body: (at: Record<string, number>) => void) => withBuffers(K, arrays, body);

/** The same kernel call with flushing on and off. */
function bothWays(arrays: Record<string, ArrayLike<number>>, body: (at: Record<string, number>) => void) {
  setFlushSubnormals(true);
  const on = run(arrays, body);
  setFlushSubnormals(false);
  const off = run(arrays, body);
  setFlushSubnormals(true);
  return { on, off };
}

const random = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
const row = 4 * H;

afterEach(() => setFlushSubnormals(true));

describe('flushing subnormals in the kernels', () => {
  it('is on by default', () => {
    expect(flushesSubnormals()).toBe(true);
    expect(K.flushes).toBe(true);
  });

  it('rnn backward: a subnormal gradient comes out 0 when flushing, subnormal when not; NaN and infinity pass', () => {
    const n = B * H;
    const dy = new Float32Array(n).fill(SUB);
    dy[1] = Number.NaN;
    dy[5] = Number.POSITIVE_INFINITY; // in the scalar tail
    const arrays = { xg: new Float32Array(n), y: new Float32Array(n), dy, dh: new Float32Array(n).fill(SUB) };
    const { on, off } = bothWays(arrays, (a) => K.fns.rnnBackward(B, H, a.xg, row, a.y, row, a.dy, row, a.dh, row));
    for (let i = 0; i < n; i++) {
      if (i === 1) expect(Number.isNaN(on.xg[i]) && Number.isNaN(off.xg[i])).toBe(true);
      else if (i === 5) expect([on.xg[i], off.xg[i]]).toEqual([Infinity, Infinity]);
      else {
        expect(on.xg[i], `flushed ${i}`).toBe(0);
        expect(isSubnormal(off.xg[i]), `kept ${i}: ${off.xg[i]}`).toBe(true);
      }
    }
  });

  it('rnn with ReLU: a subnormal output (the carried state) and a subnormal gradient come out 0 when flushing, subnormal when not', () => {
    const n = B * H;
    const xg = new Float32Array(n).fill(SUB); // relu(SUB + 0) = SUB: a subnormal state
    xg[2] = 0.5; // normal values pass unchanged
    const fwd = bothWays({ xg, bias: new Float32Array(H), y: new Float32Array(n) }, (a) => K.fns.rnnReluForward(B, H, a.xg, row, a.bias, 0, a.y, row));
    const y = Float32Array.from({ length: n }, (_, i) => (i === 2 ? 0.5 : 1)); // y > 0: the gradient passes the mask
    const dy = new Float32Array(n).fill(SUB);
    dy[5] = Number.NaN; // in the scalar tail
    const back = bothWays({ xg: new Float32Array(n), y, dy, dh: new Float32Array(n).fill(SUB) }, (a) =>
      K.fns.rnnReluBackward(B, H, a.xg, row, a.y, row, a.dy, row, a.dh, row),
    );
    for (let i = 0; i < n; i++) {
      if (i === 2) expect([fwd.on.y[i], fwd.off.y[i]]).toEqual([0.5, 0.5]);
      else {
        expect(fwd.on.y[i], `flushed y ${i}`).toBe(0);
        expect(isSubnormal(fwd.off.y[i]), `kept y ${i}`).toBe(true);
      }
      if (i === 5) expect(Number.isNaN(back.on.xg[i]) && Number.isNaN(back.off.xg[i])).toBe(true);
      else {
        expect(back.on.xg[i], `flushed d pre ${i}`).toBe(0);
        expect(isSubnormal(back.off.xg[i]), `kept d pre ${i}: ${back.off.xg[i]}`).toBe(true);
      }
    }
  });

  it('lstm backward: the carried dc and every gate gradient are flushed', () => {
    const n = B * H;
    const rng = new Rng('flush/lstm');
    const gates = Float32Array.from({ length: 4 * n }, () => 0.5 + 0.4 * rng.uniform()); // activated gates in (0, 1)
    const arrays = {
      xg: gates,
      c: random(rng, n),
      cPrev: random(rng, n),
      dy: new Float32Array(n).fill(SUB),
      dh: new Float32Array(n),
      dc: new Float32Array(n).fill(SUB),
    };
    const G = 4 * row;
    const { on, off } = bothWays(arrays, (a) => K.fns.lstmBackward(B, H, a.xg, G, a.c, row, a.cPrev, row, a.dy, row, a.dh, row, a.dc, row));
    expect([...on.xg].every((x) => x === 0)).toBe(true);
    expect([...on.dc].every((x) => x === 0)).toBe(true);
    expect([...off.dc].some(isSubnormal)).toBe(true);
    expect([...off.xg].some(isSubnormal)).toBe(true);
  });

  it('the linear scan: a state decaying into the subnormal range becomes 0 forward, and its gradient backward', () => {
    const T = 40;
    const W = H;
    // h_t = 0.1 h_{t-1} + b_t with b = 1 at t = 0 only: h_t = 10^-t, subnormal from t = 38 on.
    const a = new Float32Array(T * W).fill(0.1);
    const b = new Float32Array(T * W);
    b.fill(1, 0, W);
    const { on, off } = bothWays({ a, b, h: new Float32Array(T * W) }, (p) => K.fns.scan_linear(1, T, W, p.a, p.b, 0, p.h, T * W, W));
    const at = (h: Float32Array, t: number) => h[t * W];
    expect(at(on.h, 37)).toBeGreaterThan(0); // 1e-37: still normal
    expect(at(on.h, 38)).toBe(0);
    expect(isSubnormal(at(off.h, 38))).toBe(true);
    // Backward: G_t = g_t + a_{t+1} G_{t+1}, g = 1 at the last step only: G_t = 10^-(T-1-t).
    const g = new Float32Array(T * W);
    g.fill(1, (T - 1) * W);
    const grads = { a, b, h: off.h, g, da: new Float32Array(T * W), db: new Float32Array(T * W) };
    const back = bothWays(grads, (p) => K.fns.scanBackward_linear(1, T, W, p.a, p.b, p.h, 0, p.g, p.da, p.db, 0, T * W, W));
    expect(back.on.g[0]).toBe(0); // 1e-39 at t = 0
    expect(isSubnormal(back.off.g[0])).toBe(true);
  });

  it('normal-range values are bit for bit the same with flushing on and off', () => {
    const rng = new Rng('flush/normal');
    const n = B * H;
    const G = 4 * row;
    const arrays = {
      xg: Float32Array.from({ length: 4 * n }, () => 0.2 + 0.6 * rng.uniform()),
      c: random(rng, n),
      cPrev: random(rng, n),
      dy: random(rng, n),
      dh: random(rng, n),
      dc: random(rng, n),
    };
    const { on, off } = bothWays(arrays, (a) => K.fns.lstmBackward(B, H, a.xg, G, a.c, row, a.cPrev, row, a.dy, row, a.dh, row, a.dc, row));
    expect(on.xg).toEqual(off.xg);
    expect(on.dc).toEqual(off.dc);
    expect([...on.xg].every((x) => x === 0 || Math.abs(x) >= SMALLEST_NORMAL)).toBe(true);
  });
});
