import { equivalence, pairedComponent } from '../components.js';
import { layernorm, layernormLabel, layernormLength, LAYERNORM_ARMS, type LayernormLabel } from '../experiments/layernorm.js';
import { meanOf, pairedBySeed, round, stepsToLoss } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim, Evidence } from '../types.js';
import type { CompletedRecord } from '../../harness/store/results.js';
import { missing } from './lib.js';

const POST = layernormLabel('post');
const NONE = layernormLabel('none');
/** The loss threshold, as a fraction of the chance loss -ln(chance): a model there answers nearly every recall right. */
const LOSS_FRACTION = 0.1;
/** Smallest effect of interest: 1.5 times faster, in ln steps. */
const SESOI = Math.log(1.5);
/** "No faster": within 1.25 times either way (paired TOST on ln steps). */
const MARGIN = Math.log(1.25);

/**
 * Steps until the smoothed training loss reached the threshold, checked at every step. A run
 * that never reached it counts at the budget (censored: conservative, it shrinks differences);
 * one that stopped early because validation was solved first counts at its stop.
 */
function steps(r: CompletedRecord): { steps: number; censored: boolean } {
  const threshold = LOSS_FRACTION * -Math.log(r.metrics.chance);
  const at = stepsToLoss(r.curves.loss, threshold);
  if (at !== null) return { steps: at, censored: false };
  const stopped = r.curves.loss.length < r.train.steps && r.validation.stepsToSolve !== null;
  return stopped ? { steps: r.curves.loss.length, censored: false } : { steps: r.train.steps, censored: true };
}

const lnSteps = (r: CompletedRecord) => Math.log(steps(r).steps);

function reachedShare(ev: Evidence, label: LayernormLabel, L: number): { reached: number; n: number } {
  const rs = ev.completed(layernorm, { extractor: label, length: L });
  return { reached: rs.filter((r) => !steps(r).censored).length, n: rs.length };
}

export const layernormConvergence: Claim = {
  id: 'layernorm-convergence',
  source: sourceOf(import.meta.url),
  title: 'Layer normalisation speeds up convergence',
  article: 'Layer normalisation normalises hidden layers to a standard normal distribution to speed up convergence.',
  experiment:
    "Deep Transformers (profile depth, residual connections) with post-norm (the article's add & norm), pre-norm and no LayerNorm on recall at the profile's long length, each searching the whole learning-rate grid at the full tuning budget; the training loss is read at every step.",
  rule: `Per seed, ln of the steps until the training loss (moving average over 10 steps) first reaches ${LOSS_FRACTION} of the chance loss -ln(chance), checked at every step; a run that never does counts at the budget (censored), one stopped early by solving validation first at its stop. A two-sided paired t-test over seeds, post-norm minus no LayerNorm. Decided only if some arm reaches the threshold on at least half its seeds (a positive control). Supported if post-norm is significantly faster, contradicted if no LayerNorm is (Holm over the primary tests, family alpha 0.05); smallest effect of interest 1.5 times. No effect ("no faster"): equivalent within 1.25 times either way (paired TOST on ln steps). Pre-norm is descriptive.`,
  primary: {
    experiment: 'layernorm',
    task: 'recall',
    arms: [POST, NONE],
    metric: 'ln training steps to the loss threshold (checked every step, censored at the budget)',
    test: 'paired t',
    alpha: 0.05,
    direction: 'post-norm reaches the threshold in fewer steps than no LayerNorm',
    sesoi: { value: round(SESOI), unit: 'ln steps difference' },
    margin: { value: round(MARGIN), unit: 'ln steps difference' },
    where: "the profile's long length, if some arm reaches the threshold on at least half its seeds",
  },
  needs: [layernorm],
  charts: ['lossCurves', 'stepsToSolveCurves'],
  analyse(ev) {
    const L = layernormLength(ev.profile);
    if (!ev.completed(layernorm, { extractor: POST }).length || !ev.completed(layernorm, { extractor: NONE }).length) return missing('the post-norm and no-LayerNorm transformers');
    const secondary: Record<string, number | string | null> = { layers: ev.profile.deepLayers, budget: ev.profile.steps };
    for (const arm of LAYERNORM_ARMS) {
      const label = layernormLabel(arm);
      const rs = ev.completed(layernorm, { extractor: label, length: L });
      const { reached, n } = reachedShare(ev, label, L);
      secondary[`${arm}: reached the loss threshold`] = `${reached}/${n}`;
      secondary[`${arm}: median steps to the threshold (censored at the budget)`] = rs.length ? round(Math.exp(meanOf(rs.map(lnSteps)))) : null;
      secondary[`${arm}: learning rate chosen`] = rs[0]?.train.lr ?? null;
    }
    const control = LAYERNORM_ARMS.some((arm) => {
      const { reached, n } = reachedShare(ev, layernormLabel(arm), L);
      return n > 0 && reached >= n / 2;
    });
    if (!control) {
      return {
        kind: 'undecidable',
        reason: `No positive control: no arm reached ${LOSS_FRACTION} of the chance loss on half its seeds within ${ev.profile.steps} steps.`,
        needs: 'a longer training budget, or an easier task',
        secondary,
        caveats: [],
      };
    }
    const d = pairedBySeed(ev, layernorm, { length: L }, [POST, NONE], lnSteps);
    const [post, none] = d.values;
    const c = pairedComponent(`ln steps to the loss threshold, post-norm minus none, ${d.seeds.length} seeds`, post, none, { sign: -1, unit: 'ln steps difference', sesoi: SESOI });
    return {
      kind: 'test',
      components: [c],
      equivalence: equivalence('post-norm and none within 1.25 times', post, none, MARGIN, 'ln steps difference'),
      at: `T=${L}, ${ev.profile.deepLayers} layers`,
      key: { label: 'ln steps to the loss threshold, post-norm - none', value: c.effect.value, ci: c.effect.ci },
      reason: `Geometric-mean steps to the loss threshold: post-norm ${round(Math.exp(meanOf(post)))}, none ${round(Math.exp(meanOf(none)))} (${d.seeds.length} shared seeds, budget ${ev.profile.steps}).`,
      secondary,
      caveats: ['Gradients are clipped to norm 1 and Adam adapts step sizes, which already damps the effect of scale that LayerNorm removes.'],
    };
  },
};
