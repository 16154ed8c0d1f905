/**
 * dyck: recognise Dyck-2, the balanced strings over two bracket pairs `( )` and `[ ]`.
 *
 * Half the samples are balanced strings; the other half are the same kind of string with a
 * minimal corruption, so the two classes look alike locally and only tracking the nesting
 * (a stack) tells them apart.
 *
 * Content length: n = T rounded down to even (a balanced string has even length); when T is
 * odd one `<pad>` (id 0) goes on the LEFT, so the string ends at the readout. Both classes have
 * the same length, so length is no cue.
 *
 * Balanced strings: drawn uniformly among all bracket-shape paths of length n (the shape, i.e.
 * the open/close pattern, is a uniformly random Dyck path: P(open | depth d, r steps left) =
 * (r-d)(d+2) / (2r(d+1))), each opener's type chosen by a fair coin. With `maxDepth` set, the
 * shape is uniform among paths that never nest deeper than maxDepth (exact counts by dynamic
 * programming).
 *
 * Corruptions:
 *   'swap' (default): exchange two tokens that differ, at random positions, redrawn until the
 *     result is unbalanced. Every token count is preserved, so counting cannot detect it.
 *   'change': replace one random token by one of the other three. Always unbalanced (either
 *     the open/close counts or one pair's types stop matching), but easier: a per-type
 *     counter detects it.
 *
 * Worked example (T = 8, 'swap'): balanced `( [ ] ) [ ( ) ]` -> balanced; swapping positions
 * 1 and 5 gives `( ( ] ) [ [ ) ]` -> unbalanced (the `(` at 1 now meets `]`), although every
 * bracket still occurs exactly as often as before.
 *
 * Chance: 0.5 accuracy (the label is a fair coin drawn before the string).
 * Meta: { maxDepth: deepest nesting of the balanced string before any corruption,
 *         corrupted: 1 for unbalanced samples }.
 */
import { z } from 'zod';
import { defineTask, type Batch, type SampleMeta, type Task } from './types.js';
import type { Rng } from '../core/rng.js';
import { KeyMask, PAD, renderTokens } from './lib/common.js';

const NAME = 'dyck';
const TOKENS = [PAD, '(', ')', '[', ']'] as const;
const LABELS = ['unbalanced', 'balanced'] as const;
/** Opener id -> its closer id. */
const CLOSER: Record<number, number> = { 1: 2, 3: 4 };

const options = z
  .object({
    maxDepth: z.number().int().min(1).max(500).optional().describe('Cap on nesting depth; unset = uniform over all Dyck shapes of the length.'),
    corruption: z.enum(['swap', 'change']).default('swap').describe('How negatives are made; see the file comment.'),
  })
  .strict();

/** Stack check: is ids[start, end) a balanced Dyck-2 string? */
export function isBalanced(ids: ArrayLike<number>, start = 0, end = ids.length): boolean {
  const stack: number[] = [];
  for (let i = start; i < end; i++) {
    const t = ids[i];
    if (t === 1 || t === 3) stack.push(t);
    else if (stack.length === 0 || CLOSER[stack.pop()!] !== t) return false;
  }
  return stack.length === 0;
}

/**
 * P(open | depth d, r steps left including this one) for paths of length n that stay within
 * depth D, as a [n+1][D+1] table. Counts are kept per column normalised to max 1 (the ratio
 * only needs one column), so nothing overflows.
 */
const boundedTables = new Map<string, Float64Array>();
function boundedOpenTable(n: number, D: number): Float64Array {
  const key = `${n}/${D}`;
  const hit = boundedTables.get(key);
  if (hit) return hit;
  const W = D + 1;
  const table = new Float64Array((n + 1) * W);
  let col = new Float64Array(W); // N(d, r) / max for r = 0
  col[0] = 1;
  for (let r = 1; r <= n; r++) {
    const next = new Float64Array(W);
    let max = 0;
    for (let d = 0; d <= D; d++) {
      const up = d + 1 <= D ? col[d + 1] : 0;
      const down = d >= 1 ? col[d - 1] : 0;
      next[d] = up + down;
      table[r * W + d] = up + down > 0 ? up / (up + down) : 0;
      if (next[d] > max) max = next[d];
    }
    if (max > 0) for (let d = 0; d <= D; d++) next[d] /= max;
    col = next;
  }
  if (boundedTables.size > 16) boundedTables.clear();
  boundedTables.set(key, table);
  return table;
}

export const dyck = defineTask({
  name: NAME,
  description: 'Dyck-2 recognition: is a string of ( ) [ ] balanced? Negatives are minimally corrupted balanced strings, so a stack is needed.',
  example: '"( [ ] ) [ ( ) ]" -> balanced; swap positions 1 and 5: "( ( ] ) [ [ ) ]" -> unbalanced (same bracket counts).',
  source: 'Chomsky & Schützenberger 1963; Suzgun et al. 2019; Hahn 2020; Ebrahimi et al. 2020 (Dyck languages and neural networks).',
  options,
  create(opts): Task {
    const minLength = 2;
    /** Fills out[base, base+n) with a random balanced string; returns its max depth. */
    function balanced(rng: Rng, out: Int32Array, base: number, n: number): number {
      const D = opts.maxDepth !== undefined && opts.maxDepth < n / 2 ? opts.maxDepth : undefined;
      const table = D === undefined ? undefined : boundedOpenTable(n, D);
      const stack: number[] = [];
      let deepest = 0;
      for (let i = 0; i < n; i++) {
        const r = n - i;
        const d = stack.length;
        const p = table ? table[r * (D! + 1) + d] : ((r - d) * (d + 2)) / (2 * r * (d + 1));
        if (rng.uniform() < p) {
          const opener = rng.int(2) === 0 ? 1 : 3;
          stack.push(opener);
          out[base + i] = opener;
          if (stack.length > deepest) deepest = stack.length;
        } else {
          out[base + i] = CLOSER[stack.pop()!];
        }
      }
      return deepest;
    }

    function corrupt(rng: Rng, out: Int32Array, base: number, n: number): void {
      if (opts.corruption === 'change') {
        const i = rng.int(n);
        const old = out[base + i];
        const alt = 1 + rng.int(3); // one of the 3 other bracket ids
        out[base + i] = alt >= old ? alt + 1 : alt;
        return;
      }
      for (let attempt = 0; attempt < 64; attempt++) {
        const i = rng.int(n);
        let j = rng.int(n - 1);
        if (j >= i) j++;
        const a = out[base + i];
        const b = out[base + j];
        if (a === b) continue;
        out[base + i] = b;
        out[base + j] = a;
        if (!isBalanced(out, base, base + n)) return;
        out[base + i] = a; // still balanced: undo and draw again
        out[base + j] = b;
      }
      // Fallback (practically never reached): the first token is always an opener and the
      // last a closer, so exchanging them makes the string start with a closer.
      const first = out[base];
      out[base] = out[base + n - 1];
      out[base + n - 1] = first;
    }

    return {
      input: { kind: 'tokens', vocab: TOKENS.length, tokens: TOKENS },
      output: { kind: 'classes', classes: 2, labels: LABELS, per: 'sequence' },
      minLength,
      pads: (length) => length % 2 === 1, // strings have even length: one pad at odd T
      chance: () => ({ value: 0.5, metric: 'accuracy', why: 'balanced and corrupted strings are drawn 50/50' }),
      sample(rng: Rng, batchSize: number, length: number): Batch {
        const n = length - (length % 2);
        const offset = length - n; // one left pad when length is odd
        const inputs = new Int32Array(batchSize * length);
        const targets = new Int32Array(batchSize);
        const meta: SampleMeta[] = [];
        const keyMask = new KeyMask(batchSize, length);
        for (let b = 0; b < batchSize; b++) {
          keyMask.pad(b, offset);
          const base = b * length + offset;
          const label = rng.int(2);
          const deepest = balanced(rng, inputs, base, n);
          if (label === 0) corrupt(rng, inputs, base, n);
          targets[b] = label;
          meta.push({ maxDepth: deepest, corrupted: 1 - label });
        }
        return { batchSize, length, inputs, targets, keyMask: keyMask.done(), meta };
      },
      decode(batch, i) {
        const T = batch.length;
        return { input: renderTokens(TOKENS, batch.inputs, i * T, (i + 1) * T, ' ', 0), target: LABELS[batch.targets[i]] };
      },
    };
  },
});
