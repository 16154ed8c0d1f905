/**
 * The order worker threads take cells in: longest first (Graham's LPT rule), so the run
 * does not end with one worker on a long cell while the others idle. A suite that lists
 * its long-sequence cells last (lengths ascending) would otherwise leave the tail to a
 * single core: in the standard audit the Transformer at T = 512 is ~6 minutes per cell.
 *
 * The cost is a rough analytic proxy, used for ordering only: training steps x forward
 * FLOPs, taken as 2 x parameters x positions (every built-in extractor applies its weights
 * at every position, the MLP once per sequence) plus the attention products, 4 B T^2 d per
 * layer. Plugins have no parameter count for the harness: their cells keep their place
 * after the built-ins (unknown cost is not guessed).
 */
import { extractors } from '../plugins/registries.js';
import type { Cell } from '../suite/suite.js';

/** Estimated relative cost of a cell's training, or undefined for extractors without a parameter count. */
export function cellCost(cell: Cell): number | undefined {
  let def, o: Record<string, unknown>;
  try {
    def = extractors.get(cell.extractor.name);
    o = def.options.parse(cell.extractor.options) as Record<string, unknown>;
  } catch {
    return undefined; // an unknown extractor or invalid options fail the cell with their own message
  }
  if (!def.width) return undefined;
  const { batch: B, embedDim: E, steps } = cell.train;
  const T = cell.length;
  const params = def.width.params(o, E);
  const positions = cell.extractor.name === 'mlp' ? B : B * T;
  let forward = 2 * params * positions;
  if (cell.extractor.name === 'transformer') forward += 4 * B * T * T * Number(o.dModel) * Number(o.layers);
  return steps * forward;
}

/** The cells, longest estimated first; cells of equal or unknown cost keep their order. */
export function longestFirst(cells: Cell[]): Cell[] {
  const cost = new Map(cells.map((c) => [c, cellCost(c)]));
  const known = cells.filter((c) => cost.get(c) !== undefined);
  const unknown = cells.filter((c) => cost.get(c) === undefined);
  return [...known.sort((a, b) => cost.get(b)! - cost.get(a)!), ...unknown];
}
