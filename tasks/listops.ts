/**
 * listops: evaluate a nested prefix expression over digits, as in Long Range Arena's ListOps.
 *
 * Operators (as in LRA): MIN, MAX, MED (median, truncated to an integer like LRA's
 * `int(np.median(...))`, so the median of 3 and 6 is 4), SM (sum mod 10); values 0-9; the
 * answer is one of 10 classes. Tokens follow LRA's serialisation: the opening bracket and the
 * operator are ONE token (`[MAX`), the closing bracket is `]`, each digit is a token. The
 * sequence length counts every serialised token, brackets and operators included.
 *
 * Padding: `<pad>` (id 0) on the LEFT, so the expression's final `]` is at the readout position
 * T-1 (LRA pads on the right and masks; fxbench reads out at the last position, so left
 * padding keeps causal models fair), marked in the batch's key-padding mask.
 *
 * Generation (differs from LRA, which draws trees from a branching process and rejects those
 * outside [min_length, max_length]; rejection is slow and its lengths cluster): draw a token
 * budget S uniform in [max(4, ceil(minFill·T)), T], then build the tree top-down: an operator
 * node takes 2 tokens (`[OP` and `]`), picks 2..min(maxArgs, S-2) arguments and splits the rest
 * of its budget among them with exponential weights; a child becomes a leaf when its budget is
 * under 4 tokens or its bracket depth would exceed maxDepth, and unused budget passes on to its
 * later siblings. The result never exceeds T and usually fills S exactly (less when maxDepth
 * caps it). The root is always an operator, so minLength is 4 (`[SM 3 4 ]`).
 *
 * Worked example (T = 12, one pad): `<pad> [MAX 2 9 [MIN 4 7 ] [SM 5 8 ] ]` -> 9, since
 * MIN(4,7) = 4 and SM(5,8) = 13 mod 10 = 3, and MAX(2, 9, 4, 3) = 9.
 *
 * Chance: the labels are not uniform (MIN of many values leans to 0, MAX to 9), so chance is
 * the majority-class rate, estimated per length from 4000 samples drawn with a fixed private
 * seed (not the caller's rng): deterministic, with a standard error under 0.01.
 * Meta: { depth: deepest bracket nesting, tokens: non-pad tokens }.
 */
import { z } from 'zod';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import { Rng } from '../core/rng.js';
import { KeyMask, PAD, renderTokens, writeLeftPadded } from './lib/common.js';

const NAME = 'listops';
const OPS = ['[MIN', '[MAX', '[MED', '[SM'] as const;
const DIGIT0 = 1; // digit d has id 1 + d
const OP0 = 11; // OPS[j] has id 11 + j
const CLOSE = 15;
const TOKENS = [PAD, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ...OPS, ']'] as const;
const LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
const CHANCE_SAMPLES = 4000;

const options = z
  .object({
    /** Deepest bracket nesting allowed (LRA: max_depth 10, i.e. at most 9 nested brackets). */
    maxDepth: z.number().int().min(1).max(50).default(10).describe('deepest bracket nesting of an expression (LRA: max_depth 10)'),
    /** Most arguments per operator (LRA: 10). */
    maxArgs: z.number().int().min(2).max(50).default(10).describe('most arguments of one operator (LRA: 10)'),
    /** The token budget is drawn uniformly from [minFill·T, T]. */
    minFill: z.number().gt(0).max(1).default(0.5).describe('the token budget is drawn uniformly from [minFill·T, T]'),
  })
  .strict();

type Opts = z.output<typeof options>;

/** Applies operator `op` (index into OPS) to its argument values. */
export function applyOp(op: number, args: number[]): number {
  switch (op) {
    case 0:
      return Math.min(...args);
    case 1:
      return Math.max(...args);
    case 2: {
      const s = [...args].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 === 1 ? s[m] : Math.floor((s[m - 1] + s[m]) / 2);
    }
    default:
      return args.reduce((a, b) => a + b, 0) % 10;
  }
}

interface Built {
  value: number;
  depth: number;
}

/** Appends one subtree of at most `budget` tokens to `out` (see the file comment). */
function build(rng: Rng, budget: number, depth: number, opts: Opts, out: number[]): Built {
  if (budget < 4 || depth > opts.maxDepth) {
    const v = rng.int(10);
    out.push(DIGIT0 + v);
    return { value: v, depth: depth - 1 };
  }
  const op = rng.int(OPS.length);
  out.push(OP0 + op);
  const maxN = Math.min(opts.maxArgs, budget - 2);
  const n = 2 + rng.int(maxN - 1);
  const weights = Array.from({ length: n }, () => -Math.log(1 - rng.uniform()) + 1e-9);
  let weightLeft = weights.reduce((a, b) => a + b, 0);
  let remaining = budget - 2;
  const values: number[] = [];
  let deepest = depth;
  for (let i = 0; i < n; i++) {
    const childrenLeft = n - i;
    let share: number;
    if (childrenLeft === 1) share = remaining;
    else {
      share = Math.round((remaining * weights[i]) / weightLeft);
      share = Math.max(1, Math.min(remaining - (childrenLeft - 1), share));
    }
    weightLeft -= weights[i];
    const before = out.length;
    const child = build(rng, share, depth + 1, opts, out);
    remaining -= out.length - before;
    values.push(child.value);
    deepest = Math.max(deepest, child.depth);
  }
  out.push(CLOSE);
  return { value: applyOp(op, values), depth: deepest };
}

export const listops = defineTask({
  name: NAME,
  description: 'LRA ListOps: evaluate a nested expression of MIN, MAX, MED and SM (sum mod 10) over digits; hierarchical structure over long sequences.',
  example: '"<pad> [MAX 2 9 [MIN 4 7 ] [SM 5 8 ] ]" -> 9 (MIN(4,7)=4, SM(5,8)=3, MAX(2,9,4,3)=9).',
  source: 'Nangia & Bowman 2018 (ListOps); Tay et al. 2021, Long Range Arena.',
  options,
  create(opts): Task {
    const minLength = 4;
    const chanceCache = new Map<number, number>();
    const task: Task = {
      input: { kind: 'tokens', vocab: TOKENS.length, tokens: TOKENS },
      output: { kind: 'classes', classes: 10, labels: LABELS, per: 'sequence' },
      minLength,
      pads: () => true, // the token budget is drawn below T, and maxDepth can cut it further
      chance(length) {
        let v = chanceCache.get(length);
        if (v === undefined) {
          const batch = task.sample(new Rng(`${NAME}/chance`), CHANCE_SAMPLES, length);
          const counts = new Array<number>(10).fill(0);
          for (const y of batch.targets) counts[y]++;
          v = Math.max(...counts) / CHANCE_SAMPLES;
          chanceCache.set(length, v);
        }
        return {
          value: v,
          metric: 'accuracy',
          why: `majority-class rate at length ${length}, from ${CHANCE_SAMPLES} samples with a fixed seed (labels are not uniform)`,
        };
      },
      sample(rng: Rng, batchSize: number, length: number): Batch {
        const inputs = new Int32Array(batchSize * length);
        const targets = new Int32Array(batchSize);
        const meta: SampleMeta[] = [];
        const lo = Math.min(length, Math.max(4, Math.ceil(opts.minFill * length)));
        const out: number[] = [];
        const keyMask = new KeyMask(batchSize, length);
        for (let b = 0; b < batchSize; b++) {
          const budget = lo + rng.int(length - lo + 1);
          out.length = 0;
          const root = build(rng, budget, 1, opts, out);
          writeLeftPadded(inputs, b, length, out, keyMask);
          targets[b] = root.value;
          meta.push({ depth: root.depth, tokens: out.length });
        }
        return { batchSize, length, inputs, targets, keyMask: keyMask.done(), meta };
      },
      decode(batch, i) {
        const T = batch.length;
        return { input: renderTokens(TOKENS, batch.inputs, i * T, (i + 1) * T, ' ', 0), target: LABELS[batch.targets[i]] };
      },
    };
    return task;
  },
});
