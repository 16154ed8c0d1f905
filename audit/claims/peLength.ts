import { equivalence, pairedComponent } from '../components.js';
import { peTrainLength } from '../experiments/pe.js';
import { OFFSET, PE_LENGTH_CONTROL, PE_LENGTH_FACTORS, peLength as experiment, peLengthLabel, RECALL_OFFSET, SHIFTED } from '../experiments/peLength.js';
import { meanOf, pairedBySeed, round, scoreAtFactor } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim } from '../types.js';
import { missing } from './lib.js';

const SIN = peLengthLabel('sinusoidal');
const LEARNED = peLengthLabel('learned');
/** Smallest score advantage at L/2 that would matter (0 chance, 1 perfect). */
const SESOI = 0.2;
/** "No effect": within this either way (paired TOST). */
const MARGIN = 0.1;
/** The control must score at least this at L/2: the shifted window is solvable. */
const CONTROL_SCORE = 0.5;

export const peLength: Claim = {
  id: 'pe-length',
  source: sourceOf(import.meta.url),
  title: 'Learned absolute positions cap the length; sinusoidal ones carry relative position',
  article: "BERT's learned absolute position embedding limits it to 512 tokens; the sinusoidal encoding carries relative position.",
  experiment: `Relative-position recall (name the symbol ${OFFSET} positions before the query, lures at one density at every length), trained at L with learned positions (a table of L), with sinusoidal ones, and an LSTM (translation-equivariant: the positive control), then read at L/2 (the shifted window: every position seen in training, but the query where no query stood), 2L and 4L.`,
  rule: `The cap is definitional: learned positions cannot read past their table (recorded, not tested). Relative position, inside the trained length: per seed, the test score read at L/2 (0 at chance, 1 perfect), sinusoidal minus learned, a two-sided paired t-test over seeds. Decided only if the LSTM's mean score at L/2 is at least ${CONTROL_SCORE} (the shifted window can be solved). Supported if sinusoidal positions score significantly higher, contradicted if learned ones do (Holm over the primary tests, family alpha 0.05); smallest effect of interest ${SESOI}. No effect: within ±${MARGIN} (paired TOST). Scores at L, 2L and 4L are descriptive.`,
  primary: {
    experiment: 'pe-length',
    task: RECALL_OFFSET,
    arms: [SIN, LEARNED],
    metric: `test score per seed read at ${SHIFTED} x the training length (0 at chance, 1 perfect)`,
    test: 'paired t',
    alpha: 0.05,
    direction: 'sinusoidal scores higher than learned on the shifted window',
    sesoi: { value: SESOI, unit: 'score difference' },
    margin: { value: MARGIN, unit: 'score difference' },
    where: `trained at twice the shortest profile length, read at half of it, if the LSTM scores at least ${CONTROL_SCORE} there`,
  },
  needs: [experiment],
  charts: ['lengthGeneralisation'],
  analyse(ev) {
    const L = peTrainLength(ev.profile);
    const sin = ev.completed(experiment, { extractor: SIN, length: L });
    const learned = ev.completed(experiment, { extractor: LEARNED, length: L });
    const control = ev.completed(experiment, { extractor: PE_LENGTH_CONTROL, length: L });
    if (!sin.length || !learned.length) return missing('the learned and sinusoidal transformers');
    const capped = learned.every((r) => r.lengths.filter((x) => x.factor > 1).every((x) => x.status === 'not-applicable'));
    const secondary: Record<string, number | string | null> = { 'learned positions cannot read past their table (definitional)': String(capped) };
    for (const [name, rs] of [['sinusoidal', sin], ['learned', learned], [PE_LENGTH_CONTROL, control]] as const)
      for (const f of PE_LENGTH_FACTORS) secondary[`${name} score at ${f}L`] = rs.length ? round(meanOf(rs.map((r) => scoreAtFactor(r, f)))) : null;
    const controlScore = meanOf(control.map((r) => scoreAtFactor(r, SHIFTED)));
    if (!(controlScore >= CONTROL_SCORE)) {
      return {
        kind: 'undecidable',
        reason: `No positive control: the LSTM scored ${round(controlScore)} on the shifted window (L/2 = ${L * SHIFTED}), below ${CONTROL_SCORE}, so a low score there may be the task, not the positions.`,
        needs: 'a longer training budget until the LSTM solves the shifted window',
        secondary,
        caveats: [],
      };
    }
    const d = pairedBySeed(ev, experiment, { length: L }, [SIN, LEARNED], (r) => scoreAtFactor(r, SHIFTED));
    const [a, b] = d.values;
    const c = pairedComponent(`score at L/2, sinusoidal minus learned, ${d.seeds.length} seeds`, a, b, { sign: 1, unit: 'score difference', sesoi: SESOI });
    return {
      kind: 'test',
      components: [c],
      equivalence: equivalence(`scores at L/2 within ±${MARGIN}`, a, b, MARGIN, 'score difference'),
      at: `T=${L * SHIFTED}, after training at T=${L}`,
      key: { label: 'score at L/2, sinusoidal - learned', value: c.effect.value, ci: c.effect.ci },
      reason: `Read at L/2 = ${L * SHIFTED}: sinusoidal ${round(meanOf(a))}, learned ${round(meanOf(b))}, the LSTM ${round(controlScore)} (${d.seeds.length} shared seeds). Learned positions ${capped ? 'cannot' : 'can'} read past their table (definitional).`,
      secondary,
      caveats: ['Extrapolating to absolute positions never seen in training (2L, 4L) is a different question from carrying relative position; it is reported, not tested.'],
    };
  },
};
