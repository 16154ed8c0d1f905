/**
 * The length-generalisation protocol (Delétang et al. 2023): a cell trains on lengths drawn
 * from one range and is tested on another. A suite's `lengths` entry `{ "train": [1, 40],
 * "test": [41, 500] }` (flag form `1-40:41-500`) makes such cells; a plain number keeps its
 * meaning, one fixed length.
 *
 * - Training: each batch draws one length uniformly among the task's accepted lengths in the
 *   train range, from the cell's own stream, so every extractor of a seed sees the same lengths.
 * - Validation draws from the training range the same way, from the validation stream.
 * - Test: every accepted length of the test range, or an even grid of at most `testLengths`
 *   of them; the score is the mean over tested lengths of the per-length value.
 */
import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { Task } from '../../tasks/types.js';

const bounds = z
  .tuple([z.number().int().positive(), z.number().int().positive()])
  .refine(([lo, hi]) => lo <= hi, { message: 'a range is [lowest, highest] with lowest <= highest' });

export const lengthRangeSchema = z
  .object({
    train: bounds,
    test: bounds,
    /** Test at every accepted length of the test range, or at most this many spread evenly across it. */
    testLengths: z.number().int().positive().default(32),
  })
  .strict();
export type LengthRange = z.output<typeof lengthRangeSchema>;

/** A suite's `lengths` entry: one fixed length, or a train and a test range. */
export const lengthEntrySchema = z.union([z.number().int().positive(), lengthRangeSchema]);
export type LengthEntry = z.output<typeof lengthEntrySchema>;

/** `1-40:41-500`: the flag form, and how cell ids and tables name a range. */
export const rangeText = (r: Pick<LengthRange, 'train' | 'test'>): string => `${r.train[0]}-${r.train[1]}:${r.test[0]}-${r.test[1]}`;

/** A length entry as text: `64` or `1-40:41-500`. */
export const lengthEntryText = (e: LengthEntry): string => (typeof e === 'number' ? String(e) : rangeText(e));

/** The length a record or cell is named by: its range's text, or its fixed length. */
export const lengthText = (c: { length: number; range?: Pick<LengthRange, 'train' | 'test'> }): string => (c.range ? rangeText(c.range) : String(c.length));

/** One `--lengths` entry: `64` or `1-40:41-500`. */
export function parseLengthEntry(flag: string, text: string): LengthEntry {
  // Any number goes on to the suite schema, whose message says what a length must be.
  if (text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  const m = /^(\d+)-(\d+):(\d+)-(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--${flag}: "${text}" is not a number or a range: give a comma-separated list such as --${flag} 16,64 or 1-40:41-500`);
  const [a, b, c, d] = m.slice(1).map(Number);
  return { train: [a, b], test: [c, d], testLengths: 32 };
}

/** The lengths the task accepts in [lo, hi], ascending. */
export function acceptedLengths(task: Pick<Task, 'minLength' | 'lengths'>, [lo, hi]: readonly [number, number]): number[] {
  const out: number[] = [];
  for (let L = Math.max(lo, task.minLength); L <= hi; L++) if (!task.lengths || task.lengths.accepts(L)) out.push(L);
  return out;
}

/** At most `k` accepted lengths spread evenly over the test range, both ends included. */
export function testGrid(accepted: readonly number[], k: number): number[] {
  if (accepted.length <= k) return [...accepted];
  if (k === 1) return [accepted[accepted.length - 1]];
  return [...new Set(Array.from({ length: k }, (_, i) => accepted[Math.round((i * (accepted.length - 1)) / (k - 1))]))];
}

/** Uniform draws among the accepted lengths of a range, from `rng`. */
export const lengthDrawer =
  (accepted: readonly number[], rng: Rng): (() => number) =>
  () =>
    accepted[rng.int(accepted.length)];

/** The one-line refusal of a range the task cannot fill, or undefined. */
export function rangeRefusal(task: Pick<Task, 'minLength' | 'lengths'>, taskName: string, r: LengthRange): string | undefined {
  for (const part of ['train', 'test'] as const) {
    if (!acceptedLengths(task, r[part]).length) {
      const rule = task.lengths ? `${task.lengths.rule}, from ${task.minLength}` : `lengths from ${task.minLength}`;
      return `task ${taskName} has no length in the ${part} range ${r[part][0]}-${r[part][1]} of ${rangeText(r)}: it is defined at ${rule}`;
    }
  }
  if (r.train[0] < task.minLength)
    return `task ${taskName} needs length >= ${task.minLength}, but the train range of ${rangeText(r)} starts at ${r.train[0]}: raise it`;
  return undefined;
}
