/**
 * minGRU (Feng et al. 2024, "Were RNNs all we needed?"): a GRU whose gates read the input
 * only, so that the state update is linear in the state and training can run as a scan:
 *
 *   [hid | gate] = to_hidden_and_gate(x_t)        nn.Linear(D, 2H), halves in that order
 *   z_t = sigmoid(gate);  h~_t = g(hid)            g(x) = x + 0.5 for x >= 0, sigmoid(x) below
 *   h_t = (1 - z_t) h_{t-1} + z_t h~_t = lerp(h_{t-1}, h~_t, z_t),   h_{-1} = 0
 *
 * as `MinGRU` of ../shared/peers/torch_bench.py. Weights: `to_hidden_and_gate.weight` [2H, D]
 * and `.bias` [2H] (the peer's state_dict); with `layers` > 1, layer k's are
 * `layers.{k}.to_hidden_and_gate.*` (a ModuleList of MinGRU modules), each layer reading the
 * one below it as nn.GRU's num_layers does. nn.Linear's default init.
 *
 * A layer is one tf op, forward and backward on the WebAssembly kernels: the projection of
 * every step (a gemm per half), the two activations (./kernels/pointwise.ts) and the lerp
 * scan (./kernels/scan.ts); backwards the scan's gradient, the activations' slopes and the
 * gemms of the weight and input gradients. Unlike the GRU, no step
 * waits on a matrix product of the previous state: the T dependent steps are elementwise.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { linearVariables } from '../common.js';
import { kernelName } from '../../kernels/emit/pointwise.js';
import { kernels } from '../../kernels/runtime/runtime.js';
import { defineExtractor, type Extractor, type MemoryTerm, type RunShape } from '../types.js';

export const mingruOptions = z
  .object({
    hidden: z.number().int().positive().default(128).describe('hidden state width H (and output width)'),
    layers: z.number().int().positive().default(1).describe('stacked minGRU layers'),
  })
  .strict();
export type MinGruOptions = z.output<typeof mingruOptions>;

/** Weight name prefix of layer k: the peer's plain names for a single layer. */
export function mingruPrefix(o: MinGruOptions, k: number): string {
  return o.layers === 1 ? 'to_hidden_and_gate' : `layers.${k}.to_hidden_and_gate`;
}

/**
 * Elementwise FLOPs per hidden unit per step: sigmoid(gate) 1, g(hid) 1, and the lerp
 * h + z (h~ - h) as sub, mul, add 3 (the bias add is counted with the projection).
 */
const ELEMENTWISE = 5;

export const mingru = defineExtractor({
  name: 'mingru',
  torchPeer: {},
  description: 'minGRU (Feng et al. 2024): gates from the input only, h_t = (1 - z_t) h_{t-1} + z_t g(W_h x_t), trained as a linear scan',
  options: mingruOptions,
  width: { option: 'hidden', params: (o, inputDim) => mingruParams(o, inputDim) },
  memory: (o, shape) => mingruMemory(o, shape),
  state: (o) => ({ floats: o.hidden * o.layers, what: `h: H*layers = ${o.hidden}*${o.layers}` }),
  padding: 'reads',
  create(o, ctx): Extractor {
    const H = o.hidden;
    const variables: Record<string, tf.Variable> = {};
    const layers: { w: tf.Variable; b: tf.Variable }[] = [];
    for (let k = 0; k < o.layers; k++) {
      const p = mingruPrefix(o, k);
      Object.assign(variables, linearVariables(ctx.rng, p, k === 0 ? ctx.inputDim : H, 2 * H));
      layers.push({ w: variables[`${p}.weight`], b: variables[`${p}.bias`] });
    }
    return {
      variables,
      outputDim: H,
      apply(x) {
        let h = x; // [B, T, D], then [B, T, H] after each layer
        for (const l of layers) h = mingruLayer(h, l.w, l.b);
        return h;
      },
      flops(B, T) {
        // FLOP convention of the built-ins (see recurrent.ts): per layer and (sequence, step),
        // the projection 2*2H*din + 2H (bias), then ELEMENTWISE * H.
        let total = 0;
        for (let k = 0; k < o.layers; k++) total += B * T * (2 * 2 * H * (k === 0 ? ctx.inputDim : H) + 2 * H + ELEMENTWISE * H);
        return total;
      },
    };
  },
});

/** PyTorch's count: per layer 2H*din weights and 2H biases. */
export function mingruParams(o: MinGruOptions, inputDim: number): number {
  let n = 0;
  for (let k = 0; k < o.layers; k++) n += 2 * o.hidden * (k === 0 ? inputDim : o.hidden) + 2 * o.hidden;
  return n;
}

/**
 * Per layer, N = B*T rows: the input (din), hid, z, h~ and the states (4H) in the kernel
 * arena, and again as host copies for backward. Training holds about twice the forward.
 */
function mingruMemory(o: MinGruOptions, { batch: B, length: T, inputDim: D }: RunShape): { forward: MemoryTerm[]; train: MemoryTerm[] } {
  const [H, N] = [o.hidden, B * T];
  let floats = 0;
  for (let k = 0; k < o.layers; k++) floats += 2 * N * ((k === 0 ? D : H) + 4 * H);
  const what = `minGRU pre-activations, gates and states B*T*4H = ${B}*${T}*${4 * H} floats per layer (x${o.layers} layers, kept for backward)`;
  return { forward: [{ floats, what }], train: [{ floats: 2 * floats, what }] };
}

type LayerOp = (x: tf.Tensor3D, w: tf.Tensor, b: tf.Tensor) => tf.Tensor3D;

/** x [B, T, D] -> h [B, T, H] through one minGRU layer; w [2H, D], b [2H]. */
export const mingruLayer: LayerOp = tf.customGrad(((x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D) => {
  const [B, T, D] = x.shape;
  const H = w.shape[0] / 2;
  const wd = w.dataSync() as Float32Array;
  const keep = tf.engine().state.gradientDepth > 0; // keep activations only when a gradient is recorded
  const { y, saved } = forward(B, T, D, H, x, wd, b.dataSync() as Float32Array, keep);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor) => {
      if (!saved) throw new Error('mingru layer: no activations were kept for the backward pass (its forward ran outside a gradient tape)');
      const g = backward(B, T, D, H, saved, dy, wd);
      return [g.dx, tf.tensor2d(g.dW, [2 * H, D]), tf.tensor1d(g.db)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as LayerOp;

interface Saved {
  x: Float32Array; // [N, D]
  hid: Float32Array; // [N, H] pre-activation of h~ (g's slope reads it)
  z: Float32Array; // [N, H] sigmoid(gate)
  v: Float32Array; // [N, H] h~ = g(hid)
  h: Float32Array; // [N, H]
}

function forward(
  B: number,
  T: number,
  D: number,
  H: number,
  x: tf.Tensor,
  w: Float32Array,
  bias: Float32Array,
  keep: boolean,
): { y: tf.Tensor3D; saved?: Saved } {
  const N = B * T;
  const K = kernels();
  const f = K.fns;
  const mark = K.mark();
  try {
    const X = K.putTensor(x); // [N, D] batch-major: row b*T + t
    const Wt = K.putTransposed(w, 2 * H, D); // [D, 2H]: columns 0..H-1 hid, H..2H-1 gate
    const Bias = K.put(bias);
    // The two halves of to_hidden_and_gate into their own [N, H] buffers (every later pass is contiguous).
    const [HID, Z] = [K.alloc(N * H), K.alloc(N * H)];
    for (const [half, out] of [
      [0, HID],
      [1, Z],
    ] as const) {
      K.gemm(N, H, D, X, D, 1, Wt + 4 * half * H, 2 * H, out, H, false, { bias: Bias + 4 * half * H }); // X W_half^T + b_half (the bias as the product's epilogue: no separate pass)
    }
    const V = K.alloc(N * H);
    K.rows(kernelName('act', 'sigmoid'), 1, N * H, Z, 0, Z, 0); // z = sigmoid(gate), in place (its slope reads z)
    K.rows(kernelName('act', 'mingru-g'), 1, N * H, HID, 0, V, 0); // h~ = g(hid)
    const Hs = K.alloc(N * H); // [N, H]
    f.scan_lerp(B, T, H, Z, V, 0, Hs, T * H, H); // h_t = lerp(h_{t-1}, h~_t, z_t) per sequence
    const y = K.tensor(Hs, [B, T, H]) as tf.Tensor3D;
    if (!keep) return { y };
    const n = N * H;
    return { y, saved: { x: K.save(X, N * D), hid: K.save(HID, n), z: K.save(Z, n), v: K.save(V, n), h: K.save(Hs, n) } };
  } finally {
    K.release(mark);
  }
}

function backward(B: number, T: number, D: number, H: number, s: Saved, dy: tf.Tensor, w: Float32Array): { dx: tf.Tensor; dW: Float32Array; db: Float32Array } {
  const N = B * T;
  const K = kernels();
  const f = K.fns;
  const mark = K.mark();
  try {
    const X = K.putSaved(s.x);
    const HID = K.putSaved(s.hid);
    const Z = K.putSaved(s.z);
    const V = K.putSaved(s.v);
    const Hs = K.putSaved(s.h);
    const G = K.putTensor(dy); // [N, H] dL/dh_t, then the total gradient of h_t
    const dZ = K.alloc(N * H);
    const dV = K.alloc(N * H);
    f.scanBackward_lerp(B, T, H, Z, V, Hs, 0, G, dZ, dV, 0, T * H, H);
    K.rows(kernelName('actBackward', 'sigmoid'), 1, N * H, Z, 0, dZ, 0); // dZ -> d gate
    K.rows(kernelName('actBackward', 'mingru-g'), 1, N * H, HID, 0, dV, 0); // dV -> d hid
    // Each half of the pre-activation gradient against its half of W [2H, D] (rows 0..H-1 hid, H..2H-1 gate).
    const W = K.put(w);
    const dX = K.alloc(N * D);
    const dW = K.alloc(2 * H * D);
    const db = K.alloc(2 * H);
    const one = K.put([1]);
    for (const [half, dHalf] of [
      [0, dV],
      [1, dZ],
    ] as const) {
      K.gemm(N, D, H, dHalf, H, 1, W + 4 * half * H * D, D, dX, D, half === 1); // dx (+)= d half W_half
      K.gemm(H, D, N, dHalf, 1, H, X, D, dW + 4 * half * H * D, D); // dW_half = d half^T X
      K.gemm(1, H, N, one, 0, 0, dHalf, H, db + 4 * half * H, H); // db_half = 1^T d half
    }
    return { dx: K.tensor(dX, [B, T, D]), dW: K.read(dW, 2 * H * D), db: K.read(db, 2 * H) };
  } finally {
    K.release(mark);
  }
}
