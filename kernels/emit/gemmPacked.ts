/**
 * The main matrix product kernel: packed panels (the GotoBLAS / BLIS scheme), for the full
 * 4-row x 8-column tiles of C. ./gemm.ts (`gemmSimple`) does the edges and small products;
 * `Kernels.gemm` (./runtime.ts) splits a product between the two.
 *
 *   packB(K, N8, b, ldb, bp):   bp[jp][k][0..7] = B[k, 8 jp .. 8 jp + 7]     (N8 % 8 = 0)
 *   gemmPacked(M4, N8, K, a, rsa, csa, bp, c, ldc, acc, ap, bias, relu):
 *     C[i, j] = act((acc ? C[i, j] : bias ? bias[j] : 0) + sum_k A[i, k] B[k, j]) for i < M4, j < N8
 *     (multiples of 4, 8) with A strided as in gemmSimple, B packed by packB, ap a work area of
 *     MC*KC floats, and the epilogue of gemmSimple (bias row, relu).
 *
 * Why packing: the 4 x 8 tile needs, per k, 8 floats of B and 4 of A. Read from their
 * matrices that is 5 pointers stepping by strides (A's 4 rows, B's row), and an A read
 * transposed (dW = dY^T X) touches a new cache line per k. Packed, A's panel is
 * [k][4] and B's [k][8], both contiguous, so the k loop reads each through one pointer with
 * constant offsets: 2 pointer increments per k instead of 5, in a kernel bound by
 * instruction issue (hence also fused multiply-add where the engine has it: ./features.ts). Measured ~1.2x gemmSimple on the
 * large products, more where A is read transposed.
 *
 * Blocking: K in blocks of KC (a [KC][8] panel of B, 8 KB, stays in L1 while the row tiles
 * of an A block pass over it); M in blocks of MC (the packed A block, MC x KC floats = 64 KB,
 * stays in L2 while every column panel of B passes over it).
 */
import { KC } from './gemm.js';
import { Fn, kernel, Op, Simd, Ty, type Local } from '../wasm/assembler.js';

export { KC };
export const MC = 64;
/**
 * Rows of the micro-tile (C tile MR x 8, 2 MR f32x4 accumulators). 6 rows (12 accumulators +
 * 3 operands = the 15 vector registers V8 allocates) measured 1.4x slower than 4: it spills.
 */
export const MR = 4;

/** bp[jp][k][8] = B[k][8 jp ..]; K rows, N8 columns (a multiple of 8). */
function packBFn(): Fn {
  const f = new Fn('packB', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32]);
  const [K, N8, b, ldb, bp] = f.params;
  const jp = f.local(Ty.i32);
  const k = f.local(Ty.i32);
  const src = f.local(Ty.i32);
  const dst = f.local(Ty.i32);
  const ldb4 = f.local(Ty.i32);
  f.get(ldb).i32(2).op(Op.i32Shl).set(ldb4);
  f.get(bp).set(dst);
  f.for(
    jp,
    () => f.i32(0),
    () => f.get(N8),
    8,
    () => {
      f.get(b).get(jp).i32(2).op(Op.i32Shl).op(Op.i32Add).set(src); // &B[0][jp]
      f.for(
        k,
        () => f.i32(0),
        () => f.get(K),
        1,
        () => {
          f.get(dst).get(src).vmem(Simd.load).vmem(Simd.store);
          f.get(dst).get(src).vmem(Simd.load, 16).vmem(Simd.store, 16);
          f.get(dst).i32(32).op(Op.i32Add).set(dst);
          f.get(src).get(ldb4).op(Op.i32Add).set(src);
        },
      );
    },
  );
  return f;
}

interface L {
  // parameters
  K: Local;
  a: Local;
  rsa: Local;
  csa: Local;
  c: Local;
  ldc: Local;
  ap: Local;
  bias: Local;
  // loop state
  kc: Local;
  mc: Local;
  first: Local;
  last: Local; // last K block with the relu epilogue
  jp: Local; // column of the tile (for the bias)
  pa: Local;
  pb: Local;
  pc: Local;
  n: Local;
  acc: Local[]; // 8 x v128, row r column half h at acc[2 r + h]
  av: Local;
  b0: Local;
  b1: Local;
}

/** ap[ip][k][r] = A[ic + MR ip + r, pc + k] for the current block (mc rows, kc columns), A at pa. */
function packA(f: Fn, l: L): void {
  const ip = f.local(Ty.i32);
  const k = f.local(Ty.i32);
  const dst = f.local(Ty.i32);
  const rows = Array.from({ length: MR }, () => f.local(Ty.i32));
  const csa4 = f.local(Ty.i32);
  f.get(l.csa).i32(2).op(Op.i32Shl).set(csa4);
  f.get(l.ap).set(dst);
  f.for(
    ip,
    () => f.i32(0),
    () => f.get(l.mc),
    MR,
    () => {
      // rows[r] = &A[ip + r][0] of the block
      for (let r = 0; r < MR; r++) f.get(l.pa).get(ip).i32(r).op(Op.i32Add).get(l.rsa).op(Op.i32Mul).i32(2).op(Op.i32Shl).op(Op.i32Add).set(rows[r]);
      f.for(
        k,
        () => f.i32(0),
        () => f.get(l.kc),
        1,
        () => {
          for (let r = 0; r < MR; r++) {
            f.get(dst)
              .get(rows[r])
              .mem(Op.f32Load)
              .mem(Op.f32Store, 4 * r);
            f.get(rows[r]).get(csa4).op(Op.i32Add).set(rows[r]);
          }
          f.get(dst)
            .i32(4 * MR)
            .op(Op.i32Add)
            .set(dst);
        },
      );
    },
  );
}

/** One k step of the micro-kernel: 8 floats of the B panel, MR of the A panel, 2 MR multiply-adds of f32x4. */
function microStep(f: Fn, l: L): void {
  f.get(l.pb).vmem(Simd.load).set(l.b0);
  f.get(l.pb).vmem(Simd.load, 16).set(l.b1);
  for (let r = 0; r < MR; r++) {
    f.get(l.pa)
      .vmem(Simd.load32Splat, 4 * r)
      .set(l.av);
    f.madd(l.acc[2 * r], l.av, l.b0);
    f.madd(l.acc[2 * r + 1], l.av, l.b1);
  }
}

/** The MR x 8 tile of C at pc += A panel (pa) x B panel (pb), over kc steps. */
function micro(f: Fn, l: L): void {
  const row = (r: number) => {
    f.get(l.pc);
    if (r > 0)
      f.get(l.ldc)
        .i32(4 * r)
        .op(Op.i32Mul)
        .op(Op.i32Add);
  };
  f.get(l.first).if(
    () => {
      f.get(l.bias).if(
        () => {
          for (let r = 0; r < MR; r++)
            for (let h = 0; h < 2; h++)
              f.get(l.bias)
                .get(l.jp)
                .i32(2)
                .op(Op.i32Shl)
                .op(Op.i32Add)
                .vmem(Simd.load, 16 * h)
                .set(l.acc[2 * r + h]);
        },
        () => {
          for (const a of l.acc) f.splat(0).set(a);
        },
      );
    },
    () => {
      for (let r = 0; r < MR; r++)
        for (let h = 0; h < 2; h++) {
          row(r);
          f.vmem(Simd.load, 16 * h).set(l.acc[2 * r + h]);
        }
    },
  );
  // Not unrolled: unrolling by 2 or 4 measured 1.4x and 2.2x slower (V8 hoists the
  // unrolled loads and runs out of the 16 vector registers).
  f.get(l.kc).set(l.n);
  f.get(l.n).if(() =>
    f.loop(() => {
      microStep(f, l);
      f.get(l.pa)
        .i32(4 * MR)
        .op(Op.i32Add)
        .set(l.pa);
      f.get(l.pb).i32(32).op(Op.i32Add).set(l.pb);
      f.get(l.n).i32(1).op(Op.i32Sub).tee(l.n).brIf(0);
    }),
  );
  const store = (relu: boolean) => {
    for (let r = 0; r < MR; r++)
      for (let h = 0; h < 2; h++) {
        row(r);
        f.get(l.acc[2 * r + h]);
        if (relu) f.splat(0).simd(Simd.f32x4Pmax);
        f.vmem(Simd.store, 16 * h);
      }
  };
  f.get(l.last).if(
    () => store(true),
    () => store(false),
  );
}

function gemmPackedFn(): Fn {
  const f = new Fn('gemmPacked', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32]);
  const [M4, N8, K, a, rsa, csa, bp, c, ldc, accumulate, ap, bias, relu] = f.params;
  const jp = f.local(Ty.i32);
  const l: L = {
    K,
    a,
    rsa,
    csa,
    c,
    ldc,
    ap,
    bias,
    kc: f.local(Ty.i32),
    mc: f.local(Ty.i32),
    first: f.local(Ty.i32),
    last: f.local(Ty.i32),
    jp,
    pa: f.local(Ty.i32),
    pb: f.local(Ty.i32),
    pc: f.local(Ty.i32),
    n: f.local(Ty.i32),
    acc: Array.from({ length: 2 * MR }, () => f.local(Ty.v128)),
    av: f.local(Ty.v128),
    b0: f.local(Ty.v128),
    b1: f.local(Ty.v128),
  };
  const k0 = f.local(Ty.i32);
  const i0 = f.local(Ty.i32);
  const ir = f.local(Ty.i32);
  const min = (x: () => void, y: () => void, into: Local) => {
    x();
    f.set(into);
    f.get(into);
    y();
    f.op(Op.i32GtS).if(() => {
      y();
      f.set(into);
    });
  };
  f.for(
    k0,
    () => f.i32(0),
    () => f.get(K),
    KC,
    () => {
      min(
        () => f.i32(KC),
        () => f.get(K).get(k0).op(Op.i32Sub),
        l.kc,
      );
      // The first K block initialises C unless accumulating.
      f.get(k0).op(Op.i32Eqz).get(accumulate).op(Op.i32Eqz).op(Op.i32And).set(l.first);
      // The last K block applies the relu epilogue (relu == 0 or 1).
      f.get(k0).get(l.kc).op(Op.i32Add).get(K).op(Op.i32GeS).get(relu).op(Op.i32And).set(l.last);
      f.for(
        i0,
        () => f.i32(0),
        () => f.get(M4),
        MC,
        () => {
          min(
            () => f.i32(MC),
            () => f.get(M4).get(i0).op(Op.i32Sub),
            l.mc,
          );
          // pa = &A[i0][k0]; pack the block into ap.
          f.get(a).get(i0).get(rsa).op(Op.i32Mul).get(k0).get(csa).op(Op.i32Mul).op(Op.i32Add).i32(2).op(Op.i32Shl).op(Op.i32Add).set(l.pa);
          packA(f, l);
          f.for(
            jp,
            () => f.i32(0),
            () => f.get(N8),
            8,
            () => {
              f.for(
                ir,
                () => f.i32(0),
                () => f.get(l.mc),
                MR,
                () => {
                  // A panel: ap + ir kc floats; B panel: bp + (jp K + k0 * 8) floats; C tile: c + ((i0 + ir) ldc + jp) floats.
                  f.get(ap).get(ir).get(l.kc).op(Op.i32Mul).i32(2).op(Op.i32Shl).op(Op.i32Add).set(l.pa);
                  f.get(bp).get(jp).get(K).op(Op.i32Mul).get(k0).i32(8).op(Op.i32Mul).op(Op.i32Add).i32(2).op(Op.i32Shl).op(Op.i32Add).set(l.pb);
                  f.get(c).get(i0).get(ir).op(Op.i32Add).get(ldc).op(Op.i32Mul).get(jp).op(Op.i32Add).i32(2).op(Op.i32Shl).op(Op.i32Add).set(l.pc);
                  micro(f, l);
                },
              );
            },
          );
        },
      );
    },
  );
  return f;
}

/** For the runtime's table (./runtime.ts). */
export const gemmPackedKernels = {
  packB: kernel<(K: number, N8: number, b: number, ldb: number, bp: number) => void>(packBFn()),
  gemmPacked: kernel<
    (
      M4: number,
      N8: number,
      K: number,
      a: number,
      rsa: number,
      csa: number,
      bp: number,
      c: number,
      ldc: number,
      acc: number,
      ap: number,
      bias: number,
      relu: number,
    ) => void
  >(gemmPackedFn()),
};
