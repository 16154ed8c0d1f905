/**
 * The primary tests a claim can run, each returning a `Component`: the two-sided p, which
 * way the effect points relative to the claim, the effect with its interval, and what the
 * test could have detected (minimum detectable effect at 80% power for the observed
 * variance, seeds that would decide). Power is stated at α / m with m the number of primary
 * tests (Holm's strictest step), so the figures hold whatever Holm's order turns out to be.
 */
import { Rng } from '../core/rng.js';
import {
  bootstrapInterval,
  clusterSeedsNeeded,
  normalPower,
  normalQuantile,
  twoWayClusterBootstrap,
  confidenceInterval,
  differences,
  fisherExact,
  fisherMde,
  fisherSeedsNeeded,
  logRank,
  logRankEventsNeeded,
  logRankMdeHazardRatio,
  mean,
  pairedTTest,
  pairedTTestMde,
  pairedTTestPower,
  pairedTTestSeedsNeeded,
  sampleSd,
  tost,
  tQuantile,
  type TimeToEvent,
} from '../stats/index.js';
import type { Component } from './types.js';

/** The number of primary tests Holm runs over (one per claim that is not a sanity check: 12 claims, 2 true by construction); power is stated at α / PRIMARY_TESTS. */
export const PRIMARY_TESTS = 10;
/** Family-wise α of the primary tests. */
export const FAMILY_ALPHA = 0.05;
const ALPHA_POWER = FAMILY_ALPHA / PRIMARY_TESTS;
const POWER = 0.8;

/** +1: the claim predicts the first arm higher; -1: lower. */
export type Sign = 1 | -1;

const favours = (effect: number, sign: Sign): Component['favours'] => (!Number.isFinite(effect) || effect === 0 ? 'neither' : Math.sign(effect) === sign ? 'claim' : 'against');

/** The largest |difference| a bounded unit allows: scores run from 0 (chance) to 1 (perfect), rates from 0 to 1. An MDE above it cannot be detected at that n. */
const UNIT_RANGE: Record<string, number> = { 'score difference': 1, 'solve-rate difference': 1 };
const rangeOf = (unit: string) => (unit in UNIT_RANGE ? { range: UNIT_RANGE[unit] } : {});
const round = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(3)) : x);

/**
 * Paired t-test of a - b over seeds (arms that share each seed's data and initial
 * weights). `a[i]` and `b[i]` must be the same seed. Effect: the mean difference with its
 * Student-t interval.
 */
export function pairedComponent(label: string, a: readonly number[], b: readonly number[], opts: { sign: Sign; unit: string; sesoi: number }): Component {
  const n = a.length;
  const base = { label, test: 'paired t' as const, n: [n, n] };
  if (n < 2) {
    return { ...base, p: NaN, favours: 'neither', effect: { label: 'mean difference', value: n ? a[0] - b[0] : NaN, unit: opts.unit }, power: { mde: null, unit: opts.unit, seedsNeeded: null, method: `a paired t-test needs two or more seeds; ${n} ran` } };
  }
  const d = differences(a, b);
  const { p } = pairedTTest(a, b);
  const m = mean(d);
  const ci = confidenceInterval(d);
  return { ...base, p: Number.isNaN(p) ? 1 : p, favours: favours(m, opts.sign), effect: { label: 'mean difference', value: m, ci: ci ? [ci.lo, ci.hi] : undefined, interval: 'student t 95%', unit: opts.unit }, power: tPower(d, opts.sesoi, opts.unit) };
}

/** One-sample t-test of x against `reference` (e.g. a slope against 0). */
export function oneSampleComponent(label: string, x: readonly number[], opts: { reference: number; sign: Sign; unit: string; sesoi: number }): Component {
  const comp = pairedComponent(label, x, x.map(() => opts.reference), opts);
  return { ...comp, test: 'one-sample t', n: [x.length], effect: { ...comp.effect, label: `mean minus ${opts.reference}` } };
}

function tPower(d: readonly number[], sesoi: number, unit: string): Component['power'] {
  const sd = sampleSd(d);
  const n = d.length;
  const method = `paired t at α = ${FAMILY_ALPHA}/${PRIMARY_TESTS}, noncentral t, observed sd of the differences`;
  if (!sd) return { mde: null, unit, seedsNeeded: null, method: `${method}: the differences have no spread, so no power can be computed` };
  // Power and seeds are for the declared smallest effect of interest, never the observed effect (post-hoc power only restates p).
  return {
    mde: pairedTTestMde(sd, n, ALPHA_POWER, POWER),
    ...rangeOf(unit),
    unit,
    seedsNeeded: pairedTTestSeedsNeeded(sesoi, sd, ALPHA_POWER, POWER, 10_000),
    sesoi,
    powerAtSesoi: pairedTTestPower(sesoi, sd, n, ALPHA_POWER),
    method: `${method} ${round(sd)}; power and seeds for the smallest effect of interest, ${round(sesoi)}`,
  };
}

/**
 * A paired difference measured per seed and per test file (d[s][f], weight w[s][f]: the
 * file's test samples), tested by the two-way cluster bootstrap over seeds and files
 * (stats/cluster.ts): an effect that holds for other text as well as other seeds. Power at
 * the smallest effect of interest by the normal approximation with the bootstrap's standard
 * error; the seeds needed keep the file part of that error fixed.
 */
export function clusterComponent(
  label: string,
  d: readonly (readonly number[])[],
  w: readonly (readonly number[])[],
  opts: { sign: Sign; unit: string; sesoi: number; seed: string },
): Component {
  const S = d.length;
  const base = { label, test: 'cluster bootstrap' as const, n: [S, S] };
  if (S < 2 || !d[0]?.length) {
    return { ...base, p: NaN, favours: 'neither', effect: { label: 'mean difference', value: NaN, unit: opts.unit }, power: { mde: null, unit: opts.unit, seedsNeeded: null, method: `a cluster bootstrap needs two or more seeds and a test file; ${S} seeds ran` } };
  }
  const b = twoWayClusterBootstrap(d, w, { rng: new Rng(`cluster/${opts.seed}`) });
  const z = normalQuantile(1 - ALPHA_POWER / 2) + normalQuantile(POWER);
  return {
    ...base,
    p: b.p,
    favours: favours(b.estimate, opts.sign),
    effect: { label: 'mean difference', value: b.estimate, ci: b.ci, interval: 'bootstrap 95% (seeds x test files)', unit: opts.unit },
    power: {
      mde: b.se > 0 ? z * b.se : null,
      ...rangeOf(opts.unit),
      unit: opts.unit,
      seedsNeeded: clusterSeedsNeeded(opts.sesoi, b, S, ALPHA_POWER, POWER),
      sesoi: opts.sesoi,
      powerAtSesoi: normalPower(opts.sesoi, b.se, ALPHA_POWER),
      method: `two-way cluster bootstrap (${b.resamples} resamples of ${S} seeds x ${d[0].length} test files), normal approximation at α = ${FAMILY_ALPHA}/${PRIMARY_TESTS}; standard error ${round(b.se)} (seeds alone ${round(b.seSeeds)}, files alone ${round(b.seFiles)}); seeds for the smallest effect of interest with the file part fixed`,
    },
  };
}

/**
 * Fisher's exact test on counts of solved runs: arm A solved `solvedA` of `nA` seeds, arm B
 * `solvedB` of `nB`. Effect: the difference in solve rates, with a bootstrap interval
 * (descriptive).
 */
export function fisherComponent(label: string, solvedA: number, nA: number, solvedB: number, nB: number, opts: { sign: Sign; sesoi: number }): Component {
  const unit = 'solve-rate difference';
  const base = { label, test: 'fisher exact' as const, n: [nA, nB] };
  if (!nA || !nB) return { ...base, p: NaN, favours: 'neither', effect: { label: 'solve-rate difference', value: NaN, unit }, power: { mde: null, unit, seedsNeeded: null, method: 'an arm has no completed run' } };
  const { p } = fisherExact(solvedA, nA - solvedA, solvedB, nB - solvedB);
  const rA = solvedA / nA;
  const rB = solvedB / nB;
  const outcomes = (k: number, n: number) => Array.from({ length: n }, (_, i) => (i < k ? 1 : 0));
  const boot = bootstrapInterval(outcomes(solvedA, nA), outcomes(solvedB, nB), (x, y) => mean(x) - mean(y), { rng: new Rng(`audit/${label}`), paired: false, resamples: 2000 });
  // Power: the arm the claim predicts lower is the reference rate.
  const low = opts.sign > 0 ? rB : rA;
  const high = opts.sign > 0 ? rA : rB;
  const n = Math.min(nA, nB);
  const targetHigh = Math.min(1, Math.max(high, low + opts.sesoi));
  const mde = low < 1 ? fisherMde(low, n, ALPHA_POWER, POWER) : null;
  const method = targetHigh > low
    ? `Fisher's exact test at α = ${FAMILY_ALPHA}/${PRIMARY_TESTS}, exact binomial power from the lower arm's rate ${round(low)}; seeds for rates ${round(targetHigh)} against ${round(low)}`
    : `both arms solved every seed (rate 1): no difference in the claim's direction can show at this length, whatever the seeds`;
  return {
    ...base,
    p,
    favours: favours(rA - rB, opts.sign),
    effect: { label: 'solve-rate difference', value: rA - rB, ci: [boot.lo, boot.hi], interval: 'bootstrap 95% (descriptive)', unit },
    power: {
      mde: mde === null ? null : mde - low,
      unit,
      seedsNeeded: targetHigh > low ? fisherSeedsNeeded(targetHigh, low, ALPHA_POWER, POWER, 200) : null,
      method,
    },
  };
}

/**
 * Log-rank test of steps-to-solve (censored at the budget), arm A against arm B. Effect:
 * Peto's one-step hazard ratio of A to B, exp((O_A - E_A) / V) with its interval (above 1:
 * A solves sooner). The claim's sign: +1 predicts A sooner.
 */
export function logRankComponent(label: string, a: readonly TimeToEvent[], b: readonly TimeToEvent[], opts: { sign: Sign; sesoiHazardRatio: number }): Component {
  const unit = 'hazard ratio of solving';
  const base = { label, test: 'log-rank' as const, n: [a.length, b.length] };
  if (!a.length || !b.length) return { ...base, p: NaN, favours: 'neither', effect: { label: 'hazard ratio', value: NaN, unit }, power: { mde: null, unit, seedsNeeded: null, method: 'an arm has no completed run' } };
  const r = logRank([a, b]);
  const events = r.observed[0] + r.observed[1];
  const V = r.variance ?? 0;
  const lnHr = V > 0 ? (r.observed[0] - r.expected[0]) / V : 0;
  const hr = Math.exp(lnHr);
  const ci: [number, number] | undefined = V > 0 ? [Math.exp(lnHr - 1.959963984540054 / Math.sqrt(V)), Math.exp(lnHr + 1.959963984540054 / Math.sqrt(V))] : undefined;
  const method = `log-rank at α = ${FAMILY_ALPHA}/${PRIMARY_TESTS}, Schoenfeld's approximation in events`;
  let seedsNeeded: number | null = null;
  let note = '';
  if (events === 0) note = ': no run solved, so more seeds cannot decide it (a longer budget might)';
  else {
    const target = Math.max(opts.sesoiHazardRatio, hr > 1 ? hr : 1 / hr);
    const needEvents = logRankEventsNeeded(target, ALPHA_POWER, POWER);
    const eventRate = events / (a.length + b.length);
    seedsNeeded = Math.ceil(needEvents / eventRate / 2);
    note = `; seeds per arm for a hazard ratio of ${round(target)} at the observed ${round(eventRate)} solves per run`;
  }
  // With no solve in one arm the hazard ratio is 0 or infinite: Peto's one-step estimate is then a number with no meaning, so none is printed (the log-rank p stays valid).
  const effect: Component['effect'] =
    r.observed[0] && r.observed[1] ? { label: 'hazard ratio (Peto)', value: hr, ci, interval: 'exact', unit } : { label: 'hazard ratio (undefined: an arm never solved)', value: NaN, unit };
  return { ...base, p: r.p, favours: favours(lnHr, opts.sign), effect, power: { mde: events ? logRankMdeHazardRatio(events, ALPHA_POWER, POWER) : null, unit, seedsNeeded, method: method + note } };
}

/** Paired TOST of a - b within ±margin: the "no effect" test. */
export function equivalence(label: string, a: readonly number[], b: readonly number[], margin: number, unit: string): { p: number; margin: number; unit: string; label: string } {
  if (a.length < 2) return { p: NaN, margin, unit, label };
  return { p: tost(a, b, margin).p, margin, unit, label };
}

/**
 * An intersection-union combination: the claim holds only if every component does. p is
 * the largest component p when all point the claim's way; when some point against, the
 * smallest p among those, times their count (Bonferroni over the parts that could
 * contradict); otherwise the largest p.
 */
export function combine(components: readonly Component[]): { p: number; favours: Component['favours'] } {
  if (!components.length || components.some((c) => Number.isNaN(c.p))) return { p: NaN, favours: 'neither' };
  const against = components.filter((c) => c.favours === 'against');
  if (components.every((c) => c.favours === 'claim')) return { p: Math.max(...components.map((c) => c.p)), favours: 'claim' };
  if (against.length) return { p: Math.min(1, against.length * Math.min(...against.map((c) => c.p))), favours: 'against' };
  return { p: Math.max(...components.map((c) => c.p)), favours: 'neither' };
}

/**
 * Paired TOST of a - b within ±margin as a primary component: the part of a claim that
 * predicts no difference (an order-insensitive control task). It points the claim's way
 * when the mean difference lies inside the margin. Power: the margin it could prove for the
 * observed spread, (t(1-α, n-1) + t(0.9, n-1)) · sd / √n, and the seeds at which that reaches
 * the declared margin.
 */
export function tostComponent(label: string, a: readonly number[], b: readonly number[], opts: { margin: number; unit: string }): Component {
  const n = a.length;
  const base = { label, test: 'paired tost' as const, n: [n, n] };
  if (n < 2) return { ...base, p: NaN, favours: 'neither', effect: { label: 'mean difference', value: n ? a[0] - b[0] : NaN, unit: opts.unit }, power: { mde: null, unit: opts.unit, seedsNeeded: null, method: `TOST needs two or more seeds; ${n} ran` } };
  const d = differences(a, b);
  const m = mean(d);
  const ci = confidenceInterval(d);
  const sd = sampleSd(d)!;
  const provable = (k: number) => ((tQuantile(1 - ALPHA_POWER, k - 1) + tQuantile(0.9, k - 1)) * sd) / Math.sqrt(k);
  let seedsNeeded: number | null = null;
  if (sd > 0) for (let k = 2; k <= 10_000 && seedsNeeded === null; k++) if (provable(k) <= opts.margin) seedsNeeded = k;
  return {
    ...base,
    p: tost(a, b, opts.margin).p,
    favours: Math.abs(m) < opts.margin ? 'claim' : 'neither',
    effect: { label: 'mean difference', value: m, ci: ci ? [ci.lo, ci.hi] : undefined, interval: 'student t 95%', unit: opts.unit },
    power: { mde: sd > 0 ? provable(n) : 0, ...rangeOf(opts.unit), unit: `${opts.unit}: the smallest equivalence margin provable at 80%`, seedsNeeded: sd > 0 ? seedsNeeded : n, method: `paired TOST at α = ${FAMILY_ALPHA}/${PRIMARY_TESTS}, observed sd ${round(sd)}, margin ±${opts.margin}` },
  };
}
