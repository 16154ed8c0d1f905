/**
 * `fxbench bench`: times the standard shapes of ../shared/peers/README.md and prints JSON
 * lines with the PyTorch peer's fields, or a table. With `--peer torch`, ours and the peer
 * alternate `--reps` times per extractor (ours, peer, ours, peer, ...), so both sides of
 * every ratio are measured minutes apart at most, and a ratio is the median of the
 * repetitions' ratios with their min-max: one unlucky pair cannot set it (the peer's own
 * figure moved by +-25% between runs here). Also prints cost scaling: the log-log slope of
 * step time, and of peak memory, against length per extractor and mode.
 */
import { initBackend, type BackendName } from '../kernels/backend.js';
import { runBench, runTorchPeer, type BenchMode, type BenchRow, type PeerRow } from './bench.js';
import { UsageError } from '../core/errors.js';
import { extractors } from '../harness/plugins/registries.js';
import { leastSquares } from '../stats/index.js';
import { parallelism } from '../harness/run/parallelism.js';
import { setFlushSubnormals, setKernelThreads } from '../kernels/runtime/runtime.js';
import { environment } from '../harness/store/env.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BenchArgs {
  extractors: string[];
  lengths: number[];
  batch: number;
  minTimeMs: number;
  json: boolean;
  peer?: string;
  backend: BackendName;
  /** Repetitions of (ours, peer) per extractor; default 3. */
  reps?: number;
  /** Kernel threads for ours (default 1); the peer then runs at 1 and at this many threads and its better row counts. */
  threads?: number;
  oversubscribe?: boolean;
  /** Flush subnormal results to zero, ours and the peer's alike (default true). */
  flushSubnormals?: boolean;
}

/** A median with the range it came from. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** One (extractor, length, mode) over the repetitions: ours, the peer's, and their ratio. */
export interface BenchSummary {
  extractor: string;
  length: number;
  batch: number;
  mode: BenchMode;
  reps: number;
  /** Our repetitions' rows (the first carries the memory measurement). */
  ours: BenchRow[];
  peer: PeerRow[];
  seqPerSec: Spread;
  peerSeqPerSec?: Spread;
  /** ours/peer seq/s of each repetition (ours and the peer's run next to each other), summarised. */
  ratio?: Spread;
}

export const DEFAULT_REPS = 3;

export async function benchCommand(a: BenchArgs, log: (line: string) => void, out: (line: string) => void): Promise<void> {
  for (const e of a.extractors) extractors.get(e); // unknown names fail before any timing
  if (a.peer !== undefined && a.peer !== 'torch')
    throw new UsageError(`--peer ${a.peer} is not supported: the only peer is torch (../shared/peers/torch_bench.py)`);
  if (!Number.isInteger(a.batch) || a.batch < 1) throw new UsageError(`--batch must be a positive integer, got ${a.batch}`);
  for (const L of a.lengths) if (!Number.isInteger(L) || L < 1) throw new UsageError(`--lengths must be positive integers, got ${L}`);
  const reps = a.reps ?? DEFAULT_REPS;
  if (!Number.isInteger(reps) || reps < 1) throw new UsageError(`--reps must be a positive integer, got ${reps}`);
  const { threads } = parallelism({ workers: 1, threads: a.threads, oversubscribe: a.oversubscribe });
  await initBackend(a.backend);
  setKernelThreads(threads);
  const flush = a.flushSubnormals ?? true;
  setFlushSubnormals(flush);
  // The peer starts from our initial extractor weights at each length, and flushes as we do: both sides compute on the same numbers.
  const weightsDir = a.peer === 'torch' ? mkdtempSync(path.join(os.tmpdir(), 'fxbench-bench-weights-')) : undefined;
  const host = machine();
  log(
    `bench: ${host}; subnormals ${flush ? 'flushed to zero' : 'kept'}${a.peer ? `, ours and the peer's alike; the peer starts from our initial extractor weights` : ''}`,
  );
  const rows: BenchRow[][] = []; // [rep] -> our rows of that repetition
  const peer: PeerRow[][] = [];
  for (let r = 0; r < reps; r++) {
    rows.push([]);
    peer.push([]);
  }
  for (const extractor of a.extractors) {
    for (let r = 0; r < reps; r++) {
      log(`bench: timing ${extractor} at lengths ${a.lengths.join(', ')}, batch ${a.batch}${reps > 1 ? ` (repetition ${r + 1} of ${reps})` : ''}`);
      rows[r].push(...(await runBench({ extractors: [extractor], lengths: a.lengths, batch: a.batch, minTimeMs: a.minTimeMs, weightsDir })));
      if (a.peer === 'torch' && isPeerExtractor(extractor)) {
        log(
          `bench: running the PyTorch peer (${threads > 1 ? `1 and ${threads} threads, the better of the two` : 'one thread'}) on ${extractor} at the same shapes`,
        );
        try {
          for (const length of a.lengths) {
            // One run per length: each length's model has its own initial weights (weightsDir/T<length>).
            const peerOpts = { extractors: [extractor], lengths: [length], batch: a.batch, minTimeMs: a.minTimeMs, weightsDir, flushDenormal: flush };
            const one = await runTorchPeer(peerOpts);
            peer[r].push(...(threads > 1 ? bestOf(one, await runTorchPeer({ ...peerOpts, threads })) : one));
          }
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
      }
    }
  }
  if (weightsDir) rmSync(weightsDir, { recursive: true, force: true });
  const summaries = summarise(rows, peer);
  if (a.json) {
    for (const s of summaries) for (const line of jsonLines(s)) out(JSON.stringify({ ...line, cpu: host }));
    return;
  }
  out(`${host}; subnormals ${flush ? 'flushed to zero' : 'kept'}${a.peer ? ` on both sides; the peer ${peerWeightsNote(peer.flat())}` : ''}`);
  out(formatTable(summaries));
  out('');
  out(formatScaling(summaries));
}

/** The CPU model and core count, named in the bench's output: timings depend on them (subnormal arithmetic costs far more on some cores). */
export function machine(): string {
  const { cpu, cores } = environment(); // what every record's env says
  return `${cpu.trim()}, ${cores} cores`;
}

/** What the peer started from, as its rows say. */
function peerWeightsNote(rows: PeerRow[]): string {
  const given = rows.filter((r) => r.weights === 'given').length;
  return given === rows.length ? 'started from our initial extractor weights (--weights)' : `started from our weights in ${given} of ${rows.length} runs`;
}

/** Per (extractor, length, mode), the peer's faster row of two runs (e.g. at 1 and at 2 threads). */
export function bestOf(a: PeerRow[], b: PeerRow[]): PeerRow[] {
  return a.map((x) => {
    const y = b.find((r) => sameCell(r, x));
    return y && y.seqPerSec > x.seqPerSec ? y : x;
  });
}

/** Whether ../shared/peers/torch_bench.py builds the extractor (its definition says so). */
const isPeerExtractor = (e: string) => extractors.get(e).torchPeer !== undefined;

export function spread(xs: number[]): Spread {
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

const sameCell = (
  x: { extractor: string; length: number; mode: string; batch: number },
  y: { extractor: string; length: number; mode: string; batch: number },
) => x.extractor === y.extractor && x.length === y.length && x.mode === y.mode && x.batch === y.batch;

/** Per (extractor, length, mode): the repetitions side by side, ours against the peer's of the same repetition. */
export function summarise(rows: BenchRow[][], peer: PeerRow[][]): BenchSummary[] {
  const out: BenchSummary[] = [];
  for (const first of rows[0]) {
    const ours = rows.map((rep) => rep.find((r) => sameCell(r, first))).filter((r): r is BenchRow => r !== undefined);
    const theirs = peer.map((rep) => rep.find((p) => sameCell(p, first)));
    const paired = ours.map((o, i) => [o, theirs[i]] as const).filter((x): x is readonly [BenchRow, PeerRow] => x[1] !== undefined);
    const peerRows = theirs.filter((p): p is PeerRow => p !== undefined);
    out.push({
      extractor: first.extractor,
      length: first.length,
      batch: first.batch,
      mode: first.mode,
      reps: ours.length,
      ours,
      peer: peerRows,
      seqPerSec: spread(ours.map((r) => r.seqPerSec)),
      peerSeqPerSec: peerRows.length ? spread(peerRows.map((p) => p.seqPerSec)) : undefined,
      ratio: paired.length ? spread(paired.map(([o, p]) => o.seqPerSec / p.seqPerSec)) : undefined,
    });
  }
  return out;
}

/**
 * JSON lines of one summary: ours with the peer's fields (seqPerSec and msPerStep the
 * medians, the range beside them), the peer's likewise, and the ratio line.
 */
export function jsonLines(s: BenchSummary): Record<string, unknown>[] {
  const o = s.ours[0];
  const med = (xs: number[]) => spread(xs).median;
  const lines: Record<string, unknown>[] = [
    {
      extractor: s.extractor,
      length: s.length,
      batch: s.batch,
      mode: s.mode,
      seqPerSec: s.seqPerSec.median,
      seqPerSecRange: [s.seqPerSec.min, s.seqPerSec.max],
      msPerStep: med(s.ours.map((r) => r.msPerStep)),
      params: o.params,
      gflops: med(s.ours.map((r) => r.gflops)),
      p50Ms: med(s.ours.map((r) => r.p50Ms)),
      p99Ms: med(s.ours.map((r) => r.p99Ms)),
      peakBytes: o.peakBytes,
      threads: o.threads,
      flushSubnormals: o.flushSubnormals,
      reps: s.reps,
    },
  ];
  if (s.peerSeqPerSec) {
    const p = s.peer[0];
    lines.push({
      peer: p.peer,
      extractor: s.extractor,
      length: s.length,
      batch: s.batch,
      mode: s.mode,
      seqPerSec: s.peerSeqPerSec.median,
      seqPerSecRange: [s.peerSeqPerSec.min, s.peerSeqPerSec.max],
      msPerStep: med(s.peer.map((r) => r.msPerStep)),
      params: p.params,
      threads: [...new Set(s.peer.map((r) => r.threads ?? 1))],
      flushDenormal: p.flushDenormal,
      weights: p.weights,
      reps: s.peer.length,
    });
  }
  if (s.ratio)
    lines.push({
      ratio: `ours/${s.peer[0].peer}`,
      extractor: s.extractor,
      length: s.length,
      batch: s.batch,
      mode: s.mode,
      median: s.ratio.median,
      min: s.ratio.min,
      max: s.ratio.max,
      reps: s.peer.length,
    });
  return lines;
}

function pad(cells: string[][]): string {
  const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

const range = (s: Spread, digits: number) => `${s.min.toFixed(digits)}-${s.max.toFixed(digits)}`;

/** Ours beside the peer's: medians over the repetitions, and the median ratio ours/torch with its min-max. */
export function formatTable(summaries: BenchSummary[]): string {
  const withPeer = summaries.some((s) => s.ratio);
  const reps = Math.max(...summaries.map((s) => s.reps));
  const head = ['extractor', 'mode', 'T', 'seq/s', ...(reps > 1 ? ['range'] : []), 'ms/step', 'p99 ms', 'GFLOP/s', 'peak MB', 'params'];
  if (withPeer) head.push('torch seq/s', 'ours/torch', ...(reps > 1 ? ['min-max'] : []));
  const body = summaries.map((s) => {
    const o = s.ours[0];
    const med = (xs: number[]) => spread(xs).median;
    const cells = [s.extractor, s.mode, String(s.length), s.seqPerSec.median.toFixed(1), ...(reps > 1 ? [range(s.seqPerSec, 0)] : [])];
    cells.push(
      med(s.ours.map((r) => r.msPerStep)).toFixed(2),
      med(s.ours.map((r) => r.p99Ms)).toFixed(2),
      med(s.ours.map((r) => r.gflops)).toFixed(2),
      (o.peakBytes / 2 ** 20).toFixed(1),
      String(o.params),
    );
    if (withPeer) {
      cells.push(s.peerSeqPerSec ? s.peerSeqPerSec.median.toFixed(1) : '-', s.ratio ? s.ratio.median.toFixed(2) : '-');
      if (reps > 1) cells.push(s.ratio ? range(s.ratio, 2) : '-');
    }
    return cells;
  });
  const note =
    reps > 1
      ? `\n(medians of ${reps} repetitions${withPeer ? "; ours/torch is the median of the repetitions' ratios, each ours and the peer run back to back" : ''})`
      : '';
  const threads = summaries[0]?.ours[0]?.threads ?? 1;
  const threadNote =
    threads > 1 ? `\n(ours on ${threads} kernel threads${withPeer ? `; torch seq/s is the better of its runs at 1 and ${threads} threads, per row` : ''})` : '';
  return pad([head, ...body]) + note + threadNote;
}

/** Log-log slopes against length: step time (~1 for linear cost in T, towards 2 for attention at long T) and peak memory. */
export function formatScaling(summaries: BenchSummary[]): string {
  const lines: string[] = ['scaling against length (log-log slope; 1 = linear in T, 2 = quadratic):'];
  const keys = [...new Set(summaries.map((s) => `${s.extractor}|${s.mode}`))];
  for (const key of keys) {
    const [extractor, mode] = key.split('|');
    const ss = summaries.filter((s) => s.extractor === extractor && s.mode === mode);
    if (ss.length < 2) continue;
    const logT = ss.map((s) => Math.log(s.length));
    const time = leastSquares(
      logT,
      ss.map((s) => Math.log(spread(s.ours.map((r) => r.msPerStep)).median)),
    ).slope;
    const memory = leastSquares(
      logT,
      ss.map((s) => Math.log(s.ours[0].peakBytes)),
    ).slope;
    lines.push(`  ${extractor} ${mode}: time ${time.toFixed(2)}, peak memory ${memory.toFixed(2)}`);
  }
  return lines.length > 1 ? lines.join('\n') : '';
}
