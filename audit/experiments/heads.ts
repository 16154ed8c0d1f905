/**
 * Transformers with 1, 2, 4 and 8 heads at fixed width on agreement with attractors, graded
 * by subject-verb distance. Up to 12 modifiers, so subject-verb distances span most of the
 * profile's long length rather than its first half; every head count trains at one shared
 * learning rate (the profile's), so the arms differ in the head count alone.
 */
import type { Experiment, Profile } from '../types.js';
import { base, untuned } from './common.js';
import { sourceOf } from '../preregistration.js';

export const HEAD_COUNTS = [1, 2, 4, 8] as const;
/** Agreement with up to 6 attractors and 6 fillers: distances up to about 55 tokens. */
export const HEADS_TASK = { maxAttractors: 6, maxFillers: 6 } as const;
export type HeadCount = (typeof HEAD_COUNTS)[number];
export const headsLabel = (h: HeadCount) => `transformer-h${h}` as const;
export type HeadsLabel = ReturnType<typeof headsLabel>;
/** Channels per head at the profile's width: what "more heads" trades away at fixed width. */
export const channelsPerHead = (p: Profile, h: HeadCount) => p.dModel / h;

export const heads: Experiment<'agreement', HeadsLabel> = {
  name: 'heads',
  source: sourceOf(import.meta.url),
  tasks: ['agreement'],
  extractors: () => HEAD_COUNTS.map(headsLabel),
  suites: (p) => [{
    ...base(p, 'heads'),
    ...untuned(p),
    tasks: [{ name: 'agreement', options: HEADS_TASK }],
    extractors: HEAD_COUNTS.map((h) => ({ name: 'transformer', label: headsLabel(h), options: { dModel: p.dModel, ffDim: p.ffDim, heads: h } })),
    lengths: [p.long],
  }],
};
