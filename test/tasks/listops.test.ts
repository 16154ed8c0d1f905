/** listops: every label re-evaluated from the decoded token strings by an independent evaluator. */
import { describe, it, expect } from 'vitest';
import { listops } from '../../tasks/listops.js';
import { Rng } from '../../core/rng.js';
import { classFrequencies, make, unpadded } from './helpers.js';

/** Evaluates a serialised ListOps expression with an explicit stack; returns value and nesting depth. */
function evaluate(tokens: string[]): { value: number; depth: number } {
  const stack: { op: string; args: number[] }[] = [];
  let depth = 0;
  let result: number | undefined;
  for (const tok of tokens) {
    if (tok.startsWith('[')) {
      stack.push({ op: tok.slice(1), args: [] });
      depth = Math.max(depth, stack.length);
    } else if (tok === ']') {
      const { op, args } = stack.pop()!;
      if (args.length < 2) throw new Error(`${op} with ${args.length} argument(s)`);
      const sorted = [...args].sort((a, b) => a - b);
      let v: number;
      if (op === 'MIN') v = sorted[0];
      else if (op === 'MAX') v = sorted[sorted.length - 1];
      else if (op === 'SM') v = args.reduce((a, b) => a + b, 0) % 10;
      else if (op === 'MED') {
        const n = sorted.length;
        v = n % 2 ? sorted[(n - 1) / 2] : Math.trunc((sorted[n / 2 - 1] + sorted[n / 2]) / 2);
      } else throw new Error(`unknown operator ${op}`);
      if (stack.length) stack[stack.length - 1].args.push(v);
      else {
        if (result !== undefined) throw new Error('more than one top-level expression');
        result = v;
      }
    } else {
      if (!/^[0-9]$/.test(tok)) throw new Error(`unexpected token ${tok}`);
      if (stack.length === 0) throw new Error('digit outside an operator');
      stack[stack.length - 1].args.push(Number(tok));
    }
  }
  if (stack.length !== 0 || result === undefined) throw new Error('unclosed expression');
  return { value: result!, depth };
}

describe('listops', () => {
  it('labels equal an independent evaluation of the decoded expression', () => {
    const task = make(listops);
    for (const T of [4, 9, 60, 300]) {
      const b = task.sample(new Rng(T), 200, T);
      for (let i = 0; i < 200; i++) {
        const toks = unpadded(task, b, i);
        const { value, depth } = evaluate(toks);
        expect(b.targets[i]).toBe(value);
        expect(b.meta[i].depth).toBe(depth);
        expect(b.meta[i].tokens).toBe(toks.length);
        expect(toks.length).toBeLessThanOrEqual(T);
        expect(toks[toks.length - 1]).toBe(']'); // the expression ends at the readout
      }
    }
  });

  it('fills a good fraction of the length and respects maxDepth and maxArgs', () => {
    const task = make(listops, { maxDepth: 3, maxArgs: 4 });
    const T = 200;
    const b = task.sample(new Rng(11), 300, T);
    for (let i = 0; i < 300; i++) expect(evaluate(unpadded(task, b, i)).depth).toBeLessThanOrEqual(3);
    const wide = make(listops); // defaults: depth 10 does not cap a 200-token tree
    const wb = wide.sample(new Rng(12), 300, T);
    const wideFill = wb.meta.reduce((a, m) => a + m.tokens, 0) / (300 * T);
    expect(wideFill).toBeGreaterThan(0.7); // budget uniform in [T/2, T] → mean fill ≈ 0.75
    // maxArgs: no operator has more than 4 arguments
    for (let i = 0; i < 50; i++) {
      const toks = unpadded(task, b, i);
      const counts: number[] = [];
      for (const t of toks) {
        if (t.startsWith('[')) {
          if (counts.length) counts[counts.length - 1]++;
          counts.push(0);
        } else if (t === ']') expect(counts.pop()!).toBeLessThanOrEqual(4);
        else counts[counts.length - 1]++;
      }
    }
  });

  it('chance is the majority-class rate of 10 000 samples', () => {
    const task = make(listops);
    const T = 100;
    const freq = classFrequencies(task.sample(new Rng(13), 10_000, T).targets, 10);
    const c = task.chance(T);
    expect(c.metric).toBe('accuracy');
    expect(Math.abs(Math.max(...freq) - c.value)).toBeLessThan(0.025);
  });
});
