/**
 * S4D's convolution kernel from its diagonal state-space parameters (state-spaces/s4
 * `models/s4/s4d.py`, `S4DKernel.forward`), and the gradient of the parameters given the
 * kernel's gradient, computed on the host in float64. Per channel h and mode n (M = N/2
 * complex modes; the conjugate pair of each gives the factor 2 and the real part):
 *
 *   dt = exp(log_dt);  A = -exp(log_A_real) + i A_imag;  z = exp(dt A)
 *   C~ = C (z - 1) / A          (C complex: the real view [H, M, 2])
 *   K[l, h] = 2 Re sum_n C~ z^l,   l = 0 .. T-1
 *
 * z^l by repeated multiplication (relative error ~l 1e-16). Gradient (g = dL/dRe + i dL/dIm
 * of a complex intermediate; through a holomorphic q' = f(q), g_q = g_q' conj(f'(q))), with
 * G = dL/dK and P = sum_l G_l z^l, Q = sum_l l G_l z^l, f = (z - 1) / A:
 *
 *   g_C~ = 2 conj(P);  g_C = 2 conj(P f);  g_f = 2 conj(P C)
 *   g_dtA = 2 conj(C~ Q) + g_f conj(z / A)
 *   g_A = g_f conj(-(z - 1) / A^2) + dt g_dtA
 *   dL/dlog_dt = dt sum_n Re(g_dtA conj(A));  dL/dlog_A_real = -exp(log_A_real) Re g_A;  dL/dA_imag = Im g_A
 *
 * Cost: H M T complex multiply-adds each way (128 x 32 x 256 ~ 1M at the standard shapes);
 * it does not depend on the batch.
 */

/** The kernel's parameters for H channels and M complex modes, PyTorch layouts. */
export interface S4DKernelParams {
  H: number;
  M: number;
  logDt: Float32Array; // [H]
  C: Float32Array; // [H, M, 2] (real, imaginary)
  logAReal: Float32Array; // [H, M]
  AImag: Float32Array; // [H, M]
}

/** K [T, H] (time-major, as the convolution kernel reads it), float64. */
export function s4dKernel(p: S4DKernelParams, T: number): Float64Array {
  const { H, M } = p;
  const K = new Float64Array(T * H);
  const row = new Float64Array(T); // channel h's kernel, contiguous while the modes add up
  for (let h = 0; h < H; h++) {
    const dt = Math.exp(p.logDt[h]);
    row.fill(0);
    // Two modes per pass: z^l by repeated multiplication is a chain of dependent multiplies,
    // and two independent chains run in the time of one.
    let n = 0;
    for (; n + 1 < M; n += 2) {
      const a = mode(p, h, n, dt);
      const c = mode(p, h, n + 1, dt);
      let ar = 1;
      let ai = 0;
      let cr = 1;
      let ci = 0;
      for (let l = 0; l < T; l++) {
        row[l] += 2 * (a.ctr * ar - a.cti * ai + c.ctr * cr - c.cti * ci);
        const ta = ar * a.zr - ai * a.zi;
        ai = ar * a.zi + ai * a.zr;
        ar = ta;
        const tc = cr * c.zr - ci * c.zi;
        ci = cr * c.zi + ci * c.zr;
        cr = tc;
      }
    }
    if (n < M) {
      const m = mode(p, h, n, dt);
      // w = z^l; K[l, h] += 2 Re(C~ w)
      let wr = 1;
      let wi = 0;
      for (let l = 0; l < T; l++) {
        row[l] += 2 * (m.ctr * wr - m.cti * wi);
        const t = wr * m.zr - wi * m.zi;
        wi = wr * m.zi + wi * m.zr;
        wr = t;
      }
    }
    for (let l = 0; l < T; l++) K[l * H + h] = row[l];
  }
  return K;
}

interface Mode {
  ar: number; // A = ar + i ai
  ai: number;
  zr: number; // z = exp(dt A)
  zi: number;
  fr: number; // f = (z - 1) / A
  fi: number;
  cr: number; // C
  ci: number;
  ctr: number; // C~ = C f
  cti: number;
}

function mode(p: S4DKernelParams, h: number, n: number, dt: number): Mode {
  const j = h * p.M + n;
  const ar = -Math.exp(p.logAReal[j]);
  const ai = p.AImag[j];
  const e = Math.exp(dt * ar);
  const zr = e * Math.cos(dt * ai);
  const zi = e * Math.sin(dt * ai);
  // f = (z - 1) / A
  const den = ar * ar + ai * ai;
  const fr = ((zr - 1) * ar + zi * ai) / den;
  const fi = (zi * ar - (zr - 1) * ai) / den;
  const cr = p.C[2 * j];
  const ci = p.C[2 * j + 1];
  return { ar, ai, zr, zi, fr, fi, cr, ci, ctr: cr * fr - ci * fi, cti: cr * fi + ci * fr };
}

/** Gradients of the parameters given dK [T, H] (time-major, any float array). */
export function s4dKernelBackward(
  p: S4DKernelParams,
  T: number,
  dK: ArrayLike<number>,
): { logDt: Float32Array; C: Float32Array; logAReal: Float32Array; AImag: Float32Array } {
  const { H, M } = p;
  const gLogDt = new Float32Array(H);
  const gC = new Float32Array(H * M * 2);
  const gLar = new Float32Array(H * M);
  const gAim = new Float32Array(H * M);
  const G = new Float64Array(T); // dK[:, h], contiguous
  const pq = new Float64Array(8); // P and Q of a pair of modes
  for (let h = 0; h < H; h++) {
    const dt = Math.exp(p.logDt[h]);
    for (let l = 0; l < T; l++) G[l] = dK[l * H + h];
    let gdt = 0;
    for (let n = 0; n < M; n++) {
      const m = mode(p, h, n, dt);
      // P = sum_l G_l z^l, Q = sum_l l G_l z^l (sums for the next mode computed alongside)
      if (n % 2 === 0) sums(G, T, m, n + 1 < M ? mode(p, h, n + 1, dt) : undefined, pq);
      const o = 4 * (n % 2);
      const [pr, pi, qr, qi] = [pq[o], pq[o + 1], pq[o + 2], pq[o + 3]];
      const j = h * M + n;
      // g_C = 2 conj(P f)
      gC[2 * j] = 2 * (pr * m.fr - pi * m.fi);
      gC[2 * j + 1] = -2 * (pr * m.fi + pi * m.fr);
      // g_f = 2 conj(P C)
      const gfr = 2 * (pr * m.cr - pi * m.ci);
      const gfi = -2 * (pr * m.ci + pi * m.cr);
      // g_dtA = 2 conj(C~ Q) + g_f conj(z / A)
      const den = m.ar * m.ar + m.ai * m.ai;
      const zar = (m.zr * m.ar + m.zi * m.ai) / den; // z / A
      const zai = (m.zi * m.ar - m.zr * m.ai) / den;
      const gdr = 2 * (m.ctr * qr - m.cti * qi) + (gfr * zar + gfi * zai);
      const gdi = -2 * (m.ctr * qi + m.cti * qr) + (gfi * zar - gfr * zai);
      // g_A = g_f conj(-(z - 1) / A^2) + dt g_dtA;  -(z - 1) / A^2 = -f / A
      const far = (m.fr * m.ar + m.fi * m.ai) / den; // f / A
      const fai = (m.fi * m.ar - m.fr * m.ai) / den;
      const gar = gfr * -far + gfi * -fai + dt * gdr; // g_f conj(-f/A): (gfr + i gfi)(-far + i fai)
      const gai = gfr * fai - gfi * far + dt * gdi;
      gLar[j] = -Math.exp(p.logAReal[j]) * gar;
      gAim[j] = gai;
      gdt += gdr * m.ar + gdi * m.ai; // Re(g_dtA conj(A))
    }
    gLogDt[h] = dt * gdt;
  }
  return { logDt: gLogDt, C: gC, logAReal: gLar, AImag: gAim };
}

/**
 * P = sum_l G_l z^l and Q = sum_l l G_l z^l of mode a (into pq[0..3]: Re P, Im P, Re Q, Im Q)
 * and of mode b if given (pq[4..7]), in one pass: two independent multiply chains.
 */
function sums(G: Float64Array, T: number, a: Mode, b: Mode | undefined, pq: Float64Array): void {
  let [apr, api, aqr, aqi, awr, awi] = [0, 0, 0, 0, 1, 0];
  let [bpr, bpi, bqr, bqi, bwr, bwi] = [0, 0, 0, 0, 1, 0];
  const [bzr, bzi] = b ? [b.zr, b.zi] : [0, 0];
  for (let l = 0; l < T; l++) {
    const g = G[l];
    const lg = l * g;
    apr += g * awr;
    api += g * awi;
    aqr += lg * awr;
    aqi += lg * awi;
    bpr += g * bwr;
    bpi += g * bwi;
    bqr += lg * bwr;
    bqi += lg * bwi;
    const ta = awr * a.zr - awi * a.zi;
    awi = awr * a.zi + awi * a.zr;
    awr = ta;
    const tb = bwr * bzr - bwi * bzi;
    bwi = bwr * bzi + bwi * bzr;
    bwr = tb;
  }
  pq[0] = apr;
  pq[1] = api;
  pq[2] = aqr;
  pq[3] = aqi;
  pq[4] = bpr;
  pq[5] = bpi;
  pq[6] = bqr;
  pq[7] = bqi;
}
