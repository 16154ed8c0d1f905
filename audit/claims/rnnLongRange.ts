import { fisherComponent } from '../components.js';
import { addingLong, ADDING_LENGTH } from '../experiments/addingLong.js';
import { EXTRACTORS } from '../experiments/common.js';
import { recallLengths } from '../experiments/recallLengths.js';
import { controlLengths, meanOf, round, score, solveCount } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim } from '../types.js';
import { fraction, missing, noControl } from './lib.js';

const ARMS = ['lstm', 'rnn'] as const;

export const rnnLongRange: Claim = {
  id: 'rnn-long-range',
  source: sourceOf(import.meta.url),
  title: 'Plain RNNs fail to use long-range dependencies in practice',
  article: 'Although an RNN can in theory capture long-term dependencies, in practice the gradient problems keep it from doing so.',
  experiment: `Leak-free recall of the first token (distance T-1) at every profile length for rnn, lstm, gru, transformer and tcn, same data and budget; and the adding problem at T = ${ADDING_LENGTH} (halves) for rnn, lstm and gru with a longer budget.`,
  rule:
    'Solved: test score (0 at chance, 1 perfect) at least the task\'s solved threshold (0.95). The failure must be specific to the plain RNN, so it is compared with the gated LSTM on the same seeds. Decided at the longest length where the lstm or the rnn solved recall on at least half its seeds (a working positive control): Fisher\'s exact test (two-sided) on the counts of seeds solved, lstm against rnn. Supported if the LSTM solves significantly more often, contradicted if the RNN does (Holm over the primary tests, family alpha 0.05). GRU, Transformer, TCN and the adding problem are descriptive.',
  primary: {
    experiment: 'recall-lengths',
    task: 'recall',
    arms: ARMS,
    metric: 'seeds solved on test (score >= the solved threshold)',
    test: 'fisher exact',
    alpha: 0.05,
    direction: 'lstm solves more seeds than rnn',
    sesoi: { value: 0.5, unit: 'solve-rate difference' },
    where: 'the longest profile length where lstm or rnn solved recall on at least half its seeds',
  },
  needs: [recallLengths, addingLong],
  charts: ['metricVsLength', 'stepsToSolveCurves', 'metricByMeta'],
  analyse(ev) {
    const lengths = ev.profile.lengths;
    if (!ev.completed(recallLengths, { extractor: 'rnn' }).length || !ev.completed(recallLengths, { extractor: 'lstm' }).length) return missing('rnn and lstm on recall');
    const secondary: Record<string, number | string | null> = {};
    for (const e of EXTRACTORS) for (const L of lengths) {
      const c = solveCount(ev, recallLengths, { extractor: e, length: L });
      secondary[`${e} solved T=${L}`] = c.n ? fraction(c.solved, c.n) : null;
    }
    for (const e of ['rnn', 'lstm', 'gru'] as const) {
      const c = solveCount(ev, addingLong, { extractor: e });
      secondary[`adding T=${ADDING_LENGTH} ${e} solved`] = c.n ? fraction(c.solved, c.n) : null;
      secondary[`adding T=${ADDING_LENGTH} ${e} mean score`] = round(meanOf(ev.completed(addingLong, { extractor: e }).map(score)));
    }
    const controls = controlLengths(ev, recallLengths, 'recall', ARMS, lengths);
    if (!controls.length) return { ...noControl('recall', ARMS, lengths, ev.profile.steps), secondary };
    const L = controls[controls.length - 1];
    const lstm = solveCount(ev, recallLengths, { extractor: 'lstm', length: L });
    const rnn = solveCount(ev, recallLengths, { extractor: 'rnn', length: L });
    const c = fisherComponent(`lstm ${fraction(lstm.solved, lstm.n)} against rnn ${fraction(rnn.solved, rnn.n)} solved at T=${L}`, lstm.solved, lstm.n, rnn.solved, rnn.n, { sign: 1, sesoi: 0.5 });
    return {
      kind: 'test',
      components: [c],
      at: `T=${L}`,
      key: { label: `solve-rate difference lstm - rnn at T=${L}`, value: c.effect.value, ci: c.effect.ci },
      reason: `At T=${L} (the longest length with a positive control) the LSTM solved recall on ${fraction(lstm.solved, lstm.n)} seeds, the RNN on ${fraction(rnn.solved, rnn.n)}.`,
      secondary,
      caveats: ['A fixed training budget: an RNN that has not solved might with many more steps; the claim is about practice, which the budget stands for.'],
    };
  },
};
