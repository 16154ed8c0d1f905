/**
 * fxbench's library API. Registries hold the built-in and plugin extractors and tasks;
 * `createExtractor` gives a standalone extractor with PyTorch-named weights.
 */
export { extractors as extractorRegistry, tasks as taskRegistry, registerExtractor, registerTask } from './harness/plugins.js';
export { initBackend, type BackendName } from './harness/backend.js';
export { Rng } from './harness/rng.js';
export { UsageError } from './harness/errors.js';
export { defineExtractor, parameterCount, type Extractor, type ExtractorDefinition, type ExtractorContext } from './extractors/types.js';
export { defineTask, type Task, type TaskDefinition, type Batch, type Chance, type InputSpec, type OutputSpec } from './tasks/types.js';
export { parseSuite, expandSuite, type Suite, type SuiteInput, type Cell } from './harness/suite.js';
export { runCell } from './harness/runner.js';
export { readResults, resultSchema, type ResultRecord } from './harness/results.js';
export { writeReport } from './reports/render.js';

import { extractors } from './harness/plugins.js';

/** Names of every registered extractor. */
export function listExtractors(): string[] {
  return extractors.names();
}
