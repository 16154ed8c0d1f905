import { oneSampleComponent } from '../components.js';
import { channelsPerHead, HEAD_COUNTS, heads, headsLabel } from '../experiments/heads.js';
import { medianDistance, meanOf, pairedBySeed, round, score, scoreByDistance } from '../measures.js';
import { leastSquares } from '../../stats/index.js';
import { sourceOf } from '../preregistration.js';
import type { Claim } from '../types.js';
import { missing } from './lib.js';

const LEARNED = 0.3; // a working positive control on agreement: mean far-half score at least this
const SESOI = 0.05; // score per doubling of heads

export const headsLongRange: Claim = {
  id: 'heads-long-range',
  source: sourceOf(import.meta.url),
  title: 'More heads, better long-range capture',
  article: "The more heads, the stronger the Transformer's ability to capture long-distance features.",
  experiment: 'Transformers with 1, 2, 4 and 8 heads at fixed width (so channels per head fall from dModel to dModel/8) on subject-verb agreement with attractors, padding masked, scored on the test samples whose subject-verb distance is beyond the median.',
  rule: `Per seed (every head count shares the seed's data and initial embedding), the least-squares slope of the far-distance agreement score (accuracy beyond the median distance, 0 at chance 0.5, 1 perfect) against log2(heads). A two-sided one-sample t-test of these slopes against 0. Decided only if some head count reaches a mean far-distance score of ${LEARNED} (a working positive control). Supported if the slope is significantly positive, contradicted if significantly negative (Holm over the primary tests, family alpha 0.05).`,
  primary: {
    experiment: 'heads',
    task: 'agreement',
    arms: HEAD_COUNTS.map(headsLabel),
    metric: 'per-seed slope of the far-distance agreement score against log2(heads)',
    test: 'one-sample t',
    alpha: 0.05,
    direction: 'slope > 0 (more heads, better at long distance)',
    sesoi: { value: SESOI, unit: 'score per doubling of heads' },
    where: `the profile's long length, if some head count's mean far-distance score reaches ${LEARNED}`,
  },
  needs: [heads],
  charts: ['ablations', 'metricByMeta'],
  analyse(ev) {
    const L = ev.profile.long;
    const labels = HEAD_COUNTS.map(headsLabel);
    const all = ev.completed(heads, { task: 'agreement', length: L });
    const cut = medianDistance(all);
    if (cut === undefined) return missing('agreement accuracy by distance');
    const far = pairedBySeed(ev, heads, { task: 'agreement', length: L }, labels, (r) => scoreByDistance(r, cut, true, 0.5));
    if (!far.seeds.length) return missing('the heads sweep on agreement');
    const x = HEAD_COUNTS.map((h) => Math.log2(h));
    const slopes = far.seeds.map((_, i) => leastSquares(x, far.values.map((arm) => arm[i])).slope);
    const means = far.values.map((v) => meanOf(v));
    const secondary: Record<string, number | string | null> = { 'median subject-verb distance': cut };
    HEAD_COUNTS.forEach((h, i) => {
      secondary[`far-distance score h=${h} (${channelsPerHead(ev.profile, h)} channels per head)`] = round(means[i]);
      secondary[`overall agreement score h=${h}`] = round(meanOf(ev.completed(heads, { task: 'agreement', extractor: headsLabel(h), length: L }).map(score)));
    });
    if (Math.max(...means) < LEARNED) {
      return { kind: 'undecidable', reason: `No positive control: the best mean far-distance agreement score is ${round(Math.max(...means))}, below ${LEARNED}.`, needs: 'a longer budget or tuning until some head count learns agreement at long distance', secondary, caveats: [] };
    }
    const c = oneSampleComponent(`per-seed slope over ${far.seeds.length} seeds`, slopes, { reference: 0, sign: 1, unit: 'score per doubling of heads', sesoi: SESOI });
    return {
      kind: 'test',
      components: [c],
      at: `T=${L}, distances beyond ${cut}`,
      key: { label: 'far-distance agreement score per doubling of heads', value: c.effect.value, ci: c.effect.ci },
      reason: `Far-distance agreement scores for 1, 2, 4, 8 heads: ${means.map((m) => round(m)).join(', ')} (channels per head ${HEAD_COUNTS.map((h) => channelsPerHead(ev.profile, h)).join(', ')}).`,
      secondary,
      caveats: ['At fixed width, more heads means narrower heads: the comparison holds the parameter count, not the head width.'],
    };
  },
};
