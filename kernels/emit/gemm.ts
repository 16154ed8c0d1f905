/**
 * Matrix product kernel in WebAssembly SIMD, emitted by ./wasm.ts, working straight on the
 * matrices (no packing): small products, and the edges (M % 4 rows, N % 8 columns) of the
 * packed kernel in ./gemmPacked.ts. `Kernels.gemm` (./runtime.ts) chooses.
 *
 *   gemmSimple(M, N, K, a, rsa, csa, b, ldb, c, ldc, acc, bias, relu):
 *     C[i, j] = act((acc ? C[i, j] : bias ? bias[j] : 0) + sum_k A[i, k] * B[k, j])   0 <= i < M, 0 <= j < N
 *     act = max(., 0) when relu != 0, else the identity; bias the byte address of a row [N] or 0
 *   with A[i, k] at a + 4 (i rsa + k csa), B[k, j] at b + 4 (k ldb + j), C[i, j] at c + 4 (i ldc + j)
 *   (byte addresses, strides in floats).
 *
 * B and C are row-major (each row's N entries contiguous, read 4 at a time); A is any
 * strided view, so A^T costs nothing (rsa = 1, csa = rows). That is what the backward
 * passes need: dW = dY^T X reads dY transposed in place.
 *
 * Register blocking, the same scheme as XNNPACK's wasmsimd kernels: a tile of C of 4 rows x 8
 * columns lives in eight f32x4 accumulators for the whole k loop; each k loads one row
 * segment of B (two f32x4) and broadcasts four entries of A, then does 8 multiplies and
 * 8 adds (64 FLOPs per 14 memory reads). Edges use 4x4, 1x8, 1x4 and scalar tiles. K is cut
 * into blocks of KC so that a block of B rows stays in cache while every row tile of A
 * passes over it.
 */
import { Fn, kernel, Op, Simd, Ty, type Local } from '../wasm/assembler.js';

/**
 * Rows of k per cache block, in both product kernels (this one and ./gemmPacked.ts):
 * unpacked, KC x N floats of B (e.g. 256 x 128 x 4 B = 128 KB) stay in L2; packed, a
 * [KC][8] panel of B (8 KB) stays in L1.
 */
export const KC = 256;

interface GemmLocals {
  M: Local;
  N: Local;
  K: Local;
  a: Local;
  rsa: Local;
  csa: Local;
  b: Local;
  ldb: Local;
  c: Local;
  ldc: Local;
  acc: Local;
  bias: Local;
  relu: Local;
  // derived
  i: Local;
  j: Local;
  k: Local;
  k0: Local;
  kEnd: Local;
  first: Local; // 1 while C must be initialised (first K block without acc)
  last: Local; // 1 in the last K block when the relu epilogue is on
  pb: Local;
  pc: Local;
  av: Local; // v128: broadcast A entry
  as: Local; // f32: scalar A entry
  pa: Local[]; // row pointers of A for the tile
  csa4: Local; // byte strides
  ldb4: Local;
}

/**
 * One tile of C, rows i..i+mr-1 and columns j..j+4*nv-1 (nv f32x4 per row), or a single
 * column (nv = 0: scalar), over k in [k0, kEnd).
 */
function tile(f: Fn, L: GemmLocals, mr: number, nv: number): void {
  const scalar = nv === 0;
  const width = scalar ? 1 : nv;
  const accs: Local[] = [];
  for (let r = 0; r < mr; r++) for (let v = 0; v < width; v++) accs.push(f.local(scalar ? Ty.f32 : Ty.v128));
  const bv: Local[] = [];
  for (let v = 0; v < width; v++) bv.push(f.local(scalar ? Ty.f32 : Ty.v128));

  // pc = c + 4 (i ldc + j); row r of the tile at pc + 4 r ldc.
  f.get(L.c).get(L.i).get(L.ldc).op(Op.i32Mul).get(L.j).op(Op.i32Add).i32(2).op(Op.i32Shl).op(Op.i32Add).set(L.pc);
  const rowC = (r: number) => {
    f.get(L.pc);
    if (r > 0)
      f.get(L.ldc)
        .i32(4 * r)
        .op(Op.i32Mul)
        .op(Op.i32Add);
  };
  // Accumulators start from C (a later K block, or acc), from the bias row, or from zero.
  f.get(L.first).if(
    () => {
      f.get(L.bias).if(
        () => {
          for (let r = 0; r < mr; r++) {
            for (let v = 0; v < width; v++) {
              f.get(L.bias).get(L.j).i32(2).op(Op.i32Shl).op(Op.i32Add);
              if (scalar) f.mem(Op.f32Load).set(accs[r * width + v]);
              else f.vmem(Simd.load, 16 * v).set(accs[r * width + v]);
            }
          }
        },
        () => {
          for (const a of accs) {
            if (scalar) f.f32(0).set(a);
            else f.splat(0).set(a);
          }
        },
      );
    },
    () => {
      for (let r = 0; r < mr; r++) {
        for (let v = 0; v < width; v++) {
          rowC(r);
          if (scalar) f.mem(Op.f32Load).set(accs[r * width + v]);
          else f.vmem(Simd.load, 16 * v).set(accs[r * width + v]);
        }
      }
    },
  );
  // pa[r] = a + 4 ((i + r) rsa + k0 csa); pb = b + 4 (k0 ldb + j)
  for (let r = 0; r < mr; r++) {
    f.get(L.a)
      .get(L.i)
      .i32(r)
      .op(Op.i32Add)
      .get(L.rsa)
      .op(Op.i32Mul)
      .get(L.k0)
      .get(L.csa)
      .op(Op.i32Mul)
      .op(Op.i32Add)
      .i32(2)
      .op(Op.i32Shl)
      .op(Op.i32Add)
      .set(L.pa[r]);
  }
  f.get(L.b).get(L.k0).get(L.ldb).op(Op.i32Mul).get(L.j).op(Op.i32Add).i32(2).op(Op.i32Shl).op(Op.i32Add).set(L.pb);
  f.for(
    L.k,
    () => f.get(L.k0),
    () => f.get(L.kEnd),
    1,
    () => {
      for (let v = 0; v < width; v++) {
        f.get(L.pb);
        if (scalar) f.mem(Op.f32Load).set(bv[v]);
        else f.vmem(Simd.load, 16 * v).set(bv[v]);
      }
      for (let r = 0; r < mr; r++) {
        f.get(L.pa[r]);
        if (scalar) f.mem(Op.f32Load).set(L.as);
        else f.vmem(Simd.load32Splat).set(L.av);
        for (let v = 0; v < width; v++) {
          const a = accs[r * width + v];
          if (scalar) f.get(a).get(L.as).get(bv[v]).op(Op.f32Mul).op(Op.f32Add).set(a);
          else f.madd(a, L.av, bv[v]);
        }
        f.get(L.pa[r]).get(L.csa4).op(Op.i32Add).set(L.pa[r]);
      }
      f.get(L.pb).get(L.ldb4).op(Op.i32Add).set(L.pb);
    },
  );

  const store = (relu: boolean) => {
    for (let r = 0; r < mr; r++) {
      for (let v = 0; v < width; v++) {
        rowC(r);
        f.get(accs[r * width + v]);
        if (relu) {
          if (scalar) f.f32(0).op(Op.f32Max);
          else f.splat(0).simd(Simd.f32x4Pmax);
        }
        if (scalar) f.mem(Op.f32Store);
        else f.vmem(Simd.store, 16 * v);
      }
    }
  };
  f.get(L.last).if(
    () => store(true),
    () => store(false),
  );
}

/** Columns j.. of rows i..i+mr-1: 8-wide tiles, then one 4-wide, then scalar columns. */
function rowBlock(f: Fn, L: GemmLocals, mr: number): void {
  f.i32(0).set(L.j);
  f.block(() =>
    f.loop(() => {
      f.get(L.j).i32(8).op(Op.i32Add).get(L.N).op(Op.i32GtS).brIf(1);
      tile(f, L, mr, 2);
      f.get(L.j).i32(8).op(Op.i32Add).set(L.j).br(0);
    }),
  );
  f.get(L.j)
    .i32(4)
    .op(Op.i32Add)
    .get(L.N)
    .op(Op.i32LeS)
    .if(() => {
      tile(f, L, mr, 1);
      f.get(L.j).i32(4).op(Op.i32Add).set(L.j);
    });
  f.block(() =>
    f.loop(() => {
      f.get(L.j).get(L.N).op(Op.i32GeS).brIf(1);
      tile(f, L, mr, 0);
      f.get(L.j).i32(1).op(Op.i32Add).set(L.j).br(0);
    }),
  );
}

function gemmSimpleFn(): Fn {
  const f = new Fn('gemmSimple', [Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32, Ty.i32]);
  const [M, N, K, a, rsa, csa, b, ldb, c, ldc, acc, bias, relu] = f.params;
  const L: GemmLocals = {
    M,
    N,
    K,
    a,
    rsa,
    csa,
    b,
    ldb,
    c,
    ldc,
    acc,
    bias,
    relu,
    i: f.local(Ty.i32),
    j: f.local(Ty.i32),
    k: f.local(Ty.i32),
    k0: f.local(Ty.i32),
    kEnd: f.local(Ty.i32),
    first: f.local(Ty.i32),
    last: f.local(Ty.i32),
    pb: f.local(Ty.i32),
    pc: f.local(Ty.i32),
    av: f.local(Ty.v128),
    as: f.local(Ty.f32),
    pa: [f.local(Ty.i32), f.local(Ty.i32), f.local(Ty.i32), f.local(Ty.i32)],
    csa4: f.local(Ty.i32),
    ldb4: f.local(Ty.i32),
  };
  f.get(csa).i32(2).op(Op.i32Shl).set(L.csa4);
  f.get(ldb).i32(2).op(Op.i32Shl).set(L.ldb4);
  // K = 0 still has to write C (zeros, or leave it when accumulating): one pass with an empty k range.
  f.get(acc).op(Op.i32Eqz).set(L.first);
  f.i32(0).set(L.k0);
  f.loop(() => {
    // kEnd = min(k0 + KC, K)
    f.get(L.k0)
      .i32(KC)
      .op(Op.i32Add)
      .tee(L.kEnd)
      .get(K)
      .op(Op.i32GtS)
      .if(() => f.get(K).set(L.kEnd));
    f.get(L.kEnd).get(K).op(Op.i32GeS).get(relu).op(Op.i32And).set(L.last); // relu == 0 or 1
    // Full row tiles of 4, then single rows.
    f.i32(0).set(L.i);
    f.block(() =>
      f.loop(() => {
        f.get(L.i).i32(4).op(Op.i32Add).get(M).op(Op.i32GtS).brIf(1);
        rowBlock(f, L, 4);
        f.get(L.i).i32(4).op(Op.i32Add).set(L.i).br(0);
      }),
    );
    f.block(() =>
      f.loop(() => {
        f.get(L.i).get(M).op(Op.i32GeS).brIf(1);
        rowBlock(f, L, 1);
        f.get(L.i).i32(1).op(Op.i32Add).set(L.i).br(0);
      }),
    );
    f.i32(0).set(L.first);
    f.get(L.kEnd).set(L.k0);
    f.get(L.k0).get(K).op(Op.i32LtS).brIf(0);
  });
  return f;
}

/** For the runtime's table (./runtime.ts); use `Kernels.gemm`, which splits a product between this and the packed kernel. */
export const gemmKernels = {
  gemmSimple: kernel<
    (
      M: number,
      N: number,
      K: number,
      a: number,
      rsa: number,
      csa: number,
      b: number,
      ldb: number,
      c: number,
      ldc: number,
      acc: number,
      bias: number,
      relu: number,
    ) => void
  >(gemmSimpleFn()),
};
