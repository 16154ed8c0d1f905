/**
 * What a main record says about the tuning that chose its settings (tune.ts): the grid,
 * the budget, every rung of successive halving with each grid point's validation outcome,
 * and the choice. Plain data, in every record of the tuned (task, extractor, length).
 */
import { z } from 'zod';

/** One grid point at one rung, over the tuning seeds. */
export const trialOutcomeSchema = z.object({
  /** The grid point: a value per grid key (training fields and extractor options). */
  config: z.record(z.string(), z.unknown()),
  /** Seeds that completed (diverged and errored ones count as failed). */
  completed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** Seeds that solved the task on validation within the rung's budget (descriptive: the ranking does not read it). */
  solved: z.number().int().nonnegative(),
  /** Mean steps to solve over the seeds that solved; null when none did (descriptive). */
  stepsToSolve: z.number().nullable(),
  /** Mean final validation score over the completed seeds; null when none completed. Breaks ties in loss. */
  score: z.number().nullable(),
  /**
   * Mean final validation loss (`metrics.evalLoss`: cross-entropy or MSE on the validation
   * set) over the completed seeds; null when none completed. What trials are ranked by
   * (tune.ts rankOutcomes). Absent in records written before it was ranked on.
   */
  loss: z.number().nullable().optional(),
  /** The validation score is indistinguishable from chance (tune.ts isAtChance); absent in older records. */
  atChance: z.boolean().optional(),
  /** Not run at this rung: it had solved at the previous one under a constant schedule, and training stops at the same step whatever the budget. */
  carried: z.boolean().optional(),
});
export type TrialOutcome = z.output<typeof trialOutcomeSchema>;

export const tuningSchema = z.object({
  /** The tuning group's key: a hash of everything the trials depend on (task, extractor, length, training settings, grid, budget). */
  key: z.string(),
  /** The grid as tuned for this extractor: its keys (in order) with their values. */
  grid: z.record(z.string(), z.array(z.unknown())),
  /** The budget: trial steps at the last rung, tuning seeds, successive halving's factor (false: none), the shortest rung. */
  budget: z.object({
    steps: z.number().int().positive(),
    seeds: z.array(z.number().int().nonnegative()),
    halving: z.union([z.number().int().min(2), z.literal(false)]),
    /** No rung trains for fewer steps (clamped to `steps`): a shorter rung ranks trials before they learn. Absent in older records (no floor). */
    minRungSteps: z.number().int().positive().optional(),
  }),
  /** Successive halving (Jamieson & Talwalkar 2016): each rung's trial budget, every grid point it ran, ranked best first, and how many went on. */
  rungs: z.array(z.object({ steps: z.number().int().positive(), trials: z.array(trialOutcomeSchema), kept: z.number().int().nonnegative() })),
  /** The grid point the main cells ran with. */
  chosen: z.record(z.string(), z.unknown()),
  /** Every trial of the last rung was at chance (`atChance`): the choice rests on noise, and the report says so. Absent in older records and when nothing ran. */
  chosenAmongChance: z.boolean().optional(),
});
export type TuningSummary = z.output<typeof tuningSchema>;
