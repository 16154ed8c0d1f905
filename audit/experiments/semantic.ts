/**
 * Brown-corpus genre (by-file splits) and generated subject-verb agreement, for rnn, lstm,
 * transformer and tcn at equal parameter counts (--match-params), each tuned with the same
 * grid: the learning rate, weight decay (the regulariser: the corpus is small enough to
 * overfit) and its initialisation search.
 */
import type { Experiment } from '../types.js';
import { base } from './common.js';
import { sourceOf } from '../preregistration.js';
import { DEFAULT_GRID } from '../../harness/run/tune.js';

const ARMS = ['rnn', 'lstm', 'transformer', 'tcn'] as const;
export type SemanticArm = (typeof ARMS)[number];
/** The weight decays tuning tries beside the learning rates. */
export const WEIGHT_DECAYS = [0, 0.01, 0.1] as const;

export const semantic: Experiment<'brown-genre' | 'agreement', SemanticArm> = {
  name: 'semantic',
  source: sourceOf(import.meta.url),
  tasks: ['brown-genre', 'agreement'],
  extractors: () => ARMS,
  suites: (p) => [
    {
      ...base(p, 'semantic'),
      ...(p.tune === false ? {} : { tune: { lr: DEFAULT_GRID.lr, ...p.tune, weightDecay: [...WEIGHT_DECAYS] } }),
      matchParams: p.matchParams,
      tasks: [{ name: 'brown-genre', options: { labels: 'coarse' } }, { name: 'agreement', options: { maxAttractors: 4 } }],
      extractors: [...ARMS],
      lengths: [p.long],
    },
  ],
};
