/**
 * When a run solved its task: the score in units of the way from chance to perfect, a
 * solved flag, and the steps it took, censored at the budget when it did not solve.
 *
 * The fair protocol (issue 13) records `stepsToSolve` (validation checks; null when
 * censored) on every record. Records written before it have no such field; for them the
 * time is a proxy read from the training curve: the steps until the smoothed training loss
 * closed 90% of its drop (`stepsToThreshold`), counted only when the held-out score says
 * the task was solved. `timeToSolve` says which source it used.
 */
import type { CompletedRecord } from '../results.js';
import { censoredAtBudget, type TimeToEvent } from '../stats.js';

/** A run has solved its task when its held-out score is at least this far from chance to perfect. */
export const SOLVED_SCORE = 0.9;

/**
 * Score above chance as a fraction of the way to perfect: 0 at chance, 1 perfect. For
 * accuracy (chance c): (acc - c) / (1 - c). For losses (lower is better, perfect 0): (c - v) / c.
 * The chance is the record's own (the empirical chance of the samples evaluated, where recorded).
 */
export function normalizedScore(r: Pick<CompletedRecord, 'metrics'>): number {
  const { value, higherIsBetter } = r.metrics;
  const chance = empiricalChance(r);
  return higherIsBetter ? (value - chance) / (1 - chance) : (chance - value) / chance;
}

/** The chance baseline on the samples evaluated where the record has one (issue 13's empirical chance), else the population chance. */
export function empiricalChance(r: Pick<CompletedRecord, 'metrics'>): number {
  const m = r.metrics as CompletedRecord['metrics'] & { empiricalChance?: number };
  return typeof m.empiricalChance === 'number' ? m.empiricalChance : r.metrics.chance;
}

export const isSolved = (r: Pick<CompletedRecord, 'metrics'>): boolean => normalizedScore(r) >= SOLVED_SCORE;

export interface SolveTime extends TimeToEvent {
  /** `stepsToSolve`: the protocol's validation checks; `loss-proxy`: the training curve of a run whose held-out score solved. */
  source: 'stepsToSolve' | 'loss-proxy';
}

/** Steps until the run solved its task, censored at its step budget when it did not. */
export function timeToSolve(r: CompletedRecord): SolveTime {
  const budget = r.train.steps;
  const recorded = (r as CompletedRecord & { stepsToSolve?: number | null }).stepsToSolve;
  if (recorded !== undefined) return { ...censoredAtBudget(recorded, budget), source: 'stepsToSolve' };
  return { ...censoredAtBudget(isSolved(r) ? r.stepsToThreshold : null, budget), source: 'loss-proxy' };
}
