/** Parameters and peak training memory of the RNN against a fully connected layer over the flattened sequence, at every length. */
import type { Experiment } from '../types.js';
import { base, RECALL, untuned } from './common.js';
import { sourceOf } from '../preregistration.js';

export const mlpLabel = (length: number) => `mlp-${length}` as const;
export type MlpLabel = ReturnType<typeof mlpLabel>;

export const weightSharing: Experiment<'recall', 'rnn' | MlpLabel> = {
  name: 'weight-sharing',
  source: sourceOf(import.meta.url),
  tasks: ['recall'],
  extractors: (p) => ['rnn', ...p.lengths.map(mlpLabel)],
  // One suite per length: the MLP's first layer is sized to the length it reads. Training
  // barely matters (the claim is about parameters and memory): three steps.
  suites: (p) =>
    p.lengths.map((L) => ({
      ...base(p, 'weight-sharing'),
      ...untuned(p),
      seeds: p.seeds.slice(0, 1),
      steps: 3,
      tasks: [RECALL],
      extractors: [{ name: 'rnn', options: { hidden: p.hidden } }, { name: 'mlp', label: mlpLabel(L), options: { hidden: p.hidden, maxLen: L } }],
      lengths: [L],
    })),
};
