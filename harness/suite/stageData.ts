/**
 * Held-out means held out: what each stage of a cell reads.
 *
 * - A task whose options have a `split` field (the corpus tasks, and any plugin task that
 *   declares one) is created three times: with `split: 'train'` for training,
 *   `'validation'` for early stopping and tuning, `'test'` for the reported score. The
 *   harness chooses the split; a suite that sets it is refused.
 * - Every stage also draws from its own stream forked from the cell's seed (`train`,
 *   `validation`, `test`), so a synthetic task (no splits) gets three independent streams,
 *   and a corpus task's stages sample their split independently.
 *
 * Records carry `data`: the split and stream each stage read.
 */
import { z } from 'zod';
import type { Task, TaskDefinition } from '../../tasks/types.js';

export const STAGES = ['train', 'validation', 'test'] as const;
export type Stage = (typeof STAGES)[number];

/** What one stage read: the task's split (absent for a task without splits) and the stream label forked from the cell's seed. */
export const sourceSchema = z.object({ split: z.string().optional(), stream: z.string() });
export type Source = z.output<typeof sourceSchema>;

/** `data` of a record: the source of each stage; `test` is null for a tuning trial, which never reads the test data. */
export const dataSchema = z.object({ train: sourceSchema, validation: sourceSchema, test: sourceSchema.nullable() });
export type DataSources = z.output<typeof dataSchema>;

/** Whether the task's options have a `split` field, i.e. the harness picks a split per stage. */
export function hasSplits(def: TaskDefinition): boolean {
  const shape = (def.options as unknown as { shape?: Record<string, unknown> }).shape;
  return !!shape && 'split' in shape;
}

/** The stages whose split the task's options refuse (e.g. a corpus with no validation split). */
export function missingSplits(def: TaskDefinition, options: Record<string, unknown>): Stage[] {
  return STAGES.filter((s) => !def.options.safeParse({ ...options, split: s }).success);
}

/** The task object each stage reads: three splits of a split task, or one task for all. */
export function stageTasks(def: TaskDefinition, options: Record<string, unknown>): Record<Stage, Task> {
  if (!hasSplits(def)) {
    const task = def.create(def.options.parse(options));
    return { train: task, validation: task, test: task };
  }
  const of = (split: Stage) => def.create(def.options.parse({ ...options, split }));
  return { train: of('train'), validation: of('validation'), test: of('test') };
}

/** The sources of a cell's stages; `trial`: a tuning trial, which reads no test data. */
export function dataSources(def: TaskDefinition, trial = false): DataSources {
  const split = hasSplits(def);
  const source = (stage: Stage): Source => (split ? { split: stage, stream: stage } : { stream: stage });
  return { train: source('train'), validation: source('validation'), test: trial ? null : source('test') };
}
