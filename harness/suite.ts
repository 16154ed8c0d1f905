/**
 * Stage 1 (config): a suite — which tasks, extractors, lengths and seeds, and the shared
 * training budget — validated with zod and expanded into cells, one per
 * task x extractor x length x seed. Every cell gets the same embedding, readout, head,
 * loss, optimiser and budget; only the extractor differs.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from './errors.js';
import { extractors, tasks } from './plugins.js';
import type { BackendName } from './backend.js';

const pluginRef = z.union([
  z.string(),
  z
    .object({
      name: z.string(),
      /** Distinguishes two entries of the same extractor with different options (ablations). */
      label: z.string().optional(),
      options: z.record(z.string(), z.unknown()).default({}),
    })
    .strict(),
]);

export const suiteSchema = z
  .object({
    name: z.string().min(1).default('custom'),
    tasks: z.array(pluginRef).min(1),
    extractors: z.array(pluginRef).min(1),
    lengths: z.array(z.number().int().positive()).min(1),
    seeds: z.array(z.number().int().nonnegative()).min(1).default([1]),
    steps: z.number().int().positive().default(200).describe('training steps per cell'),
    batch: z.number().int().positive().default(32).describe('sequences per training step'),
    lr: z.number().positive().max(1).default(3e-3).describe('Adam learning rate'),
    clip: z.number().positive().default(1).describe('clip gradients to this global norm'),
    embedDim: z.number().int().positive().default(64).describe('embedding width fed to every extractor'),
    readout: z.enum(['last', 'mean']).default('last').describe('per-sequence readout of the features'),
    evalBatches: z.number().int().positive().default(4).describe('held-out batches for evaluation'),
    generalize: z.array(z.number().positive()).default([1, 2, 4]).describe('evaluate the trained model at these multiples of the training length'),
    backend: z.enum(['wasm', 'cpu']).default('wasm'),
    matchParams: z.number().int().positive().optional().describe("choose each extractor's width so its parameter count is within 10% of this (Long Range Arena's rule)"),
  })
  .strict();

export type SuiteInput = z.input<typeof suiteSchema>;
export type Suite = z.output<typeof suiteSchema>;

/** A resolved plugin reference: name, label and options with every default filled in. */
export interface PluginUse {
  name: string;
  label: string;
  options: Record<string, unknown>;
  /** Set when --match-params chose the width: the target, the count reached and the width chosen. */
  matched?: { target: number; params: number; option: string; value: number };
}

/** Everything one cell needs; plain data, so it can go to a worker or into a results file. */
export interface Cell {
  id: string;
  suite: string;
  task: PluginUse;
  extractor: PluginUse;
  length: number;
  seed: number;
  train: TrainConfig;
}

export interface TrainConfig {
  steps: number;
  batch: number;
  lr: number;
  clip: number;
  embedDim: number;
  readout: 'last' | 'mean';
  evalBatches: number;
  /** Multiples of the training length the trained model is also evaluated at (length generalisation). */
  generalize: number[];
  backend: BackendName;
  optimizer: { name: 'adam'; beta1: number; beta2: number; epsilon: number };
}

/** Validate raw suite data; a zod error becomes one line naming the field and the problem. */
export function parseSuite(raw: unknown, source = 'suite'): Suite {
  const result = suiteSchema.safeParse(raw);
  if (!result.success) throw new UsageError(`${source}: ${formatZodIssue(result.error)}`);
  return result.data;
}

export function loadSuiteFile(file: string): Suite {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`suite file ${file} cannot be read: check the path`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`suite file ${file} is not valid JSON (${(e as Error).message}): fix the syntax`);
  }
  return parseSuite(raw, `suite file ${file}`);
}

export function formatZodIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.length ? issue.path.join('.') : '(top level)';
  return `${where}: ${issue.message}`;
}

function resolve(kind: 'task' | 'extractor', ref: z.output<typeof pluginRef>): PluginUse {
  const name = typeof ref === 'string' ? ref : ref.name;
  const def = kind === 'task' ? tasks.get(name) : extractors.get(name);
  const given = typeof ref === 'string' ? {} : ref.options;
  const parsed = def.options.safeParse(given);
  if (!parsed.success) throw new UsageError(`${kind} ${name} options: ${formatZodIssue(parsed.error)} (\`fxbench list\` shows the options)`);
  const label = typeof ref === 'string' ? name : (ref.label ?? name);
  return { name, label, options: parsed.data as Record<string, unknown> };
}

/**
 * Parameter matching: the width (hidden / dModel / channels) whose extractor parameter
 * count is closest to `target`, which must land within 10% of it. Parameter counts grow
 * with width, so a binary search over allowed widths finds the closest.
 */
export function matchWidth(use: PluginUse, ref: z.output<typeof pluginRef>, target: number, inputDim: number): PluginUse {
  const def = extractors.get(use.name);
  if (!def.width) throw new UsageError(`extractor ${use.name} does not declare a width option, so --match-params cannot size it: drop it from this run or set its size by hand`);
  const { option, params } = def.width;
  if (typeof ref !== 'string' && ref.options[option] !== undefined) {
    throw new UsageError(`extractor ${use.label} sets ${option} explicitly while --match-params chooses it: drop one of the two`);
  }
  const step = def.width.multipleOf?.(use.options) ?? 1;
  const count = (k: number) => params({ ...use.options, [option]: k * step }, inputDim);
  let lo = 1;
  let hi = Math.ceil(16384 / step);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (count(mid) < target) lo = mid + 1;
    else hi = mid;
  }
  const k = lo > 1 && Math.abs(count(lo - 1) - target) <= Math.abs(count(lo) - target) ? lo - 1 : lo;
  const reached = count(k);
  if (Math.abs(reached - target) > 0.1 * target) {
    throw new UsageError(`--match-params ${target}: ${use.label} cannot get within 10% (closest: ${reached} parameters at ${option}=${k * step}); choose another target`);
  }
  return { ...use, options: { ...use.options, [option]: k * step }, matched: { target, params: reached, option, value: k * step } };
}

/** Stage 1 output: the cells of a suite in a stable order, each validated against its plugins. */
export function expandSuite(suite: Suite): Cell[] {
  const taskUses = suite.tasks.map((t) => resolve('task', t));
  let extractorUses = suite.extractors.map((e) => resolve('extractor', e));
  if (suite.matchParams !== undefined) {
    const target = suite.matchParams;
    extractorUses = extractorUses.map((use, i) => matchWidth(use, suite.extractors[i], target, suite.embedDim));
  }
  const labels = new Set<string>();
  for (const e of extractorUses) {
    if (labels.has(e.label)) throw new UsageError(`extractor label "${e.label}" is used twice: give each entry a distinct "label"`);
    labels.add(e.label);
  }
  for (const t of taskUses) {
    const task = tasks.get(t.name).create(t.options);
    for (const L of suite.lengths) {
      if (L < task.minLength) throw new UsageError(`task ${t.name} needs length >= ${task.minLength}, got ${L}: raise --lengths`);
    }
  }
  const train: TrainConfig = {
    steps: suite.steps,
    batch: suite.batch,
    lr: suite.lr,
    clip: suite.clip,
    embedDim: suite.embedDim,
    readout: suite.readout,
    evalBatches: suite.evalBatches,
    generalize: suite.generalize.includes(1) ? suite.generalize : [1, ...suite.generalize],
    backend: suite.backend,
    optimizer: { name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  };
  const cells: Cell[] = [];
  for (const task of taskUses)
    for (const length of suite.lengths)
      for (const extractor of extractorUses)
        for (const seed of suite.seeds)
          cells.push({ id: `${task.label}/${extractor.label}/T${length}/s${seed}`, suite: suite.name, task, extractor, length, seed, train });
  return cells;
}
