/**
 * State size as an axis (Zoology's x axis): the bytes of state an extractor carries per
 * sequence at inference, from its definition's `state(options, length, inputDim)` (float32
 * values, with the formula in words). Knowledge stays with the definition; this module turns
 * it into bytes for `fxbench list` and for every result record (`extractor.stateBytes`).
 */
import { extractors } from '../plugins/registries.js';
import type { Cell } from '../suite/suite.js';
import { suiteSchema } from '../suite/suite.js';
import type { ExtractorDefinition, PaddingTreatment } from '../../extractors/types.js';

/** Every state value is a float32. */
export const BYTES_PER_FLOAT = 4;

/** The lengths `fxbench list` shows state sizes at: a short and a long sequence. */
export const LIST_LENGTHS = [64, 1024] as const;

export interface StateSize {
  /** float32 values carried per sequence. */
  floats: number;
  bytes: number;
  /** The formula with its numbers, e.g. "KV cache 2*layers*T*dModel = 2*2*64*128". */
  what: string;
}

/**
 * The state of `def` with resolved `options` (defaults filled in: a cell's options, or
 * `def.options.parse(given)`) after `length` positions, or undefined when the definition
 * declares none (plugins may not).
 */
export function stateSize(def: ExtractorDefinition, options: Record<string, unknown>, length: number, inputDim: number): StateSize | undefined {
  if (!def.state) return undefined;
  const s = def.state(options, length, inputDim);
  return { floats: s.floats, bytes: BYTES_PER_FLOAT * s.floats, what: s.what };
}

/**
 * What a cell's record carries about its state: `stateBytes` at the cell's length and input
 * width, and `widthOption` (the definition's `width.option`), so a report can join one
 * extractor's widths into a line. Fields are left out when the definition lacks them.
 */
export function cellState(cell: Cell): { stateBytes?: number; widthOption?: string } {
  const def = extractors.get(cell.extractor.name);
  const width = def.width ? { widthOption: def.width.option } : {};
  let s: StateSize | undefined;
  try {
    s = stateSize(def, cell.extractor.options, cell.length, cell.train.embedDim);
  } catch {
    return width; // a plugin's `state` that throws costs the record its state size, not the cell
  }
  return { ...(s && Number.isFinite(s.bytes) ? { stateBytes: s.bytes } : {}), ...width };
}

/** The embedding width a suite gives extractors when it does not set one. */
export const defaultInputDim = (): number => suiteSchema.parse({ tasks: ['-'], extractors: ['-'], lengths: [1] }).embedDim;

/** "512 B", "8 KiB", "1.5 MiB": binary units, at most 3 significant digits. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  let x = bytes;
  while (x >= 1024 && u < units.length - 1) {
    x /= 1024;
    u++;
  }
  return `${Number(x.toPrecision(3))} ${units[u]}`;
}

export interface StateListing {
  /** Bytes at each of LIST_LENGTHS, with the defaults and the default input width. */
  at: { length: number; bytes: number; what: string }[];
  /** The same at every length (a fixed-size state) or growing with it (a cache, a window). */
  constant: boolean;
  padding: PaddingTreatment;
  inputDim: number;
}

/** `fxbench list`'s state facts of an extractor with its default options, or undefined when it declares no state. */
export function stateListing(def: ExtractorDefinition, inputDim = defaultInputDim()): StateListing | undefined {
  const defaults = def.options.parse({});
  const at = LIST_LENGTHS.flatMap((length) => {
    const s = stateSize(def, defaults, length, inputDim);
    return s ? [{ length, bytes: s.bytes, what: s.what }] : [];
  });
  if (!at.length) return undefined;
  return { at, constant: at.every((a) => a.bytes === at[0].bytes), padding: def.padding ?? 'reads', inputDim };
}

/** One line for `fxbench list`, e.g. "state 512 B at T=64 and at T=1024 (h: 1*H*layers = 1*128*1), ...; padding: reads". */
export function stateLine(def: ExtractorDefinition, inputDim = defaultInputDim()): string {
  const padding = `padding: ${def.padding ?? 'reads'}`;
  const s = stateListing(def, inputDim);
  if (!s) return `state: not declared; ${padding}`;
  const last = s.at[s.at.length - 1];
  const sizes = s.constant
    ? `${formatBytes(last.bytes)} at ${s.at.map((a) => `T=${a.length}`).join(' and at ')}`
    : s.at.map((a) => `${formatBytes(a.bytes)} at T=${a.length}`).join(', ');
  return `state: ${sizes} (${last.what}), per sequence at inference with these defaults and input width ${s.inputDim}; ${padding}`;
}
