/**
 * The audit's experiments: named suites built from a profile. Several claims read the same
 * experiment (the recall length sweep serves the gradient, long-range and LSTM claims), so
 * each runs once. Each experiment's file exports the labels and lengths claims select by.
 */
import type { Experiment } from '../types.js';
import { addingLong } from './addingLong.js';
import { depth } from './depth.js';
import { heads } from './heads.js';
import { layernorm } from './layernorm.js';
import type { ExperimentName } from './names.js';
import { pe } from './pe.js';
import { peLength } from './peLength.js';
import { recallLengths } from './recallLengths.js';
import { rnnRadius } from './rnnRadius.js';
import { semantic } from './semantic.js';
import { weightSharing } from './weightSharing.js';

export { PROFILES } from './profiles.js';

/** Every experiment by name; a missing one does not compile. */
export const EXPERIMENTS: Record<ExperimentName, Experiment<string, string>> = {
  'recall-lengths': recallLengths,
  'adding-long': addingLong,
  'rnn-radius': rnnRadius,
  'weight-sharing': weightSharing,
  pe,
  'pe-length': peLength,
  heads,
  depth,
  layernorm,
  semantic,
};
