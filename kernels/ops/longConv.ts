/**
 * The long convolution on the host side: packing into channel groups, and the forward and
 * backward entry points over the kernels of ../emit/longConv.ts, split by channel groups
 * across kernel threads (groups are independent: bit-identical on any thread count).
 */
import type { Kernels } from '../runtime/runtime.js';

/** Groups of 4 channels for H channels. */
export const groupsOf = (H: number) => Math.ceil(H / 4);

/**
 * Rows [n, H] (contiguous) at `src` into the packed [G][n][4] at `dst` (which needs 4 G n
 * floats), or back (`unpack`); the last group's missing channels are zero when packing.
 */
export function packGroups(K: Kernels, n: number, H: number, src: number, dst: number, unpack = false): void {
  const full = H >> 2;
  K.parallelRows(full, 1, (g0, g1) => K.fns.packGroups(n, g1 - g0, src + 16 * g0, 4 * H, dst + 16 * n * g0, unpack ? 1 : 0));
  if (H % 4 === 0) return;
  // the last, partial group: its channels one row at a time, the rest of the lanes zero
  const tail = dst + 16 * n * full;
  if (unpack) K.fns.copyRows(n, H % 4, tail, 16, src + 16 * full, 4 * H);
  else {
    K.heap.fill(0, tail >> 2, (tail >> 2) + 4 * n);
    K.fns.copyRows(n, H % 4, src + 16 * full, 4 * H, tail, 16);
  }
}

/** Y [B*T, H] = the causal convolution of X [B*T, H] with k [T, H] (contiguous rows, kernel memory). */
export function longConvRows(K: Kernels, B: number, T: number, H: number, k: number, X: number, Y: number): void {
  const mark = K.mark();
  const G = groupsOf(H);
  const n = B * T;
  const kp = K.alloc(4 * G * T);
  const xp = K.alloc(4 * G * n);
  const yp = K.alloc(4 * G * n);
  packGroups(K, T, H, k, kp);
  packGroups(K, n, H, X, xp);
  K.parallelRows(G, 1, (g0, g1) => K.fns.longConv(g1 - g0, B, T, kp + 16 * T * g0, xp + 16 * n * g0, 16 * n, 16 * T, 16, yp + 16 * n * g0, 16 * n, 16 * T, 16));
  packGroups(K, n, H, Y, yp, true);
  K.release(mark);
}

/** dX [B*T, H] (written) and dk [T, H] (accumulated) from dY, for `longConvRows`. */
export function longConvRowsBackward(K: Kernels, B: number, T: number, H: number, k: number, X: number, dY: number, dX: number, dk: number): void {
  const mark = K.mark();
  const G = groupsOf(H);
  const n = B * T;
  const kp = K.alloc(4 * G * T);
  const xp = K.alloc(4 * G * n);
  const dyp = K.alloc(4 * G * n);
  const dxp = K.alloc(4 * G * n);
  packGroups(K, T, H, k, kp);
  packGroups(K, n, H, X, xp);
  packGroups(K, n, H, dY, dyp);
  // dx[t] = sum_s k[s] dy[t+s]: the forward sum over time reversed (last rows first, row strides negated)
  const last = 16 * (T - 1);
  K.parallelRows(G, 1, (g0, g1) =>
    K.fns.longConv(g1 - g0, B, T, kp + 16 * T * g0, dyp + 16 * n * g0 + last, 16 * n, 16 * T, -16, dxp + 16 * n * g0 + last, 16 * n, 16 * T, -16),
  );
  packGroups(K, n, H, dX, dxp, true);
  const dkp = K.zeros(4 * G * T);
  K.parallelRows(G, 1, (g0, g1) => K.fns.longConvKernelGrad(g1 - g0, B, T, dyp + 16 * n * g0, xp + 16 * n * g0, dkp + 16 * T * g0));
  // dk += the packed gradient
  const heap = K.heap;
  for (let s = 0; s < T; s++) for (let h = 0; h < H; h++) heap[(dk >> 2) + s * H + h] += heap[(dkp >> 2) + 4 * (T * (h >> 2) + s) + (h & 3)];
  K.release(mark);
}
