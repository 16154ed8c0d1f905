/**
 * Transformers with and without positional encoding on an order-sensitive task (recall) and
 * an order-insensitive one (adding): as encoders (bidirectional: without positions, order is
 * lost by construction) and as causal models (a causal mask breaks the symmetry, so a model
 * without positions can still learn order: Haviv et al. 2022, Kazemnejad et al. 2023).
 */
import type { Experiment, Profile } from '../types.js';
import { base, RECALL } from './common.js';
import { sourceOf } from '../preregistration.js';

export const POSITIONALS = ['sinusoidal', 'none'] as const;
export type Positional = (typeof POSITIONALS)[number];
export const peLabel = (positional: Positional) => `transformer-${positional}` as const;
export const causalLabel = (positional: Positional) => `transformer-causal-${positional}` as const;
export type PeLabel = ReturnType<typeof peLabel> | ReturnType<typeof causalLabel>;
/** The one length the positional-encoding experiments train at. */
export const peTrainLength = (p: Profile) => p.lengths[0] * 2;

export const pe: Experiment<'recall' | 'adding', PeLabel> = {
  name: 'pe',
  source: sourceOf(import.meta.url),
  tasks: ['recall', 'adding'],
  extractors: () => [...POSITIONALS.map(peLabel), ...POSITIONALS.map(causalLabel)],
  suites: (p) => [{
    ...base(p, 'pe'),
    tasks: [RECALL, 'adding'],
    extractors: [
      ...POSITIONALS.map((positional) => ({ name: 'transformer', label: peLabel(positional), options: { dModel: p.dModel, ffDim: p.ffDim, positional } })),
      ...POSITIONALS.map((positional) => ({ name: 'transformer', label: causalLabel(positional), options: { dModel: p.dModel, ffDim: p.ffDim, positional, causal: true } })),
    ],
    lengths: [peTrainLength(p)],
  }],
};
