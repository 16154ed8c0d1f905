/**
 * The adding problem at T = 100 (Arjovsky et al.'s "halves" variant), where the LSTM needs
 * 600-800 steps (issue 13), with a longer budget: lstm-mitigates' own data. Each arm runs
 * at the profile's width and again at an equal parameter count (--match-params: `-matched`),
 * so a gap between the arms can be told from a gap in size (at one width the LSTM has four
 * times the RNN's weights).
 */
import type { Experiment } from '../types.js';
import { base, standardExtractors } from './common.js';
import { sourceOf } from '../preregistration.js';

export const ADDING_LENGTH = 100;
const ARMS = ['rnn', 'lstm', 'gru'] as const;
type Arm = (typeof ARMS)[number];
export const matchedLabel = (arm: Arm) => `${arm}-matched` as const;

export const addingLong: Experiment<'adding', Arm | ReturnType<typeof matchedLabel>> = {
  name: 'adding-long',
  source: sourceOf(import.meta.url),
  tasks: ['adding'],
  extractors: () => [...ARMS, ...ARMS.map(matchedLabel)],
  suites: (p) => {
    const common = { ...base(p, 'adding-long'), steps: p.longSteps, tasks: [{ name: 'adding', options: { variant: 'halves' } }], lengths: [ADDING_LENGTH] };
    return [
      { ...common, extractors: standardExtractors(p, ARMS) },
      { ...common, matchParams: p.matchParams, extractors: ARMS.map((name) => ({ name, label: matchedLabel(name) })) },
    ];
  },
};
