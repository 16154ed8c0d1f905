/**
 * Loading plugins from files or packages. A plugin is code: loading it runs it with your
 * privileges, exactly like `node plugin.js` would. Only load plugins you trust.
 *
 * A plugin module registers through its exports, any of:
 *   export const extractors = [defineExtractor({...})];
 *   export const tasks = [defineTask({...})];
 *   export default function ({ tf, z, registerExtractor, registerTask }) { ... }
 *
 * The default function receives the harness's own `tf` and `z`: a plugin written that way
 * imports nothing, so it loads from any folder, without installing tfjs beside it (a second
 * copy of tfjs in one process would register every kernel twice, and its tensors would not
 * be the harness's).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../../core/errors.js';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { Rng } from '../../core/rng.js';
import { extractors, tasks } from './registries.js';
import { defineExtractor, type ExtractorDefinition } from '../../extractors/types.js';
import { defineTask, type TaskDefinition } from '../../tasks/types.js';

export interface PluginApi {
  registerExtractor(def: ExtractorDefinition): void;
  registerTask(def: TaskDefinition): void;
  /** The harness's tfjs: build variables and ops with it, never with a copy of your own. */
  tf: typeof tf;
  /** The harness's zod, for the options schemas. */
  z: typeof z;
  /** The harness's seeded random numbers (`ctx.rng` in `create` is one). */
  Rng: typeof Rng;
}

/** A package a plugin file imports that is not installed beside it, from the loader's message. */
const MISSING_PACKAGE = /Cannot find (?:package|module) '([^']+)'/;

/**
 * A package plugin is looked for where fxbench is installed (the packages beside it), then in
 * the working directory's node_modules, where a user's project installs it.
 */
async function importPlugin(url: string, isPath: boolean): Promise<unknown> {
  try {
    return await import(url);
  } catch (e) {
    if (isPath || (e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || MISSING_PACKAGE.exec((e as Error).message)?.[1] !== url) throw e;
    let resolved: string;
    try {
      resolved = createRequire(path.join(process.cwd(), 'package.json')).resolve(url);
    } catch {
      throw e;
    }
    return import(pathToFileURL(resolved).href);
  }
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
      if (/\.(m|c)?ts$/.test(file))
        throw new UsageError(
          `plugin ${spec} is TypeScript, which Node ${process.versions.node} cannot load: compile it first (npx tsc --module nodenext --target es2022 ${spec}) and pass the .js file`,
        );
      url = pathToFileURL(file).href;
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await importPlugin(url, isPath)) as Record<string, unknown>;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const missing = MISSING_PACKAGE.exec(err.message)?.[1];
      if (!isPath && err.code === 'ERR_MODULE_NOT_FOUND' && (missing === spec || !missing))
        throw new UsageError(`plugin package ${spec} is not installed: run npm install ${spec}`);
      if (missing && ['@tensorflow/tfjs', 'zod'].includes(missing))
        throw new UsageError(
          `plugin ${spec} imports ${missing}, which is not installed beside it: take tf and z from the plugin API instead, export default function ({ tf, z, registerExtractor, registerTask }) { ... } (examples/plugins/)`,
        );
      throw new UsageError(`plugin ${spec} failed to load: ${err.message.split('\n')[0]}`);
    }
    const added = { plugin: spec, extractors: [] as string[], tasks: [] as string[] };
    const api: PluginApi = {
      registerExtractor: (d) => void added.extractors.push(extractors.register(defineExtractor(d)).name),
      registerTask: (d) => void added.tasks.push(tasks.register(defineTask(d)).name),
      tf,
      z,
      Rng,
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
