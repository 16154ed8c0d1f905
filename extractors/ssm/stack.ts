/**
 * The state-space models' residual stack as one tf op, h [B, T, d] -> [B, T, d], with the
 * gradient written out, on the WebAssembly kernels (./kernels): per layer
 *
 *   x = x + mixer(norm(x))          (pre-norm residual block, mamba_ssm's Block / torch_bench's SSMStack)
 *
 * then a final norm (`norm_f`). The norm is RMSNorm (Mamba) or LayerNorm (S4D); the mixer
 * (./mamba.ts, ./s4d.ts) is a `Mixer`: its forward pass on kernel memory, what it keeps, and
 * its backward pass. As in ./transformerStack.ts, activations stay in kernel memory from the
 * first layer to the last, only h, the weights and the result cross into tfjs, and what the
 * backward pass needs is kept as host copies (`Kernels.save`) between the two passes.
 * Rows are batch-major positions (N = B*T), as in tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { RMS_EPS, rmsNormRows, rmsNormRowsBackward } from '../../kernels/ops/rmsNorm.js';
import { kernels, type Kernels } from '../../kernels/runtime/runtime.js';

/** Shapes of one call. */
export interface StackDims {
  B: number;
  T: number;
  /** Model width. */
  d: number;
  /** Rows: B*T positions. */
  N: number;
}

/** A layer's (or the mixer's) weights on the host, by PyTorch name. */
export type HostWeights = Record<string, Float32Array>;

/** Records a kernel buffer of n floats under `name` for the backward pass. */
export type Keep = (name: string, at: number, n: number) => void;

export interface Mixer {
  /** The mixer's weight names after `layers.{i}.mixer.`, in the order the op takes them. */
  readonly names: readonly string[];
  /** out [N, d] (a new buffer) = mixer(U), U [N, d] the normed input. */
  forward(K: Kernels, d: StackDims, w: HostWeights, U: number, keep: Keep): number;
  /**
   * Writes dL/dU into dU [N, d] given dOut = dL/d out, from what `forward` kept (restored to
   * kernel memory under the same names; U itself is `saved.U`); returns the weight gradients by name.
   */
  backward(K: Kernels, d: StackDims, w: HostWeights, saved: Record<string, number>, dOut: number, dU: number): HostWeights;
}

export type NormKind = 'rms' | 'layer';

/** One block's tensors: its norm (`weight`, LayerNorm's `bias`) and its mixer's weights by name. */
export interface BlockTensors {
  norm: tf.Tensor[];
  mixer: tf.Tensor[];
}

const LN_EPS = 1e-5; // nn.LayerNorm's default

/** h [B, T, d] -> [B, T, d] through every block and the final norm; differentiable in h and every weight. */
export function ssmStack(h: tf.Tensor3D, blocks: BlockTensors[], finalNorm: tf.Tensor[], mixer: Mixer, norm: NormKind): tf.Tensor3D {
  const [B, T, d] = h.shape;
  const dims: StackDims = { B, T, d, N: B * T };
  const per = blocks.map((b) => [...b.norm, ...b.mixer]);
  const inputs = [h, ...per.flat(), ...finalNorm];
  const op = tf.customGrad(((...args: tf.Tensor[]) => {
    const xs = args.slice(0, inputs.length); // (customGrad appends its save function)
    // The weights on the host (h itself goes straight from tfjs's heap into kernel memory).
    const data = xs.map((t, j) => (j === 0 ? new Float32Array(0) : (t.dataSync() as Float32Array)));
    let i = 1;
    const layers = blocks.map((b) => {
      const nw = data.slice(i, i + b.norm.length);
      i += b.norm.length;
      const mw: HostWeights = {};
      for (const name of mixer.names) mw[name] = data[i++];
      return { norm: nw, mixer: mw };
    });
    const fin = data.slice(i, i + finalNorm.length);
    // Activations are kept for the backward pass only when a gradient is recorded.
    const keep = tf.engine().state.gradientDepth > 0;
    const { y, saved } = forward(dims, xs[0], layers, fin, mixer, norm, keep);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor) => {
        if (!saved) throw new Error('ssm stack: no activations were kept for the backward pass (its forward ran outside a gradient tape)');
        const g = backward(dims, saved, layers, fin, mixer, norm, dy);
        const grads: tf.Tensor[] = [g.dx];
        g.layers.forEach((lg, l) => {
          lg.norm.forEach((gn, j) => grads.push(tf.tensor(gn, blocks[l].norm[j].shape)));
          mixer.names.forEach((name, j) => grads.push(tf.tensor(lg.mixer[name], blocks[l].mixer[j].shape)));
        });
        g.final.forEach((gn, j) => grads.push(tf.tensor(gn, finalNorm[j].shape)));
        return grads;
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor3D;
  return op(...inputs);
}

interface HostLayer {
  norm: Float32Array[];
  mixer: HostWeights;
}

/** Y [N, d] = norm(X) (new buffer); returns Y and the per-row statistics the backward pass needs. */
function normForward(K: Kernels, d: StackDims, kind: NormKind, X: number, w: Float32Array[]): { Y: number; S: number; sSize: number } {
  const Y = K.alloc(d.N * d.d);
  if (kind === 'rms') return { Y, S: rmsNormRows(K, d.N, d.d, X, Y, K.put(w[0]), RMS_EPS), sSize: d.N };
  const S = K.alloc(2 * d.N);
  K.fns.layerNorm(d.N, d.d, X, Y, K.put(w[0]), K.put(w[1]), S, LN_EPS);
  return { Y, S, sSize: 2 * d.N };
}

/** dX [N, d] (new buffer) from dY through the norm; returns the norm's weight gradients. */
function normBackward(K: Kernels, d: StackDims, kind: NormKind, X: number, S: number, w: Float32Array[], dY: number): { dX: number; dw: Float32Array[] } {
  const dX = K.alloc(d.N * d.d);
  const dw = K.zeros(d.d);
  if (kind === 'rms') {
    rmsNormRowsBackward(K, d.N, d.d, X, S, K.put(w[0]), dY, dX, dw);
    return { dX, dw: [K.read(dw, d.d)] };
  }
  const db = K.zeros(d.d);
  K.fns.layerNormBackward(d.N, d.d, X, dY, K.put(w[0]), S, dX, dw, db);
  return { dX, dw: [K.read(dw, d.d), K.read(db, d.d)] };
}

type Saved = { blocks: Record<string, Float32Array>[]; final: Record<string, Float32Array> };

function forward(
  d: StackDims,
  h: tf.Tensor,
  layers: HostLayer[],
  fin: Float32Array[],
  mixer: Mixer,
  kind: NormKind,
  keepAll: boolean,
): { y: tf.Tensor3D; saved?: Saved } {
  const K = kernels();
  const mark = K.mark();
  const size = d.N * d.d;
  try {
    let X = K.putTensor(h); // [N, d]
    const saved: Saved = { blocks: [], final: {} };
    for (const layer of layers) {
      const kept: Record<string, Float32Array> = {};
      const keep: Keep = (name, at, n) => {
        if (keepAll) kept[name] = K.save(at, n);
      };
      const n = normForward(K, d, kind, X, layer.norm);
      keep('X', X, size);
      keep('S', n.S, n.sSize);
      keep('U', n.Y, size);
      const out = mixer.forward(K, d, layer.mixer, n.Y, keep); // [N, d]
      K.ew.addInto(size, out, X); // the residual: out = x + mixer(norm(x))
      X = out;
      saved.blocks.push(kept);
    }
    const n = normForward(K, d, kind, X, fin);
    if (keepAll) saved.final = { X: K.save(X, size), S: K.save(n.S, n.sSize) };
    return { y: K.tensor(n.Y, h.shape) as tf.Tensor3D, saved: keepAll ? saved : undefined };
  } finally {
    K.release(mark);
  }
}

function backward(
  d: StackDims,
  saved: Saved,
  layers: HostLayer[],
  fin: Float32Array[],
  mixer: Mixer,
  kind: NormKind,
  dy: tf.Tensor,
): { dx: tf.Tensor; layers: { norm: Float32Array[]; mixer: HostWeights }[]; final: Float32Array[] } {
  const K = kernels();
  const mark = K.mark();
  const size = d.N * d.d;
  try {
    const f = normBackward(K, d, kind, K.putSaved(saved.final.X), K.putSaved(saved.final.S), fin, K.putTensor(dy));
    let dX = f.dX; // dL/dx after the last block
    const grads: { norm: Float32Array[]; mixer: HostWeights }[] = [];
    for (let l = layers.length - 1; l >= 0; l--) {
      const s = Object.fromEntries(Object.entries(saved.blocks[l]).map(([name, data]) => [name, K.putSaved(data)]));
      const dU = K.alloc(size);
      const gm = mixer.backward(K, d, layers[l].mixer, s, dX, dU);
      const n = normBackward(K, d, kind, s.X, s.S, layers[l].norm, dU);
      K.ew.addInto(size, n.dX, dX); // the residual path carries dX through unchanged
      grads.unshift({ norm: n.dw, mixer: gm });
      dX = n.dX;
    }
    return { dx: K.tensor(dX, [d.B, d.T, d.d]), layers: grads, final: f.dw };
  } finally {
    K.release(mark);
  }
}

// --- shared building blocks on kernel memory (addresses in bytes, strides in floats) ---

/** Y [N, out] (row stride ldy) = X [N, in] (row stride ldx) W^T (+ b), W [out, in] and b on the host. */
export function linearRows(
  K: Kernels,
  N: number,
  inDim: number,
  outDim: number,
  X: number,
  ldx: number,
  w: Float32Array,
  b: Float32Array | undefined,
  Y: number,
  ldy: number,
): void {
  if (b) K.gemm(N, outDim, 1, K.put([1]), 0, 0, K.put(b), outDim, Y, ldy); // every row = b (1 x b, A strides 0)
  K.gemm(N, outDim, inDim, X, ldx, 1, K.putTransposed(w, outDim, inDim), outDim, Y, ldy, b !== undefined);
}

/**
 * The gradients of `linearRows` given dY [N, out] (row stride lddy): dX (+)= dY W (row stride
 * lddx); returns dW = dY^T X [out, in] and, with `bias`, db = 1^T dY.
 */
export function linearRowsBackward(
  K: Kernels,
  N: number,
  inDim: number,
  outDim: number,
  dY: number,
  lddy: number,
  X: number,
  ldx: number,
  w: Float32Array,
  dX: number,
  lddx: number,
  accumulate: boolean,
  bias: boolean,
): { dW: Float32Array; db?: Float32Array } {
  K.gemm(N, inDim, outDim, dY, lddy, 1, K.put(w), inDim, dX, lddx, accumulate);
  const dW = K.alloc(outDim * inDim);
  K.gemm(outDim, inDim, N, dY, 1, lddy, X, ldx, dW, inDim); // dY read transposed
  if (!bias) return { dW: K.read(dW, outDim * inDim) };
  const db = K.alloc(outDim);
  K.gemm(1, outDim, N, K.put([1]), 0, 0, dY, lddy, db, outDim);
  return { dW: K.read(dW, outDim * inDim), db: K.read(db, outDim) };
}
