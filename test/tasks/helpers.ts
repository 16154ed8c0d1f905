/** Shared helpers for the task tests: building tasks and reading batches back as token strings. */
import { createRequire } from 'node:module';
import type { z } from 'zod';
import type { Batch, Task, TaskDefinition } from '../../tasks/types.js';

/** Parses `opts` through the definition's schema (so defaults apply) and creates the task. */
export function make(def: TaskDefinition, opts: Record<string, unknown> = {}): Task {
  return def.create(def.options.parse(opts) as z.output<z.ZodObject>);
}

/** Row `i` of a token batch as printed token strings. */
export function rowTokens(task: Task, batch: Batch, i: number): string[] {
  if (task.input.kind !== 'tokens') throw new Error('not a token task');
  const { tokens } = task.input;
  const T = batch.length;
  return Array.from(batch.inputs.subarray(i * T, (i + 1) * T), (id) => tokens[id]);
}

/** Row `i` without its left padding; also asserts that `<pad>` occurs only as a left prefix. */
export function unpadded(task: Task, batch: Batch, i: number): string[] {
  const toks = rowTokens(task, batch, i);
  let k = 0;
  while (k < toks.length && toks[k] === '<pad>') k++;
  const rest = toks.slice(k);
  if (rest.includes('<pad>')) throw new Error(`pad inside the content of row ${i}: ${rest.join(' ')}`);
  return rest;
}

/** Relative frequency of each class among per-sequence targets. */
export function classFrequencies(targets: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < targets.length; i++) counts[targets[i]]++;
  return counts.map((c) => c / targets.length);
}

export function packageInstalled(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}
