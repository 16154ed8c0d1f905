/**
 * The rows of the isolated timings the speed claims read (`<results>.speed.jsonl`, taken by
 * ./timing.ts): their schema, declared once, and their reader.
 */
import { z } from 'zod';
import { readJsonl } from '../core/jsonl.js';
import { envSchema } from '../harness/store/env.js';

/** One timing to take: an extractor at some options and length. */
export const speedCaseSchema = z.object({
  /** Label the claims select by (unique with the length). */
  label: z.string(),
  name: z.string(),
  options: z.record(z.string(), z.unknown()),
  length: z.number().int().positive(),
  /** Kernel threads of the timing (default 1): the thread-scaling test times the same case at 1 and 2. */
  threads: z.number().int().positive().optional(),
  /** Batch of the timing (default: the profile's timing batch). */
  batch: z.number().int().positive().optional(),
});
export type SpeedCase = z.infer<typeof speedCaseSchema>;

export const speedRowSchema = speedCaseSchema.extend({
  repetition: z.number().int().nonnegative(),
  batch: z.number().int().positive(),
  /** Timed steps. */
  steps: z.number().int().positive(),
  meanMs: z.number().positive(),
  p50Ms: z.number().positive(),
  /** batch · 1000 / meanMs. */
  seqPerSec: z.number().positive(),
  params: z.number().int().nonnegative(),
  measuredAt: z.string(),
  env: envSchema,
});
export type SpeedRow = z.infer<typeof speedRowSchema>;

/** The rows of a speed file; a torn last line of an interrupted audit, or a row that is not one, is left out (and measured again). */
export function readSpeed(file: string): SpeedRow[] {
  return readJsonl([file]).lines.flatMap(({ value }) => {
    const row = speedRowSchema.safeParse(value);
    return row.success ? [row.data] : [];
  });
}
