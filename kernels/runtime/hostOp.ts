/**
 * A tf op computed on the kernels (./runtime.ts), with its gradient written out: the one
 * wrapper the encoder stack, the recurrent layers and the TCN stack share.
 *
 * The inputs are copied into kernel memory (from tfjs-wasm's heap directly), `forward` runs
 * on their addresses and returns the output's; the output is copied out as a tensor. Under
 * a gradient tape the forward pass's memory (its copies of the inputs and everything it
 * allocated: the activations its backward pass reads) stays pinned in kernel memory until
 * `backward` has run, so nothing is copied out to the host and back in between. Outside a
 * tape nothing is kept. `backward` returns the gradient of every input, as addresses of
 * buffers of the inputs' sizes.
 */
import * as tf from '@tensorflow/tfjs';
import { kernels, type Kernels, type Pinned } from './runtime.js';

export interface HostOp<S> {
  /** For error messages, e.g. "transformer". */
  name: string;
  /**
   * The forward pass: `inputs[i]` is the byte address of a copy of input i (valid in the
   * backward pass when `keep`). Returns the output's address and shape, and what the
   * backward pass needs (addresses stay valid when `keep`).
   */
  forward(K: Kernels, inputs: number[], keep: boolean): { y: number; shape: number[]; saved: S };
  /** dL/d(input i) for every input (byte addresses of buffers of input i's size), from dy = dL/dy's address. */
  backward(K: Kernels, saved: S, dy: number): number[];
}

/** Frees the pinned memory of a forward pass whose backward pass never ran (its gradient function was collected). */
const orphans = new FinalizationRegistry<Pinned>((region) => {
  const K = kernels();
  if (K.isPinned(region)) K.unpin(region);
});

/** Runs `op` on `inputs` as one differentiable tf op. */
export function hostOp<S>(op: HostOp<S>, inputs: tf.Tensor[]): tf.Tensor {
  const f = (...args: tf.Tensor[]) => {
    const xs = args.slice(0, inputs.length); // (customGrad appends its save function)
    const K = kernels();
    const keep = tf.engine().state.gradientDepth > 0; // a gradient is being recorded
    const mark = K.mark();
    let region: Pinned | undefined;
    let value: tf.Tensor;
    let saved: S;
    try {
      const r = op.forward(
        K,
        xs.map((t) => K.putTensor(t)),
        keep,
      );
      value = K.tensor(r.y, r.shape);
      saved = r.saved;
      if (keep) region = K.pin(mark);
    } finally {
      if (!region) K.release(mark);
    }
    // The token lives as long as the gradient function; if that is collected unused, the region is freed.
    const token = {};
    if (region) orphans.register(token, region, token);
    return {
      value,
      gradFunc: (dy: tf.Tensor) => {
        if (!region) throw new Error(`${op.name}: no activations were kept for the backward pass (its forward ran outside a gradient tape)`);
        if (!K.isPinned(region)) throw new Error(`${op.name}: the backward pass ran twice for one forward pass`);
        orphans.unregister(token);
        const m = K.mark();
        try {
          const grads = op.backward(K, saved, K.putTensor(dy));
          return grads.map((g, i) => K.tensor(g, xs[i].shape));
        } finally {
          K.release(m);
          K.unpin(region);
        }
      },
    };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(...inputs);
}
