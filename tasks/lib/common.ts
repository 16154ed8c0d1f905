/**
 * Helpers shared by the task generators. Conventions every task follows:
 *
 * - `length` is always the number of input positions T (copy included), so every task
 *   agrees on what `--length` means.
 * - Per-sequence answers are read out at the LAST position (T-1). Tasks whose content can be
 *   shorter than T pad on the LEFT with `<pad>` (always token id 0), so the content ends at
 *   the readout and a causal model (RNN, TCN) never has to carry its answer across padding.
 *   Such tasks fill the batch's `keyMask` (1 = token, 0 = pad; see `KeyMask` below) and
 *   declare `pads(length)`, so the harness can mask padding and refuse an extractor that
 *   cannot take a mask.
 * - Every random draw comes from the `Rng` passed to `sample`; module-level caches hold only
 *   parsed corpora and derived tables that do not depend on any draw.
 */
import type { Batch } from '../types.js';

/** The padding token's printed form; tasks that pad put it at id 0. */
export const PAD = '<pad>';
/** Out-of-vocabulary token for word-level real-text tasks (id 1 there). */
export const UNK = '<unk>';

/**
 * Renders token ids as text, joined by `sep`; a run of leading pads is shown once as
 * `<pad>×n` so long left-padded samples stay readable.
 */
export function renderTokens(
  tokens: readonly string[],
  ids: ArrayLike<number>,
  start: number,
  end: number,
  sep = ' ',
  padId: number | undefined = undefined,
): string {
  const parts: string[] = [];
  let i = start;
  if (padId !== undefined) {
    while (i < end && ids[i] === padId) i++;
    if (i > start) parts.push(`${tokens[padId]}×${i - start}`);
  }
  for (; i < end; i++) parts.push(tokens[ids[i]]);
  return parts.join(sep);
}

/**
 * Writes `ids` into row `row` of a [B*T] array, left-padded with 0 and left-truncated;
 * marks the pads in `keyMask` when given. Returns the number of pads.
 */
export function writeLeftPadded(out: Int32Array, row: number, length: number, ids: ArrayLike<number>, keyMask?: KeyMask): number {
  const base = row * length;
  const n = Math.min(ids.length, length);
  const from = ids.length - n; // keep the last `length` ids: the part nearest the readout
  out.fill(0, base, base + length - n);
  for (let k = 0; k < n; k++) out[base + length - n + k] = ids[from + k];
  keyMask?.pad(row, length - n);
  return length - n;
}

/**
 * A batch's key-padding mask [B*T] under construction: every position starts as a token (1);
 * `pad(row, n)` marks the first n positions of a row as padding (0). `done()` gives the mask,
 * or undefined when no row was padded (`Batch.keyMask` is absent then).
 */
export class KeyMask {
  private readonly mask: Float32Array;
  private padded = false;

  constructor(
    batchSize: number,
    private readonly length: number,
  ) {
    this.mask = new Float32Array(batchSize * length).fill(1);
  }

  pad(row: number, n: number): void {
    if (n <= 0) return;
    this.mask.fill(0, row * this.length, row * this.length + n);
    this.padded = true;
  }

  done(): Float32Array | undefined {
    return this.padded ? this.mask : undefined;
  }
}

/** A per-sequence classification batch's typed arrays and meta list. */
export function emptySequenceBatch(batchSize: number, length: number): Batch & { inputs: Int32Array; targets: Int32Array } {
  return {
    batchSize,
    length,
    inputs: new Int32Array(batchSize * length),
    targets: new Int32Array(batchSize),
    meta: [],
  };
}

/**
 * The `size` most frequent words, most frequent first; ties broken by code-unit order so the
 * vocabulary is a pure function of the counts.
 */
export function topWords(counts: ReadonlyMap<string, number>, size: number): string[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, size)
    .map(([w]) => w);
}

/** Token list and lookup for a word-level vocabulary: `<pad>` = 0, `<unk>` = 1, then the words. */
export interface WordVocab {
  tokens: readonly string[];
  index: ReadonlyMap<string, number>;
  encode(words: readonly string[]): Int32Array;
}

export function wordVocab(words: readonly string[]): WordVocab {
  const tokens = [PAD, UNK, ...words];
  const index = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (i >= 2) index.set(t, i);
  });
  return {
    tokens,
    index,
    encode(ws) {
      const out = new Int32Array(ws.length);
      for (let i = 0; i < ws.length; i++) out[i] = index.get(ws[i]) ?? 1;
      return out;
    },
  };
}
