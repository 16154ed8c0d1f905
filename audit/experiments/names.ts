/** Every audit experiment's name: claims and the registry refer to experiments by these, so a misspelt one does not compile. */
export const EXPERIMENT_NAMES = ['recall-lengths', 'adding-long', 'rnn-radius', 'weight-sharing', 'pe', 'pe-length', 'heads', 'depth', 'layernorm', 'semantic'] as const;
export type ExperimentName = (typeof EXPERIMENT_NAMES)[number];
