/**
 * Deep Transformers (profile.deepLayers) on recall, with and without skip connections and
 * with post-norm, pre-norm or no LayerNorm: the residual and LayerNorm claims read it.
 */
import type { Experiment, Profile } from '../types.js';
import { base, RECALL } from './common.js';
import { sourceOf } from '../preregistration.js';

export const DEPTH_ARMS = {
  post: { residual: true, norm: 'post' },
  pre: { residual: true, norm: 'pre' },
  none: { residual: true, norm: 'none' },
  'post-noresidual': { residual: false, norm: 'post' },
  'none-noresidual': { residual: false, norm: 'none' },
} as const;
export type DepthArm = keyof typeof DEPTH_ARMS;
export const depthLabel = (arm: DepthArm) => `transformer-${arm}` as const;
export type DepthLabel = ReturnType<typeof depthLabel>;
/** The one length the depth experiment trains at. */
export const depthLength = (p: Profile) => p.lengths[0] * 2;

export const depth: Experiment<'recall', DepthLabel> = {
  name: 'depth',
  source: sourceOf(import.meta.url),
  tasks: ['recall'],
  extractors: () => (Object.keys(DEPTH_ARMS) as DepthArm[]).map(depthLabel),
  suites: (p) => [{
    ...base(p, 'depth'),
    tasks: [RECALL],
    extractors: (Object.entries(DEPTH_ARMS) as [DepthArm, (typeof DEPTH_ARMS)[DepthArm]][]).map(([arm, o]) => ({
      name: 'transformer',
      label: depthLabel(arm),
      options: { dModel: p.dModel, ffDim: p.ffDim, layers: p.deepLayers, residual: o.residual, norm: o.norm },
    })),
    lengths: [depthLength(p)],
  }],
};
