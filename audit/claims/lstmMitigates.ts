import { equivalence, pairedComponent } from '../components.js';
import { addingLong, ADDING_LENGTH, matchedLabel } from '../experiments/addingLong.js';
import { isSolved, meanOf, pairedBySeed, round, score, solveCount } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim } from '../types.js';
import { fraction, missing } from './lib.js';

const ARMS = ['lstm', 'rnn'] as const;
/** The smallest score advantage of the LSTM that would matter (0 chance, 1 perfect). */
const SESOI = 0.2;
/** "No effect": the two score alike within this margin (paired TOST). */
const MARGIN = 0.1;
/** Some arm must score at least this, or neither learned the task and a tie says nothing. */
const CONTROL_SCORE = 0.5;

export const lstmMitigates: Claim = {
  id: 'lstm-mitigates',
  source: sourceOf(import.meta.url),
  title: "LSTM's cell state and gates mitigate the RNN's problems",
  article: "LSTM's cell state and forget, input and output gates fix the RNN's vanishing gradients and long-dependency problem.",
  experiment: `The adding problem at T = ${ADDING_LENGTH} (halves: the two marked numbers are far apart) for rnn, lstm and gru at the profile width and again at equal parameter counts, same data and budget, each tuned with the same grid: the learning rate and the initialisation search of its definition (the RNN's PyTorch, orthogonal and identity inits; the LSTM's PyTorch and chrono forget-gate biases).`,
  rule: `Continuous, on data no other claim's primary test reads: per seed, the LSTM's test score on adding (0 at chance, 1 perfect) minus the RNN's on the same seed. A two-sided paired t-test over seeds. Positive control: the better of the two arms' mean scores is at least ${CONTROL_SCORE} (otherwise neither learned the task within the budget and the claim is undecidable). Supported if the LSTM scores significantly higher, contradicted if the RNN does (Holm over the primary tests, family alpha 0.05); smallest effect of interest ${SESOI}. No effect: equivalent within ±${MARGIN} (paired TOST). Solved counts and steps to solve are descriptive.`,
  primary: {
    experiment: 'adding-long',
    task: 'adding',
    arms: ARMS,
    metric: 'test score per seed (0 at chance, 1 perfect)',
    test: 'paired t',
    alpha: 0.05,
    direction: 'lstm scores higher than rnn',
    sesoi: { value: SESOI, unit: 'score difference' },
    margin: { value: MARGIN, unit: 'score difference' },
    where: `adding at T = ${ADDING_LENGTH}, if the better arm's mean score is at least ${CONTROL_SCORE}`,
  },
  needs: [addingLong],
  charts: ['stepsToSolveCurves', 'gradientProfile'],
  analyse(ev) {
    if (!ev.completed(addingLong, { extractor: 'rnn' }).length || !ev.completed(addingLong, { extractor: 'lstm' }).length) return missing('rnn and lstm on adding');
    const secondary: Record<string, number | string | null> = {};
    for (const e of ['lstm', 'rnn', 'gru', matchedLabel('lstm'), matchedLabel('rnn'), matchedLabel('gru')] as const) {
      const rs = ev.completed(addingLong, { extractor: e });
      secondary[`${e} parameters`] = rs[0]?.extractor.params ?? null;
      const c = solveCount(ev, addingLong, { extractor: e });
      secondary[`${e} mean score`] = round(meanOf(rs.map(score)));
      secondary[`${e} solved`] = fraction(c.solved, c.n);
      const steps = rs.filter(isSolved).map((r) => r.validation.stepsToSolve);
      secondary[`${e} mean steps to solve (solved runs)`] = steps.length ? round(meanOf(steps)) : null;
    }
    const matched = pairedBySeed(ev, addingLong, { task: 'adding' }, [matchedLabel('lstm'), matchedLabel('rnn')], score);
    if (matched.seeds.length) secondary['at equal parameters: lstm - rnn mean score (descriptive)'] = round(meanOf(matched.values[0]) - meanOf(matched.values[1]));
    const d = pairedBySeed(ev, addingLong, { task: 'adding' }, ARMS, score);
    const [lstm, rnn] = d.values;
    const best = Math.max(meanOf(lstm), meanOf(rnn));
    if (!(best >= CONTROL_SCORE)) {
      return {
        kind: 'undecidable',
        reason: `No positive control: neither arm learned adding at T=${ADDING_LENGTH} (mean scores lstm ${round(meanOf(lstm))}, rnn ${round(meanOf(rnn))}, below ${CONTROL_SCORE}).`,
        needs: 'a longer training budget until some arm learns the task',
        secondary,
        caveats: [],
      };
    }
    const c = pairedComponent(`lstm minus rnn score on adding, ${d.seeds.length} seeds`, lstm, rnn, { sign: 1, unit: 'score difference', sesoi: SESOI });
    return {
      kind: 'test',
      components: [c],
      equivalence: equivalence(`lstm and rnn adding scores within ±${MARGIN}`, lstm, rnn, MARGIN, 'score difference'),
      at: `T=${ADDING_LENGTH}`,
      key: { label: `adding score, lstm - rnn, T=${ADDING_LENGTH}`, value: c.effect.value, ci: c.effect.ci },
      reason: `On adding at T=${ADDING_LENGTH} the LSTM scored ${round(meanOf(lstm))} and the RNN ${round(meanOf(rnn))} (mean over ${d.seeds.length} shared seeds).`,
      secondary,
      caveats: [
        "Each arm's initialisation was chosen by the same tuning search on validation: the record's tuning summary says which it chose.",
        'At one width the LSTM has four times the RNN\'s weights; the same comparison at equal parameter counts is in the secondary numbers.',
      ],
    };
  },
};
