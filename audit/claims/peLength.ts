import { fisherComponent } from '../components.js';
import { peTrainLength } from '../experiments/pe.js';
import { OFFSET, PE_KINDS, peLength as experiment, peLengthLabel, RECALL_OFFSET, SHIFTED } from '../experiments/peLength.js';
import { meanOf, round, scoreAtFactor } from '../measures.js';
import { solvedScore } from '../../harness/cell/measure/solve.js';
import type { CompletedRecord } from '../../harness/store/results.js';
import { sourceOf } from '../preregistration.js';
import type { Claim } from '../types.js';
import { fraction, missing, noControl } from './lib.js';

const SIN = peLengthLabel('sinusoidal');
const LEARNED = peLengthLabel('learned');
const solvedAt = (r: CompletedRecord, factor: number) => (scoreAtFactor(r, factor) ?? -Infinity) >= solvedScore(r);

export const peLength: Claim = {
  id: 'pe-length',
  source: sourceOf(import.meta.url),
  title: 'Learned absolute positions cap the length; sinusoidal ones carry relative position',
  article: "BERT's learned absolute position embedding limits it to 512 tokens; the sinusoidal encoding carries relative position.",
  experiment: `Relative-position recall (name the symbol ${OFFSET} positions before the query), trained at L with learned positions (a table of L) and with sinusoidal ones, then read at L/2 (the shifted window: every position seen in training, but the query where no query stood), 2L and 4L.`,
  rule: `The cap is definitional: learned positions cannot read past their table (recorded, not tested). Relative position, inside the trained length: Fisher's exact test (two-sided) on the seeds that solve the task read at L/2, sinusoidal against learned. Decided only if the sinusoidal model solved the task at L on at least half its seeds (the positive control). Supported if sinusoidal positions solve the shifted window significantly more often, contradicted if learned ones do (Holm over the primary tests, family alpha 0.05). Scores at 2L and 4L (extrapolation to unseen absolute positions, not the claim) are descriptive.`,
  primary: {
    experiment: 'pe-length',
    task: RECALL_OFFSET,
    arms: [SIN, LEARNED],
    metric: `seeds solving the task read at ${SHIFTED} x the training length (test score >= the solved threshold)`,
    test: 'fisher exact',
    alpha: 0.05,
    direction: 'sinusoidal solves the shifted window more often than learned',
    sesoi: { value: 0.5, unit: 'solve-rate difference' },
    where: 'trained at twice the shortest profile length, read at half of it, if sinusoidal solved at the training length on at least half its seeds',
  },
  needs: [experiment],
  charts: ['lengthGeneralisation'],
  analyse(ev) {
    const L = peTrainLength(ev.profile);
    const sin = ev.completed(experiment, { extractor: SIN, length: L });
    const learned = ev.completed(experiment, { extractor: LEARNED, length: L });
    if (!sin.length || !learned.length) return missing('the learned and sinusoidal transformers');
    const capped = learned.every((r) => r.lengths.filter((x) => x.factor > 1).every((x) => x.status === 'not-applicable'));
    const secondary: Record<string, number | string | null> = { 'learned positions cannot read past their table (definitional)': String(capped) };
    for (const kind of PE_KINDS) for (const f of [SHIFTED, 1, 2, 4]) {
      const rs = kind === 'sinusoidal' ? sin : learned;
      secondary[`${kind} score at ${f}L`] = round(meanOf(rs.map((r) => scoreAtFactor(r, f))));
    }
    const atL = sin.filter((r) => solvedAt(r, 1)).length;
    if (atL < sin.length / 2) return { ...noControl(RECALL_OFFSET, [SIN], [L], ev.profile.steps), secondary };
    const a = sin.filter((r) => solvedAt(r, SHIFTED)).length;
    const b = learned.filter((r) => solvedAt(r, SHIFTED)).length;
    const c = fisherComponent(`solved at L/2: sinusoidal ${fraction(a, sin.length)} against learned ${fraction(b, learned.length)}`, a, sin.length, b, learned.length, { sign: 1, sesoi: 0.5 });
    return {
      kind: 'test',
      components: [c],
      at: `T=${L * SHIFTED}, after training at T=${L}`,
      key: { label: 'solve-rate difference at L/2, sinusoidal - learned', value: c.effect.value, ci: c.effect.ci },
      reason: `Read at L/2 = ${L * SHIFTED}, sinusoidal positions solved ${fraction(a, sin.length)} seeds and learned ones ${fraction(b, learned.length)} (sinusoidal solved ${fraction(atL, sin.length)} at L = ${L}). Learned positions ${capped ? 'cannot' : 'can'} read past their table (definitional).`,
      secondary,
      caveats: ['Extrapolating to absolute positions never seen in training (2L, 4L) is a different question from carrying relative position; it is reported, not tested.'],
    };
  },
};
