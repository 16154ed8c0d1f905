/**
 * What the claims read from a record, each defined once: the score, solved or not, the
 * time to solve, the sensitivity slope fitted up to underflow, the first/last layer
 * gradient ratio, and accuracy by distance. Plus the selection helpers every claim uses:
 * values per seed (paired across arms), solve counts, and the lengths where a positive
 * control learned the task.
 */
import { isSolved, normalizedScore, timeToSolve, type SolveTime } from '../harness/cell/measure/solve.js';
import type { CompletedRecord } from '../harness/store/results.js';
import { leastSquares } from '../stats/index.js';
import type { Evidence, Experiment } from './types.js';

export { isSolved, normalizedScore as score, timeToSolve };

/**
 * Least-squares slope of log10 ||dL/dx_t|| against the distance from the readout, fitted
 * from distance 0 outward up to the first position whose sensitivity underflowed to 0 (or
 * is not finite): dropping those positions silently would fit only the survivors and hide
 * the vanishing. `underflow` counts the positions past the cut-off.
 */
export function slopeUpToUnderflow(profile: readonly number[]): { slope: number | null; fitted: number; underflow: number } {
  const T = profile.length;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let distance = 0; distance < T; distance++) {
    const v = profile[T - 1 - distance];
    if (!(v > 0) || !Number.isFinite(v)) break;
    xs.push(distance);
    ys.push(Math.log10(v));
  }
  const underflow = T - xs.length;
  return { slope: xs.length >= 2 ? leastSquares(xs, ys).slope : null, fitted: xs.length, underflow };
}

/** Moving-average window of `stepsToLoss`: long enough to smooth a batch of 32's noise, short against any budget the audit uses. */
export const LOSS_WINDOW = 10;

/**
 * The first step (1-based) at which the training loss, averaged over the last LOSS_WINDOW
 * steps, is at most `threshold`: checked at every step, on the loss the optimiser saw. Null:
 * not reached within the steps the run trained (censored at its last step).
 */
export function stepsToLoss(loss: readonly number[], threshold: number): number | null {
  let sum = 0;
  for (let i = 0; i < loss.length; i++) {
    sum += loss[i];
    if (i >= LOSS_WINDOW) sum -= loss[i - LOSS_WINDOW];
    if (i >= LOSS_WINDOW - 1 && sum / LOSS_WINDOW <= threshold) return i + 1;
  }
  return null;
}

/** ln(‖∇ first layer‖ / ‖∇ last layer‖) at the first logged step (gradients flowing back through `layers` blocks). */
export function layerLogRatio(r: CompletedRecord, layers: number): number | undefined {
  const g = r.gradients.groups[0]?.norms;
  const first = g?.['layers.0'];
  const last = g?.[`layers.${layers - 1}`];
  return first && last && first > 0 && last > 0 ? Math.log(first / last) : undefined;
}

/** The score of the trained model read at `factor` x its training length (from the empirical chance there where recorded). */
export function scoreAtFactor(r: CompletedRecord, factor: number): number | undefined {
  const row = r.lengths.find((x) => x.factor === factor);
  if (!row || row.status !== 'completed' || row.value === undefined) return undefined;
  const withScore = row as typeof row & { score?: number };
  if (typeof withScore.score === 'number') return withScore.score;
  if (row.chance === undefined) return undefined;
  return r.metrics.higherIsBetter ? (row.value - row.chance) / (1 - row.chance) : (row.chance - row.value) / row.chance;
}

/** Pooled accuracy score of the samples whose `distance` meta is beyond (or at most) `cut`, chance 0.5 (binary agreement). */
export function scoreByDistance(r: CompletedRecord, cut: number, far: boolean, chance: number): number | undefined {
  const bins = (r.byMeta.distance ?? []).filter((b) => (far ? b.value > cut : b.value <= cut));
  const n = bins.reduce((s, b) => s + b.n, 0);
  if (!n) return undefined;
  const acc = bins.reduce((s, b) => s + b.n * b.score, 0) / n;
  return (acc - chance) / (1 - chance);
}

/** The (lower) median `distance` of the evaluated samples of these records (all arms see the same samples): at most it is "near", beyond it "far". */
export function medianDistance(rs: readonly CompletedRecord[]): number | undefined {
  const ds = rs.flatMap((r) => (r.byMeta.distance ?? []).flatMap((b) => Array<number>(b.n).fill(b.value))).sort((a, b) => a - b);
  return ds.length ? ds[Math.floor((ds.length - 1) / 2)] : undefined;
}

type Where<T extends string, E extends string> = { task?: T; extractor?: E; length?: number };

/**
 * One value per seed for each arm, over the seeds where every arm completed and gave a
 * finite value: the paired samples of a paired test (index i is the same seed in every arm).
 */
export function pairedBySeed<T extends string, E extends string>(
  ev: Evidence,
  exp: Experiment<T, E>,
  where: Omit<Where<T, E>, 'extractor'>,
  arms: readonly E[],
  value: (r: CompletedRecord) => number | null | undefined,
): { seeds: number[]; values: number[][] } {
  const perArm = arms.map((extractor) => new Map(ev.completed(exp, { ...where, extractor }).map((r) => [r.seed, value(r)])));
  const seeds = [...perArm[0].keys()].filter((s) => perArm.every((m) => typeof m.get(s) === 'number' && Number.isFinite(m.get(s)))).sort((a, b) => a - b);
  return { seeds, values: perArm.map((m) => seeds.map((s) => m.get(s) as number)) };
}

/** Solved and completed counts of an arm. */
export function solveCount<T extends string, E extends string>(ev: Evidence, exp: Experiment<T, E>, where: Where<T, E>): { solved: number; n: number } {
  const rs = ev.completed(exp, where);
  return { solved: rs.filter(isSolved).length, n: rs.length };
}

/** Steps-to-solve of an arm, censored at the budget. */
export function solveTimes<T extends string, E extends string>(ev: Evidence, exp: Experiment<T, E>, where: Where<T, E>): SolveTime[] {
  return ev.completed(exp, where).map(timeToSolve);
}

/** A working positive control: an arm that solved the task on at least half of its completed seeds. */
export const POSITIVE_CONTROL_FRACTION = 0.5;

/** The lengths at which some of `arms` is a working positive control, ascending. */
export function controlLengths<T extends string, E extends string>(ev: Evidence, exp: Experiment<T, E>, task: T, arms: readonly E[], lengths: readonly number[]): number[] {
  return lengths.filter((length) =>
    arms.some((extractor) => {
      const { solved, n } = solveCount(ev, exp, { task, extractor, length });
      return n > 0 && solved >= POSITIVE_CONTROL_FRACTION * n;
    }),
  );
}

/** Mean of the finite values, NaN when none. */
export function meanOf(values: readonly (number | null | undefined)[]): number {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : NaN;
}

export const round = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toPrecision(digits)) : x);
