/**
 * The registries, one per plugin kind, pre-filled with the built-ins. Plugins add to them
 * through `registerExtractor` / `registerTask` (see `loadPlugins`).
 */
import { builtinExtractors } from '../../extractors/index.js';
import type { ExtractorDefinition } from '../../extractors/types.js';
import { builtinTasks } from '../../tasks/index.js';
import type { TaskDefinition } from '../../tasks/types.js';
import { Registry } from '../../core/registry.js';

export const extractors = new Registry<ExtractorDefinition>('extractor');
export const tasks = new Registry<TaskDefinition>('task');
for (const e of builtinExtractors) extractors.register(e);
for (const t of builtinTasks) tasks.register(t);

export function registerExtractor(def: ExtractorDefinition): ExtractorDefinition {
  return extractors.register(def);
}

export function registerTask(def: TaskDefinition): TaskDefinition {
  return tasks.register(def);
}
