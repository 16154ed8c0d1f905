/** Calling a kernel directly from a test: host arrays copied into kernel memory, the call, their contents read back. */
import type { Kernels } from '../../kernels/runtime/runtime.js';

/** Runs `body` with the given host arrays copied into kernel memory (byte addresses by name); returns their contents afterwards. */
export function withBuffers(K: Kernels, arrays: Record<string, ArrayLike<number>>, body: (at: Record<string, number>) => void): Record<string, Float32Array> {
  const mark = K.mark();
  try {
    const at: Record<string, number> = {};
    for (const [k, v] of Object.entries(arrays)) at[k] = K.put(Float32Array.from(v));
    body(at);
    return Object.fromEntries(Object.entries(arrays).map(([k, v]) => [k, K.read(at[k], v.length)]));
  } finally {
    K.release(mark);
  }
}
