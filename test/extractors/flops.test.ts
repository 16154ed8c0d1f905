/**
 * flops(B, T) against hand counts. The convention (stated at the top of each extractor's
 * flops()): a matMul multiply-add = 2 FLOPs; each elementwise op or activation (add, sub,
 * mul, div, bias add, scale, tanh, sigmoid, relu, exp, sqrt, square) = 1 FLOP per output
 * element; a reduction (sum, mean, max) = 1 FLOP per input element; data movement = 0.
 *
 * Every expected number below is worked out by hand from that convention for one small
 * configuration, with the arithmetic written out; none of it calls the extractor's code.
 * All configurations: input width D = 3, batch B = 2, length T = 5, so N = B*T = 10.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../kernels/backend.js';
import { Rng } from '../../core/rng.js';
import { builtinExtractors } from '../../extractors/index.js';

function create(name: string, options: Record<string, unknown>) {
  const def = builtinExtractors.find((d) => d.name === name)!;
  const ext = def.create(def.options.parse(options), { inputDim: 3, rng: new Rng(1), length: 5 });
  for (const v of Object.values(ext.variables)) v.dispose(); // only flops() is needed
  return ext;
}

describe('FLOP counts match hand counts (D=3, B=2, T=5)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('rnn, hidden 4, 1 layer', () => {
    // Per (sequence, step), H = 4, G = 1:
    //   W_ih x: 2*4*3 = 24; + b_ih: 4
    //   W_hh h: 2*4*4 = 32; + b_hh: 4
    //   xp + hp: 4; tanh: 4
    //   = 24 + 4 + 32 + 4 + 4 + 4 = 72;  x N = 10 -> 720
    expect(create('rnn', { hidden: 4, layers: 1 }).flops(2, 5)).toBe(720);
  });

  it('rnn, hidden 4, 2 layers', () => {
    // Layer 0: 72 per step (above). Layer 1 reads H = 4 instead of D = 3:
    //   W_ih x: 2*4*4 = 32; + 4; W_hh h: 32; + 4; add 4; tanh 4 = 80
    //   (72 + 80) * 10 = 1520
    expect(create('rnn', { hidden: 4, layers: 2 }).flops(2, 5)).toBe(1520);
  });

  it('lstm, hidden 4', () => {
    // Per (sequence, step), 4 gates x H = 16 rows:
    //   W_ih x: 2*16*3 = 96; + b_ih: 16
    //   W_hh h: 2*16*4 = 128; + b_hh: 16
    //   xp + hp: 16; sigmoid i, f, o: 3*4 = 12; tanh g: 4
    //   f*c: 4; i*g: 4; c' = sum: 4; tanh c': 4; o*tanh c': 4
    //   = 96 + 16 + 128 + 16 + 16 + 12 + 4 + 4 + 4 + 4 + 4 + 4 = 308;  x 10 -> 3080
    expect(create('lstm', { hidden: 4, layers: 1 }).flops(2, 5)).toBe(3080);
  });

  it('gru, hidden 4', () => {
    // Per (sequence, step), 3 gates x H = 12 rows:
    //   W_ih x: 2*12*3 = 72; + b_ih: 12
    //   W_hh h: 2*12*4 = 96; + b_hh: 12
    //   r = sigmoid(xr + hr): 4 + 4; z = sigmoid(xz + hz): 4 + 4
    //   n = tanh(xn + r * hn): 4 (mul) + 4 (add) + 4 (tanh)
    //   h' = n + z * (h - n): 4 (sub) + 4 (mul) + 4 (add)
    //   = 72 + 12 + 96 + 12 + 8 + 8 + 12 + 12 = 232;  x 10 -> 2320
    expect(create('gru', { hidden: 4, layers: 1 }).flops(2, 5)).toBe(2320);
  });

  it('transformer, dModel 4, 2 heads, ff 6, 2 layers, sinusoidal, post-norm, residual', () => {
    // N = 10 positions, d = 4, h = 2 heads, ff = 6.
    // Input:   proj 2*10*3*4 = 240, bias 10*4 = 40; + positions 40            = 320
    // Per layer:
    //   in_proj      2*10*4*12 = 960, bias 10*12 = 120                       = 1080
    //   Q K^T        2 heads * B 2 * (5*5 scores) * 2*dh(2) = 2*2*25*4         = 400
    //   scale        2*2*25                                                   = 100
    //   softmax      5 ops (max, sub, exp, sum, div) * 100 scores             = 500
    //   attn V       2*2*(5*5 weights) * 2*dh(2)                              = 400
    //   out_proj     2*10*4*4 = 320, bias 40                                  = 360
    //   linear1      2*10*4*6 = 480, bias 60, relu 60                         = 600
    //   linear2      2*10*6*4 = 480, bias 40                                  = 520
    //   residuals    2 adds * 40                                              = 80
    //   2 LayerNorms 2 * (8 * 40 elements + 2 * 10 positions) = 2 * 340       = 680
    //   layer total  1080+400+100+500+400+360+600+520+80+680                 = 4720
    // Total: 320 + 2 * 4720 = 9760
    const o = { dModel: 4, heads: 2, ffDim: 6, layers: 2, positional: 'sinusoidal', norm: 'post', residual: true };
    expect(create('transformer', o).flops(2, 5)).toBe(9760);
    // Learned positions add the same 40 as sinusoidal; pre-norm does the same work as post.
    expect(create('transformer', { ...o, positional: 'learned', maxLen: 8 }).flops(2, 5)).toBe(9760);
    expect(create('transformer', { ...o, norm: 'pre' }).flops(2, 5)).toBe(9760);
  });

  it('transformer without positions, norms and residuals', () => {
    // Input: 240 + 40 = 280 (no positional add).
    // Layer: 4720 - 80 (residuals) - 680 (norms) = 3960.  Total: 280 + 2 * 3960 = 8200
    const o = { dModel: 4, heads: 2, ffDim: 6, layers: 2, positional: 'none', norm: 'none', residual: false };
    expect(create('transformer', o).flops(2, 5)).toBe(8200);
  });

  it('transformer attention grows as T^2', () => {
    // 1 layer, d = 4, h = 1, ff = 4, no positions/norm/residual, B = 1, T = 8 (N = 8):
    //   proj 2*8*3*4 + 8*4 = 192 + 32 = 224
    //   in_proj 2*8*4*12 + 8*12 = 768 + 96 = 864
    //   QK^T 2*64*4 = 512; scale 64; softmax 5*64 = 320; attn V 512
    //   out_proj 2*8*16 + 32 = 288; linear1 2*8*16 + 32 + 32 = 320; linear2 2*8*16 + 32 = 288
    //   total 224 + 864 + 512 + 64 + 320 + 512 + 288 + 320 + 288 = 3392
    const o = { dModel: 4, heads: 1, ffDim: 4, layers: 1, positional: 'none', norm: 'none', residual: false };
    expect(create('transformer', o).flops(1, 8)).toBe(3392);
  });

  it('tcn, channels 4, kernel 3, 2 levels', () => {
    // Per position (N = 10), C = 4, k = 3:
    // Block 0 (cin = 3, with a 1x1 downsample):
    //   conv1 2*3*3*4 = 72, bias 4, relu 4           = 80
    //   conv2 2*3*4*4 = 96, bias 4, relu 4           = 104
    //   downsample 2*3*4 = 24, bias 4                = 28
    //   residual add 4, relu 4                       = 8
    //   block 0 = 80 + 104 + 28 + 8                  = 220
    // Block 1 (cin = 4, identity residual):
    //   conv1 96 + 4 + 4 = 104; conv2 104; add + relu 8 = 216
    // Total: (220 + 216) * 10 = 4360
    expect(create('tcn', { channels: 4, kernel: 3, levels: 2 }).flops(2, 5)).toBe(4360);
  });

  it('mamba, dModel 4, 1 layer, dState 2, dConv 3, expand 2 (d_inner 8, dt_rank 1)', () => {
    // Per position (N = 10), d = 4, di = 8, R = 1, N_s = 2, k = 3:
    //   proj 2*3*4 = 24, bias 4                                        = 28
    //   RMSNorm: square, mean, x*r, *w = 4*4 = 16; + eps, rsqrt = 2      = 18
    //   in_proj 2*4*16                                                 = 128
    //   conv 2*3*8 = 48, bias 8                                        = 56
    //   silu: sigmoid, mul = 2*8                                       = 16
    //   x_proj 2*8*(1 + 2*2)                                           = 80
    //   dt_proj 2*1*8 = 16, bias 8                                     = 24
    //   softplus                                                       = 8
    //   scan: per channel and state dt*A, exp, *h, (dt u)*B, +, C*h, sum = 7 -> 7*2 = 14;
    //         per channel dt*u, D*u, + = 3;  8 * (14 + 3)              = 136
    //   gate: silu(z) 2*8, * y 8                                       = 24
    //   out_proj 2*8*4                                                 = 64
    //   residual                                                       = 4
    //   layer = 18 + 128 + 56 + 16 + 80 + 24 + 8 + 136 + 24 + 64 + 4   = 558
    //   final RMSNorm                                                  = 18
    // Total: (28 + 558 + 18) * 10 = 6040
    expect(create('mamba', { dModel: 4, layers: 1, dState: 2, dConv: 3, expand: 2 }).flops(2, 5)).toBe(6040);
  });

  it('s4d, dModel 4, 1 layer, dState 4', () => {
    // N = 10 positions, d = 4, B = 2, T = 5:
    //   proj 2*10*3*4 = 240, bias 40                                   = 280
    //   LayerNorm 8*40 + 2*10 (as the transformer's)                    = 340
    //   convolution: step t sums lags 0..t, 1 + 2 + 3 + 4 + 5 = 15 multiply-adds
    //     per sequence and channel: 2 * 15 * (2 sequences * 4 channels) = 240
    //   gelu                                                           = 40
    //   output linear 2*10*4*8 = 640, bias 80                          = 720
    //   GLU: sigmoid, mul = 2*40                                       = 80
    //   residual                                                       = 40
    //   layer = 340 + 240 + 40 + 720 + 80 + 40                         = 1460
    //   final LayerNorm                                                = 340
    // Total: 280 + 1460 + 340 = 2080
    expect(create('s4d', { dModel: 4, layers: 1, dState: 4 }).flops(2, 5)).toBe(2080);
  });

  it('mingru, hidden 4, 1 and 2 layers', () => {
    // Per (sequence, step), H = 4, the projection to 2H = 8 rows:
    //   W x: 2*8*3 = 48; + b: 8
    //   sigmoid(gate) 4; g(hid) 4; lerp h + z (h~ - h): sub 4, mul 4, add 4
    //   = 48 + 8 + 4 + 4 + 12 = 76;  x N = 10 -> 760
    expect(create('mingru', { hidden: 4, layers: 1 }).flops(2, 5)).toBe(760);
    // Layer 1 reads H = 4: 2*8*4 = 64 + 8 + 20 = 92;  (76 + 92) * 10 = 1680
    expect(create('mingru', { hidden: 4, layers: 2 }).flops(2, 5)).toBe(1680);
  });

  it('linear-attention, dModel 4, 2 heads, ff 6, 2 layers, sinusoidal, post-norm, residual, causal or not', () => {
    // N = 10 positions, d = 4, h = 2 heads (dh = 2), ff = 6. As the transformer (above) but the attention:
    // Input:   proj 240 + bias 40 + positions 40                                = 320
    // Per layer:
    //   in_proj      960 + 120                                                   = 1080
    //   phi = elu + 1 on q and k: 2 ops * 2*40 elements                          = 160
    //   per (position, head), 20 pairs: S += k v^T 2*dh^2 = 8, z += k 2,
    //     den = q.z + eps 2*2 + 1 = 5, num = q^T S 8, num / den 2 -> 25          = 500
    //   out_proj     320 + 40                                                    = 360
    //   linear1 600, linear2 520, residuals 80, 2 LayerNorms 680                 = 1880
    //   layer total  1080 + 160 + 500 + 360 + 1880                              = 3980
    // Total: 320 + 2 * 3980 = 8280 (no T^2 term: the same for causal = false)
    const o = { dModel: 4, heads: 2, ffDim: 6, layers: 2, positional: 'sinusoidal', norm: 'post', residual: true };
    expect(create('linear-attention', o).flops(2, 5)).toBe(8280);
    expect(create('linear-attention', { ...o, causal: false }).flops(2, 5)).toBe(8280);
    // Linear in T, where the transformer's attention is quadratic.
    const la = create('linear-attention', o);
    expect(la.flops(2, 50)).toBe(10 * la.flops(2, 5));
  });

  it('every built-in is linear in the batch size', () => {
    for (const def of builtinExtractors) {
      const ext = def.create(def.options.parse({}), { inputDim: 3, rng: new Rng(1), length: 5 });
      for (const v of Object.values(ext.variables)) v.dispose();
      expect(ext.flops(6, 7), def.name).toBe(3 * ext.flops(2, 7));
      expect(ext.flops(2, 7), def.name).toBeGreaterThan(0);
    }
  });
});
