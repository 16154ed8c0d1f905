/**
 * Deep Transformers with residual connections and post-norm, pre-norm or no LayerNorm, on
 * recall at the profile's long length: the LayerNorm claim's own experiment (the depth
 * experiment's data belong to the residual claim). Each arm searches the whole learning-rate
 * grid at the full tuning budget (no successive halving), so no arm's speed is a rate
 * another arm was tuned for.
 */
import type { Experiment, Profile } from '../types.js';
import { base, RECALL } from './common.js';
import { sourceOf } from '../preregistration.js';

export const LAYERNORM_ARMS = ['post', 'pre', 'none'] as const;
export type LayernormArm = (typeof LAYERNORM_ARMS)[number];
export const layernormLabel = (arm: LayernormArm) => `transformer-ln-${arm}` as const;
export type LayernormLabel = ReturnType<typeof layernormLabel>;
/** The one length the LayerNorm experiment trains at. */
export const layernormLength = (p: Profile) => p.long;

export const layernorm: Experiment<'recall', LayernormLabel> = {
  name: 'layernorm',
  source: sourceOf(import.meta.url),
  tasks: ['recall'],
  extractors: () => LAYERNORM_ARMS.map(layernormLabel),
  suites: (p) => {
    return [
      {
        ...base(p, 'layernorm'),
        ...(p.tune === false ? {} : { tune: { ...p.tune, halving: false as const } }),
        tasks: [RECALL],
        extractors: LAYERNORM_ARMS.map((norm) => ({
          name: 'transformer',
          label: layernormLabel(norm),
          options: { dModel: p.dModel, ffDim: p.ffDim, layers: p.deepLayers, residual: true, norm },
        })),
        lengths: [layernormLength(p)],
      },
    ];
  },
};
