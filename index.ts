/**
 * fxbench's library API. Registries hold the built-in and plugin extractors and tasks;
 * `createExtractor` gives a standalone extractor with PyTorch-named weights.
 */
export { extractors as extractorRegistry, tasks as taskRegistry, registerExtractor, registerTask } from './harness/plugins/registries.js';
export { initBackend, type BackendName } from './kernels/backend.js';
export { Rng } from './core/rng.js';
export { UsageError } from './core/errors.js';
export { defineExtractor, parameterCount, type Extractor, type ExtractorDefinition, type ExtractorContext } from './extractors/types.js';
export { defineTask, type Task, type TaskDefinition, type Batch, type Chance, type InputSpec, type OutputSpec, type StepMeta } from './tasks/types.js';
export { parseSuite, expandSuite, type Suite, type SuiteInput, type Cell } from './harness/suite/suite.js';
export { runCell } from './harness/cell/runCell.js';
// The run pipeline: shard, refuse what cannot fit, lock the results file, tune, resume, execute.
export { runSuite, runCells, StopSignal, type RunOptions, type RunOutcome } from './harness/run/runSuite.js';
export { readResults, resultSchema, type ResultRecord } from './harness/store/results.js';
export { writeReport } from './reports/render.js';
// Large runs: resume, shard and merge; memory estimates; the optimiser and the workers' cell order.
export { planResume, mergeResults, writeResultsAtomic, type ResumePlan, type MergeSummary } from './harness/store/files.js';
export { parseShard, selectShard, type Shard } from './harness/suite/shard.js';
export { estimateCellMemory, estimateEvalMemory, memoryBudget, type MemoryEstimate } from './harness/cost/memory.js';
export { stateSize, cellState, type StateSize } from './harness/cost/state.js';
export { Adam, globalNorm, gradData, type AdamConfig } from './harness/cell/optimizer.js';
export { cellCost } from './harness/cost/cellCost.js';
export { longestFirst } from './harness/run/order.js';
// Statistics for comparing extractors (harness/stats/): tests, effect sizes, survival, power, sequential designs.
export {
  mean,
  median,
  sampleSd,
  ci95,
  confidenceInterval,
  tCdf,
  tQuantile,
  normalCdf,
  normalQuantile,
  chiSquaredSf,
  noncentralTCdf,
  fisherExact,
  pairedTTest,
  tost,
  wilcoxonSignedRank,
  holm,
  hedgesG,
  hedgesGPaired,
  bootstrapInterval,
  meanDifference,
  kaplanMeier,
  logRank,
  censoredAtBudget,
  pairedTTestPower,
  pairedTTestMde,
  pairedTTestSeedsNeeded,
  fisherPower,
  fisherMde,
  fisherSeedsNeeded,
  logRankEventsNeeded,
  logRankMdeHazardRatio,
  sequentialBoundaries,
  sequentialDecision,
  spentAlpha,
  type TimeToEvent,
  type KaplanMeierCurve,
  type LogRankResult,
  type FisherResult,
  type TTestResult,
  type TostResult,
  type WilcoxonResult,
  type BootstrapInterval,
  type SequentialBoundaries,
  type Spending,
} from './stats/index.js';
// The training protocol: the suite fields, splits, evaluation against the empirical chance, the schedule, tuning.
export { suiteFields, trainFields, fieldInfo, type TrainConfig, type FieldInfo } from './harness/suite/fields.js';
export { scoreOf, METRICS } from './tasks/types.js';
export { stageTasks, dataSources, type DataSources } from './harness/suite/stageData.js';
export { learningRate, type Schedule } from './harness/cell/optimizer.js';
export { planTuning, runTuning, applyTuning, tuningFile, DEFAULT_GRID, type TuningPlan, type TuneGroup } from './harness/run/tune.js';
export type { TuningSummary } from './harness/suite/tuneRecord.js';

export { saveWeights, loadWeights, type WeightRecord } from './extractors/weights.js';
export { kernelOps, ACTIVATION_KINDS, type KernelOps, type ActivationKind } from './extractors/ops.js';

import type * as tf from '@tensorflow/tfjs';
import { extractors } from './harness/plugins/registries.js';
import { Rng } from './core/rng.js';
import { UsageError } from './core/errors.js';
import { kernelOps } from './extractors/ops.js';
import type { Extractor } from './extractors/types.js';
import { loadWeights, saveWeights, type WeightRecord } from './extractors/weights.js';

/** Names of every registered extractor. */
export function listExtractors(): string[] {
  return extractors.names();
}

/** A standalone extractor with PyTorch-named weights that can be saved and loaded. */
export interface StandaloneExtractor {
  extractor: Extractor;
  /** Weights by PyTorch state_dict name, as plain arrays. */
  saveWeights(): WeightRecord;
  /** Assign weights by name; refuses unknown or missing names and wrong shapes. */
  loadWeights(record: WeightRecord): void;
  /**
   * x [B, T, D] -> features [B, T, H]. `mask` [B, T] is the key-padding mask (1 = token,
   * 0 = pad), handed to the extractor as the harness does; an extractor that declares
   * `padding: 'refuses'` is refused one (UsageError).
   */
  apply(x: tf.Tensor3D, opts?: { training?: boolean; mask?: tf.Tensor2D }): tf.Tensor3D;
  parameterCount: number;
  dispose(): void;
}

/**
 * Create a registered extractor by name. Options are validated (and defaulted) by its zod
 * schema; `inputDim` is the width D of the input (default 64, the standard embedding),
 * `seed` seeds the initial weights and `length` is the training length T (needed by
 * length-dependent initialisations such as `forgetBias: 'chrono'`). Call `initBackend` first.
 */
export function createExtractor(
  name: string,
  options: Record<string, unknown> = {},
  ctx: { inputDim?: number; seed?: number; warn?: (m: string) => void; length?: number } = {},
): StandaloneExtractor {
  const def = extractors.get(name);
  const extractor = def.create(def.options.parse(options), {
    inputDim: ctx.inputDim ?? 64,
    rng: new Rng(ctx.seed ?? 1).fork('extractor'),
    warn: ctx.warn,
    ops: kernelOps,
    length: ctx.length,
  });
  return {
    extractor,
    saveWeights: () => saveWeights(extractor),
    loadWeights: (record) => loadWeights(extractor, record),
    apply: (x, opts = {}) => {
      const training = opts.training ?? false;
      if (!opts.mask) return extractor.apply(x, { training });
      if ((def.padding ?? 'reads') === 'refuses')
        throw new UsageError(`extractor ${name} declares padding 'refuses': it cannot take a key-padding mask; call apply without one`);
      return extractor.apply(x, { training, mask: opts.mask });
    },
    parameterCount: Object.values(extractor.variables).reduce((n, v) => n + v.size, 0),
    dispose() {
      extractor.dispose?.();
      for (const v of Object.values(extractor.variables)) v.dispose();
    },
  };
}
