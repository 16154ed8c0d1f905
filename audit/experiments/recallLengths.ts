/** First-token recall at every profile length, for every extractor: the long-range, LSTM and gradient claims read it. */
import type { Experiment } from '../types.js';
import { base, EXTRACTORS, RECALL, standardExtractors, type ExtractorName } from './common.js';
import { sourceOf } from '../preregistration.js';

export const recallLengths: Experiment<'recall', ExtractorName> = {
  name: 'recall-lengths',
  source: sourceOf(import.meta.url),
  tasks: ['recall'],
  extractors: () => EXTRACTORS,
  suites: (p) => [{ ...base(p, 'recall-lengths'), tasks: [RECALL], extractors: standardExtractors(p, EXTRACTORS), lengths: p.lengths }],
};
