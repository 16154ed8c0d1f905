/**
 * Group-sequential boundaries: add blocks of seeds to an undecided claim, look at the test
 * after each block, and stop early when it crosses a boundary, with the overall type I error
 * held at α. Boundaries come from Lan & DeMets' (1983) α-spending: by information fraction
 * t (seeds so far / the most seeds allowed), at most α*(t) of the error has been spent.
 *
 * - O'Brien–Fleming type: α*(t) = 2 - 2Φ(z_{1-α/2} / √t), very strict early looks;
 * - Pocock type: α*(t) = α ln(1 + (e - 1) t), about the same nominal level at every look.
 *
 * Two-sided boundaries spend α/2 on each side with the one-sided function at level α/2, as
 * gsDesign and ldbounds do (the usual published values: five equal looks at α = 0.05 give
 * the O'Brien–Fleming-type 4.877, 3.357, 2.680, 2.290, 2.031).
 *
 * The boundaries are two-sided and symmetric on the Z scale. They are found look by look:
 * the Z statistics at the looks are a Brownian motion observed at the fractions (Z_k √t_k has
 * independent normal increments), so the probability of first crossing at look k is an
 * integral of the density of the paths still inside, carried from look to look on a grid
 * (Armitage, McPherson & Rowe 1969; Jennison & Turnbull 2000, ch. 19). Checked against
 * multivariate normal probabilities (scipy) and published Lan–DeMets boundaries.
 */
import { normalCdf, normalQuantile } from './distributions.js';

export type Spending = 'obrien-fleming' | 'pocock';
export const SPENDING_FUNCTIONS: readonly Spending[] = ['obrien-fleming', 'pocock'];

/** α*(t): the two-sided type I error spent by information fraction t in [0, 1] (α/2 per side). */
export function spentAlpha(spending: Spending, t: number, alpha: number): number {
  if (!(t >= 0 && t <= 1)) throw new RangeError(`information fraction must be in [0, 1], got ${t}`);
  if (t === 0) return 0;
  const side = alpha / 2;
  if (spending === 'obrien-fleming') return 2 * (2 - 2 * normalCdf(normalQuantile(1 - side / 2) / Math.sqrt(t)));
  return 2 * side * Math.log(1 + (Math.E - 1) * t);
}

export interface SequentialBoundaries {
  spending: Spending;
  alpha: number;
  /** Information fraction at each look, increasing, the last usually 1. */
  fractions: number[];
  /** Critical |Z| at each look: stop and reject when |Z_k| >= z[k]. */
  z: number[];
  /** The same as a two-sided nominal p: reject at look k when the test's p <= nominalP[k]. */
  nominalP: number[];
  /** α*(t_k): cumulative error spent by look k. */
  spent: number[];
}

/** Grid points per look (odd, for Simpson's rule); Simpson on 401 points gives the boundaries to 5 decimals (the same as on 1201). */
const GRID = 401;

function simpsonWeights(n: number, h: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = ((i === 0 || i === n - 1 ? 1 : i % 2 ? 4 : 2) * h) / 3;
  return w;
}

/**
 * Two-sided α-spending boundaries at the given information fractions (e.g. seeds 5, 10, 15,
 * 20 of at most 20: [0.25, 0.5, 0.75, 1]).
 */
export function sequentialBoundaries(fractions: readonly number[], alpha = 0.05, spending: Spending = 'obrien-fleming'): SequentialBoundaries {
  if (!fractions.length) throw new RangeError('sequentialBoundaries needs at least one look');
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`α must be in (0, 1), got ${alpha}`);
  fractions.forEach((t, i) => {
    if (!(t > 0 && t <= 1) || (i > 0 && t <= fractions[i - 1]))
      throw new RangeError(`information fractions must increase within (0, 1], got ${fractions.join(', ')}`);
  });
  const spent = fractions.map((t) => spentAlpha(spending, t, alpha));
  const z: number[] = [];
  // Density of B = Z √t over the continuation region of the previous look, on a grid.
  let grid: Float64Array | null = null;
  let density: Float64Array | null = null;
  let weights: Float64Array | null = null;
  for (let k = 0; k < fractions.length; k++) {
    const t = fractions[k];
    const target = spent[k] - (k ? spent[k - 1] : 0);
    let c: number;
    if (k === 0) {
      c = normalQuantile(1 - target / 2);
    } else {
      const dt = t - fractions[k - 1];
      const sd = Math.sqrt(dt);
      const g = grid!;
      const f = density!;
      const w = weights!;
      // P(inside until look k-1, |B_k| >= c √t_k)
      const exit = (c: number) => {
        const b = c * Math.sqrt(t);
        let p = 0;
        for (let i = 0; i < g.length; i++) p += w[i] * f[i] * (normalCdf((-b - g[i]) / sd) + normalCdf((g[i] - b) / sd));
        return p;
      };
      if (target <= 0) c = Infinity;
      else {
        let lo = 0;
        let hi = 40;
        for (let i = 0; i < 200 && hi - lo > 1e-11; i++) {
          const mid = (lo + hi) / 2;
          if (exit(mid) > target) lo = mid;
          else hi = mid;
        }
        c = (lo + hi) / 2;
      }
    }
    z.push(c);
    if (k === fractions.length - 1) break;
    // Carry the density of the paths still inside to this look's continuation region.
    const half = (Number.isFinite(c) ? c : 40) * Math.sqrt(t);
    const h = (2 * half) / (GRID - 1);
    const next = new Float64Array(GRID);
    const nextDensity = new Float64Array(GRID);
    for (let i = 0; i < GRID; i++) next[i] = -half + i * h;
    if (k === 0) {
      const sd = Math.sqrt(t);
      for (let i = 0; i < GRID; i++) nextDensity[i] = Math.exp(-0.5 * (next[i] / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI));
    } else {
      const sd = Math.sqrt(t - fractions[k - 1]);
      const g = grid!;
      const f = density!;
      const w = weights!;
      for (let j = 0; j < GRID; j++) {
        let s = 0;
        for (let i = 0; i < g.length; i++) s += w[i] * f[i] * Math.exp(-0.5 * ((next[j] - g[i]) / sd) ** 2);
        nextDensity[j] = s / (sd * Math.sqrt(2 * Math.PI));
      }
    }
    grid = next;
    density = nextDensity;
    weights = simpsonWeights(GRID, h);
  }
  return { spending, alpha, fractions: [...fractions], z, nominalP: z.map((c) => 2 * normalCdf(-c)), spent };
}

export interface SequentialLook {
  /** 0-based index of the look. */
  look: number;
  /** The test's two-sided p at this look. */
  p: number;
  /** It crossed the boundary: stop and decide. */
  crossed: boolean;
}

/**
 * Walk the looks in order and stop at the first whose p crosses its nominal boundary; the
 * decision, if any, is made there (`decidedAt`), and later looks are not taken.
 */
export function sequentialDecision(bounds: SequentialBoundaries, ps: readonly number[]): { looks: SequentialLook[]; decidedAt: number | null } {
  const looks: SequentialLook[] = [];
  for (let k = 0; k < ps.length && k < bounds.z.length; k++) {
    const crossed = ps[k] <= bounds.nominalP[k];
    looks.push({ look: k, p: ps[k], crossed });
    if (crossed) return { looks, decidedAt: k };
  }
  return { looks, decidedAt: null };
}
