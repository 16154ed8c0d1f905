/**
 * tfjs backend set-up. WASM (SIMD, one thread in Node) is the default: ~40x faster
 * matMul than the pure-JS `cpu` backend. Worker threads each get their own instance.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['wasm', 'cpu'];

let kernelsRegistered = false;

export async function initBackend(name: BackendName): Promise<void> {
  // Prod mode skips per-op debug checks and silences the "install tfjs-node" banner.
  tf.enableProdMode();
  if (!kernelsRegistered) {
    registerMissingWasmKernels();
    kernelsRegistered = true;
  }
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs backend "${name}" failed to initialise`);
  }
  await tf.ready();
}

/**
 * The WASM backend lacks UnsortedSegmentSum, which the gradient of `tf.gather` (the
 * embedding lookup) needs. This JS kernel fills the gap: out[s] = sum of x[i] where
 * segmentIds[i] = s; x [N, ...inner], segmentIds [N] -> [numSegments, ...inner].
 */
function registerMissingWasmKernels(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as BackendWasm;
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const inner = x.shape.slice(1).reduce((a, b) => a * b, 1);
      const xs = wasm.readSync(x.dataId) as Float32Array;
      const ids = wasm.readSync(segmentIds.dataId) as Int32Array;
      const out = new Float32Array(numSegments * inner);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue; // TF semantics: out-of-range ids are dropped
        const src = i * inner;
        const dst = s * inner;
        for (let j = 0; j < inner; j++) out[dst + j] += xs[src + j];
      }
      return wasm.makeOutput([numSegments, ...x.shape.slice(1)], 'float32', undefined, out);
    },
  });
}
