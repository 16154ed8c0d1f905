/**
 * Optional WebAssembly features the kernels use when the engine has them.
 *
 * Fused multiply-add (`f32x4.relaxed_madd`, relaxed SIMD) runs the matrix products ~1.2x
 * faster than a multiply then an add: the micro-kernel is bound by instruction issue, and
 * one instruction replaces two (measured 21-24 -> 26-29 GFLOP/s, bench/gemmShapes.ts).
 * Node 20's V8 (11.3) has relaxed SIMD only behind `--experimental-wasm-relaxed-simd`,
 * which V8 still honours when set at run time, before the first module using it is
 * compiled; later V8s have it on by default. Relaxed madd may round once (fused) or twice
 * depending on the CPU, so which path ran is recorded in every result's environment
 * (`env.kernels`). FXBENCH_NO_FMA=1 forces the multiply-then-add path, for comparison.
 */
import v8 from 'node:v8';

/** f32x4.relaxed_madd (after the 0xfd prefix). */
export const RELAXED_MADD = 0x105;

/** A module with one function (v128, v128, v128) -> v128 = relaxed_madd of its parameters. */
const PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version
  0x01,
  0x08,
  0x01,
  0x60,
  0x03,
  0x7b,
  0x7b,
  0x7b,
  0x01,
  0x7b, // type: (v128 v128 v128) -> v128
  0x03,
  0x02,
  0x01,
  0x00, // function 0 has type 0
  0x0a,
  0x0d,
  0x01,
  0x0b,
  0x00,
  0x20,
  0x00,
  0x20,
  0x01,
  0x20,
  0x02,
  0xfd,
  0x85,
  0x02,
  0x0b, // body
]);

let fma: boolean | undefined;

/** Whether the kernels emit fused multiply-add; decided once per process. */
export function hasFma(): boolean {
  if (fma === undefined) {
    if (process.env.FXBENCH_NO_FMA === '1') fma = false;
    else {
      if (!WebAssembly.validate(PROBE)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
      fma = WebAssembly.validate(PROBE);
    }
  }
  return fma;
}

/** What the environment records about the kernels. */
export function kernelFeatures(): string {
  return hasFma() ? 'wasm-simd128+relaxed-madd' : 'wasm-simd128';
}
