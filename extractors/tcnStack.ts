/**
 * The TCN's residual blocks as one tf op, x [B, T, D] -> [B, T, C], with the gradient
 * written out, computed on the WebAssembly kernels (./kernels).
 *
 * Block i (dilation d = 2^i):  h1 = relu(conv1(x)); h2 = relu(conv2(h1));
 *                              out = relu(h2 + (downsample ? conv1x1(x) : x))
 * conv(x)[t] = b + sum_j W[:, :, j] x[t - (k-1-j) d]   (PyTorch Conv1d weight [Cout, Cin, k],
 * causal: left zero padding, the padded tail chomped).
 *
 * Layout: inside, every activation is time-major ([T, B, C], row t*B + b) with P*B zero rows
 * in front (P = (k-1) d_max). Then x[t - s] for all (t, b) is one contiguous block of rows,
 * s*B rows before the data, and a convolution is k products (one per tap) over all B*T rows
 * at once, reading the shifted input in place: no im2col copy, no pad/slice/concat ops and
 * none of their gradients (which were half the time of the tfjs version).
 *
 * Backward, per convolution (dy [N, Cout] the gradient of its output, N = T*B):
 *   db = 1^T dy;  for each tap j (shift s):  dW_j = dy^T x_shift(s)  [Cout, Cin];
 *   dx_shift(s) += dy W_j  (into a padded buffer; what lands in the padding is dropped).
 */
import * as tf from '@tensorflow/tfjs';
import { kernels, type Kernels } from './kernels/runtime.js';

/** The weights of one residual block, PyTorch layouts. */
export interface BlockWeights {
  w1: tf.Tensor; // [C, Cin, k]
  b1: tf.Tensor; // [C]
  w2: tf.Tensor; // [C, C, k]
  b2: tf.Tensor; // [C]
  wd?: tf.Tensor; // [C, Cin, 1], when Cin != C
  bd?: tf.Tensor; // [C]
}

interface Dims {
  B: number;
  T: number;
  D: number;
  C: number;
  k: number;
  levels: number;
  /** Zero row-blocks in front of every activation buffer: the largest causal shift. */
  P: number;
}

/** A time-major activation buffer with P zero row-blocks in front; `data` is row t = 0. */
interface Act {
  base: number;
  data: number;
  width: number;
}

/** One convolution's weights on the host: W [Cout, Cin, k] and b [Cout]. */
interface ConvData {
  w: Float32Array;
  b: Float32Array;
  cin: number;
  width: number; // k (or 1 for the downsample)
}

/** x [B, T, D] -> [B, T, C] through all blocks; differentiable in x and every weight. */
export function tcnStack(x: tf.Tensor3D, blocks: BlockWeights[], kernel: number): tf.Tensor3D {
  const [B, T, D] = x.shape;
  const C = blocks[0].w1.shape[0];
  const dims: Dims = { B, T, D, C, k: kernel, levels: blocks.length, P: (kernel - 1) * 2 ** (blocks.length - 1) };
  const inputs = [x, ...blocks.flatMap((w) => (w.wd ? [w.w1, w.b1, w.w2, w.b2, w.wd, w.bd!] : [w.w1, w.b1, w.w2, w.b2]))];
  const op = tf.customGrad(((...args: tf.Tensor[]) => {
    const xs = args.slice(0, inputs.length);
    const data = xs.map((t) => t.dataSync() as Float32Array);
    const convs = hostWeights(dims, blocks, data.slice(1));
    // Activations are kept for the backward pass only when a gradient is recorded.
    const keep = tf.engine().state.gradientDepth > 0;
    const { y, saved } = forward(dims, data[0], convs, keep);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor) => {
        if (!saved) throw new Error('tcn: no activations were kept for the backward pass (its forward ran outside a gradient tape)');
        const g = backward(dims, saved, convs, dy.dataSync() as Float32Array);
        return [g.dx, ...g.dw.map((d, i) => tf.tensor(d, xs[i + 1].shape))];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...args: tf.Tensor[]) => tf.Tensor3D;
  return op(...inputs);
}

/** Per block: conv1, conv2 and (if present) the downsample, from the flat weight data in input order. */
function hostWeights(d: Dims, blocks: BlockWeights[], data: Float32Array[]): ConvData[][] {
  let i = 0;
  return blocks.map((w, level) => {
    const cin = level === 0 ? d.D : d.C;
    const convs: ConvData[] = [
      { w: data[i++], b: data[i++], cin, width: d.k },
      { w: data[i++], b: data[i++], cin: d.C, width: d.k },
    ];
    if (w.wd) convs.push({ w: data[i++], b: data[i++], cin, width: 1 });
    return convs;
  });
}

/** Saved activations of one block (host copies of the padded buffers: kernel memory is scratch). */
interface SavedBlock {
  input: Float32Array;
  h1: Float32Array;
  h2: Float32Array;
  out: Float32Array;
}

function actBuffer(K: Kernels, d: Dims, width: number): Act {
  const base = K.zeros((d.P + d.T) * d.B * width); // the zero rows in front are the causal padding
  return { base, data: base + 4 * d.P * d.B * width, width };
}

function restore(K: Kernels, d: Dims, width: number, saved: Float32Array): Act {
  const base = K.putSaved(saved);
  return { base, data: base + 4 * d.P * d.B * width, width };
}

/** Tap j of W [Cout, Cin, k] as [Cin, Cout] (transposed: the forward's right operand) or [Cout, Cin]. */
function putTap(K: Kernels, c: ConvData, cout: number, j: number, transposed: boolean): number {
  const { w, cin, width } = c;
  const at = K.alloc(cout * cin);
  const heap = K.heap;
  const o = at >> 2;
  for (let co = 0; co < cout; co++) {
    for (let ci = 0; ci < cin; ci++) heap[o + (transposed ? ci * cout + co : co * cin + ci)] = w[(co * cin + ci) * width + j];
  }
  return at;
}

/** out (N rows, unpadded) = conv(input) with dilation `dil`: bias, then one product per tap. */
function conv(K: Kernels, d: Dims, input: Act, c: ConvData, dil: number, out: number): void {
  const N = d.T * d.B;
  const C = d.C;
  K.gemm(N, C, 1, K.put([1]), 0, 0, K.put(c.b), C, out, C); // every row = b (1 x b, A strides 0)
  for (let j = 0; j < c.width; j++) {
    const shift = (c.width - 1 - j) * dil; // tap j reads x[t - shift]
    K.gemm(N, C, c.cin, input.data - 4 * shift * d.B * c.cin, c.cin, 1, putTap(K, c, C, j, true), C, out, C, true);
  }
}

function forward(d: Dims, x: Float32Array, convs: ConvData[][], keep: boolean): { y: tf.Tensor3D; saved?: SavedBlock[] } {
  const { B, T, D, C } = d;
  const N = T * B;
  const K = kernels();
  const mark = K.mark();
  try {
    let input = actBuffer(K, d, D);
    K.reorder(K.put(x), input.data, B, T, D, 'time');
    const saved: SavedBlock[] = [];
    for (let level = 0; level < d.levels; level++) {
      const [c1, c2, down] = convs[level];
      const dil = 2 ** level;
      const h1 = actBuffer(K, d, C);
      conv(K, d, input, c1, dil, h1.data);
      K.ew.relu(N * C, h1.data);
      const h2 = actBuffer(K, d, C);
      conv(K, d, h1, c2, dil, h2.data);
      K.ew.relu(N * C, h2.data);
      let residual = input.data;
      if (down) {
        residual = K.alloc(N * C);
        conv(K, d, input, down, 1, residual);
      }
      const out = actBuffer(K, d, C);
      K.ew.addRelu(N * C, h2.data, residual, out.data);
      if (keep) {
        const size = (d.P + T) * B;
        saved.push({ input: K.save(input.base, size * input.width), h1: K.save(h1.base, size * C), h2: K.save(h2.base, size * C), out: K.save(out.base, size * C) });
      }
      input = out;
    }
    return { y: K.batchMajorTensor(input.data, B, T, C), saved: keep ? saved : undefined };
  } finally {
    K.release(mark);
  }
}

interface Grads {
  dx: tf.Tensor3D;
  /** In input order: per block w1, b1, w2, b2 (, wd, bd). */
  dw: Float32Array[];
}

/**
 * Gradients of one convolution given dy (N rows, unpadded): returns dW [Cout, Cin, k] and
 * db, and adds the input gradient into dIn (a padded buffer, zeroed by the caller).
 */
function convBackward(K: Kernels, d: Dims, input: Act, c: ConvData, dil: number, dy: number, dIn: Act): { dw: Float32Array; db: Float32Array } {
  const N = d.T * d.B;
  const C = d.C;
  const { cin, width } = c;
  const dW = K.alloc(C * cin); // one tap's [Cout, Cin]
  const db = K.alloc(C);
  K.gemm(1, C, N, K.put([1]), 0, 0, dy, C, db, C); // db = 1^T dy
  const dw = new Float32Array(C * cin * width);
  for (let j = 0; j < width; j++) {
    const shift = 4 * (width - 1 - j) * dil * d.B * cin; // bytes back from row t = 0
    K.gemm(C, cin, N, dy, 1, C, input.data - shift, cin, dW, cin); // dW_j = dy^T x_shift (dy read transposed)
    K.gemm(N, cin, C, dy, C, 1, putTap(K, c, C, j, false), cin, dIn.data - shift, cin, true); // dx_shift += dy W_j
    const g = K.view(dW, C * cin);
    for (let co = 0; co < C; co++) for (let ci = 0; ci < cin; ci++) dw[(co * cin + ci) * width + j] = g[co * cin + ci];
  }
  return { dw, db: K.read(db, C) };
}

function backward(d: Dims, saved: SavedBlock[], convs: ConvData[][], dy: Float32Array): Grads {
  const { B, T, D, C } = d;
  const N = T * B;
  const K = kernels();
  const mark = K.mark();
  try {
    const grads: Float32Array[][] = [];
    let dOut = K.putTimeMajor(dy, B, T, C); // [N, C] gradient of the last block's output
    for (let level = d.levels - 1; level >= 0; level--) {
      const [c1, c2, down] = convs[level];
      const s = saved[level];
      const dil = 2 ** level;
      const cin = c1.cin;
      const input = restore(K, d, cin, s.input);
      const h1 = restore(K, d, C, s.h1);
      const h2 = restore(K, d, C, s.h2);
      const out = restore(K, d, C, s.out);
      K.ew.reluBackward(N * C, out.data, dOut); // dOut = gradient of h2 + residual
      const dH2 = K.copy(dOut, N * C); // the conv branch's copy ...
      K.ew.reluBackward(N * C, h2.data, dH2); // ... through its relu
      const dH1 = actBuffer(K, d, C);
      const g2 = convBackward(K, d, h1, c2, dil, dH2, dH1);
      K.ew.reluBackward(N * C, h1.data, dH1.data);
      const dIn = actBuffer(K, d, cin);
      const g1 = convBackward(K, d, input, c1, dil, dH1.data, dIn);
      const levelGrads = [g1.dw, g1.db, g2.dw, g2.db];
      if (down) {
        const gd = convBackward(K, d, input, down, 1, dOut, dIn); // the residual path's gradient is dOut itself
        levelGrads.push(gd.dw, gd.db);
      } else {
        K.ew.addInto(N * C, dIn.data, dOut);
      }
      grads.unshift(levelGrads);
      dOut = dIn.data;
    }
    return { dx: K.batchMajorTensor(dOut, B, T, D), dw: grads.flat() };
  } finally {
    K.release(mark);
  }
}
