/** Built-in suites. */
import type { SuiteInput } from './suite.js';

/**
 * What `npm start` runs: every built-in extractor on the two first tasks at two lengths,
 * small enough to finish in a few minutes on two cores, long enough that the recurrent
 * models' trouble with distance starts to show at the longer length.
 */
export const QUICK_SUITE: SuiteInput = {
  name: 'quick',
  tasks: ['recall', 'adding'],
  extractors: ['rnn', 'lstm', 'gru', 'transformer', 'tcn'],
  lengths: [8, 32],
  seeds: [1],
  steps: 150,
  batch: 32,
  lr: 3e-3,
};
