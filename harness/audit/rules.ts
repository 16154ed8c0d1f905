/**
 * Building blocks of the decision rules: estimates across seeds and comparisons that use
 * the 95% confidence intervals when there are seeds to give them, and a fixed margin on
 * single-seed (indicative) runs.
 */
import { ci95, mean } from '../stats.js';
import type { CompletedRecord } from '../results.js';
import type { Decision, Estimate, Verdict } from './types.js';

export function estimateOf(values: number[]): Estimate | undefined {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return undefined;
  return { mean: mean(finite), values: finite, ci: ci95(finite) };
}

/** Lower / upper end of the interval, or the mean when there is only one seed. */
export const lower = (e: Estimate) => e.ci?.lo ?? e.mean;
export const upper = (e: Estimate) => e.ci?.hi ?? e.mean;

/**
 * a against b: 'greater' when a's interval lies wholly above b's (single seed: when the
 * means differ by more than `margin`), 'less' the other way round, else 'overlap'.
 */
export function compare(a: Estimate, b: Estimate, margin: number): 'greater' | 'less' | 'overlap' {
  if (a.ci && b.ci) {
    if (a.ci.lo > b.ci.hi) return 'greater';
    if (a.ci.hi < b.ci.lo) return 'less';
    return 'overlap';
  }
  if (a.mean - b.mean > margin) return 'greater';
  if (b.mean - a.mean > margin) return 'less';
  return 'overlap';
}

/**
 * Score above chance as a fraction of the way to perfect: 0 at chance, 1 perfect (the
 * record's `metrics.score`, measured from the empirical chance on the same samples:
 * tasks/types.ts scoreOf).
 */
export function margin(r: CompletedRecord): number {
  return r.metrics.score;
}

/** First training step whose moving-average loss (window ~5% of the run) is at or below `threshold`; null if never. */
export function stepsToLoss(loss: number[], threshold: number): number | null {
  const w = Math.max(1, Math.floor(loss.length / 20));
  let sum = 0;
  for (let i = 0; i < loss.length; i++) {
    sum += loss[i];
    if (i >= w) sum -= loss[i - w];
    if (i >= w - 1 && sum / w <= threshold) return i + 1;
  }
  return null;
}

export function ci(e: Estimate | undefined): [number, number] | undefined {
  return e?.ci ? [e.ci.lo, e.ci.hi] : undefined;
}

/** A decision that cannot be made because an experiment produced no completed cell. */
export function missing(what: string): Decision {
  return {
    verdict: 'inconclusive',
    key: { label: 'no data', value: NaN },
    reason: `no completed measurement for ${what} (see the errored or diverged cells in the summary table)`,
    numbers: {},
    caveats: [],
  };
}

/** Combine two parts of a claim: contradicted if either is, supported if both are, else inconclusive. */
export function both(a: Verdict, b: Verdict): Verdict {
  if (a === 'contradicted' || b === 'contradicted') return 'contradicted';
  if (a === 'supported' && b === 'supported') return 'supported';
  return 'inconclusive';
}

export const round = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toPrecision(digits)) : x);
