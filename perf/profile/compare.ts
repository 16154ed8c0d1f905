/**
 * Ours vs the PyTorch peer, cell by cell: for each (extractor, length) ours is timed and then
 * the peer at once, so that both see the same machine load (on a shared machine the load
 * drifts over minutes); the whole pass is repeated and the median ratio reported.
 *   node dist/perf/profile/compare.js [extractors] [lengths] [minTimeMs] [repeats]
 * e.g. `rnn,lstm 64,256 2000 3`. Prints a markdown table: seq/s (medians) and ours/torch.
 */
import { initBackend } from '../../kernels/backend.js';
import { runBench, runTorchPeer } from '../bench.js';

const [exArg = 'rnn,lstm,gru,transformer,tcn', lenArg = '64,256', timeArg = '1000', repArg = '1'] = process.argv.slice(2);
const extractors = exArg.split(',');
const lengths = lenArg.split(',').map(Number);
const minTimeMs = Number(timeArg);
const repeats = Number(repArg);
const batch = 32;
await initBackend('wasm');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const key = (e: string, L: number, mode: string) => `${e}|${L}|${mode}`;
const ours = new Map<string, number[]>();
const theirs = new Map<string, number[]>();
const ratios = new Map<string, number[]>();
const push = (m: Map<string, number[]>, k: string, v: number) => m.set(k, [...(m.get(k) ?? []), v]);
for (let r = 0; r < repeats; r++) {
  for (const e of extractors) {
    for (const L of lengths) {
      const o = await runBench({ extractors: [e], lengths: [L], batch, minTimeMs });
      const t = await runTorchPeer({ extractors: [e], lengths: [L], batch, minTimeMs });
      for (const row of o) {
        const p = t.find((x) => x.mode === row.mode);
        if (!p) continue;
        const k = key(e, L, row.mode);
        push(ours, k, row.seqPerSec);
        push(theirs, k, p.seqPerSec);
        push(ratios, k, row.seqPerSec / p.seqPerSec);
        console.error(
          `pass ${r + 1}: ${e} T=${L} ${row.mode}: ours ${row.seqPerSec.toFixed(1)} torch ${p.seqPerSec.toFixed(1)} ratio ${(row.seqPerSec / p.seqPerSec).toFixed(3)}`,
        );
      }
    }
  }
}
console.log(`| extractor | T | mode | ours seq/s | torch seq/s | ours/torch (median of ${repeats}) | per pass |`);
console.log('|---|---|---|---|---|---|---|');
for (const e of extractors) {
  for (const L of lengths) {
    for (const mode of ['train', 'infer']) {
      const k = key(e, L, mode);
      if (!ratios.has(k)) continue;
      console.log(
        `| ${e} | ${L} | ${mode} | ${median(ours.get(k)!).toFixed(1)} | ${median(theirs.get(k)!).toFixed(1)} | ${median(ratios.get(k)!).toFixed(2)} | ${ratios
          .get(k)!
          .map((x) => x.toFixed(2))
          .join(' ')} |`,
      );
    }
  }
}
