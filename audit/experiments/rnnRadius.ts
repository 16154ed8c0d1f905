/**
 * Pascanu et al.'s two regimes: a plain RNN whose recurrent matrix starts as rho x a random
 * orthogonal matrix, rho = 0.5, 1, 2, at every profile length. Only the sensitivity at
 * initialisation is read, so a few steps suffice and the cells are cheap.
 */
import type { Experiment } from '../types.js';
import { base, RECALL, untuned } from './common.js';
import { sourceOf } from '../preregistration.js';

export const RADII = [0.5, 1, 2] as const;
export type Radius = (typeof RADII)[number];
export const radiusLabel = (rho: Radius) => `rnn-rho${rho}` as const;
export type RadiusLabel = ReturnType<typeof radiusLabel>;

export const rnnRadius: Experiment<'recall', RadiusLabel> = {
  name: 'rnn-radius',
  source: sourceOf(import.meta.url),
  tasks: ['recall'],
  extractors: () => RADII.map(radiusLabel),
  suites: (p) => [{
    ...base(p, 'rnn-radius'),
    ...untuned(p),
    steps: Math.min(p.steps, 5),
    tasks: [RECALL],
    extractors: RADII.map((rho) => ({ name: 'rnn', label: radiusLabel(rho), options: { hidden: p.hidden, spectralRadius: rho } })),
    lengths: p.lengths,
  }],
};
