/**
 * Which lengths a cell reads at each stage. A fixed-length cell reads its one length
 * everywhere (and draws nothing, so its streams are those it always had). A range cell
 * (../suite/lengthRange.ts) draws one length per training and validation batch among the
 * task's accepted lengths of its train range, each stage from its own `lengths` stream, and
 * is tested on a grid over its test range: every length on its own batches, the score the
 * mean over lengths.
 */
import type { Rng } from '../../core/rng.js';
import { scoreOf, type MetricName, type Task } from '../../tasks/types.js';
import { evalMemoryRefusal } from '../cost/memory.js';
import type { CompletedRecord } from '../store/results.js';
import { acceptedLengths, lengthDrawer, testGrid } from '../suite/lengthRange.js';
import type { Cell } from '../suite/suite.js';
import { type Constant, drawBatches, type Evaluated, evaluate, type Lengths, meanOverLengths, type Predictor } from './evaluate.js';

export interface LengthPlan {
  /** The longest length the model will read (it sizes position tables and the like). */
  longest: number;
  /** The lengths a stage's batches take, drawn from `rng` (a stage's stream) for a range. */
  train(rng: Rng): Lengths;
  /** The test grid of a range cell; undefined for a fixed length. */
  test?: number[];
}

export function lengthPlan(cell: Cell, task: Task): LengthPlan {
  const r = cell.range;
  if (!r) return { longest: cell.length, train: () => cell.length };
  const accepted = acceptedLengths(task, r.train);
  const test = testGrid(acceptedLengths(task, r.test), r.testLengths);
  return { longest: Math.max(accepted.at(-1)!, test.at(-1)!), train: (rng) => lengthDrawer(accepted, rng.fork('lengths')), test };
}

/**
 * Test at every length of the grid on its own batches (ceil(evalSamples / lengths), at least
 * one batch, from its own fork of the test stream). Lengths the extractor cannot read or the
 * memory cannot hold are recorded as not applicable and left out of the mean, which the
 * record's `lengths` shows.
 */
export function testOverRange(
  predict: Predictor,
  maxLength: number | undefined,
  task: Task,
  cell: Cell,
  grid: readonly number[],
  testRng: Rng,
  constant: Constant,
  metric: MetricName,
) {
  const perLength = Math.max(cell.train.batch, Math.ceil(cell.train.evalSamples / grid.length));
  const done: Evaluated[] = [];
  const chances: number[] = [];
  const lengths: CompletedRecord['lengths'] = grid.map((length) => {
    const factor = length / cell.length;
    if (maxLength !== undefined && length > maxLength)
      return { length, factor, status: 'not-applicable', reason: `the extractor reads at most ${maxLength} positions` };
    const tooBig = evalMemoryRefusal(cell, length);
    if (tooBig) return { length, factor, status: 'not-applicable', reason: tooBig.replace(/^not run: /, 'not evaluated: ') };
    const e = evaluate(predict, task, drawBatches(task, testRng.fork(`T${length}`), perLength, cell.train.batch, length), constant);
    done.push(e);
    chances.push(task.chance(length).value);
    return {
      length,
      factor,
      status: 'completed',
      value: e.value,
      chance: task.chance(length).value,
      empiricalChance: e.chance,
      score: scoreOf(metric, e.value, e.chance),
    };
  });
  if (!done.length) throw new Error(`no length of the test range ${grid[0]}-${grid.at(-1)} could be evaluated: ${lengths[0].reason}`);
  return { evaluated: meanOverLengths(done), chance: chances.reduce((a, b) => a + b, 0) / chances.length, lengths };
}
