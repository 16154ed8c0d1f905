/**
 * Held-out splits of the corpus tasks, declared once. A task with a `split` option draws only
 * from that part of its corpus: `train` for training, `validation` for tuning and early
 * stopping, `test` for the reported score; the three share no file or document.
 */
import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import type { TaskDefinition } from '../types.js';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** The `split` option of a corpus task (default `train`). */
export const splitOption = z.enum(SPLITS).default('train').describe("which part of the corpus to draw from: 'train', 'validation' or 'test' (disjoint)");

/**
 * The split values a task's options schema accepts (its `split` field's enum), or undefined
 * when the task has no `split` option. Works for plugin tasks that declare their own enum.
 */
export function taskSplits(def: TaskDefinition): readonly string[] | undefined {
  const field = (def.options as unknown as { shape?: Record<string, z.ZodType> }).shape?.split;
  if (!field) return undefined;
  let t: unknown = field;
  // Unwrap .default() / .optional() to the enum underneath.
  for (let i = 0; i < 4 && t && !(t instanceof z.ZodEnum); i++) {
    const inner = (t as { unwrap?: () => unknown; def?: { innerType?: unknown } }).def?.innerType ?? (t as { unwrap?: () => unknown }).unwrap?.();
    t = inner;
  }
  return t instanceof z.ZodEnum ? (t.options as string[]) : undefined;
}

/**
 * Throws a one-line UsageError when task `def` has no split `split` (for a stage that must
 * read it, e.g. validation for tuning); does nothing for a task without a `split` option.
 */
export function checkSplit(def: TaskDefinition, split: string, stage = 'this stage'): void {
  const splits = taskSplits(def);
  if (!splits || splits.includes(split)) return;
  throw new UsageError(
    `task ${def.name} has no split "${split}" (its splits: ${splits.join(', ')}), which ${stage} reads: give the task a "${split}" value of its split option, or leave it out of this run`,
  );
}
