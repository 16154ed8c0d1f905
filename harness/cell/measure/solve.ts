/**
 * When a run solved its task: its score (0 at chance, 1 perfect), a solved flag, and the
 * steps it took, censored at the budget when it did not solve.
 *
 * Records of the fair protocol (issue 13) carry `metrics.score` (from the empirical chance
 * on the same samples), `validation.solvedScore` (the task's threshold) and
 * `validation.stepsToSolve` (the first of two consecutive solved validation checks; null
 * when censored). For records without them, the score is computed from the population
 * chance, the threshold is the protocol's default, and the time is a proxy read from the
 * training curve: the steps until the smoothed training loss closed 90% of its drop
 * (`stepsToThreshold`), counted only when the held-out score solved. `timeToSolve` says
 * which source it used.
 */
import type { CompletedRecord } from '../../store/results.js';
import { censoredAtBudget, type TimeToEvent } from '../../../stats/index.js';

/** The protocol's default: solved at 95% of the way from chance to perfect (tasks/types.ts METRICS). */
export const DEFAULT_SOLVED_SCORE = 0.95;

type Fields = Pick<CompletedRecord, 'metrics'> & { validation?: { solvedScore?: number; stepsToSolve?: number | null } };

/** Score above chance as a fraction of the way to perfect: 0 at chance, 1 perfect. */
export function normalizedScore(r: Pick<CompletedRecord, 'metrics'>): number {
  const m = r.metrics as CompletedRecord['metrics'] & { score?: number };
  if (typeof m.score === 'number') return m.score;
  const { value, chance, higherIsBetter } = r.metrics;
  return higherIsBetter ? (value - chance) / (1 - chance) : (chance - value) / chance;
}

/** The score at or above which the record's task counts as solved. */
export const solvedScore = (r: Fields): number => r.validation?.solvedScore ?? DEFAULT_SOLVED_SCORE;

export const isSolved = (r: Fields): boolean => normalizedScore(r) >= solvedScore(r);

export interface SolveTime extends TimeToEvent {
  /** `stepsToSolve`: the protocol's validation checks; `loss-proxy`: the training curve of a run whose held-out score solved. */
  source: 'stepsToSolve' | 'loss-proxy';
}

/** Steps until the run solved its task, censored at its step budget when it did not. */
export function timeToSolve(r: CompletedRecord): SolveTime {
  const budget = r.train.steps;
  const recorded = (r as Fields).validation?.stepsToSolve;
  if (recorded !== undefined) return { ...censoredAtBudget(recorded, budget), source: 'stepsToSolve' };
  return { ...censoredAtBudget(isSolved(r) ? r.stepsToThreshold : null, budget), source: 'loss-proxy' };
}
