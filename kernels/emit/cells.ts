/**
 * The elementwise part of one time step of the recurrent cells, forward and backward, for
 * all B sequences at once (the matrix products are ./gemm.ts). Gate math follows PyTorch
 * (nn.RNN tanh, nn.LSTM gates i,f,g,o, nn.GRU gates r,z,n with b_hn inside r * (.)).
 *
 * The rnn's activation is tanh (nn.RNN's default) or ReLU (nn.RNN(nonlinearity='relu'), the
 * IRNN of Le, Jaitly & Hinton 2015): one kernel pair each, chosen by the caller.
 *
 * Every kernel has the signature (B, H, ptr0, stride0, ptr1, stride1, ...): array k's row
 * for sequence b starts at byte ptr_k + b * stride_k, so one kernel reads a time step's rows
 * straight out of batch-major [B, T, .] buffers (stride T * width * 4), out of a contiguous
 * [B, .] buffer (stride width * 4), or a single broadcast row such as a bias or the zero
 * initial state (stride 0). Within a row, gate q of a [G*H] row starts q * H floats in.
 *
 * Names of buffers (see ../recurrent.ts for how they are laid out over time):
 *   xg    pre-activations of the gates in; the activated gates out (forward), their
 *         gradients dpre out (backward), in place
 *   bias  [G*H] row (stride 0)
 *   c, cPrev, y, hPrev, hn   the rows of step t (and t - 1) of the saved states
 *   dy    upstream gradient of the step's output; dh, dc  gradients carried from step t + 1
 *
 * Subnormals: the states and gradients carried through time, and every gradient written,
 * are flushed to zero below 2^-126 when flushing is on (../wasm/lanes.ts `flush`). A vanishing
 * gradient otherwise spends tens of steps in the subnormal range, where many x86 cores take
 * a microcode assist on every operation, in these kernels and in the products they feed.
 */
import { sigmoid, tanh, type Expr } from '../wasm/lanes.js';
import { bind, rowKernel, type RowKernel } from '../wasm/rows.js';
import { kernel, type Local } from '../wasm/assembler.js';

/** rnn: y = tanh(xg + bias), where xg already holds W_ih x + W_hh h_{t-1}. */
const rnnForward = rowKernel('rnnForward', ['xg', 'bias', 'y'], (L, s, p, _g, tmp) => [
  L.store(p.y, L.flush(tanh(L, s, L.add(L.load(p.xg), L.load(p.bias))), tmp())),
]);

/** rnn backward: xg = (dy + dh) (1 - y^2), the gradient of the pre-activation. */
const rnnBackward = rowKernel('rnnBackward', ['xg', 'y', 'dy', 'dh'], (L, _s, p, _g, tmp) => {
  const out: Expr[] = [];
  const y = bind(L, tmp, out, L.load(p.y));
  out.push(L.store(p.xg, L.flush(L.mul(L.add(L.load(p.dy), L.load(p.dh)), L.sub(L.k(1), L.mul(y, y))), tmp())));
  return out;
});

/** rnn with ReLU: y = max(xg + bias, 0). NaN stays NaN (as torch.relu), in both flavours. */
const rnnReluForward = rowKernel('rnnReluForward', ['xg', 'bias', 'y'], (L, _s, p, _g, tmp) => [
  L.store(p.y, L.flush(L.relu(L.add(L.load(p.xg), L.load(p.bias))), tmp())),
]);

/**
 * rnn with ReLU, backward: xg = (dy + dh) where y > 0, else 0. Read from the output y, so a
 * pre-activation of exactly 0 gets gradient 0, as PyTorch's relu backward (threshold_backward);
 * a subnormal y that the forward pass flushed to 0 counts as 0 too, consistently with that pass.
 */
const rnnReluBackward = rowKernel('rnnReluBackward', ['xg', 'y', 'dy', 'dh'], (L, _s, p, _g, tmp) => [
  L.store(p.xg, L.flush(L.positiveMask(L.add(L.load(p.dy), L.load(p.dh)), L.load(p.y)), tmp())),
]);

/**
 * lstm: i, f, o = sigmoid, g = tanh of xg + bias (gate order i, f, g, o);
 * c = f cPrev + i g; y = o tanh(c). The activated gates overwrite xg.
 */
const lstmForward = rowKernel('lstmForward', ['xg', 'bias', 'cPrev', 'c', 'y'], (L, s, p, g, tmp) => {
  const out: Expr[] = [];
  const pre = (off?: Local) => L.add(L.load(p.xg, off), L.load(p.bias, off));
  const i = bind(L, tmp, out, sigmoid(L, s, pre()));
  const fg = bind(L, tmp, out, sigmoid(L, s, pre(g.g1)));
  const gg = bind(L, tmp, out, tanh(L, s, pre(g.g2)));
  const o = bind(L, tmp, out, sigmoid(L, s, pre(g.g3)));
  const c = bind(L, tmp, out, L.flush(L.add(L.mul(fg, L.load(p.cPrev)), L.mul(i, gg)), tmp()));
  out.push(L.store(p.xg, i), L.store(p.xg, fg, g.g1), L.store(p.xg, gg, g.g2), L.store(p.xg, o, g.g3));
  out.push(L.store(p.c, c), L.store(p.y, L.flush(L.mul(o, tanh(L, s, c)), tmp())));
  return out;
});

/**
 * lstm backward, given the saved gates (in xg), c and cPrev:
 *   dh = dy + dh_next; tc = tanh(c); dc = dc_next + dh o (1 - tc^2)
 *   d(pre i) = dc g i (1 - i); d(pre f) = dc cPrev f (1 - f); d(pre g) = dc i (1 - g^2);
 *   d(pre o) = dh tc o (1 - o); dc_prev = dc f (written back to dc).
 */
const lstmBackward = rowKernel('lstmBackward', ['xg', 'c', 'cPrev', 'dy', 'dh', 'dc'], (L, s, p, g, tmp) => {
  const out: Expr[] = [];
  const one = L.k(1);
  const i = bind(L, tmp, out, L.load(p.xg));
  const fg = bind(L, tmp, out, L.load(p.xg, g.g1));
  const gg = bind(L, tmp, out, L.load(p.xg, g.g2));
  const o = bind(L, tmp, out, L.load(p.xg, g.g3));
  const dh = bind(L, tmp, out, L.flush(L.add(L.load(p.dy), L.load(p.dh)), tmp()));
  const tc = bind(L, tmp, out, tanh(L, s, L.load(p.c)));
  const dc = bind(L, tmp, out, L.flush(L.add(L.load(p.dc), L.mul(L.mul(dh, o), L.sub(one, L.mul(tc, tc)))), tmp()));
  const st = (value: Expr, off?: Local) => L.store(p.xg, L.flush(value, tmp()), off);
  out.push(
    st(L.mul(L.mul(dc, gg), L.mul(i, L.sub(one, i)))),
    st(L.mul(L.mul(dc, L.load(p.cPrev)), L.mul(fg, L.sub(one, fg))), g.g1),
    st(L.mul(L.mul(dc, i), L.sub(one, L.mul(gg, gg))), g.g2),
    st(L.mul(L.mul(dh, tc), L.mul(o, L.sub(one, o))), g.g3),
    L.store(p.dc, L.flush(L.mul(dc, fg), tmp())),
  );
  return out;
});

/**
 * gru (gate order r, z, n), xg = W_ih x (no bias), hp = W_hh h_{t-1} (no bias):
 *   r = sigmoid(xg_r + b_ir + hp_r + b_hr); z likewise; hn = hp_n + b_hn;
 *   n = tanh(xg_n + b_in + r hn); y = n + z (hPrev - n) = (1 - z) n + z hPrev.
 * The activated r, z, n overwrite xg; hn is saved for the backward pass.
 */
const gruForward = rowKernel('gruForward', ['xg', 'hp', 'bih', 'bhh', 'hPrev', 'hn', 'y'], (L, s, p, g, tmp) => {
  const out: Expr[] = [];
  const pre = (off?: Local) => L.add(L.add(L.load(p.xg, off), L.load(p.bih, off)), L.add(L.load(p.hp, off), L.load(p.bhh, off)));
  const r = bind(L, tmp, out, sigmoid(L, s, pre()));
  const z = bind(L, tmp, out, sigmoid(L, s, pre(g.g1)));
  const hn = bind(L, tmp, out, L.add(L.load(p.hp, g.g2), L.load(p.bhh, g.g2)));
  const n = bind(L, tmp, out, tanh(L, s, L.add(L.add(L.load(p.xg, g.g2), L.load(p.bih, g.g2)), L.mul(r, hn))));
  out.push(L.store(p.xg, r), L.store(p.xg, z, g.g1), L.store(p.xg, n, g.g2), L.store(p.hn, hn));
  out.push(L.store(p.y, L.flush(L.add(n, L.mul(z, L.sub(L.load(p.hPrev), n))), tmp())));
  return out;
});

/**
 * gru backward, given the saved r, z, n (in xg), hn and hPrev:
 *   dh = dy + dh_next; dn = dh (1 - z) (1 - n^2); dz = dh (hPrev - n) z (1 - z);
 *   dr = dn hn r (1 - r). Gradients of the input projection (xg): dr, dz, dn;
 *   of the hidden projection (dhp): dr, dz, dn r. The direct path dh z goes to dh, to
 *   which the caller adds dhp W_hh.
 */
const gruBackward = rowKernel('gruBackward', ['xg', 'hn', 'hPrev', 'dy', 'dh', 'dhp'], (L, _s, p, g, tmp) => {
  const out: Expr[] = [];
  const one = L.k(1);
  const r = bind(L, tmp, out, L.load(p.xg));
  const z = bind(L, tmp, out, L.load(p.xg, g.g1));
  const n = bind(L, tmp, out, L.load(p.xg, g.g2));
  const dh = bind(L, tmp, out, L.flush(L.add(L.load(p.dy), L.load(p.dh)), tmp()));
  const dn = bind(L, tmp, out, L.flush(L.mul(L.mul(dh, L.sub(one, z)), L.sub(one, L.mul(n, n))), tmp()));
  const dz = bind(L, tmp, out, L.flush(L.mul(L.mul(dh, L.sub(L.load(p.hPrev), n)), L.mul(z, L.sub(one, z))), tmp()));
  const dr = bind(L, tmp, out, L.flush(L.mul(L.mul(dn, L.load(p.hn)), L.mul(r, L.sub(one, r))), tmp()));
  out.push(L.store(p.xg, dr), L.store(p.xg, dz, g.g1), L.store(p.xg, dn, g.g2));
  out.push(L.store(p.dhp, dr), L.store(p.dhp, dz, g.g1), L.store(p.dhp, L.flush(L.mul(dn, r), tmp()), g.g2));
  out.push(L.store(p.dh, L.flush(L.mul(dh, z), tmp())));
  return out;
});

/** The cell kernels for the runtime's table (./runtime.ts). */
export const cellKernels = {
  rnnForward: kernel<RowKernel>(rnnForward),
  rnnBackward: kernel<RowKernel>(rnnBackward),
  rnnReluForward: kernel<RowKernel>(rnnReluForward),
  rnnReluBackward: kernel<RowKernel>(rnnReluBackward),
  lstmForward: kernel<RowKernel>(lstmForward),
  lstmBackward: kernel<RowKernel>(lstmBackward),
  gruForward: kernel<RowKernel>(gruForward),
  gruBackward: kernel<RowKernel>(gruBackward),
};
