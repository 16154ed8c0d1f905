/** Built-in suites. */
import type { SuiteInput } from './suite.js';

/**
 * What `fxbench quick` runs, with every registered extractor (built-ins and plugins) in
 * place of `extractors`: the two first tasks at two lengths, small enough to finish in a
 * few minutes on two cores, long enough that the recurrent models' trouble with distance
 * starts to show at the longer length. (`npm start` runs the claims audit, not this suite.)
 */
export const QUICK_SUITE: Omit<SuiteInput, 'extractors'> = {
  name: 'quick',
  tasks: ['recall', 'adding'],
  lengths: [8, 32],
  seeds: [1],
  steps: 150,
  batch: 32,
  lr: 3e-3,
};
