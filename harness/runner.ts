/**
 * Stages 2-4 for one cell: build the model, train it, evaluate it on held-out data.
 * Data, initial weights and evaluation data come from three streams forked from the
 * cell's seed; the streams depend on the seed and task only, so every extractor in a
 * suite sees exactly the same training and evaluation batches.
 */
import * as tf from '@tensorflow/tfjs';
import { environment } from './env.js';
import { ExplosionDetector, groupNorms, isVanishing, profileSlope, sensitivityProfile, stepsToThreshold, variableGroup } from './measure/gradients.js';
import { StepMetaBins } from './measure/stepMeta.js';
import { buildModel, type BatchTensors, type Model } from './model.js';
import { extractors, tasks } from './plugins.js';
import { evalMemoryRefusal, memoryRefusal } from './memory.js';
import { Adam, globalNorm, gradData } from './optimizer.js';
import { cellState } from './state.js';
import type { CompletedRecord, ResultRecord } from './results.js';
import { jsonNumber, recordHead, resultSchema } from './results.js';
import { Rng } from '../core/rng.js';
import type { Cell } from './suite.js';
import { METRICS, type Batch, type Task } from '../tasks/types.js';

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
  constructor(readonly cellId: string, readonly step: number) {
    super(`cell ${cellId} interrupted after training step ${step}`);
  }
}

/** A thrown value's message, whatever was thrown (plugins may throw strings). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return typeof e === 'string' ? e : JSON.stringify(e) ?? String(e);
}

export async function runCell(cell: Cell, hooks: CellHooks = {}): Promise<ResultRecord> {
  const started = performance.now();
  const base = recordHead(cell, environment());
  Object.assign(base.extractor, cellState(cell));
  // Refuse, before allocating anything, a cell whose estimated peak would not fit the heap.
  const refusal = memoryRefusal(cell);
  if (refusal) return { ...base, status: 'errored', message: refusal.message, estimatedPeakBytes: refusal.estimatedPeakBytes, wallMs: performance.now() - started };
  let model: Model | undefined;
  // Leak hygiene: every tensor the cell creates and does not keep is freed when it ends,
  // even when an extractor throws half-way through a step.
  tf.engine().startScope();
  try {
    // Stage 2: build.
    const task = tasks.get(cell.task.name).create(cell.task.options);
    const rng = new Rng(cell.seed);
    model = buildModel(task, extractors.get(cell.extractor.name), cell.extractor.options, cell.train, rng.fork('init'), hooks.warn);
    Object.assign(base.extractor, { params: model.extractorParams, outputDim: model.extractor.outputDim, info: model.extractor.info });
    const opt = cell.train.optimizer;
    const optimizer = new Adam(Object.values(model.variables), { lr: cell.train.lr, beta1: opt.beta1, beta2: opt.beta2, epsilon: opt.epsilon });

    // The sensitivity profile is taken on one fixed held-out batch, before and after training.
    const profileBatch = task.sample(rng.fork('profile'), cell.train.batch, cell.length);
    const profileInit = withTensors(model, profileBatch, (t) => sensitivityProfile(model!, t));

    // Stage 3: train.
    const trained = await train(model, optimizer, task, cell, rng.fork('train'), hooks);
    if (trained.diverged) {
      const d = trained.diverged;
      const n = trained.curves.loss.length;
      const what = [!Number.isFinite(d.loss) && `loss ${d.loss}`, !Number.isFinite(d.gradNorm) && `gradient norm ${d.gradNorm}`].filter(Boolean).join(' and ');
      const broken = Object.entries(d.groups).filter(([, v]) => !Number.isFinite(v)).map(([g]) => g);
      return {
        ...base,
        status: 'diverged',
        divergedAtStep: d.step,
        message:
          `${what} at training step ${d.step}` +
          (broken.length ? ` (non-finite gradients in ${broken.join(', ')})` : '') +
          (n ? `; last finite step ${n}: loss ${trained.curves.loss[n - 1].toPrecision(4)}, gradient norm ${trained.curves.gradNorm[n - 1].toPrecision(4)}` : ''),
        curves: trained.curves,
        atDivergence: { loss: jsonNumber(d.loss), gradNorm: jsonNumber(d.gradNorm), groups: Object.fromEntries(Object.entries(d.groups).map(([g, v]) => [g, jsonNumber(v)])) },
        lastFinite: n ? { step: n, loss: trained.curves.loss[n - 1], gradNorm: trained.curves.gradNorm[n - 1] } : undefined,
        groups: trained.groups,
        wallMs: performance.now() - started,
      };
    }
    const peakTensorBytes = await peakTrainingBytes(model, task.sample(rng.fork('memory'), cell.train.batch, cell.length));
    const profileTrained = withTensors(model, profileBatch, (t) => sensitivityProfile(model!, t));

    // Stage 4: evaluate on batches the model never trained on, at the training length and its multiples.
    const evalRng = rng.fork('eval');
    const evaluated = evaluate(model, task, cell, cell.length, evalRng);
    const chance = task.chance(cell.length);
    const lengths = cell.train.generalize.map((factor) => {
      const length = Math.round(cell.length * factor);
      if (factor === 1) return { length, factor, status: 'completed' as const, value: evaluated.value, chance: chance.value };
      if (model!.extractor.maxLength !== undefined && length > model!.extractor.maxLength) {
        return { length, factor, status: 'not-applicable' as const, reason: `the extractor reads at most ${model!.extractor.maxLength} positions` };
      }
      const tooBig = evalMemoryRefusal(cell, length);
      if (tooBig) return { length, factor, status: 'not-applicable' as const, reason: tooBig.replace(/^not run: /, 'not evaluated: ') };
      const e = evaluate(model!, task, cell, length, evalRng.fork(`x${factor}`));
      return { length, factor, status: 'completed' as const, value: e.value, chance: task.chance(length).value };
    });
    const forwardFlops = model.extractor.flops(cell.train.batch, cell.length);
    const record: CompletedRecord = {
      ...base,
      status: 'completed',
      metrics: {
        metric: chance.metric,
        value: evaluated.value,
        chance: chance.value,
        higherIsBetter: METRICS[chance.metric].higherIsBetter,
        evalLoss: evaluated.loss,
        accuracy: evaluated.accuracy,
        msPerStep: trained.msPerStep,
        finalLoss: trained.curves.loss[trained.curves.loss.length - 1],
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

/**
 * A record as it will read back from JSON: NaN and infinities (e.g. an extractor that
 * produces NaN only in evaluation) would become null and the line unreadable, so such a
 * record becomes an errored one that says which field.
 */
function readable(record: ResultRecord): ResultRecord {
  const check = resultSchema.safeParse(JSON.parse(JSON.stringify(record)));
  if (check.success) return record;
  const issue = check.error.issues[0];
  const { schemaVersion, cellId, suite, task, extractor, length, seed, train, env, startedAt, wallMs } = record;
  return {
    ...{ schemaVersion, cellId, suite, task, extractor, length, seed, train, env, startedAt, wallMs },
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
  /** The step (1-based) at which loss or gradient became non-finite, its values and per-group norms; `curves` stop before it. */
  diverged?: { step: number; loss: number; gradNorm: number; groups: Record<string, number> };
}

/** Run `f` on a batch's tensors and free them afterwards. */
function withTensors<R>(model: Model, batch: Batch, f: (t: BatchTensors) => R): R {
  const t = model.toTensors(batch);
  try {
    return f(t);
  } finally {
    tf.dispose([t.inputs, t.targets, ...(t.mask ? [t.mask] : [])]);
  }
}

/** Peak bytes held by tensors during one forward + backward pass (no update), via tf.profile. */
async function peakTrainingBytes(model: Model, batch: Batch): Promise<number> {
  const vars = Object.values(model.variables);
  const t = model.toTensors(batch);
  try {
    const info = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => forwardLoss(model, t, true), vars);
      tf.dispose([value, ...Object.values(grads)]);
    });
    return info.peakBytes;
  } finally {
    tf.dispose([t.inputs, t.targets, ...(t.mask ? [t.mask] : [])]);
  }
}

function forwardLoss(model: Model, t: BatchTensors, training: boolean): tf.Scalar {
  const features = model.extractor.apply(model.embed(t), { training }); // [B, T, H]
  return model.loss(model.predict(features), t);
}

async function train(model: Model, optimizer: Adam, task: Task, cell: Cell, rng: Rng, hooks: CellHooks): Promise<Trained> {
  const { steps, batch: B, clip } = cell.train;
  const vars = Object.values(model.variables);
  const groupOf = new Map(Object.entries(model.variables).map(([name, v]) => [v.name, variableGroup(name)]));
  const logEvery = Math.max(1, Math.floor(steps / 20)); // ~20 logged steps per run, plus the last
  const curves = { loss: [] as number[], gradNorm: [] as number[] };
  const groups: Trained['groups'] = [];
  const explosion = new ExplosionDetector();
  const times: number[] = [];
  for (let step = 0; step < steps; step++) {
    const batch = task.sample(rng, B, cell.length);
    const t0 = performance.now();
    const t = model.toTensors(batch);
    const owned: tf.Tensor[] = [t.inputs, t.targets, ...(t.mask ? [t.mask] : [])]; // freed at the end of the step, whatever happens
    try {
      const { value, grads } = tf.variableGrads(() => forwardLoss(model, t, true), vars);
      owned.push(value, ...Object.values(grads));
      // Read outside tidy: reading inside is ~20x slower on WASM.
      const loss = value.dataSync()[0];
      const g = gradData(vars, grads); // host copies: the norm and the update read them
      const norm = globalNorm(g);
      if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
        // Per-group norms say where the gradient broke; the curves keep only finite steps.
        return { curves, groups, msPerStep: mean(times), diverged: { step: step + 1, loss, gradNorm: norm, groups: groupNorms(grads, groupOf) } };
      }
      curves.loss.push(loss);
      curves.gradNorm.push(norm);
      explosion.observe(step + 1, norm);
      const logged = (step + 1) % logEvery === 0 || step === steps - 1 || step === 0;
      const stepMs = performance.now() - t0; // per-group norms below are measurement, not training: keep them out of the step time
      if (logged) groups.push({ step: step + 1, norms: groupNorms(grads, groupOf) });
      const t1 = performance.now();
      // Clip by global norm (pre-clip norm is what is recorded).
      const scale = norm > clip ? clip / norm : 1;
      optimizer.step(g, scale);
      times.push(stepMs + (performance.now() - t1));
    } finally {
      tf.dispose(owned);
    }
    hooks.onStep?.(step + 1, steps, curves.loss[step]);
    if (hooks.shouldStop) {
      // Let a signal handler on this thread run, then honour a stop request.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (hooks.shouldStop()) throw new CellInterrupted(cell.id, step + 1);
    }
  }
  // The first step pays for kernel set-up and optimizer slot allocation: leave it out of the mean.
  return { curves, groups, explodingStep: explosion.explodingStep, msPerStep: mean(times.length > 1 ? times.slice(1) : times) };
}

interface Evaluated {
  value: number;
  loss: number;
  accuracy?: number;
  byMeta: Record<string, { value: number; n: number; score: number }[]>;
}

/** Per-sample scores in the task's metric, so they can be averaged overall and binned by meta. */
function evaluate(model: Model, task: Task, cell: Cell, length: number, rng: Rng): Evaluated {
  const metric = task.chance(length).metric;
  const scores: number[] = []; // per sample, in the task's metric
  const correct: number[] = []; // per sample accuracy, class tasks only
  const metas: Batch['meta'] = [];
  const steps = new StepMetaBins(); // per-step meta (Batch.stepMeta): its bins count steps
  let lossSum = 0;
  for (let b = 0; b < cell.train.evalBatches; b++) {
    const batch = task.sample(rng, cell.train.batch, length);
    const t = model.toTensors(batch);
    const [predT, lossT] = tf.tidy(() => {
      const features = model.extractor.apply(model.embed(t), { training: false });
      const pred = model.predict(features);
      return [pred, model.loss(pred, t)];
    });
    const pred = predT.dataSync() as Float32Array;
    lossSum += lossT.dataSync()[0];
    tf.dispose([predT, lossT, t.inputs, t.targets, t.mask].filter((x) => x !== undefined));
    scoreBatch(task, batch, pred, metric, scores, correct);
    steps.add(task, batch, pred, metric);
    metas.push(...batch.meta);
  }
  const byMeta: Evaluated['byMeta'] = {};
  const keys = new Set(metas.flatMap((m) => Object.keys(m)));
  for (const key of keys) {
    const bins = new Map<number, { n: number; sum: number }>();
    metas.forEach((m, i) => {
      if (m[key] === undefined) return;
      const bin = bins.get(m[key]) ?? { n: 0, sum: 0 };
      bin.n++;
      bin.sum += scores[i];
      bins.set(m[key], bin);
    });
    byMeta[key] = [...bins.entries()].sort((a, b) => a[0] - b[0]).map(([value, { n, sum }]) => ({ value, n, score: sum / n }));
  }
  Object.assign(byMeta, steps.result());
  const loss = lossSum / cell.train.evalBatches;
  return {
    value: metric === 'accuracy' ? mean(scores) : metric === 'mse' ? mean(scores) : loss,
    loss,
    accuracy: correct.length ? mean(correct) : undefined,
    byMeta,
  };
}

function scoreBatch(task: Task, batch: Batch, pred: Float32Array, metric: string, scores: number[], correct: number[]): void {
  const { batchSize: B, length: T } = batch;
  if (task.output.kind === 'regression') {
    const per = task.output.per === 'step' ? T : 1;
    for (let i = 0; i < B; i++) {
      let se = 0;
      let n = 0;
      for (let s = 0; s < per; s++) {
        const k = i * per + s;
        const w = batch.mask ? batch.mask[k] : 1;
        se += w * (pred[k] - batch.targets[k]) ** 2;
        n += w;
      }
      scores.push(se / Math.max(n, 1));
    }
    return;
  }
  const C = task.output.classes;
  const per = task.output.per === 'step' ? T : 1;
  for (let i = 0; i < B; i++) {
    let hits = 0;
    let nll = 0;
    let n = 0;
    for (let s = 0; s < per; s++) {
      const k = i * per + s;
      const w = batch.mask ? batch.mask[k] : 1;
      if (w === 0) continue;
      const row = pred.subarray(k * C, k * C + C);
      let arg = 0;
      let max = -Infinity;
      for (let c = 0; c < C; c++) if (row[c] > max) [max, arg] = [row[c], c];
      let z = 0;
      for (let c = 0; c < C; c++) z += Math.exp(row[c] - max);
      const target = batch.targets[k];
      hits += w * (arg === target ? 1 : 0);
      nll += w * (Math.log(z) + max - row[target]);
      n += w;
    }
    const acc = hits / Math.max(n, 1);
    correct.push(acc);
    scores.push(metric === 'cross-entropy' ? nll / Math.max(n, 1) : acc);
  }
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}
