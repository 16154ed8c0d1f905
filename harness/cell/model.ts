/**
 * The parts of the model the harness owns, identical for every extractor:
 * embedding -> extractor -> readout -> head -> loss.
 *
 *   tokens   [B, T]    --embedding.weight [V, E] (lookup)-->      [B, T, E]
 *   features [B, T, F] --embedding.weight [E, F] + bias-->        [B, T, E]
 *   extractor                                                     [B, T, H]
 *   readout: per-sequence tasks take the last position or the mean over real (unpadded)
 *            positions [B, H]; per-step tasks keep [B, T, H]
 *   head.weight [C, H] + head.bias                                 [B, C] or [B, T, C] (C = 1 for regression)
 *   loss: softmax cross-entropy (classes) or mean squared error (regression)
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import { embeddingLookup, lastPosition, linear, linearVariables } from '../../extractors/common.js';
import { UsageError } from '../../core/errors.js';
import { kernelOps } from '../../extractors/ops.js';
import { paddingOf, type Extractor, type ExtractorDefinition } from '../../extractors/types.js';
import type { Batch, Task } from '../../tasks/types.js';

export type Readout = 'last' | 'mean';

export interface HeadConfig {
  /** Embedding width E fed to the extractor. */
  embedDim: number;
  /** How per-sequence tasks reduce [B, T, H] to [B, H]. */
  readout: Readout;
}

export interface Model {
  extractor: Extractor;
  /** Every trainable variable: `embedding.*`, `extractor.<pytorch name>`, `head.*`. */
  variables: Record<string, tf.Variable>;
  /** Parameters of the extractor alone (what parameter matching compares). */
  extractorParams: number;
  /** Parameters of embedding and head (the same for every extractor on a task). */
  harnessParams: number;
  /** Batch arrays -> tensors (caller disposes). */
  toTensors(batch: Batch): BatchTensors;
  /** Embedded input [B, T, E], the extractor's x. */
  embed(t: BatchTensors): tf.Tensor3D;
  /**
   * The extractor's features [B, T, H] of x [B, T, E] (the embedding of `t`, or a stand-in
   * for it), with the batch's key-padding mask passed on: every call of `apply` goes here.
   */
  extract(x: tf.Tensor3D, t: BatchTensors, training: boolean): tf.Tensor3D;
  /**
   * Extractor features -> predictions: logits [B, C] / [B, T, C] or values [B] / [B, T].
   * `t` carries the key-padding mask the `mean` readout averages under.
   */
  predict(features: tf.Tensor3D, t?: Pick<BatchTensors, 'keyMask'>): tf.Tensor;
  /** Mean loss over the batch (and over counted steps for per-step tasks). */
  loss(pred: tf.Tensor, t: BatchTensors): tf.Scalar;
  dispose(): void;
}

export interface BatchTensors {
  inputs: tf.Tensor; // tokens [B*T] int32, or features [B*T, F]
  targets: tf.Tensor; // class ids int32 or float values, [B] or [B*T]
  mask?: tf.Tensor; // [B*T], per-step tasks: which steps' targets count
  /** Key-padding mask [B, T] float32: 1 = token, 0 = pad (present when the batch has padding). */
  keyMask?: tf.Tensor2D;
  batchSize: number;
  length: number;
}

/** Every tensor of a batch, to dispose of together. */
export function batchTensorList(t: BatchTensors): tf.Tensor[] {
  return [t.inputs, t.targets, ...(t.mask ? [t.mask] : []), ...(t.keyMask ? [t.keyMask] : [])];
}

/**
 * @param options the extractor's resolved options (defaults filled in: a cell's options, or
 *   `def.options.parse(given)`); they are not parsed again here.
 * @param length the training sequence length, told to the extractor (`ExtractorContext.length`,
 *   e.g. for the chrono initialisation of gate biases).
 */
export function buildModel(
  task: Task,
  def: ExtractorDefinition,
  options: Record<string, unknown>,
  head: HeadConfig,
  rng: Rng,
  warn?: (m: string) => void,
  length?: number,
): Model {
  const E = head.embedDim;
  const embedding: Record<string, tf.Variable> = {};
  if (task.input.kind === 'tokens') {
    // nn.Embedding's default init: N(0, 1).
    const V = task.input.vocab;
    const data = new Float32Array(V * E);
    const er = rng.fork('embedding');
    for (let i = 0; i < data.length; i++) data[i] = er.normal();
    embedding['embedding.weight'] = tf.variable(tf.tensor2d(data, [V, E]), true);
  } else {
    const lin = linearVariables(rng.fork('embedding'), 'embedding', task.input.dim, E);
    Object.assign(embedding, lin);
  }
  const extractor = def.create(options, { inputDim: E, rng: rng.fork('extractor'), warn, ops: kernelOps, length });
  const refuses = paddingOf(def) === 'refuses';
  const C = task.output.kind === 'classes' ? task.output.classes : 1;
  const headVars = linearVariables(rng.fork('head'), 'head', extractor.outputDim, C);
  const variables: Record<string, tf.Variable> = { ...embedding, ...headVars };
  for (const [name, v] of Object.entries(extractor.variables)) variables[`extractor.${name}`] = v;
  const count = (vs: Record<string, tf.Variable>) => Object.values(vs).reduce((n, v) => n + v.size, 0);
  const perStep = task.output.per === 'step';

  return {
    extractor,
    variables,
    extractorParams: count(extractor.variables),
    harnessParams: count(embedding) + count(headVars),
    toTensors(batch) {
      const { batchSize: B, length: T } = batch;
      const inputs =
        task.input.kind === 'tokens'
          ? tf.tensor1d(batch.inputs as Int32Array, 'int32') // [B*T]
          : tf.tensor2d(batch.inputs as Float32Array, [B * T, task.input.dim]); // [B*T, F]
      const targets = batch.targets instanceof Int32Array ? tf.tensor1d(batch.targets, 'int32') : tf.tensor1d(batch.targets, 'float32');
      const mask = batch.mask ? tf.tensor1d(batch.mask, 'float32') : undefined;
      const keyMask = batch.keyMask ? tf.tensor2d(batch.keyMask, [B, T], 'float32') : undefined; // [B, T]
      return { inputs, targets, mask, keyMask, batchSize: B, length: T };
    },
    embed(t) {
      const { batchSize: B, length: T } = t;
      if (task.input.kind === 'tokens') {
        // A kernel lookup: tfjs-wasm's gather costs ~5 us a row, and a reshape under the tape copies its input.
        return embeddingLookup<tf.Rank.R3>(embedding['embedding.weight'] as tf.Tensor as tf.Tensor2D, t.inputs as tf.Tensor1D, [B, T, E]); // [B, T, E]
      }
      const flat = linear(t.inputs, embedding['embedding.weight'] as tf.Tensor as tf.Tensor2D, embedding['embedding.bias'] as tf.Tensor as tf.Tensor1D); // [B*T, E]
      return flat.reshape([B, T, E]);
    },
    extract(x, t, training) {
      // A task that did not declare its padding (`Task.pads`) reaches here only at run time.
      if (refuses && t.keyMask)
        throw new UsageError(
          `extractor ${def.name} declares padding 'refuses' but was given a batch with left padding: the task must declare \`pads\` so such runs are refused before any work`,
        );
      return extractor.apply(x, t.keyMask ? { training, mask: t.keyMask } : { training }); // [B, T, H]
    },
    predict(features, t) {
      let h: tf.Tensor;
      if (perStep)
        h = features; // [B, T, H]
      else if (head.readout === 'mean')
        h = t?.keyMask ? maskedMean(features, t.keyMask) : tf.mean(features, 1); // [B, H]
      else h = lastPosition(features); // [B, H]; a kernel copy: tf's gather and slice are slow on WASM
      const out = linear(h, headVars['head.weight'] as tf.Tensor as tf.Tensor2D, headVars['head.bias'] as tf.Tensor as tf.Tensor1D); // [.., C]
      return C === 1 && task.output.kind === 'regression' ? out.squeeze([out.rank - 1]) : out;
    },
    loss(pred, t) {
      if (task.output.kind === 'regression') {
        const err = tf.squaredDifference(pred.reshape([-1]), t.targets); // [B] or [B*T]
        return weightedMean(err, t.mask);
      }
      const logits = pred.reshape([-1, C]); // [N, C]
      const onehot = tf.oneHot(t.targets as tf.Tensor1D, C); // [N, C]
      const nll = tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)); // [N]
      return weightedMean(nll, t.mask);
    },
    dispose() {
      extractor.dispose?.();
      for (const v of Object.values(variables)) v.dispose();
    },
  };
}

/** Mean of features [B, T, H] over each sequence's real positions (keyMask [B, T], 1 = token) -> [B, H]. */
export function maskedMean(features: tf.Tensor3D, keyMask: tf.Tensor2D): tf.Tensor2D {
  const m = keyMask.expandDims(2); // [B, T, 1]
  const sum = tf.sum(tf.mul(features, m), 1); // [B, H]
  return tf.div(sum, tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor2D; // / real positions [B, 1] (an all-pad row gives 0)
}

function weightedMean(x: tf.Tensor, mask?: tf.Tensor): tf.Scalar {
  if (!mask) return tf.mean(x);
  return tf.div(tf.sum(tf.mul(x, mask)), tf.maximum(tf.sum(mask), 1));
}
