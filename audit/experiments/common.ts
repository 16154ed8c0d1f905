/** What the audit's experiments share: the suite defaults, the extractors at the profile's widths, the recall task. */
import type { SuiteInput } from '../../harness/suite/suite.js';
import type { ExperimentName } from './names.js';
import type { Profile } from '../types.js';

/** The extractors the audit compares, at the profile's widths. */
export const EXTRACTORS = ['rnn', 'lstm', 'gru', 'transformer', 'tcn'] as const;
export type ExtractorName = (typeof EXTRACTORS)[number];

/** Extractor options at the profile's widths. */
export function widths(p: Profile): Record<ExtractorName, Record<string, unknown>> {
  return {
    rnn: { hidden: p.hidden },
    lstm: { hidden: p.hidden },
    gru: { hidden: p.hidden },
    transformer: { dModel: p.dModel, ffDim: p.ffDim, heads: 4, layers: 2 },
    tcn: { channels: p.channels },
  };
}

/** Extractor entries at the profile's widths, labelled by name. */
export function standardExtractors(p: Profile, names: readonly ExtractorName[]): NonNullable<SuiteInput['extractors']> {
  const w = widths(p);
  return names.map((name) => ({ name, options: w[name] }));
}

/** Every seed of the profile; auditCells drops the extra seeds of (experiment, length) groups that are not cheap. */
export const allSeeds = (p: Profile): number[] => [...p.seeds, ...p.extraSeeds];

/** The suite fields every experiment starts from. */
export function base(p: Profile, name: ExperimentName) {
  return {
    name: `audit-${name}`,
    seeds: allSeeds(p),
    steps: p.steps,
    batch: p.batch,
    // Learning experiments are tuned (the same grid and budget for every extractor, tune.ts) unless the profile turns it off.
    ...(p.tune === false ? { lr: p.lr } : { tune: p.tune }),
    warmup: p.warmup,
    embedDim: 64,
    generalize: [1],
  };
}

/** First-token recall (distance T-1), k = 4 answer symbols: chance 0.25. */
export const RECALL = { name: 'recall', options: { symbols: 4 } } as const;

/** Measurements at fixed settings (parameters, memory, gradients at a given radius): no tuning, at the profile's `lr`. */
export const untuned = (p: Profile) => ({ tune: false as const, lr: p.lr });
