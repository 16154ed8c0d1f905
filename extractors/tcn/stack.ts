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
 * The op is a `hostOp` (./kernels/hostOp.ts): under a gradient tape the padded activations
 * and the weights stay pinned in kernel memory until the backward pass reads them. Biases
 * and the relu of conv1 and conv2 are applied as their products are written.
 *
 * Backward, per convolution (dy [N, Cout] the gradient of its output, N = T*B):
 *   db = 1^T dy;  for each tap j (shift s):  dW_j = dy^T x_shift(s)  [Cout, Cin];
 *   dx_shift(s) += dy W_j  (into a padded buffer; what lands in the padding is dropped).
 */
import type * as tf from '@tensorflow/tfjs';
import { hostOp } from '../../kernels/runtime/hostOp.js';
import type { Kernels } from '../../kernels/runtime/runtime.js';

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

/** One convolution's weights in kernel memory: W [Cout, Cin, k] and b [Cout] (byte addresses). */
interface ConvAt {
  w: number;
  b: number;
  cin: number;
  width: number; // k (or 1 for the downsample)
}

/** Activations of one block, kept for the backward pass. */
interface SavedBlock {
  input: Act;
  h1: Act;
  h2: Act;
  out: Act;
}

interface Saved {
  d: Dims;
  convs: ConvAt[][];
  blocks: SavedBlock[];
}

/** x [B, T, D] -> [B, T, C] through all blocks; differentiable in x and every weight. */
export function tcnStack(x: tf.Tensor3D, blocks: BlockWeights[], kernel: number): tf.Tensor3D {
  const [B, T, D] = x.shape;
  const C = blocks[0].w1.shape[0];
  const d: Dims = { B, T, D, C, k: kernel, levels: blocks.length, P: (kernel - 1) * 2 ** (blocks.length - 1) };
  const inputs = [x, ...blocks.flatMap((w) => (w.wd ? [w.w1, w.b1, w.w2, w.b2, w.wd, w.bd!] : [w.w1, w.b1, w.w2, w.b2]))];
  return hostOp<Saved>(
    {
      name: 'tcn',
      forward: (K, at) => forward(K, d, at[0], convsAt(d, blocks, at.slice(1))),
      backward: (K, s, dy) => backward(K, s, dy),
    },
    inputs,
  ) as tf.Tensor3D;
}

/** Per block: conv1, conv2 and (if present) the downsample, from the weight addresses in input order. */
function convsAt(d: Dims, blocks: BlockWeights[], at: number[]): ConvAt[][] {
  let i = 0;
  return blocks.map((w, level) => {
    const cin = level === 0 ? d.D : d.C;
    const convs: ConvAt[] = [
      { w: at[i++], b: at[i++], cin, width: d.k },
      { w: at[i++], b: at[i++], cin: d.C, width: d.k },
    ];
    if (w.wd) convs.push({ w: at[i++], b: at[i++], cin, width: 1 });
    return convs;
  });
}

function actBuffer(K: Kernels, d: Dims, width: number): Act {
  const base = K.zeros((d.P + d.T) * d.B * width); // the zero rows in front are the causal padding
  return { base, data: base + 4 * d.P * d.B * width, width };
}

/** Tap j of W [Cout, Cin, k] as a new [Cin, Cout] (transposed: the forward's right operand) or [Cout, Cin] buffer. */
function tap(K: Kernels, c: ConvAt, cout: number, j: number, transposed: boolean): number {
  const { w, cin, width } = c;
  const at = K.alloc(cout * cin);
  const wj = w + 4 * j; // W[co][ci][j] at wj + 4 (co cin + ci) width
  if (transposed) K.fns.copy2d(cin, cout, wj, width, cin * width, at, cout, 1);
  else K.fns.copy2d(cout, cin, wj, cin * width, width, at, cin, 1);
  return at;
}

/** out (N rows, unpadded) = act(conv(input)) with dilation `dil`: the bias starts the first tap's product, one product per tap, relu as the last is written. */
function conv(K: Kernels, d: Dims, input: Act, c: ConvAt, dil: number, out: number, relu: boolean): void {
  const N = d.T * d.B;
  const C = d.C;
  const mark = K.mark();
  for (let j = 0; j < c.width; j++) {
    const shift = (c.width - 1 - j) * dil; // tap j reads x[t - shift]
    const epilogue = { bias: j === 0 ? c.b : undefined, relu: relu && j === c.width - 1 };
    K.gemm(N, C, c.cin, input.data - 4 * shift * d.B * c.cin, c.cin, 1, tap(K, c, C, j, true), C, out, C, j > 0, epilogue);
  }
  K.release(mark);
}

function forward(K: Kernels, d: Dims, x: number, convs: ConvAt[][]): { y: number; shape: number[]; saved: Saved } {
  const { B, T, D, C } = d;
  const N = T * B;
  let input = actBuffer(K, d, D);
  K.reorder(x, input.data, B, T, D, 'time');
  const blocks: SavedBlock[] = [];
  for (let level = 0; level < d.levels; level++) {
    const [c1, c2, down] = convs[level];
    const dil = 2 ** level;
    const h1 = actBuffer(K, d, C);
    conv(K, d, input, c1, dil, h1.data, true);
    const h2 = actBuffer(K, d, C);
    conv(K, d, h1, c2, dil, h2.data, true);
    let residual = input.data;
    if (down) {
      residual = K.alloc(N * C);
      conv(K, d, input, down, 1, residual, false);
    }
    const out = actBuffer(K, d, C);
    K.ew.addRelu(N * C, h2.data, residual, out.data);
    blocks.push({ input, h1, h2, out });
    input = out;
  }
  const y = K.alloc(N * C);
  K.reorder(input.data, y, B, T, C, 'batch');
  return { y, shape: [B, T, C], saved: { d, convs, blocks } };
}

/**
 * Gradients of one convolution given dy (N rows, unpadded): returns dW [Cout, Cin, k] and
 * db (new buffers), and adds the input gradient into dIn (a padded buffer, zeroed by the caller).
 */
function convBackward(K: Kernels, d: Dims, input: Act, c: ConvAt, dil: number, dy: number, dIn: Act): { dw: number; db: number } {
  const N = d.T * d.B;
  const C = d.C;
  const { cin, width } = c;
  const db = K.zeros(C);
  K.fns.addInto(N, C, db, 0, dy, 4 * C); // db = column sums of dy
  const dw = K.alloc(C * cin * width);
  const mark = K.mark();
  const dWj = K.alloc(C * cin); // one tap's [Cout, Cin]
  for (let j = 0; j < width; j++) {
    const shift = 4 * (width - 1 - j) * dil * d.B * cin; // bytes back from row t = 0
    K.gemm(C, cin, N, dy, 1, C, input.data - shift, cin, dWj, cin); // dW_j = dy^T x_shift (dy read transposed)
    K.gemm(N, cin, C, dy, C, 1, tap(K, c, C, j, false), cin, dIn.data - shift, cin, true); // dx_shift += dy W_j
    K.fns.copy2d(C, cin, dWj, cin, 1, dw + 4 * j, cin * width, width); // into dW[co][ci][j]
  }
  K.release(mark);
  return { dw, db };
}

function backward(K: Kernels, s: Saved, dy: number): number[] {
  const { d, convs } = s;
  const { B, T, D, C } = d;
  const N = T * B;
  const grads: number[][] = [];
  let dOut = K.alloc(N * C); // [N, C] gradient of the last block's output
  K.reorder(dy, dOut, B, T, C, 'time');
  for (let level = d.levels - 1; level >= 0; level--) {
    const [c1, c2, down] = convs[level];
    const { input, h1, h2, out } = s.blocks[level];
    const dil = 2 ** level;
    const cin = c1.cin;
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
  const dx = K.alloc(N * D);
  K.reorder(dOut, dx, B, T, D, 'batch');
  return [dx, ...grads.flat()];
}
