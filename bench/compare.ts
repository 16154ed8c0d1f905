/**
 * Ours vs the PyTorch peer, measured in one session:
 *   node <build>/bench/compare.js [extractors] [lengths] [minTimeMs] [--no-torch]
 * e.g. `rnn,lstm 64,256 2000`. Prints a table of train/infer seq/s and the ratio ours/torch.
 */
import { initBackend } from '../harness/backend.js';
import { runBench, runTorchPeer, type BenchRow, type PeerRow } from '../harness/bench.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const extractors = (args[0] ?? 'rnn,lstm,gru,transformer,tcn').split(',');
const lengths = (args[1] ?? '64,256').split(',').map(Number);
const minTimeMs = Number(args[2] ?? 1000);
const batch = 32;
await initBackend('wasm');
const ours: BenchRow[] = [];
for (const e of extractors) {
  for (const l of lengths) {
    const rows = await runBench({ extractors: [e], lengths: [l], batch, minTimeMs });
    for (const r of rows) console.error(`ours ${e} T=${l} ${r.mode}: ${r.seqPerSec.toFixed(1)} seq/s ${r.msPerStep.toFixed(1)} ms (p50 ${r.p50Ms.toFixed(1)}, p99 ${r.p99Ms.toFixed(1)}) ${r.gflops.toFixed(2)} GFLOP/s`);
    ours.push(...rows);
  }
}
let torch: PeerRow[] = [];
if (!process.argv.includes('--no-torch')) torch = await runTorchPeer({ extractors, lengths, batch, minTimeMs });
console.log('| extractor | T | mode | ours seq/s | torch seq/s | ours/torch |');
console.log('|---|---|---|---|---|---|');
for (const r of ours) {
  const p = torch.find((t) => t.extractor === r.extractor && t.length === r.length && t.mode === r.mode);
  console.log(`| ${r.extractor} | ${r.length} | ${r.mode} | ${r.seqPerSec.toFixed(1)} | ${p ? p.seqPerSec.toFixed(1) : '-'} | ${p ? (r.seqPerSec / p.seqPerSec).toFixed(3) : '-'} |`);
}
