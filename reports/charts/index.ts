/**
 * Stage 6 (chart specs): one builder per chart, each a pure function of the results that
 * returns Vega-Lite specs with a caption saying how to read them, or nothing when the
 * results hold no data for it. Builders live in reports/charts/, grouped by section.
 */
import type { ResultRecord } from '../../harness/store/results.js';
import { ablations } from './ablations.js';
import { metricByMeta, metricVsLength } from './accuracy.js';
import type { Chart, ChartBuilder } from './common.js';
import { gflopsPerExtractor, memoryVsLength, paramCounts, throughputVsLength } from './cost.js';
import { lengthGeneralisation } from './generalisation.js';
import { lengthRangeCurves } from './lengthRange.js';
import { metricVsStateSize } from './stateSize.js';
import { gradientProfile, gradNormOverTraining, groupGradNorms } from './gradients.js';
import { stepsToSolveCurves } from './survival.js';
import { lossCurves, stepsToThreshold } from './training.js';
import { tuningByLr } from './tuning.js';

export type { Chart, ChartBuilder, Section } from './common.js';
export { SECTIONS } from './common.js';
export {
  ablations,
  gflopsPerExtractor,
  gradientProfile,
  gradNormOverTraining,
  groupGradNorms,
  lengthGeneralisation,
  lengthRangeCurves,
  lossCurves,
  memoryVsLength,
  metricByMeta,
  metricVsLength,
  metricVsStateSize,
  paramCounts,
  stepsToSolveCurves,
  stepsToThreshold,
  throughputVsLength,
  tuningByLr,
};

/** Every chart builder, by name, in reading order. */
export const CHART_BUILDERS = {
  metricVsLength,
  metricByMeta,
  metricVsStateSize,
  lengthRangeCurves,
  lengthGeneralisation,
  ablations,
  gradientProfile,
  gradNormOverTraining,
  groupGradNorms,
  lossCurves,
  stepsToThreshold,
  stepsToSolveCurves,
  tuningByLr,
  throughputVsLength,
  gflopsPerExtractor,
  memoryVsLength,
  paramCounts,
} satisfies Record<string, ChartBuilder>;

/** The name of a chart builder. */
export type ChartName = keyof typeof CHART_BUILDERS;

/** The builder of a chart by name (claims name their evidence charts so); an unknown name is a bug, thrown. */
export function chartBuilder(name: string): ChartBuilder {
  if (!Object.hasOwn(CHART_BUILDERS, name)) throw new Error(`no chart builder named "${name}" (reports/charts/index.ts CHART_BUILDERS)`);
  return CHART_BUILDERS[name as ChartName];
}

/** All charts of a results set, in reading order (the order of CHART_BUILDERS). */
export function buildCharts(records: ResultRecord[]): Chart[] {
  return Object.values(CHART_BUILDERS).flatMap((build) => build(records));
}
