/**
 * Splits declared once (tasks/lib/splits.ts): the corpus tasks accept train, validation and
 * test; a stage that needs a split a task does not have gets a one-line UsageError.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UsageError } from '../../../core/errors.js';
import { builtinTasks } from '../../../tasks/index.js';
import { SPLITS, checkSplit, taskSplits } from '../../../tasks/lib/corpusSplits.js';
import { defineTask, type TaskDefinition } from '../../../tasks/types.js';
import { recall } from '../../../tasks/recall.js';

const twoWay: TaskDefinition = defineTask({
  name: 'two-way',
  description: 'a plugin-style task with only train and test',
  example: 'x -> y',
  source: 'test',
  options: z.object({ split: z.enum(['train', 'test']).default('train') }).strict(),
  create: () => {
    throw new Error('not created in this test');
  },
});

describe('splits', () => {
  it('every built-in corpus task has train, validation and test', () => {
    const withSplit = builtinTasks.filter((d) => taskSplits(d));
    expect(withSplit.map((d) => d.name).sort()).toEqual(['brown-agreement', 'brown-genre', 'seq-mnist', 'spam']);
    for (const d of withSplit) {
      expect(taskSplits(d)).toEqual([...SPLITS]);
      expect(d.options.parse({}).split).toBe('train');
      for (const s of SPLITS) expect(() => checkSplit(d, s)).not.toThrow();
    }
    expect(taskSplits(recall)).toBeUndefined();
    expect(() => checkSplit(recall, 'validation')).not.toThrow(); // no split option: streams, not splits
  });

  it('a split the task does not have is a one-line UsageError naming the task and its splits', () => {
    expect(taskSplits(twoWay)).toEqual(['train', 'test']);
    let error: unknown;
    try {
      checkSplit(twoWay, 'validation', 'tuning');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toBe(
      'task two-way has no split "validation" (its splits: train, test), which tuning reads: give the task a "validation" value of its split option, or leave it out of this run',
    );
  });

  it('an unknown split value in the options is refused by the schema', () => {
    for (const d of builtinTasks.filter((t) => taskSplits(t))) expect(d.options.safeParse({ split: 'dev' }).success).toBe(false);
  });
});
