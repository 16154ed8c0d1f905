/**
 * Where subnormal floats arise in a training step: each WebAssembly kernel's net count of
 * subnormal values it leaves in kernel memory (the arena scanned before and after every
 * call), over one training step of the bench's model. Subnormals are slow on many x86 cores
 * (a microcode assist per operation) and WebAssembly has no flush-to-zero mode, so the kernels
 * flush where they arise (`--flush-subnormals`, on by default):
 *   node dist/perf/profile/subnormals.js <extractor> <length> [batch] [flush: on|off]
 * Slow by design (two scans of the arena per kernel call): a diagnostic, not a timing.
 */
import { initBackend } from '../../kernels/backend.js';
import { kernels, setFlushSubnormals } from '../../kernels/runtime/runtime.js';
import { benchStep } from './step.js';

const [name = 'rnn', len = '256', batch = '32', flush = 'off'] = process.argv.slice(2);
await initBackend('wasm');
setFlushSubnormals(flush === 'on');
const K = kernels();

/** Subnormal floats in bytes [64, top) of kernel memory: exponent bits 0, mantissa not 0. */
function subnormals(): number {
  const top = (K as unknown as { top: number }).top;
  const u = new Uint32Array(K.memory.buffer, 64, (top - 64) >> 2);
  let n = 0;
  for (let i = 0; i < u.length; i++) if ((u[i] & 0x7f800000) === 0 && (u[i] & 0x7fffff) !== 0) n++;
  return n;
}

const made = new Map<string, { calls: number; net: number; callsWithNew: number }>();
const fns = K.fns as unknown as Record<string, (...a: number[]) => void>;
const wrapped: Record<string, (...a: number[]) => void> = {};
for (const [n, f] of Object.entries(fns)) {
  wrapped[n] = (...a: number[]) => {
    const before = subnormals();
    f(...a);
    const net = subnormals() - before;
    const s = made.get(n) ?? { calls: 0, net: 0, callsWithNew: 0 };
    s.calls++;
    s.net += net;
    if (net > 0) s.callsWithNew++;
    made.set(n, s);
  };
}
// The instance calls its kernels through `direct` (`fns` is a getter over it).
(K as unknown as { direct: unknown }).direct = wrapped;

const step = benchStep(name, Number(len), Number(batch));
step.train(); // warm-up: the first step also compiles and sizes the arena
made.clear();
step.train();
console.log(`${name} T=${len} B=${batch} flush ${flush}: subnormals left in kernel memory by each kernel over one training step`);
for (const [n, s] of [...made.entries()].sort((a, b) => b[1].net - a[1].net)) {
  if (s.net !== 0 || s.callsWithNew) console.log(`  ${n.padEnd(24)} net ${String(s.net).padStart(9)}  calls with new ones ${s.callsWithNew}/${s.calls}`);
}
step.dispose();
