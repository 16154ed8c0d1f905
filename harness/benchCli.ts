/**
 * `fxbench bench`: times the standard shapes of ../shared/peers/README.md and prints JSON
 * lines with the PyTorch peer's fields, or a table; with `--peer torch`, runs the peer in
 * the same session, extractor by extractor right after ours, and prints ours/theirs ratios. Also prints cost scaling: the log-log
 * slope of step time against length per extractor and mode.
 */
import { initBackend, type BackendName } from './backend.js';
import { runBench, runTorchPeer, type BenchRow, type PeerRow } from './bench.js';
import { UsageError } from '../core/errors.js';
import { extractors } from './plugins.js';
import { leastSquares } from './stats.js';

export interface BenchArgs {
  extractors: string[];
  lengths: number[];
  batch: number;
  minTimeMs: number;
  json: boolean;
  peer?: string;
  backend: BackendName;
}

export async function benchCommand(a: BenchArgs, log: (line: string) => void, out: (line: string) => void): Promise<void> {
  for (const e of a.extractors) extractors.get(e); // unknown names fail before any timing
  if (a.peer !== undefined && a.peer !== 'torch') throw new UsageError(`--peer ${a.peer} is not supported: the only peer is torch (../shared/peers/torch_bench.py)`);
  if (!Number.isInteger(a.batch) || a.batch < 1) throw new UsageError(`--batch must be a positive integer, got ${a.batch}`);
  for (const L of a.lengths) if (!Number.isInteger(L) || L < 1) throw new UsageError(`--lengths must be positive integers, got ${L}`);
  await initBackend(a.backend);
  const rows: BenchRow[] = [];
  const peer: PeerRow[] = [];
  // With a peer, each extractor is timed for ours and then at once for the peer, so that the
  // two sides of a ratio are measured minutes apart at most: the machine's speed drifts
  // (other tenants, clocks), and the peer's numbers varied by ±15% between sessions here.
  for (const extractor of a.extractors) {
    log(`bench: timing ${extractor} at lengths ${a.lengths.join(', ')}, batch ${a.batch}`);
    const r = await runBench({ extractors: [extractor], lengths: a.lengths, batch: a.batch, minTimeMs: a.minTimeMs });
    for (const row of r) {
      rows.push(row);
      if (a.json) out(JSON.stringify({ extractor: row.extractor, length: row.length, batch: row.batch, mode: row.mode, seqPerSec: row.seqPerSec, msPerStep: row.msPerStep, params: row.params, gflops: row.gflops, p50Ms: row.p50Ms, p99Ms: row.p99Ms }));
    }
    if (a.peer === 'torch' && isPeerExtractor(extractor)) {
      log(`bench: running the PyTorch peer (one thread) on ${extractor} at the same shapes`);
      try {
        peer.push(...(await runTorchPeer({ extractors: [extractor], lengths: a.lengths, batch: a.batch, minTimeMs: a.minTimeMs })));
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
  }
  if (a.json) {
    for (const p of peer) out(JSON.stringify(p));
    return;
  }
  out(formatTable(rows, peer));
  out('');
  out(formatScaling(rows));
}

const PEER_EXTRACTORS = new Set(['rnn', 'lstm', 'gru', 'transformer', 'tcn', 'mamba', 's4d', 'mingru', 'linear-attention']);
const isPeerExtractor = (e: string) => PEER_EXTRACTORS.has(e);

function pad(cells: string[][]): string {
  const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

/** Ours beside the peer's, with the ratio ours/torch of sequences per second. */
export function formatTable(rows: BenchRow[], peer: PeerRow[]): string {
  const head = ['extractor', 'mode', 'T', 'seq/s', 'ms/step', 'p99 ms', 'GFLOP/s', 'params'];
  if (peer.length) head.push('torch seq/s', 'ours/torch');
  const body = rows.map((r) => {
    const cells = [r.extractor, r.mode, String(r.length), r.seqPerSec.toFixed(1), r.msPerStep.toFixed(2), r.p99Ms.toFixed(2), r.gflops.toFixed(2), String(r.params)];
    if (peer.length) {
      const p = peer.find((x) => x.extractor === r.extractor && x.length === r.length && x.mode === r.mode && x.batch === r.batch);
      cells.push(p ? p.seqPerSec.toFixed(1) : '-', p ? (r.seqPerSec / p.seqPerSec).toFixed(2) : '-');
    }
    return cells;
  });
  return pad([head, ...body]);
}

/** Log-log slope of step time against length: ~1 for linear cost in T, towards 2 for attention at long T. */
export function formatScaling(rows: BenchRow[]): string {
  const lines: string[] = ['cost scaling (log-log slope of ms/step against length):'];
  const keys = [...new Set(rows.map((r) => `${r.extractor}|${r.mode}`))];
  for (const key of keys) {
    const [extractor, mode] = key.split('|');
    const rs = rows.filter((r) => r.extractor === extractor && r.mode === mode);
    if (rs.length < 2) continue;
    const { slope } = leastSquares(rs.map((r) => Math.log(r.length)), rs.map((r) => Math.log(r.msPerStep)));
    lines.push(`  ${extractor} ${mode}: ${slope.toFixed(2)}`);
  }
  return lines.length > 1 ? lines.join('\n') : '';
}
