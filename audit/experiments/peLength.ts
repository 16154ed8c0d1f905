/**
 * Relative-position recall (the symbol 4 positions before the query), trained at L with
 * learned positions (a table of L) and with sinusoidal ones, then read at L/2, 2L and 4L.
 * At L/2 every position was seen in training but the query stands where no query stood:
 * solving it needs the offset from the query, not absolute positions (the shifted window).
 * An LSTM, which reads offsets the same at every position (translation-equivariant), is the
 * positive control that the shifted window can be solved. The lures keep one density at
 * every length (recall's `lureDensity`), so reading at L/2 changes the positions, not how
 * crowded the sequence is. Training stays at one length: trained on a range of lengths,
 * learned positions would see queries at L/2 too, and the shifted window would be gone.
 */
import type { Experiment } from '../types.js';
import { base, widths } from './common.js';
import { peTrainLength } from './pe.js';
import { sourceOf } from '../preregistration.js';

export const OFFSET = 4;
/** Multiples of the training length read: the shifted window (1/2), the training length, and extrapolation. */
export const SHIFTED = 0.5;
export const PE_LENGTH_FACTORS = [SHIFTED, 1, 2, 4] as const;
export const PE_KINDS = ['sinusoidal', 'learned'] as const;
export const peLengthLabel = (kind: (typeof PE_KINDS)[number]) => `transformer-${kind}` as const;
/** The translation-equivariant positive control. */
export const PE_LENGTH_CONTROL = 'lstm' as const;
export type PeLengthLabel = ReturnType<typeof peLengthLabel> | typeof PE_LENGTH_CONTROL;
/** The share of positions holding lures, at every length. */
export const LURE_DENSITY = 0.5;
export const RECALL_OFFSET = `recall-d${OFFSET}` as const;

export const peLength: Experiment<typeof RECALL_OFFSET, PeLengthLabel> = {
  name: 'pe-length',
  source: sourceOf(import.meta.url),
  tasks: [RECALL_OFFSET],
  extractors: () => [...PE_KINDS.map(peLengthLabel), PE_LENGTH_CONTROL],
  suites: (p) => [{
    ...base(p, 'pe-length'),
    generalize: [...PE_LENGTH_FACTORS],
    tasks: [{ name: 'recall', label: RECALL_OFFSET, options: { symbols: 4, distance: OFFSET, lureDensity: LURE_DENSITY } }],
    extractors: [
      ...PE_KINDS.map((positional) => ({
        name: 'transformer',
        label: peLengthLabel(positional),
        options: { dModel: p.dModel, ffDim: p.ffDim, positional, ...(positional === 'learned' ? { maxLen: peTrainLength(p) } : {}) },
      })),
      { name: PE_LENGTH_CONTROL, label: PE_LENGTH_CONTROL, options: widths(p)[PE_LENGTH_CONTROL] },
    ],
    lengths: [peTrainLength(p)],
  }],
};
