/** What the two speed claims share: reading the isolated timings. */
import { logLogFit, median, pairedTTest } from '../../stats/index.js';
import { round } from '../measures.js';
import type { SpeedRow } from '../speed.js';
import type { Evidence } from '../types.js';

/** The timing rows of one label and length, by repetition. */
export function rowsOf(ev: Evidence, label: string, length: number): SpeedRow[] {
  return ev.speed.filter((r) => r.label === label && r.length === length).sort((a, b) => a.repetition - b.repetition);
}

/** Median training throughput (sequences per second) over the repetitions; NaN without rows. */
export function medianSeqPerSec(ev: Evidence, label: string, length: number): number {
  const rows = rowsOf(ev, label, length);
  return rows.length ? median(rows.map((r) => r.seqPerSec)) : NaN;
}

/**
 * The per-thread comparison of two labels at one length: the ratio of median throughputs
 * and a paired t-test on log throughput over the interleaved repetitions (descriptive: the
 * claim itself is not testable on one thread).
 */
export function perThread(ev: Evidence, a: string, b: string, length: number): { ratio: number; p: number | null } {
  const ra = rowsOf(ev, a, length);
  const rb = rowsOf(ev, b, length);
  const reps = ra.map((r) => r.repetition).filter((rep) => rb.some((x) => x.repetition === rep));
  const la = reps.map((rep) => Math.log(ra.find((r) => r.repetition === rep)!.seqPerSec));
  const lb = reps.map((rep) => Math.log(rb.find((r) => r.repetition === rep)!.seqPerSec));
  const p = reps.length >= 2 ? pairedTTest(la, lb).p : null;
  return { ratio: medianSeqPerSec(ev, a, length) / medianSeqPerSec(ev, b, length), p: p === null || Number.isNaN(p) ? null : round(p, 2) };
}

/** Exponent of step time against length (log-log least squares over the lengths timed). */
export function timeScaling(ev: Evidence, label: string, lengths: readonly number[]): number | null {
  const ms = lengths.map((L) => { const rows = rowsOf(ev, label, L); return rows.length ? median(rows.map((r) => r.meanMs)) : NaN; });
  const fit = logLogFit(lengths, ms);
  return fit ? round(fit.slope) : null;
}
