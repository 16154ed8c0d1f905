/** Brown-corpus genre (by-file splits) and generated subject-verb agreement, for rnn, lstm, transformer and tcn. */
import type { Experiment } from '../types.js';
import { base, standardExtractors } from './common.js';
import { sourceOf } from '../preregistration.js';

const ARMS = ['rnn', 'lstm', 'transformer', 'tcn'] as const;
export type SemanticArm = (typeof ARMS)[number];

export const semantic: Experiment<'brown-genre' | 'agreement', SemanticArm> = {
  name: 'semantic',
  source: sourceOf(import.meta.url),
  tasks: ['brown-genre', 'agreement'],
  extractors: () => ARMS,
  suites: (p) => [{
    ...base(p, 'semantic'),
    tasks: [{ name: 'brown-genre', options: { labels: 'coarse' } }, { name: 'agreement', options: { maxAttractors: 4 } }],
    extractors: standardExtractors(p, ARMS),
    lengths: [p.long],
  }],
};
