/**
 * The adding problem at T = 100 (Arjovsky et al.'s "halves" variant), where the LSTM needs
 * 600-800 steps (issue 13): the long-range claim's second task, with a longer budget.
 */
import type { Experiment } from '../types.js';
import { base, standardExtractors } from './common.js';
import { sourceOf } from '../preregistration.js';

export const ADDING_LENGTH = 100;
const ARMS = ['rnn', 'lstm', 'gru'] as const;

export const addingLong: Experiment<'adding', (typeof ARMS)[number]> = {
  name: 'adding-long',
  source: sourceOf(import.meta.url),
  tasks: ['adding'],
  extractors: () => ARMS,
  suites: (p) => [{ ...base(p, 'adding-long'), steps: p.longSteps, tasks: [{ name: 'adding', options: { variant: 'halves' } }], extractors: standardExtractors(p, ARMS), lengths: [ADDING_LENGTH] }],
};
