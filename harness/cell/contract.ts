/**
 * Plugin contracts, checked on a dry batch before any training: a task's `sample()` must
 * return the shapes and value ranges its specs declare, and an extractor's `apply` must
 * return features [B, T, outputDim] for the width it declares. A plugin that breaks either
 * would otherwise train to a number that means nothing (a head reading the wrong width, a
 * target out of range): the worst kind of defect for a benchmark. Each (task, extractor)
 * configuration of a run is checked once, at its shortest length, with a batch of 2.
 */
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { kernelOps } from '../../extractors/ops.js';
import type { ExtractorDefinition } from '../../extractors/types.js';
import type { Batch, Task } from '../../tasks/types.js';
import { extractors, tasks } from '../plugins/registries.js';
import { stageTasks } from '../suite/stageData.js';
import type { Cell } from '../suite/suite.js';

const DRY_BATCH = 2;

/** What is wrong with a task's batch, in one line, or undefined. */
export function batchProblem(task: Task, batch: Batch, B: number, T: number): string | undefined {
  const inputs = task.input.kind === 'tokens' ? B * T : B * T * task.input.dim;
  const targets = task.output.per === 'sequence' ? B : B * T;
  if (batch.batchSize !== B || batch.length !== T) return `returned batchSize ${batch.batchSize} and length ${batch.length} for sample(rng, ${B}, ${T})`;
  if (batch.inputs?.length !== inputs)
    return `returned ${batch.inputs?.length} input values for a batch of ${B} x ${T}, expected ${inputs} (${task.input.kind === 'tokens' ? 'batchSize x length token ids' : `batchSize x length x ${task.input.dim} features`})`;
  if (batch.targets?.length !== targets) return `returned ${batch.targets?.length} targets, expected ${targets} (one per ${task.output.per})`;
  if (task.input.kind === 'tokens') {
    const vocab = task.input.vocab;
    const bad = batch.inputs.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= vocab);
    if (bad >= 0) return `returned token id ${batch.inputs[bad]} at input ${bad}, outside its vocabulary [0, ${vocab})`;
  } else if (batch.inputs.some((v) => !Number.isFinite(v))) return 'returned a feature that is not a finite number';
  if (task.output.kind === 'classes') {
    const classes = task.output.classes;
    const bad = batch.targets.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= classes);
    if (bad >= 0) return `returned target ${batch.targets[bad]} at ${bad}, outside its ${classes} classes [0, ${classes})`;
  } else if (batch.targets.some((v) => !Number.isFinite(v))) return 'returned a regression target that is not a finite number';
  for (const [name, arr] of [
    ['mask', batch.mask],
    ['keyMask', batch.keyMask],
  ] as const)
    if (arr !== undefined && arr.length !== B * T) return `returned a ${name} of ${arr.length} values, expected batchSize x length = ${B * T}`;
  if (!Array.isArray(batch.meta) || batch.meta.length !== B)
    return `returned meta with ${Array.isArray(batch.meta) ? batch.meta.length : 'no'} entries, expected one per sample (${B})`;
  return undefined;
}

/** What is wrong with an extractor's output on a dry input, in one line, or undefined. */
function extractorProblem(def: ExtractorDefinition, options: Record<string, unknown>, inputDim: number, T: number): string | undefined {
  const extractor = def.create(options, { inputDim, rng: new Rng('contract').fork('extractor'), ops: kernelOps, length: T });
  try {
    const shape = tf.tidy(() => extractor.apply(tf.zeros([DRY_BATCH, T, inputDim]) as tf.Tensor3D, { training: false }).shape);
    const [b, t, h] = shape;
    if (shape.length !== 3 || b !== DRY_BATCH || t !== T)
      return `apply returned features of shape [${shape.join(', ')}] for input [${DRY_BATCH}, ${T}, ${inputDim}], expected [${DRY_BATCH}, ${T}, ${extractor.outputDim}]`;
    if (h !== extractor.outputDim)
      return `apply returned features of width ${h} but declares outputDim ${extractor.outputDim}: set outputDim to the width apply returns`;
    return undefined;
  } finally {
    extractor.dispose?.();
    tf.dispose(Object.values(extractor.variables));
  }
}

/**
 * Runs plugin code on the dry batch: a plugin that throws (or calls process.exit) there is not
 * a broken contract but a failing cell, which the run records as errored in that cell alone
 * (on its worker thread), so the check steps aside and returns undefined.
 */
function dry<T>(body: () => T): T | undefined {
  const exit = process.exit;
  process.exit = ((code?: number) => {
    throw new Error(`process.exit(${code}) on the dry batch`);
  }) as typeof process.exit;
  try {
    return body();
  } catch {
    return undefined;
  } finally {
    process.exit = exit;
  }
}

/**
 * Checks every distinct task and extractor configuration of the cells on a dry batch and
 * throws a one-line UsageError naming the first broken contract. Needs a tfjs backend.
 */
export function checkContracts(cells: readonly Cell[]): void {
  const shortest = new Map<string, { cell: Cell; length: number }>();
  const note = (key: string, cell: Cell) => {
    const seen = shortest.get(key);
    if (!seen || cell.length < seen.length) shortest.set(key, { cell, length: cell.length });
  };
  for (const c of cells) {
    note(`task ${JSON.stringify([c.task.name, c.task.options])}`, c);
    note(`extractor ${JSON.stringify([c.extractor.name, c.extractor.options, c.train.embedDim])}`, c);
  }
  for (const [key, { cell, length }] of shortest) {
    if (key.startsWith('task ')) {
      const problem = dry(() => {
        // The training stage's task, as the cell builds it (corpus tasks take their split here).
        const task = stageTasks(tasks.get(cell.task.name), cell.task.options).train;
        return batchProblem(task, task.sample(new Rng('contract').fork('data'), DRY_BATCH, length), DRY_BATCH, length);
      });
      if (problem) throw new UsageError(`task ${cell.task.label}: sample() ${problem}; fix the task before any training`);
    } else {
      const problem = dry(() => extractorProblem(extractors.get(cell.extractor.name), cell.extractor.options, cell.train.embedDim, length));
      if (problem) throw new UsageError(`extractor ${cell.extractor.label}: ${problem}; fix the extractor before any training`);
    }
  }
}
