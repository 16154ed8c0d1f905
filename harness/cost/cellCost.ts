/**
 * The cell-cost model: a rough analytic proxy of a cell's training work, training steps x
 * forward FLOPs of a batch. The FLOPs are the definition's own (`forwardFlops`, e.g. the
 * Transformer's attention products); without it, 2 x parameters x positions (every weight
 * applied at every position). Workers take cells longest first by it (../run/order.ts) and
 * the audit gives cheap cells more seeds by it. Plugins without a parameter count have no
 * cost: unknown cost is not guessed.
 */
import { extractors } from '../plugins/registries.js';
import type { Cell } from '../suite/suite.js';

/** Estimated relative cost of a cell's training, or undefined for extractors without a parameter count. */
export function cellCost(cell: Cell): number | undefined {
  let def: ReturnType<typeof extractors.get>;
  try {
    def = extractors.get(cell.extractor.name);
  } catch {
    return undefined; // an unknown extractor fails the cell with its own message
  }
  if (!def.width) return undefined;
  const o = cell.extractor.options; // resolved when the cell was built
  const shape = { batch: cell.train.batch, length: cell.length, inputDim: cell.train.embedDim };
  const forward = def.forwardFlops ? def.forwardFlops(o, shape) : 2 * def.width.params(o, shape.inputDim) * shape.batch * shape.length;
  return cell.train.steps * forward;
}
