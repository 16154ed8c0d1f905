/** Small helpers the claim files share. */
import type { Analysis } from '../types.js';

/** No decision: an experiment produced no completed cell for what the rule reads. */
export function missing(what: string): Analysis {
  return { kind: 'undecidable', reason: `No completed measurement for ${what} (see the errored or diverged cells in the summary table).`, needs: 'the missing cells', secondary: {}, caveats: [] };
}

/** No decision: no arm learned the task at any length, so nothing shows the comparison can be made. */
export function noControl(task: string, arms: readonly string[], lengths: readonly number[], budget: number): Analysis {
  return {
    kind: 'undecidable',
    reason: `No positive control: none of ${arms.join(', ')} solved ${task} on at least half of its seeds at any length (${lengths.join(', ')}) within ${budget} steps, so a difference there says nothing about the claim.`,
    needs: 'a longer training budget (or tuning) until some arm learns the task',
    secondary: {},
    caveats: [],
  };
}

/** "3/5" */
export const fraction = (solved: number, n: number) => `${solved}/${n}`;
