/**
 * The linear-attention kernels (extractors/kernels/linearAttention.ts), one head of one
 * sequence, against a float64 reference of the RNN form: outputs, and the gradients of
 * loss = sum(o * r) against central differences of the float64 reference (exact to ~1e-9).
 * Rows are strided as in the encoder (q, k, v in [T, 3d] rows, o in [T, d] rows), head widths
 * 2, 6 and 8 reach the scalar tail and the 4-wide loop, causal and not.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { kernels } from '../../kernels/runtime/runtime.js';

const K = kernels();
const EPS = 1e-6;

/** o [T, dh] (float64) of one head; q, k, v [T, dh] dense. */
function reference(T: number, dh: number, q: Float64Array, k: Float64Array, v: Float64Array, causal: boolean): Float64Array {
  const S = new Float64Array(dh * dh);
  const z = new Float64Array(dh);
  const add = (t: number) => {
    for (let i = 0; i < dh; i++) {
      z[i] += k[t * dh + i];
      for (let j = 0; j < dh; j++) S[i * dh + j] += k[t * dh + i] * v[t * dh + j];
    }
  };
  if (!causal) for (let t = 0; t < T; t++) add(t);
  const o = new Float64Array(T * dh);
  for (let t = 0; t < T; t++) {
    if (causal) add(t);
    let den = EPS;
    for (let i = 0; i < dh; i++) den += q[t * dh + i] * z[i];
    for (let j = 0; j < dh; j++) {
      let num = 0;
      for (let i = 0; i < dh; i++) num += q[t * dh + i] * S[i * dh + j];
      o[t * dh + j] = num / den;
    }
  }
  return o;
}

function lossOf(o: Float64Array, r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < o.length; i++) s += o[i] * r[i];
  return s;
}

describe('linear attention kernels against float64', () => {
  for (const [T, dh, causal] of [
    [5, 2, true],
    [7, 6, true],
    [17, 8, true],
    [1, 6, true],
    [6, 6, false],
    [9, 8, false],
  ] as [number, number, boolean][]) {
    it(`T ${T}, dh ${dh}, ${causal ? 'causal' : 'not causal'}`, () => {
      const rng = new Rng(`kernels/linattn/${T}/${dh}/${causal}`);
      const heads = 2;
      const d = heads * dh;
      const ld = 3 * d; // the encoder's QKV rows; this head is head 1
      const col = dh; // head 1's channel offset
      const dense = (lo: number, hi: number) => Float64Array.from({ length: T * dh }, () => lo + (hi - lo) * rng.uniform());
      const q = dense(0.05, 2); // phi(.) > 0
      const k = dense(0.05, 2);
      const v = dense(-1, 1);
      const r = dense(-1, 1);
      const mark = K.mark();
      try {
        const QKV = K.zeros(T * ld);
        const O = K.zeros(T * d);
        const GO = K.zeros(T * d);
        const heap = () => K.heap;
        for (let t = 0; t < T; t++) {
          for (let c = 0; c < dh; c++) {
            heap()[(QKV >> 2) + t * ld + col + c] = q[t * dh + c];
            heap()[(QKV >> 2) + t * ld + d + col + c] = k[t * dh + c];
            heap()[(QKV >> 2) + t * ld + 2 * d + col + c] = v[t * dh + c];
            heap()[(GO >> 2) + t * d + col + c] = r[t * dh + c];
          }
        }
        const den = K.alloc(T);
        const [S, z, R, rr, gn, gd] = [K.alloc(dh * dh), K.alloc(dh), K.alloc(dh * dh), K.alloc(dh), K.alloc(T * dh), K.alloc(T)];
        const qa = QKV + 4 * col;
        const ka = QKV + 4 * (d + col);
        const va = QKV + 4 * (2 * d + col);
        K.fns.linearAttention(T, dh, qa, ka, va, ld, O + 4 * col, d, den, S, z, EPS, causal ? 1 : 0);
        const want = reference(T, dh, q, k, v, causal);
        let err = 0;
        for (let t = 0; t < T; t++) for (let c = 0; c < dh; c++) err = Math.max(err, Math.abs(K.heap[(O >> 2) + t * d + col + c] - want[t * dh + c]));
        expect(err, 'o').toBeLessThan(1e-5);
        // Other heads' channels are left alone.
        for (let t = 0; t < T; t++) for (let c = 0; c < dh; c++) expect(K.heap[(O >> 2) + t * d + c]).toBe(0);

        const dQKV = K.alloc(T * ld);
        K.heap.fill(7, dQKV >> 2, (dQKV >> 2) + T * ld); // every entry of the head must be written
        K.fns.linearAttentionBackward(
          T,
          dh,
          qa,
          ka,
          va,
          ld,
          O + 4 * col,
          d,
          den,
          GO + 4 * col,
          dQKV + 4 * col,
          dQKV + 4 * (d + col),
          dQKV + 4 * (2 * d + col),
          S,
          z,
          R,
          rr,
          gn,
          gd,
          causal ? 1 : 0,
        );
        // Central differences of the float64 reference, entry by entry.
        const h = 1e-6;
        for (const [name, arr, off] of [
          ['q', q, 0],
          ['k', k, d],
          ['v', v, 2 * d],
        ] as const) {
          let gerr = 0;
          for (let i = 0; i < T * dh; i++) {
            const keep = arr[i];
            arr[i] = keep + h;
            const fp = lossOf(reference(T, dh, q, k, v, causal), r);
            arr[i] = keep - h;
            const fm = lossOf(reference(T, dh, q, k, v, causal), r);
            arr[i] = keep;
            const numeric = (fp - fm) / (2 * h);
            const t = Math.floor(i / dh);
            const c = i % dh;
            gerr = Math.max(gerr, Math.abs(K.heap[(dQKV >> 2) + t * ld + off + col + c] - numeric));
          }
          expect(gerr, `d${name}`).toBeLessThan(1e-4);
        }
      } finally {
        K.release(mark);
      }
    });
  }
});
