/**
 * The order worker threads take cells in: longest first (Graham's LPT rule), so the run
 * does not end with one worker on a long cell while the others idle. A suite that lists its
 * long-sequence cells last (lengths ascending) would otherwise leave the tail to a single
 * core. Costs come from the cell-cost model (../cost/cellCost.ts).
 */
import { cellCost } from '../cost/cellCost.js';
import type { Cell } from '../suite/suite.js';

/** The cells, longest estimated first; cells of equal or unknown cost keep their order. */
export function longestFirst(cells: Cell[]): Cell[] {
  const cost = new Map(cells.map((c) => [c, cellCost(c)]));
  const known = cells.filter((c) => cost.get(c) !== undefined);
  const unknown = cells.filter((c) => cost.get(c) === undefined);
  return [...known.sort((a, b) => cost.get(b)! - cost.get(a)!), ...unknown];
}
