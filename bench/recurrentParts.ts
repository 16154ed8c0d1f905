/** Scratch: CPU time of the phases of one LSTM/GRU/RNN layer pass at B=32, H=128, D=64 (kernels called directly). */
import { kernels } from '../extractors/kernels/runtime.js';

const T = Number(process.argv[2] ?? 256), B = 32, H = 128, D = 64, GH = 4 * H, N = T * B;
const K = kernels();
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function time(label: string, fn: () => void, reps = 5): number {
  fn();
  const t0 = cpu();
  for (let i = 0; i < reps; i++) fn();
  const ms = (cpu() - t0) / reps;
  console.log(`${label.padEnd(48)} ${ms.toFixed(2).padStart(8)} ms cpu`);
  return ms;
}
const rnd = (n: number) => Float32Array.from({ length: n }, () => Math.random() * 0.2 - 0.1);
const x = rnd(N * D), wih = rnd(GH * D), whh = rnd(GH * H), bias = rnd(GH), dy = rnd(N * H);
const X = K.putTimeMajor(x, B, T, D);
const WihT = K.putTransposed(wih, GH, D), WhhT = K.putTransposed(whh, GH, H), Whh = K.put(whh), Wih = K.put(wih);
const XG = K.alloc(N * GH), H0 = K.zeros((T + 1) * B * H), C0 = K.zeros((T + 1) * B * H), b0 = K.put(bias), DH = K.zeros(B * H), DC = K.zeros(B * H);
const dY = K.put(dy);
const sG = 4 * GH, sH = 4 * H;
const xg = (t: number) => XG + t * B * sG, h = (t: number) => H0 + (t + 1) * B * sH, c = (t: number) => C0 + (t + 1) * B * sH;
time('putTimeMajor x', () => { const m = K.mark(); K.putTimeMajor(x, B, T, D); K.release(m); });
time('input gemm X W_ih^T [N,64]x[64,512]', () => K.gemm(N, GH, D, X, D, 1, WihT, GH, XG, GH));
time(`${T} x step gemm [32,128]x[128,512] acc`, () => { for (let t = 1; t < T; t++) K.gemm(B, GH, H, h(t - 1), H, 1, WhhT, GH, xg(t), GH, true); });
time(`${T} x lstmForward kernel`, () => { for (let t = 0; t < T; t++) K.fns.lstmForward(B, H, xg(t), sG, b0, 0, c(t - 1), sH, c(t), sH, h(t), sH); });
time(`${T} x lstmBackward kernel`, () => { for (let t = T - 1; t >= 0; t--) K.fns.lstmBackward(B, H, xg(t), sG, c(t), sH, c(t - 1), sH, dY + t * B * sH, sH, DH, sH, DC, sH); });
time(`${T} x step gemm [32,512]x[512,128]`, () => { for (let t = T - 1; t > 0; t--) K.gemm(B, H, GH, xg(t), GH, 1, Whh, H, DH, H); });
const dW = K.alloc(GH * H), dWi = K.alloc(GH * D), dX = K.alloc(N * D), db = K.alloc(GH), one = K.put([1]);
time('dW_ih = DG^T X [512,N]x[N,64]', () => K.gemm(GH, D, N, XG, 1, GH, X, D, dWi, D));
time('dW_hh = DG^T Hprev [512,N]x[N,128]', () => K.gemm(GH, H, N, XG, 1, GH, H0, H, dW, H));
time('dx = DG W_ih [N,512]x[512,64]', () => K.gemm(N, D, GH, XG, GH, 1, Wih, D, dX, D));
time('db = 1^T DG', () => K.gemm(1, GH, N, one, 0, 0, XG, GH, db, GH));
time('read gates (N*GH copy out)', () => void K.read(XG, N * GH));
time('put gates (N*GH copy in)', () => { const m = K.mark(); K.put(new Float32Array(K.view(XG, N * GH))); K.release(m); });
time('readBatchMajor y', () => void K.readBatchMajor(h(0), B, T, H));
