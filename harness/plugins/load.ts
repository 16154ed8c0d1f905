/**
 * Loading plugins from files or packages. A plugin is code: loading it runs it with your
 * privileges, exactly like `node plugin.js` would. Only load plugins you trust.
 *
 * A plugin module registers through its exports, any of:
 *   export const extractors = [defineExtractor({...})];
 *   export const tasks = [defineTask({...})];
 *   export default function (api) { api.registerExtractor(...); api.registerTask(...); }
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../../core/errors.js';
import { extractors, tasks } from './registries.js';
import type { ExtractorDefinition } from '../../extractors/types.js';
import type { TaskDefinition } from '../../tasks/types.js';

export interface PluginApi {
  registerExtractor(def: ExtractorDefinition): void;
  registerTask(def: TaskDefinition): void;
}

/** Import each plugin and register what it provides; returns the names it added. */
export async function loadPlugins(specs: string[]): Promise<{ plugin: string; extractors: string[]; tasks: string[] }[]> {
  const loaded = [];
  for (const spec of specs) {
    const isPath = spec.startsWith('.') || spec.startsWith('/') || /\.(m?js|ts)$/.test(spec);
    let url = spec;
    if (isPath) {
      const file = path.resolve(spec);
      if (!existsSync(file)) throw new UsageError(`plugin file ${spec} does not exist: check the path given to --plugin`);
      url = pathToFileURL(file).href;
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (!isPath && err.code === 'ERR_MODULE_NOT_FOUND') throw new UsageError(`plugin package ${spec} is not installed: run npm install ${spec}`);
      throw new UsageError(`plugin ${spec} failed to load: ${err.message}`);
    }
    const added = { plugin: spec, extractors: [] as string[], tasks: [] as string[] };
    const api: PluginApi = {
      registerExtractor: (d) => void added.extractors.push(extractors.register(d).name),
      registerTask: (d) => void added.tasks.push(tasks.register(d).name),
    };
    for (const d of (mod.extractors as ExtractorDefinition[] | undefined) ?? []) api.registerExtractor(d);
    for (const d of (mod.tasks as TaskDefinition[] | undefined) ?? []) api.registerTask(d);
    if (typeof mod.default === 'function') await (mod.default as (api: PluginApi) => unknown)(api);
    if (added.extractors.length + added.tasks.length === 0) {
      throw new UsageError(`plugin ${spec} registered nothing: export \`extractors\` or \`tasks\` arrays, or a default function(api)`);
    }
    loaded.push(added);
  }
  return loaded;
}
