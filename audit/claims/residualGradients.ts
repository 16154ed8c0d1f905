import { pairedComponent } from '../components.js';
import { depth, DEPTH_ARMS, depthLabel, depthLength, type DepthArm } from '../experiments/depth.js';
import { controlLengths, layerLogRatio, meanOf, pairedBySeed, round, score, solveCount } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim } from '../types.js';
import { fraction, missing, noControl } from './lib.js';

const WITH = depthLabel('post');
const WITHOUT = depthLabel('post-noresidual');
const SESOI = Math.log(2); // a factor of 2 in the first/last gradient ratio

export const residualGradients: Claim = {
  id: 'residual-gradients',
  source: sourceOf(import.meta.url),
  title: 'Residual connections counter vanishing gradients',
  article: "Add & norm: the skip connection adds a layer's input to its output to counter vanishing gradients.",
  experiment: 'Deep Transformers (profile depth) on recall with and without skip connections, with post-norm LayerNorm and with none: per-layer gradient norms at the first step, and whether they learn.',
  rule: `Per seed, ln(first layer's gradient norm / last layer's) at the first step (a log-ratio: negative when the gradient shrinks on its way back). A two-sided paired t-test over seeds, post-norm with residuals against post-norm without. Decided only if some depth arm solved recall on at least half its seeds (a working positive control). Supported if the log-ratio is significantly larger with residuals, contradicted if significantly smaller (Holm over the primary tests, family alpha 0.05). The same comparison without LayerNorm and the solve counts are descriptive.`,
  primary: {
    experiment: 'depth',
    task: 'recall',
    arms: [WITH, WITHOUT],
    metric: "ln(first layer's / last layer's gradient norm) at step 1",
    test: 'paired t',
    alpha: 0.05,
    direction: 'larger (less vanishing) with residual connections',
    sesoi: { value: round(SESOI), unit: 'ln ratio (a factor of 2)' },
    where: 'the depth experiment\'s length, if some arm solved recall on at least half its seeds',
  },
  needs: [depth],
  charts: ['groupGradNorms', 'ablations', 'stepsToSolveCurves'],
  analyse(ev) {
    const L = depthLength(ev.profile);
    const layers = ev.profile.deepLayers;
    const ratio = pairedBySeed(ev, depth, { length: L }, [WITH, WITHOUT], (r) => layerLogRatio(r, layers));
    if (!ratio.seeds.length) return missing('the residual and no-residual transformers');
    const arms = Object.keys(DEPTH_ARMS) as DepthArm[];
    const secondary: Record<string, number | string | null> = { layers };
    for (const arm of arms) {
      const c = solveCount(ev, depth, { extractor: depthLabel(arm), length: L });
      secondary[`${arm}: solved`] = fraction(c.solved, c.n);
      secondary[`${arm}: mean score`] = round(meanOf(ev.completed(depth, { extractor: depthLabel(arm), length: L }).map(score)));
      secondary[`${arm}: mean ln gradient ratio first/last`] = round(meanOf(ev.completed(depth, { extractor: depthLabel(arm), length: L }).map((r) => layerLogRatio(r, layers))));
    }
    if (!controlLengths(ev, depth, 'recall', arms.map(depthLabel), [L]).length) return { ...noControl('recall', arms.map(depthLabel), [L], ev.profile.steps), secondary };
    const c = pairedComponent(`ln gradient ratio, residual against none, ${ratio.seeds.length} seeds`, ratio.values[0], ratio.values[1], { sign: 1, unit: 'ln ratio', sesoi: SESOI });
    return {
      kind: 'test',
      components: [c],
      at: `T=${L}, ${layers} layers`,
      key: { label: 'ln gradient ratio, with minus without residuals', value: c.effect.value, ci: c.effect.ci },
      reason: `ln(first/last layer gradient norm) at step 1: ${round(meanOf(ratio.values[0]))} with residuals, ${round(meanOf(ratio.values[1]))} without (post-norm, ${layers} layers).`,
      secondary,
      caveats: ['Post-norm LayerNorm stays in both models of the primary test; only the skip connections are removed.'],
    };
  },
};
