/** What the audit's experiments share: the suite defaults, the extractors at the profile's widths, the recall task. */
import type { SuiteInput } from '../../harness/suite/suite.js';
import { extractors } from '../../harness/plugins/registries.js';
import { DEFAULT_GRID } from '../../harness/run/tune.js';
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

/**
 * Equal treatment: a tuned suite's grid gains every extractor's declared initialisation
 * search (`initSearch` on its definition: the RNN's PyTorch, orthogonal and identity inits,
 * the LSTM's and GRU's PyTorch and chrono gate biases), so no arm is judged on one
 * initialisation while another was chosen for it. A key an entry sets itself stays fixed.
 * The grid, and so what each arm searched, is in every record's tuning summary.
 */
export function withInitSearch(input: SuiteInput): SuiteInput {
  if (!input.tune) return input;
  const entries = (input.extractors ?? []).map((e) => (typeof e === 'string' ? { name: e, options: {} as Record<string, unknown> } : { name: e.name, options: e.options ?? {} }));
  const extra: Record<string, unknown[]> = {};
  for (const e of entries) {
    for (const [k, values] of Object.entries(extractors.get(e.name).initSearch ?? {})) {
      if (!entries.some((o) => o.options[k] !== undefined)) extra[k] = [...values];
    }
  }
  if (!Object.keys(extra).length) return input;
  // An explicit grid replaces the default one (tune.ts), so the learning rates are named here.
  return { ...input, tune: { lr: DEFAULT_GRID.lr, ...input.tune, ...extra } };
}
