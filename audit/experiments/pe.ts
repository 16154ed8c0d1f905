/** Transformer with and without positional encoding on an order-sensitive task (recall) and an order-insensitive one (adding). */
import type { Experiment, Profile } from '../types.js';
import { base, RECALL } from './common.js';
import { sourceOf } from '../preregistration.js';

export const POSITIONALS = ['sinusoidal', 'none'] as const;
export const peLabel = (positional: (typeof POSITIONALS)[number]) => `transformer-${positional}` as const;
export type PeLabel = ReturnType<typeof peLabel>;
/** The one length the positional-encoding experiments train at. */
export const peTrainLength = (p: Profile) => p.lengths[0] * 2;

export const pe: Experiment<'recall' | 'adding', PeLabel> = {
  name: 'pe',
  source: sourceOf(import.meta.url),
  tasks: ['recall', 'adding'],
  extractors: () => POSITIONALS.map(peLabel),
  suites: (p) => [{
    ...base(p, 'pe'),
    tasks: [RECALL, 'adding'],
    extractors: POSITIONALS.map((positional) => ({ name: 'transformer', label: peLabel(positional), options: { dModel: p.dModel, ffDim: p.ffDim, positional } })),
    lengths: [peTrainLength(p)],
  }],
};
