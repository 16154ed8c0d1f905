/**
 * The tasks of Delétang et al. (ICLR 2023), "Neural Networks and the Chomsky Hierarchy": every
 * label re-derived from the printed input alone by a reference written here (a brute-force count,
 * a walk, an expression parser over BigInt, a stack machine, BigInt addition, array reversal and
 * slicing), never by the tasks' own code; the sampling the paper's code uses (lengths of the
 * stack and of the operands, uniform actions and operators); the map between the paper's input
 * length n and fxbench's T, with the lengths each task refuses; mask placement; determinism; and
 * each exact chance value against hand-derived values and Monte Carlo.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { binaryAddition } from '../../tasks/binary-addition.js';
import { cycleNavigation } from '../../tasks/cycle-navigation.js';
import { duplicateString } from '../../tasks/duplicate-string.js';
import { evenPairs } from '../../tasks/even-pairs.js';
import { builtinTasks } from '../../tasks/index.js';
import { modularArithmetic } from '../../tasks/modular-arithmetic.js';
import { oddsFirst } from '../../tasks/odds-first.js';
import { parityCheck } from '../../tasks/parity-check.js';
import { reverseString } from '../../tasks/reverse-string.js';
import { stackManipulation } from '../../tasks/stack-manipulation.js';
import type { Batch, Task, TaskDefinition } from '../../tasks/types.js';
import { make, rowTokens } from './helpers.js';

/** What a sample's answer must be, from its n input symbols (printed) alone. */
type Reference = (input: string[]) => { answer: string } | { output: string[] };

interface Case {
  def: TaskDefinition;
  /** The paper's input length n -> fxbench's T (input plus output steps). */
  lengthOf(n: number): number;
  /** The symbols the model reads at the paper's n (modular arithmetic rounds an even n down). */
  symbols(n: number): number;
  /** Output steps after the input at the paper's n (0 for one-answer tasks: the answer is read at the blank). */
  outputSteps(n: number): number;
  /** The input alphabet, blank excluded. */
  alphabet: string[];
  reference: Reference;
  /** Sampling facts of the paper's code, checked per sample (empty when there are none beyond the alphabet). */
  valid?(input: string[]): string | undefined;
}

const BITS = ['0', '1'];

/** Bits as a BigInt, least significant first. */
const littleEndian = (bits: string[]): bigint => bits.reduceRight((v, b) => v * 2n + BigInt(b), 0n);
/** A BigInt in little-endian bits without leading zeros (0 is `0`). */
const toLittleEndian = (v: bigint): string[] => (v === 0n ? ['0'] : [...v.toString(2)].reverse());

/** Value of `d op d op ... d` with * before + and -, over BigInt (no modulus until the end). */
function evaluate(tokens: string[]): bigint {
  let total = 0n;
  let sign = 1n;
  let product = BigInt(tokens[0]);
  for (let k = 1; k < tokens.length; k += 2) {
    const d = BigInt(tokens[k + 1]);
    if (tokens[k] === '*') product *= d;
    else {
      total += sign * product;
      sign = tokens[k] === '-' ? -1n : 1n;
      product = d;
    }
  }
  return total + sign * product;
}

const CASES: Case[] = [
  {
    def: parityCheck,
    lengthOf: (n) => n + 1,
    symbols: (n) => n,
    outputSteps: () => 0,
    alphabet: BITS,
    reference: (x) => ({ answer: x.filter((s) => s === '1').length % 2 === 0 ? 'even' : 'odd' }),
  },
  {
    def: evenPairs,
    lengthOf: (n) => n + 1,
    symbols: (n) => n,
    outputSteps: () => 0,
    alphabet: BITS,
    reference: (x) => {
      const pairs = x.slice(1).filter((s, t) => s + x[t] === '01' || s + x[t] === '10').length; // every neighbouring pair, both orders
      return { answer: pairs % 2 === 0 ? 'even' : 'odd' };
    },
  },
  {
    def: cycleNavigation,
    lengthOf: (n) => n + 1,
    symbols: (n) => n,
    outputSteps: () => 0,
    alphabet: ['-1', '0', '+1'],
    reference: (x) => {
      // Walk the 5-cycle one move at a time, as a finite automaton would.
      let state = 0;
      for (const move of x) state = (state + Number(move) + 5) % 5;
      return { answer: String(state) };
    },
  },
  {
    def: modularArithmetic,
    lengthOf: (n) => (n % 2 === 1 ? n + 1 : n),
    symbols: (n) => (n % 2 === 1 ? n : n - 1),
    outputSteps: () => 0,
    alphabet: ['0', '1', '2', '3', '4', '+', '-', '*'],
    reference: (x) => ({ answer: String(((evaluate(x) % 5n) + 5n) % 5n) }),
    valid: (x) =>
      x.every((s, t) => (t % 2 === 0 ? /^[0-4]$/.test(s) : /^[-+*]$/.test(s))) && x.length % 2 === 1 ? undefined : `not an expression: ${x.join(' ')}`,
  },
  {
    def: reverseString,
    lengthOf: (n) => 2 * n,
    symbols: (n) => n,
    outputSteps: (n) => n,
    alphabet: BITS,
    reference: (x) => ({ output: [...x].reverse() }),
  },
  {
    def: stackManipulation,
    lengthOf: (n) => 2 * n + 1,
    symbols: (n) => n,
    outputSteps: (n) => n + 1,
    alphabet: ['0', '1', 'POP', 'PUSH0', 'PUSH1'],
    reference: (x) => {
      const stack: string[] = [];
      for (const s of x) {
        if (s === 'POP') stack.pop();
        else stack.push(s === 'PUSH0' ? '0' : s === 'PUSH1' ? '1' : s);
      }
      return { output: [...stack.reverse(), 'end'] };
    },
    valid: (x) => {
      // Bits first (the initial stack, 1..n-1 of them), then actions only; n = 1 is a single bit.
      const initial = x.findIndex((s) => !BITS.includes(s));
      if (x.length === 1) return BITS.includes(x[0]) ? undefined : `n = 1 must be one bit: ${x}`;
      if (initial < 1) return `no initial stack or no action: ${x.join(' ')}`;
      return x.slice(initial).every((s) => !BITS.includes(s)) ? undefined : `a bit among the actions: ${x.join(' ')}`;
    },
  },
  {
    def: duplicateString,
    lengthOf: (n) => 3 * n,
    symbols: (n) => n,
    outputSteps: (n) => 2 * n,
    alphabet: BITS,
    reference: (x) => ({ output: [...x, ...x] }),
  },
  {
    def: oddsFirst,
    lengthOf: (n) => 2 * n,
    symbols: (n) => n,
    outputSteps: (n) => n,
    alphabet: BITS,
    // The paper's code: concatenate([x[1::2], x[::2]]).
    reference: (x) => ({ output: [...x.filter((_, t) => t % 2 === 1), ...x.filter((_, t) => t % 2 === 0)] }),
  },
  {
    def: binaryAddition,
    lengthOf: (n) => 2 * n + 1,
    symbols: (n) => n,
    outputSteps: (n) => n + 1,
    alphabet: ['0', '1', '+'],
    reference: (x) => {
      const plus = x.indexOf('+');
      const sum = plus < 0 ? littleEndian(x) : littleEndian(x.slice(0, plus)) + littleEndian(x.slice(plus + 1));
      return { output: [...toLittleEndian(sum), 'end'] };
    },
    valid: (x) => {
      const n = x.length;
      const plus = x.indexOf('+');
      if (n <= 2) return plus < 0 && littleEndian(x) <= 2n ** BigInt(n) - 2n ? undefined : `n <= 2 must be one number below 2^n - 1: ${x.join(' ')}`;
      const [a, b] = [x.slice(0, plus), x.slice(plus + 1)];
      if (plus < 1 || b.length < 1 || b.includes('+')) return `not a + b: ${x.join(' ')}`;
      return littleEndian(a) > 0n && littleEndian(b) > 0n ? undefined : `an operand is 0: ${x.join(' ')}`;
    },
  },
];

/** Every mismatch of sample i with the reference, the layout and the paper's sampling. */
function check(c: Case, task: Task, b: Batch, i: number, n: number): string[] {
  const bad: string[] = [];
  const T = b.length;
  const toks = rowTokens(task, b, i);
  const input = toks.slice(0, n);
  const labels = task.output.kind === 'classes' ? task.output.labels : [];
  if (!input.every((s) => c.alphabet.includes(s))) bad.push(`sample ${i}: input ${input.join(' ')} leaves the alphabet`);
  if (!toks.slice(n).every((s) => s === '_')) bad.push(`sample ${i}: output steps ${toks.slice(n).join(' ')} are not all blank`);
  const invalid = c.valid?.(input);
  if (invalid) bad.push(`sample ${i}: ${invalid}`);
  if (b.meta[i].n !== n) bad.push(`sample ${i}: meta.n ${b.meta[i].n}, expected ${n}`);
  const want = c.reference(input);
  if ('answer' in want) {
    if (T !== n + 1) bad.push(`T ${T} for n ${n}`);
    if (labels[b.targets[i]] !== want.answer) bad.push(`sample ${i}: ${input.join(' ')} -> ${labels[b.targets[i]]}, expected ${want.answer}`);
    return bad;
  }
  const steps = Array.from({ length: T - n }, (_, j) => i * T + n + j);
  const mask = steps.map((k) => b.mask![k]);
  const counted = steps.filter((k) => b.mask![k] === 1).map((k) => labels[b.targets[k]]);
  if (counted.join(' ') !== want.output.join(' ')) bad.push(`sample ${i}: ${input.join(' ')} -> ${counted.join(' ')}, expected ${want.output.join(' ')}`);
  // Counted steps are the first of the output steps; the rest (after `end`) are the paper's zero padding.
  const expectedMask = steps.map((_, j) => (j < want.output.length ? 1 : 0));
  if (mask.join('') !== expectedMask.join('')) bad.push(`sample ${i}: output mask ${mask.join('')}, expected ${expectedMask.join('')}`);
  if (!steps.every((k, j) => j < want.output.length || labels[b.targets[k]] === '0')) bad.push(`sample ${i}: padding targets are not 0`);
  for (let t = 0; t < n; t++) if (b.mask![i * T + t] !== 0) bad.push(`sample ${i}: input step ${t} is counted`);
  return bad;
}

describe.each(CASES.map((c) => [c.def.name, c] as const))('%s', (name, c) => {
  const task = make(c.def);

  it('is registered with strict options and no option the paper does not vary', () => {
    expect(builtinTasks).toContain(c.def);
    expect(Object.keys(c.def.options.parse({}))).toEqual([]);
    expect(() => c.def.options.parse({ modulus: 7 })).toThrow();
    expect(task.output.per).toBe(c.outputSteps(1) === 0 ? 'sequence' : 'step');
  });

  it('labels every sample as an independent reference computes it from the input, at short and long lengths', () => {
    for (const n of [1, 2, 3, 4, 5, 8, 17, 40, 41, 100]) {
      const T = c.lengthOf(n);
      const B = n <= 5 ? 400 : 150;
      const b = task.sample(new Rng(`${name}/${n}`), B, T);
      expect(b.length).toBe(T);
      expect(task.output.per === 'step' ? b.mask : b.targets).toHaveLength(task.output.per === 'step' ? B * T : B);
      const bad = Array.from({ length: B }, (_, i) => check(c, task, b, i, c.symbols(n))).flat();
      expect(bad.slice(0, 5), `n = ${n}, T = ${T}`).toEqual([]);
    }
  });

  it('maps every paper length n >= 1 to an accepted T, and refuses every other T with a message', () => {
    const image = new Set(Array.from({ length: 1000 }, (_, k) => c.lengthOf(k + 1)));
    expect(task.minLength).toBe(c.lengthOf(1));
    for (let n = 1; n <= 500; n++) {
      const T = c.lengthOf(n);
      expect(T - c.symbols(n), `output steps at n = ${n}`).toBe(Math.max(1, c.outputSteps(n)));
      expect(task.lengths?.accepts(T) ?? true, `T = ${T} (n = ${n})`).toBe(true);
    }
    for (let T = task.minLength; T <= 1000; T++) {
      const accepted = task.lengths?.accepts(T) ?? true;
      expect(accepted, `T = ${T}`).toBe(image.has(T));
      if (!accepted) expect(() => task.sample(new Rng(1), 2, T)).toThrow(new RegExp(`task "${name}" is defined at .*got length ${T}`));
    }
    expect(() => task.sample(new Rng(1), 2, task.minLength - 1)).toThrow(/length/);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const T = c.lengthOf(12);
    const a = task.sample(new Rng(5).fork('train'), 32, T);
    const b = make(c.def).sample(new Rng(5).fork('train'), 32, T);
    expect(Array.from(b.inputs)).toEqual(Array.from(a.inputs));
    expect(Array.from(b.targets)).toEqual(Array.from(a.targets));
    expect(b.mask && Array.from(b.mask)).toEqual(a.mask && Array.from(a.mask));
    expect(b.meta).toEqual(a.meta);
    expect(Array.from(task.sample(new Rng(6).fork('train'), 32, T).inputs)).not.toEqual(Array.from(a.inputs));
    // Every sample has the same meta keys.
    expect(new Set(a.meta.map((m) => Object.keys(m).join()))).toHaveProperty('size', 1);
  });

  it('decodes input and counted outputs', () => {
    const T = c.lengthOf(6);
    const b = task.sample(new Rng(3), 4, T);
    for (let i = 0; i < 4; i++) {
      const d = task.decode(b, i);
      expect(d.input.split(' ')).toHaveLength(T);
      if (task.output.per === 'step') expect(d.target.split(' ')).toHaveLength(T - 6);
    }
  });
});

/**
 * The accuracy of the best constant class on samples, per sample then averaged (as the harness
 * scores), with its standard error.
 */
function empiricalChance(task: Task, b: Batch): { value: number; se: number } {
  const C = task.output.kind === 'classes' ? task.output.classes : 0;
  const T = b.length;
  const rates = Array.from({ length: C }, () => new Float64Array(b.batchSize)); // C x [B]: each sample's rate of class c
  for (let i = 0; i < b.batchSize; i++) {
    if (task.output.per === 'sequence') {
      rates[b.targets[i]][i] = 1;
      continue;
    }
    let n = 0;
    for (let t = 0; t < T; t++) n += b.mask![i * T + t];
    for (let t = 0; t < T; t++) if (b.mask![i * T + t]) rates[b.targets[i * T + t]][i] += 1 / n;
  }
  const mean = (xs: Float64Array) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const best = rates.reduce((a, r) => (mean(r) > mean(a) ? r : a));
  const m = mean(best);
  const variance = best.reduce((a, x) => a + (x - m) ** 2, 0) / (best.length - 1);
  return { value: m, se: Math.sqrt(variance / best.length) };
}

describe('chance', () => {
  const chanceAt = (def: TaskDefinition, T: number) => make(def).chance(T);

  it('matches hand-derived values at short lengths', () => {
    expect(chanceAt(evenPairs, 2).value).toBe(1); // one bit, no pair: always even
    expect(chanceAt(evenPairs, 3).value).toBe(0.5);
    expect(chanceAt(parityCheck, 2).value).toBe(0.5);
    expect(chanceAt(cycleNavigation, 2).value).toBeCloseTo(1 / 3, 12); // one move: states 4, 0, 1
    expect(chanceAt(cycleNavigation, 3).value).toBeCloseTo(3 / 9, 12); // two moves: P(0) = 3/9
    expect(chanceAt(modularArithmetic, 2).value).toBeCloseTo(1 / 5, 12);
    expect(chanceAt(modularArithmetic, 4).value).toBeCloseTo(19 / 75, 12); // (1/5 + 1/5 + 9/25) / 3
    expect(chanceAt(stackManipulation, 3).value).toBeCloseTo(1 / 2, 12); // 'b end': always 'end'
    expect(chanceAt(stackManipulation, 5).value).toBeCloseTo(5 / 9, 12); // POP: 'end'; PUSH: 3 steps, 1 'end'
    expect(chanceAt(stackManipulation, 7).value).toBeCloseTo(7 / 18, 12); // 'end' (see the file comment)
    expect(chanceAt(binaryAddition, 3).value).toBeCloseTo(1 / 2, 12); // always '0 end'
    expect(chanceAt(binaryAddition, 5).value).toBeCloseTo(4 / 9, 12); // '0 end', '1 end', '0 1 end': 'end'
    expect(chanceAt(binaryAddition, 7).value).toBeCloseTo(1 / 3, 12); // always 1 + 1 = '0 1 end'
    for (const def of [reverseString, duplicateString, oddsFirst]) expect(chanceAt(def, 12).value).toBe(0.5);
    for (const def of CASES.map((x) => x.def)) expect(chanceAt(def, 64).metric).toBe('accuracy');
  });

  it.each([
    ['cycle-navigation', cycleNavigation, [2, 4, 6, 11]],
    ['modular-arithmetic', modularArithmetic, [4, 6, 8, 12]],
    ['even-pairs', evenPairs, [2, 3, 9]],
    ['stack-manipulation', stackManipulation, [3, 7, 9, 11, 13, 21, 41, 81]],
    ['binary-addition', binaryAddition, [9, 11, 13, 21, 41, 81]],
  ] as const)('%s: the best constant guess measured on samples matches the exact value', (_, def, lengths) => {
    const task = make(def);
    for (const T of lengths) {
      const measured = empiricalChance(task, task.sample(new Rng(`chance/${T}`), 20_000, T));
      const exact = task.chance(T).value;
      expect(Math.abs(measured.value - exact), `T = ${T}: measured ${measured.value} ± ${measured.se}, exact ${exact}`).toBeLessThanOrEqual(
        4 * measured.se + 1e-9,
      );
    }
  });

  it('stays defined at lengths a task refuses (fxbench list asks at T = 64)', () => {
    for (const def of CASES.map((x) => x.def)) expect(Number.isFinite(chanceAt(def, 64).value)).toBe(true);
    expect(chanceAt(binaryAddition, 64).value).toBe(chanceAt(binaryAddition, 63).value);
  });
});

describe('sampling as the paper code draws it', () => {
  /** Counts of values, as fractions. */
  const freq = (xs: number[], k: number) => Array.from({ length: k }, (_, v) => xs.filter((x) => x === v).length / xs.length);

  it('stack-manipulation: initial stack length uniform in 1..n-1, actions uniform among POP, PUSH 0, PUSH 1', () => {
    const task = make(stackManipulation);
    const n = 6;
    const b = task.sample(new Rng(21), 30_000, 2 * n + 1);
    const initial = b.meta.map((m) => m.initial);
    const f = freq(initial, n);
    expect(f[0]).toBe(0);
    for (let s = 1; s < n; s++) expect(Math.abs(f[s] - 1 / (n - 1))).toBeLessThan(0.012);
    const actions: number[] = [];
    for (let i = 0; i < 30_000; i++) for (const s of rowTokens(task, b, i).slice(initial[i], n)) actions.push(['POP', 'PUSH0', 'PUSH1'].indexOf(s));
    for (const p of freq(actions, 3)) expect(Math.abs(p - 1 / 3)).toBeLessThan(0.01);
    // meta.final is the final stack size: the counted steps minus the `end` step.
    for (let i = 0; i < 100; i++) expect(b.mask!.subarray(i * 13, (i + 1) * 13).reduce((s, m) => s + m, 0)).toBe(b.meta[i].final + 1);
  });

  it('binary-addition: first operand length uniform in 1..n-2, each operand uniform over 1..2^L - 1', () => {
    const task = make(binaryAddition);
    const n = 5; // La in 1..3
    const b = task.sample(new Rng(22), 30_000, 2 * n + 1);
    const La: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < 30_000; i++) {
      const x = rowTokens(task, b, i).slice(0, n);
      const plus = x.indexOf('+');
      La.push(plus);
      if (plus === 2) values.push(Number(littleEndian(x.slice(0, 2)))); // a 2-bit operand: 1, 2 or 3
    }
    const f = freq(La, n - 1);
    expect(f[0]).toBe(0);
    for (let L = 1; L <= n - 2; L++) expect(Math.abs(f[L] - 1 / (n - 2))).toBeLessThan(0.012);
    const v = freq(values, 4);
    expect(v[0]).toBe(0);
    for (let x = 1; x <= 3; x++) expect(Math.abs(v[x] - 1 / 3)).toBeLessThan(0.02);
  });

  it('binary-addition: n = 1 is always 0, n = 2 one number uniform in 0..2', () => {
    const task = make(binaryAddition);
    const one = task.sample(new Rng(23), 200, 3);
    for (let i = 0; i < 200; i++) expect(task.decode(one, i)).toEqual({ input: '0 _ _', target: '0 end' });
    const two = task.sample(new Rng(24), 9000, 5);
    const v = freq(
      Array.from({ length: 9000 }, (_, i) => Number(littleEndian(rowTokens(task, two, i).slice(0, 2)))),
      4,
    );
    for (let x = 0; x <= 2; x++) expect(Math.abs(v[x] - 1 / 3)).toBeLessThan(0.02);
    expect(v[3]).toBe(0);
  });

  it('modular-arithmetic: numbers uniform in 0..4 and operators uniform among + - *', () => {
    const task = make(modularArithmetic);
    const b = task.sample(new Rng(25), 5000, 10);
    const numbers: number[] = [];
    const ops: number[] = [];
    for (let i = 0; i < 5000; i++)
      rowTokens(task, b, i)
        .slice(0, 9)
        .forEach((s, t) => (t % 2 ? ops.push('+-*'.indexOf(s)) : numbers.push(Number(s))));
    for (const p of freq(numbers, 5)) expect(Math.abs(p - 1 / 5)).toBeLessThan(0.01);
    for (const p of freq(ops, 3)) expect(Math.abs(p - 1 / 3)).toBeLessThan(0.01);
  });

  it('odds-first follows the code (0-based odd positions first), not its docstring', () => {
    const task = make(oddsFirst);
    const b = task.sample(new Rng(26), 200, 16);
    for (let i = 0; i < 200; i++) {
      const x = rowTokens(task, b, i).slice(0, 8);
      const want = [x[1], x[3], x[5], x[7], x[0], x[2], x[4], x[6]].join(' ');
      expect(task.decode(b, i).target).toBe(want);
    }
  });
});
