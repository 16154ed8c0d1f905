import { logRankComponent } from '../components.js';
import { recallLengths } from '../experiments/recallLengths.js';
import { controlLengths, isSolved, meanOf, round, slopeUpToUnderflow, solveCount, solveTimes } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim } from '../types.js';
import { fraction, missing, noControl } from './lib.js';

const ARMS = ['lstm', 'rnn'] as const;

export const lstmMitigates: Claim = {
  id: 'lstm-mitigates',
  source: sourceOf(import.meta.url),
  title: "LSTM's cell state and gates mitigate the RNN's problems",
  article: "LSTM's cell state and forget, input and output gates fix the RNN's vanishing gradients and long-dependency problem.",
  experiment: 'From the recall length sweep: steps until each rnn and lstm run solved recall (validation checks, early stopping), censored at the budget; the longest length each solves.',
  rule:
    "Steps-to-solve: the first of two consecutive solved validation checks, censored at the budget when never solved. Decided at the longest length where the lstm or the rnn solved recall on at least half its seeds (a working positive control): a two-sided log-rank test of the LSTM's steps-to-solve against the RNN's. Supported if the LSTM solves significantly sooner (hazard ratio above 1), contradicted if the RNN does (Holm over the primary tests, family alpha 0.05). The longest length solved and the trained sensitivity slopes are descriptive.",
  primary: {
    experiment: 'recall-lengths',
    task: 'recall',
    arms: ARMS,
    metric: 'training steps to solve recall, censored at the budget',
    test: 'log-rank',
    alpha: 0.05,
    direction: 'lstm solves sooner than rnn (hazard ratio lstm/rnn above 1)',
    sesoi: { value: 2, unit: 'hazard ratio' },
    where: 'the longest profile length where lstm or rnn solved recall on at least half its seeds',
  },
  needs: [recallLengths],
  charts: ['stepsToSolveCurves', 'metricVsLength', 'gradientProfile'],
  analyse(ev) {
    const lengths = ev.profile.lengths;
    if (!ev.completed(recallLengths, { extractor: 'rnn' }).length || !ev.completed(recallLengths, { extractor: 'lstm' }).length) return missing('rnn and lstm on recall');
    const longest = (e: 'rnn' | 'lstm' | 'gru') => Math.max(0, ...lengths.filter((L) => { const c = solveCount(ev, recallLengths, { extractor: e, length: L }); return c.n > 0 && c.solved >= c.n / 2; }));
    const secondary: Record<string, number | string | null> = { 'lstm longest length solved (half the seeds)': longest('lstm'), 'rnn longest length solved': longest('rnn'), 'gru longest length solved': longest('gru') };
    for (const L of lengths) for (const e of ARMS) {
      const solved = ev.completed(recallLengths, { extractor: e, length: L }).filter(isSolved);
      secondary[`${e} trained slope, solved cells, T=${L}`] = solved.length ? round(meanOf(solved.map((r) => slopeUpToUnderflow(r.gradients.profileTrained).slope))) : null;
    }
    const controls = controlLengths(ev, recallLengths, 'recall', ARMS, lengths);
    if (!controls.length) return { ...noControl('recall', ARMS, lengths, ev.profile.steps), secondary };
    const L = controls[controls.length - 1];
    const lstm = solveTimes(ev, recallLengths, { extractor: 'lstm', length: L });
    const rnn = solveTimes(ev, recallLengths, { extractor: 'rnn', length: L });
    const solvedOf = (ts: typeof lstm) => fraction(ts.filter((t) => t.event).length, ts.length);
    const c = logRankComponent(`steps-to-solve lstm (${solvedOf(lstm)} solved) against rnn (${solvedOf(rnn)}) at T=${L}`, lstm, rnn, { sign: 1, sesoiHazardRatio: 2 });
    const proxy = [...lstm, ...rnn].some((t) => t.source === 'loss-proxy');
    // The mean over the solved runs only; with none solved there is nothing to average.
    const meanSteps = (ts: typeof lstm) => { const t = ts.filter((x) => x.event).map((x) => x.time); return t.length ? `mean ${round(meanOf(t))} steps among those` : 'none solved'; };
    return {
      kind: 'test',
      components: [c],
      at: `T=${L}`,
      key: { label: `hazard ratio of solving, lstm / rnn, at T=${L}`, value: c.effect.value, ci: c.effect.ci },
      reason: `At T=${L} the LSTM solved ${solvedOf(lstm)} runs (${meanSteps(lstm)}), the RNN ${solvedOf(rnn)} (${meanSteps(rnn)}).`,
      secondary,
      caveats: [
        "The LSTM's forget-gate bias initialisation decides much of this (issue 13): the protocol's default is in the extractor options of the record.",
        ...(proxy ? ['Some records predate the validation checks: their steps-to-solve is the training-loss proxy (see the Kaplan-Meier chart caption).'] : []),
      ],
    };
  },
};
