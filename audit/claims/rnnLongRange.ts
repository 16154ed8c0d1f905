import { pairedComponent } from '../components.js';
import { addingLong, ADDING_LENGTH } from '../experiments/addingLong.js';
import { EXTRACTORS } from '../experiments/common.js';
import { recallLengths } from '../experiments/recallLengths.js';
import { meanOf, round, score, solveCount } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim, Evidence } from '../types.js';
import { fraction, missing } from './lib.js';

/** The smallest drop in the RNN's recall score, shortest to longest length, that would matter (score units: 0 chance, 1 perfect). */
const SESOI = 0.2;
/** The LSTM must score at least this at the longest length for a drop there to be about range, not about a task nobody learns. */
const CONTROL_SCORE = 0.5;

/** The RNN's test score per seed at two lengths, over the seeds that completed both (the same seed's data stream and initial weights). */
function rnnScores(ev: Evidence, short: number, long: number): { seeds: number[]; short: number[]; long: number[] } {
  const at = (L: number) => new Map(ev.completed(recallLengths, { extractor: 'rnn', length: L }).map((r) => [r.seed, score(r)]));
  const [s, l] = [at(short), at(long)];
  const seeds = [...s.keys()].filter((k) => Number.isFinite(s.get(k)) && Number.isFinite(l.get(k))).sort((a, b) => a - b);
  return { seeds, short: seeds.map((k) => s.get(k)!), long: seeds.map((k) => l.get(k)!) };
}

export const rnnLongRange: Claim = {
  id: 'rnn-long-range',
  source: sourceOf(import.meta.url),
  title: 'Plain RNNs fail to use long-range dependencies in practice',
  article: 'Although an RNN can in theory capture long-term dependencies, in practice the gradient problems keep it from doing so.',
  experiment: `Leak-free recall of the first token (distance T-1) at every profile length for rnn, lstm, gru, transformer and tcn, same data and budget, each arm tuned with the same grid (learning rate and its initialisation search); and the adding problem at T = ${ADDING_LENGTH} for rnn, lstm and gru, descriptive here.`,
  rule: `Continuous and within the RNN: per seed, the RNN's test score on recall (0 at chance, 1 perfect) at the shortest profile length minus its score at the longest, both lengths fixed by the profile before the data. A two-sided paired t-test over seeds. Positive control: the LSTM's mean score at the longest length is at least ${CONTROL_SCORE}, so the long recall is learnable within the budget; without it the claim is undecidable. Supported if the RNN scores significantly lower at the longest length, contradicted if significantly higher (Holm over the primary tests, family alpha 0.05). Smallest effect of interest ${SESOI}. Solved counts, the other arms and the adding problem are descriptive; the LSTM-against-RNN comparison is lstm-mitigates', on other data.`,
  primary: {
    experiment: 'recall-lengths',
    task: 'recall',
    arms: ['rnn (shortest length)', 'rnn (longest length)'],
    metric: 'test score per seed (0 at chance, 1 perfect)',
    test: 'paired t',
    alpha: 0.05,
    direction: 'the rnn scores lower at the longest profile length than at the shortest',
    sesoi: { value: SESOI, unit: 'score difference' },
    where: `the shortest and the longest profile lengths, if the lstm's mean score at the longest is at least ${CONTROL_SCORE}`,
  },
  needs: [recallLengths, addingLong],
  charts: ['metricVsLength', 'stepsToSolveCurves', 'metricByMeta'],
  analyse(ev) {
    const lengths = ev.profile.lengths;
    const [short, long] = [lengths[0], lengths[lengths.length - 1]];
    if (!ev.completed(recallLengths, { extractor: 'rnn' }).length) return missing('rnn on recall');
    const secondary: Record<string, number | string | null> = {};
    for (const e of EXTRACTORS)
      for (const L of lengths) {
        const rs = ev.completed(recallLengths, { extractor: e, length: L });
        const c = solveCount(ev, recallLengths, { extractor: e, length: L });
        secondary[`${e} mean score T=${L}`] = rs.length ? round(meanOf(rs.map(score))) : null;
        secondary[`${e} solved T=${L}`] = c.n ? fraction(c.solved, c.n) : null;
      }
    for (const e of ['rnn', 'lstm', 'gru'] as const) secondary[`adding T=${ADDING_LENGTH} ${e} mean score`] = round(meanOf(ev.completed(addingLong, { extractor: e }).map(score)));
    const control = meanOf(ev.completed(recallLengths, { extractor: 'lstm', length: long }).map(score));
    if (!(control >= CONTROL_SCORE)) {
      return {
        kind: 'undecidable',
        reason: `No positive control: the LSTM's mean recall score at T=${long} is ${round(control)}, below ${CONTROL_SCORE}, so a low RNN score there may be the task, not the range.`,
        needs: 'a longer training budget, or a shorter longest length, until the LSTM learns the long recall',
        secondary,
        caveats: [],
      };
    }
    const d = rnnScores(ev, short, long);
    const c = pairedComponent(`rnn score at T=${short} minus at T=${long}, ${d.seeds.length} seeds`, d.short, d.long, { sign: 1, unit: 'score difference', sesoi: SESOI });
    return {
      kind: 'test',
      components: [c],
      at: `T=${short} against T=${long}`,
      key: { label: `rnn score drop, T=${short} to T=${long}`, value: c.effect.value, ci: c.effect.ci },
      reason: `The RNN scored ${round(meanOf(d.short))} at T=${short} and ${round(meanOf(d.long))} at T=${long} (mean over ${d.seeds.length} seeds); the LSTM, the positive control, ${round(control)} at T=${long}.`,
      secondary,
      caveats: [
        'A fixed training budget: an RNN that has not learned the long recall might with many more steps; the claim is about practice, which the budget stands for.',
        'The two lengths differ in more than the distance (the sequence is longer too): the per-distance curves of metricByMeta are descriptive.',
      ],
    };
  },
};
