import { logRankComponent } from '../components.js';
import { depth, depthLabel, depthLength } from '../experiments/depth.js';
import { controlLengths, meanOf, round, solveTimes } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim } from '../types.js';
import { fraction, missing, noControl } from './lib.js';

const POST = depthLabel('post');
const PRE = depthLabel('pre');
const NONE = depthLabel('none');

export const layernormConvergence: Claim = {
  id: 'layernorm-convergence',
  source: sourceOf(import.meta.url),
  title: 'Layer normalisation speeds up convergence',
  article: 'Layer normalisation normalises hidden layers to a standard normal distribution to speed up convergence.',
  experiment: "Deep Transformers (profile depth, residual connections) with post-norm (the article's add & norm), pre-norm and no LayerNorm on recall: training steps until solved on validation, censored at the budget.",
  rule: 'Steps-to-solve: the first of two consecutive solved validation checks, censored at the budget. A two-sided log-rank test, post-norm against no LayerNorm. Decided only if one of the three solved recall on at least half its seeds (a working positive control). Supported if post-norm solves significantly sooner (hazard ratio above 1), contradicted if the model without LayerNorm does (Holm over the primary tests, family alpha 0.05). Pre-norm is descriptive.',
  primary: {
    experiment: 'depth',
    task: 'recall',
    arms: [POST, NONE],
    metric: 'training steps to solve recall, censored at the budget',
    test: 'log-rank',
    alpha: 0.05,
    direction: 'post-norm solves sooner than no LayerNorm (hazard ratio above 1)',
    sesoi: { value: 2, unit: 'hazard ratio' },
    where: "the depth experiment's length, if post, pre or none solved recall on at least half its seeds",
  },
  needs: [depth],
  charts: ['stepsToSolveCurves', 'lossCurves'],
  analyse(ev) {
    const L = depthLength(ev.profile);
    const [post, pre, none] = [POST, PRE, NONE].map((extractor) => solveTimes(ev, depth, { extractor, length: L }));
    if (!post.length || !none.length) return missing('the post-norm and no-LayerNorm transformers');
    const solvedOf = (ts: typeof post) => fraction(ts.filter((t) => t.event).length, ts.length);
    const meanSteps = (ts: typeof post) => round(meanOf(ts.filter((t) => t.event).map((t) => t.time)));
    const secondary = { 'post solved': solvedOf(post), 'pre solved': solvedOf(pre), 'none solved': solvedOf(none), 'post mean steps (solved)': meanSteps(post), 'pre mean steps (solved)': meanSteps(pre), 'none mean steps (solved)': meanSteps(none), layers: ev.profile.deepLayers, budget: ev.profile.steps };
    if (!controlLengths(ev, depth, 'recall', [POST, PRE, NONE], [L]).length) return { ...noControl('recall', [POST, PRE, NONE], [L], ev.profile.steps), secondary };
    const c = logRankComponent(`steps-to-solve post-norm (${solvedOf(post)}) against none (${solvedOf(none)})`, post, none, { sign: 1, sesoiHazardRatio: 2 });
    return {
      kind: 'test',
      components: [c],
      at: `T=${L}, ${ev.profile.deepLayers} layers`,
      key: { label: 'hazard ratio of solving, post-norm / none', value: c.effect.value, ci: c.effect.ci },
      reason: `Solved: post-norm ${solvedOf(post)} (mean ${meanSteps(post)} steps), pre-norm ${solvedOf(pre)} (${meanSteps(pre)}), none ${solvedOf(none)} (${meanSteps(none)}), budget ${ev.profile.steps}.`,
      secondary,
      caveats: ['Gradients are clipped to norm 1 and Adam adapts step sizes, which already damps the effect of scale that LayerNorm removes.'],
    };
  },
};
