/**
 * Stages 2-4 for one cell: build the model, train it (checking a validation set as it
 * goes, and stopping once solved), evaluate it on held-out test data.
 * Every stage reads its own split (tasks with splits) and its own stream forked from the
 * cell's seed: training data, validation data, test data and initial weights are
 * independent, and depend on the seed and task only, so every extractor in a suite sees
 * exactly the same batches. Scores are measured from the empirical chance: the constant
 * predictor fit to the training data, scored on the same samples.
 */
import * as tf from '@tensorflow/tfjs';
import { environment } from '../store/env.js';
import { ExplosionDetector, groupNorms, isVanishing, profileSlope, sensitivityProfile, stepsToThreshold, variableGroup } from './measure/gradients.js';
import { batchTensorList, buildModel, type BatchTensors, type Model } from './model.js';
import { extractors, tasks } from '../plugins/registries.js';
import { evalMemoryRefusal, memoryRefusal } from '../cost/memory.js';
import { Adam, globalNorm, gradData, learningRate } from './optimizer.js';
import { cellState } from '../cost/state.js';
import type { CompletedRecord, ResultRecord } from '../store/results.js';
import { jsonNumber, recordHead, resultSchema } from '../store/results.js';
import { Rng } from '../../core/rng.js';
import { kernels } from '../../kernels/runtime/runtime.js';
import type { Cell } from '../suite/suite.js';
import { METRICS, scoreOf, type Batch, type Task } from '../../tasks/types.js';
import { stageTasks } from '../suite/stageData.js';
import { drawBatches, evaluate, fitConstant, type Constant, type Evaluated, type Lengths, type Predictor } from './evaluate.js';
import { lengthPlan, testOverRange } from './lengths.js';

export interface CellHooks {
  /** Called after every training step. */
  onStep?(step: number, steps: number, loss: number): void;
  warn?(message: string): void;
  /**
   * Checked after every training step: when it returns true the cell stops there (its
   * tensors freed) and `runCell` throws `CellInterrupted` instead of returning a record.
   * Given this hook, training also yields to the event loop between steps, so a signal
   * handler in this thread gets to run.
   */
  shouldStop?(): boolean;
}

/** Thrown by `runCell` when `shouldStop` asked it to stop: the cell has no result. */
export class CellInterrupted extends Error {
  override name = 'CellInterrupted';
  constructor(
    readonly cellId: string,
    readonly step: number,
  ) {
    super(`cell ${cellId} interrupted after training step ${step}`);
  }
}

/** A thrown value's message, whatever was thrown (plugins may throw strings). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return typeof e === 'string' ? e : (JSON.stringify(e) ?? String(e));
}

export async function runCell(cell: Cell, hooks: CellHooks = {}): Promise<ResultRecord> {
  const started = performance.now();
  const base = recordHead(cell, environment());
  Object.assign(base.extractor, cellState(cell));
  // Refuse, before allocating anything, a cell whose estimated peak would not fit the heap.
  const refusal = memoryRefusal(cell);
  if (refusal)
    return { ...base, status: 'errored', message: refusal.message, estimatedPeakBytes: refusal.estimatedPeakBytes, wallMs: performance.now() - started };
  let model: Model | undefined;
  const trial = cell.trial !== undefined;
  // Leak hygiene: every tensor the cell creates and does not keep is freed when it ends,
  // even when an extractor throws half-way through a step.
  tf.engine().startScope();
  try {
    // Stage 2: build. Each stage reads its own split (tasks with splits) and stream (splits.ts).
    const stage = stageTasks(tasks.get(cell.task.name), cell.task.options);
    const task = stage.train;
    // A tuning trial draws everything from its own root, so no trial shares data or weights with a main cell.
    const rng = trial ? new Rng(cell.seed).fork('tune') : new Rng(cell.seed);
    // A range cell's lengths: drawn per training and validation batch, a grid at test (../suite/lengthRange.ts).
    const plan = lengthPlan(cell, task);
    model = buildModel(task, extractors.get(cell.extractor.name), cell.extractor.options, cell.train, rng.fork('init'), hooks.warn, plan.longest);
    Object.assign(base.extractor, { params: model.extractorParams, outputDim: model.extractor.outputDim, info: model.extractor.info });
    const opt = cell.train.optimizer;
    const optimizer = new Adam(Object.values(model.variables), {
      lr: cell.train.lr,
      beta1: opt.beta1,
      beta2: opt.beta2,
      epsilon: opt.epsilon,
      weightDecay: cell.train.weightDecay,
    });

    // The empirical chance: the constant predictor fit to the first training batches (the
    // ones every extractor trains on first, replayed from the training stream).
    const constant = fitConstant(task, rng.fork('train'), cell.train.evalSamples, cell.train.batch, plan.train(rng.fork('train')));
    // A fixed validation set, drawn once, for early stopping and tuning.
    const validationSet = [
      ...drawBatches(stage.validation, rng.fork('validation'), cell.train.valSamples, cell.train.batch, plan.train(rng.fork('validation'))),
    ];

    // The sensitivity profile is taken on one fixed held-out batch, before and after training.
    const profileBatch = trial ? undefined : stage.test.sample(rng.fork('profile'), cell.train.batch, cell.length);
    const profileInit = profileBatch ? withTensors(model, profileBatch, (t) => sensitivityProfile(model!, t)) : [];

    // Stage 3: train, checking the validation score every valEvery steps.
    const trained = await train(model, optimizer, task, cell, rng.fork('train'), plan.train(rng.fork('train')), hooks, {
      set: validationSet,
      constant,
      solvedScore: solvedScoreOf(task, cell.length),
    });
    if (trained.diverged) {
      const d = trained.diverged;
      const n = trained.curves.loss.length;
      const what = [!Number.isFinite(d.loss) && `loss ${d.loss}`, !Number.isFinite(d.gradNorm) && `gradient norm ${d.gradNorm}`].filter(Boolean).join(' and ');
      const broken = Object.entries(d.groups)
        .filter(([, v]) => !Number.isFinite(v))
        .map(([g]) => g);
      return {
        ...base,
        status: 'diverged',
        divergedAtStep: d.step,
        message:
          `${what} at training step ${d.step}` +
          (broken.length ? ` (non-finite gradients in ${broken.join(', ')})` : '') +
          (n
            ? `; last finite step ${n}: loss ${trained.curves.loss[n - 1].toPrecision(4)}, gradient norm ${trained.curves.gradNorm[n - 1].toPrecision(4)}`
            : ''),
        curves: trained.curves,
        atDivergence: {
          loss: jsonNumber(d.loss),
          gradNorm: jsonNumber(d.gradNorm),
          groups: Object.fromEntries(Object.entries(d.groups).map(([g, v]) => [g, jsonNumber(v)])),
        },
        lastFinite: n ? { step: n, loss: trained.curves.loss[n - 1], gradNorm: trained.curves.gradNorm[n - 1] } : undefined,
        groups: trained.groups,
        validation: { curve: trained.validation.curve },
        wallMs: performance.now() - started,
      };
    }
    const { peakTensorBytes, peakKernelBytes } = await peakTrainingBytes(model, task.sample(rng.fork('memory'), cell.train.batch, cell.length));
    const profileTrained = profileBatch ? withTensors(model, profileBatch, (t) => sensitivityProfile(model!, t)) : [];

    // Stage 4: evaluate. A main cell: on the test split/stream, at the training length and
    // its multiples. A tuning trial: its last validation check is its result.
    const chance = task.chance(cell.length);
    const testRng = rng.fork('test');
    const ranged =
      !trial && plan.test
        ? testOverRange(predictor(model), model.extractor.maxLength, stage.test, cell, plan.test, testRng, constant, chance.metric)
        : undefined;
    const evaluated = trial
      ? trained.validation.last
      : ranged
        ? ranged.evaluated
        : evaluate(predictor(model), stage.test, drawBatches(stage.test, testRng, cell.train.evalSamples, cell.train.batch, cell.length), constant);
    const lengths = ranged
      ? ranged.lengths
      : cell.train.generalize.map((factor) => {
          const length = Math.round(cell.length * factor);
          const scored = (e: Evaluated) => ({
            value: e.value,
            chance: task.chance(length).value,
            empiricalChance: e.chance,
            score: scoreOf(chance.metric, e.value, e.chance),
          });
          if (factor === 1) return { length, factor, status: 'completed' as const, ...scored(evaluated) };
          if (task.lengths && !task.lengths.accepts(length))
            return { length, factor, status: 'not-applicable' as const, reason: `the task is defined at ${task.lengths.rule}` };
          if (model!.extractor.maxLength !== undefined && length > model!.extractor.maxLength) {
            return { length, factor, status: 'not-applicable' as const, reason: `the extractor reads at most ${model!.extractor.maxLength} positions` };
          }
          const tooBig = evalMemoryRefusal(cell, length);
          if (tooBig) return { length, factor, status: 'not-applicable' as const, reason: tooBig.replace(/^not run: /, 'not evaluated: ') };
          const e = evaluate(
            predictor(model!),
            stage.test,
            drawBatches(stage.test, testRng.fork(`x${factor}`), cell.train.evalSamples, cell.train.batch, length),
            constant,
          );
          return { length, factor, status: 'completed' as const, ...scored(e) };
        });
    // Tasks with splits: the same measurement on training-split samples, so the generalisation gap shows.
    const onTrain =
      !trial && cell.data.train.split !== undefined
        ? evaluate(predictor(model), task, drawBatches(task, rng.fork('train-eval'), cell.train.evalSamples, cell.train.batch, cell.length), constant)
        : undefined;
    const forwardFlops = model.extractor.flops(cell.train.batch, cell.length);
    const record: CompletedRecord = {
      ...base,
      status: 'completed',
      metrics: {
        metric: chance.metric,
        value: evaluated.value,
        split: trial ? 'validation' : 'test',
        samples: evaluated.samples,
        chance: ranged ? ranged.chance : chance.value,
        empiricalChance: evaluated.chance,
        score: scoreOf(chance.metric, evaluated.value, evaluated.chance),
        higherIsBetter: METRICS[chance.metric].higherIsBetter,
        evalLoss: evaluated.loss,
        accuracy: evaluated.accuracy,
        msPerStep: trained.msPerStep,
        finalLoss: trained.curves.loss[trained.curves.loss.length - 1],
        ...(onTrain ? { trainValue: onTrain.value, trainScore: scoreOf(chance.metric, onTrain.value, onTrain.chance) } : {}),
      },
      validation: {
        samples: trained.validation.last.samples,
        solvedScore: solvedScoreOf(task, cell.length),
        empiricalChance: trained.validation.last.chance,
        curve: trained.validation.curve,
        stepsToSolve: trained.validation.stepsToSolve,
      },
      curves: trained.curves,
      byMeta: evaluated.byMeta,
      gradients: {
        groups: trained.groups,
        profileInit,
        profileTrained,
        slopeInit: profileSlope(profileInit),
        slopeTrained: profileSlope(profileTrained),
        exploding: trained.explodingStep !== undefined,
        explodingStep: trained.explodingStep,
        vanishing: isVanishing(profileTrained),
      },
      lengths,
      cost: {
        forwardFlops,
        // Backward costs about twice the forward (two matMuls per forward matMul).
        trainFlopsPerStep: 3 * forwardFlops,
        gflops: (3 * forwardFlops) / (trained.msPerStep * 1e6),
        peakTensorBytes,
        peakKernelBytes,
        rssBytes: process.memoryUsage().rss,
      },
      stepsToThreshold: stepsToThreshold(trained.curves.loss),
      wallMs: performance.now() - started,
    };
    return readable(record);
  } catch (e) {
    if (e instanceof CellInterrupted) throw e;
    return { ...base, status: 'errored', message: errorMessage(e), wallMs: performance.now() - started };
  } finally {
    dropAbandonedTape();
    model?.dispose();
    tf.engine().endScope();
  }
}

/** The score at or above which the task counts as solved: the task's own, or its metric's default. */
export function solvedScoreOf(task: Task, length: number): number {
  return task.solvedScore ?? METRICS[task.chance(length).metric].solvedScore;
}

/**
 * A record as it will read back from JSON: NaN and infinities (e.g. an extractor that
 * produces NaN only in evaluation) would become null and the line unreadable, so such a
 * record becomes an errored one that says which field.
 */
function readable(record: ResultRecord): ResultRecord {
  const check = resultSchema.safeParse(JSON.parse(JSON.stringify(record)));
  if (check.success) return record;
  const issue = check.error.issues[0];
  const { schemaVersion, cellId, suite, task, extractor, length, range, seed, train, data, trial, tuning, registration, env, startedAt, wallMs } = record;
  return {
    ...{
      schemaVersion,
      cellId,
      suite,
      task,
      extractor,
      length,
      ...(range ? { range } : {}),
      seed,
      train,
      data,
      ...(trial ? { trial } : {}),
      ...(tuning ? { tuning } : {}),
      ...(registration ? { registration } : {}),
      env,
      startedAt,
      wallMs,
    },
    status: 'errored',
    message: `the cell's result is not valid at ${issue.path.join('.')} (${issue.message}): a non-finite evaluation metric? check the extractor's output with training: false`,
  };
}

/**
 * An exception in the middle of a forward pass under `variableGrads` leaves tfjs's tape
 * behind, holding (kept) copies of the tensors saved for backward: free them.
 */
function dropAbandonedTape(): void {
  const state = tf.engine().state as unknown as { activeTape: { saved?: tf.Tensor[] }[] | null; gradientDepth: number };
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}

interface Trained {
  curves: { loss: number[]; gradNorm: number[] };
  /** Per-group gradient norms at logged steps. */
  groups: { step: number; norms: Record<string, number> }[];
  explodingStep?: number;
  msPerStep: number;
  /** The validation checks: the curve, the last check's full evaluation, and stepsToSolve (null: censored at the budget). */
  validation: { curve: { step: number; value: number; score: number }[]; last: Evaluated; stepsToSolve: number | null };
  /** The step (1-based) at which loss or gradient became non-finite, its values and per-group norms; `curves` stop before it. */
  diverged?: { step: number; loss: number; gradNorm: number; groups: Record<string, number> };
}

/** What training checks against: the fixed validation set, the constant predictor for its chance, and the solved score. */
interface Validation {
  set: Batch[];
  constant: Constant;
  solvedScore: number;
}

/** Run `f` on a batch's tensors and free them afterwards. */
function withTensors<R>(model: Model, batch: Batch, f: (t: BatchTensors) => R): R {
  const t = model.toTensors(batch);
  try {
    return f(t);
  } finally {
    tf.dispose(batchTensorList(t));
  }
}

/** Peak bytes held by tensors (tf.profile) and by the kernels' memory during one forward + backward pass (no update). */
async function peakTrainingBytes(model: Model, batch: Batch): Promise<{ peakTensorBytes: number; peakKernelBytes: number }> {
  const vars = Object.values(model.variables);
  const t = model.toTensors(batch);
  const K = kernels();
  try {
    K.resetPeak();
    const info = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => forwardLoss(model, t, true), vars);
      tf.dispose([value, ...Object.values(grads)]);
    });
    return { peakTensorBytes: info.peakBytes, peakKernelBytes: K.peakBytes() };
  } finally {
    tf.dispose(batchTensorList(t));
  }
}

/** The model as evaluation reads it: inference mode, predictions and loss copied to the host. */
function predictor(model: Model): Predictor {
  return (batch) => {
    const t = model.toTensors(batch);
    const [predT, lossT] = tf.tidy(() => {
      const features = model.extract(model.embed(t), t, false); // [B, T, H], under the batch's key-padding mask
      const pred = model.predict(features, t);
      return [pred, model.loss(pred, t)];
    });
    // Read outside tidy: reading inside is ~20x slower on WASM.
    const pred = predT.dataSync() as Float32Array;
    const loss = lossT.dataSync()[0];
    tf.dispose([predT, lossT, ...batchTensorList(t)]);
    return { pred, loss };
  };
}

function forwardLoss(model: Model, t: BatchTensors, training: boolean): tf.Scalar {
  const features = model.extract(model.embed(t), t, training); // [B, T, H], under the batch's key-padding mask
  return model.loss(model.predict(features, t), t);
}

async function train(
  model: Model,
  optimizer: Adam,
  task: Task,
  cell: Cell,
  rng: Rng,
  lengths: Lengths,
  hooks: CellHooks,
  validation: Validation,
): Promise<Trained> {
  const { steps, batch: B, clip, valEvery } = cell.train;
  const metric = task.chance(cell.length).metric;
  const vars = Object.values(model.variables);
  const groupOf = new Map(Object.entries(model.variables).map(([name, v]) => [v.name, variableGroup(name)]));
  const logEvery = Math.max(1, Math.floor(steps / 20)); // ~20 logged steps per run, plus the last
  const curves = { loss: [] as number[], gradNorm: [] as number[] };
  const groups: Trained['groups'] = [];
  const explosion = new ExplosionDetector();
  const times: number[] = [];
  const checks: Trained['validation']['curve'] = [];
  let last: Evaluated | undefined;
  let stepsToSolve: number | null = null;
  let solvedBefore: number | undefined; // the step of the previous check, when it was solved
  const validations = () => ({ curve: checks, last: last!, stepsToSolve });
  for (let step = 0; step < steps; step++) {
    const batch = task.sample(rng, B, typeof lengths === 'number' ? lengths : lengths());
    const t0 = performance.now();
    const t = model.toTensors(batch);
    const owned: tf.Tensor[] = batchTensorList(t); // freed at the end of the step, whatever happens
    try {
      const { value, grads } = tf.variableGrads(() => forwardLoss(model, t, true), vars);
      owned.push(value, ...Object.values(grads));
      // Read outside tidy: reading inside is ~20x slower on WASM.
      const loss = value.dataSync()[0];
      const g = gradData(vars, grads); // host copies: the norm and the update read them
      const norm = globalNorm(g);
      if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
        // Per-group norms say where the gradient broke; the curves keep only finite steps.
        return {
          curves,
          groups,
          msPerStep: mean(times),
          validation: validations(),
          diverged: { step: step + 1, loss, gradNorm: norm, groups: groupNorms(grads, groupOf) },
        };
      }
      curves.loss.push(loss);
      curves.gradNorm.push(norm);
      explosion.observe(step + 1, norm);
      const logged = (step + 1) % logEvery === 0 || step === steps - 1 || step === 0;
      const stepMs = performance.now() - t0; // per-group norms below are measurement, not training: keep them out of the step time
      if (logged) groups.push({ step: step + 1, norms: groupNorms(grads, groupOf) });
      const t1 = performance.now();
      // Clip by global norm (pre-clip norm is what is recorded), at this step's scheduled rate.
      const scale = norm > clip ? clip / norm : 1;
      optimizer.step(g, scale, learningRate(cell.train, step + 1));
      times.push(stepMs + (performance.now() - t1));
    } finally {
      tf.dispose(owned);
    }
    hooks.onStep?.(step + 1, steps, curves.loss[step]);
    if ((step + 1) % valEvery === 0 || step === steps - 1) {
      // Early stopping: a cell solved on two consecutive checks stops; stepsToSolve is the first of the two.
      last = evaluate(predictor(model), task, validation.set, validation.constant);
      const score = scoreOf(metric, last.value, last.chance);
      checks.push({ step: step + 1, value: last.value, score });
      const solved = score >= validation.solvedScore;
      if (solved && solvedBefore !== undefined) {
        stepsToSolve = solvedBefore;
        break;
      }
      solvedBefore = solved ? step + 1 : undefined;
    }
    if (hooks.shouldStop) {
      // Let a signal handler on this thread run, then honour a stop request.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (hooks.shouldStop()) throw new CellInterrupted(cell.id, step + 1);
    }
  }
  // The first step pays for kernel set-up and optimizer slot allocation: leave it out of the mean.
  return { curves, groups, explodingStep: explosion.explodingStep, msPerStep: mean(times.length > 1 ? times.slice(1) : times), validation: validations() };
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}
