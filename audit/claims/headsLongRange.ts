import { equivalence, oneSampleComponent } from '../components.js';
import type { CompletedRecord } from '../../harness/store/results.js';
import { channelsPerHead, HEAD_COUNTS, heads, headsLabel } from '../experiments/heads.js';
import { medianDistance, meanOf, pairedBySeed, round, score, scoreByDistance } from '../measures.js';
import { leastSquares } from '../../stats/index.js';
import { sourceOf } from '../preregistration.js';
import type { Claim } from '../types.js';
import { missing } from './lib.js';

const LEARNED = 0.3; // a working positive control on agreement: some head count's mean far-half score at least this
const SESOI = 0.05; // far-minus-near score per doubling of heads
const MARGIN = 0.05; // "no effect": the slope within this either way (TOST)

export const headsLongRange: Claim = {
  id: 'heads-long-range',
  source: sourceOf(import.meta.url),
  title: 'More heads, better long-range capture',
  article: "The more heads, the stronger the Transformer's ability to capture long-distance features.",
  experiment:
    'Transformers with 1, 2, 4 and 8 heads at fixed width (so channels per head fall from dModel to dModel/8), at one shared learning rate, on subject-verb agreement with up to 6 attractors and 6 fillers (distances spanning most of the sequence), padding masked, scored on the test samples near (at most the median distance) and far (beyond it).',
  rule: `The claim is an interaction: heads should help more at long distance than at short. Per seed (every head count shares the seed's data and initial embedding), the far-minus-near agreement score (accuracy beyond the median subject-verb distance minus accuracy at or below it, each 0 at chance 0.5, 1 perfect), and the least-squares slope of it against log2(heads). A two-sided one-sample t-test of these slopes against 0. Decided only if some head count reaches a mean far-distance score of ${LEARNED} (a working positive control). Supported if the slope is significantly positive, contradicted if significantly negative (Holm over the primary tests, family alpha 0.05); smallest effect of interest ${SESOI} per doubling. No effect: the slope within ±${MARGIN} (TOST). The far-distance slope alone and each head count's scores are descriptive.`,
  primary: {
    experiment: 'heads',
    task: 'agreement',
    arms: HEAD_COUNTS.map(headsLabel),
    metric: 'per-seed slope of the far-minus-near agreement score against log2(heads)',
    test: 'one-sample t',
    alpha: 0.05,
    direction: 'slope > 0 (more heads help more at long distance than at short)',
    sesoi: { value: SESOI, unit: 'score per doubling of heads' },
    margin: { value: MARGIN, unit: 'score per doubling of heads' },
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
    const gap = (r: CompletedRecord) => {
      const [far, near] = [scoreByDistance(r, cut, true, 0.5), scoreByDistance(r, cut, false, 0.5)];
      return far === undefined || near === undefined ? undefined : far - near;
    };
    const paired = pairedBySeed(ev, heads, { task: 'agreement', length: L }, labels, gap);
    const far = pairedBySeed(ev, heads, { task: 'agreement', length: L }, labels, (r) => scoreByDistance(r, cut, true, 0.5));
    if (!paired.seeds.length) return missing('the heads sweep on agreement');
    const x = HEAD_COUNTS.map((h) => Math.log2(h));
    const slopeOf = (values: number[][], i: number) => leastSquares(x, values.map((arm) => arm[i])).slope;
    const slopes = paired.seeds.map((_, i) => slopeOf(paired.values, i));
    const farMeans = far.values.map((v) => meanOf(v));
    const secondary: Record<string, number | string | null> = {
      'median subject-verb distance': cut,
      'far-distance score slope per doubling (descriptive)': round(meanOf(far.seeds.map((_, i) => slopeOf(far.values, i)))),
    };
    HEAD_COUNTS.forEach((h, i) => {
      secondary[`far-distance score h=${h} (${channelsPerHead(ev.profile, h)} channels per head)`] = round(farMeans[i]);
      secondary[`far minus near h=${h}`] = round(meanOf(paired.values[i]));
      secondary[`overall agreement score h=${h}`] = round(meanOf(ev.completed(heads, { task: 'agreement', extractor: headsLabel(h), length: L }).map(score)));
    });
    if (!(Math.max(...farMeans) >= LEARNED)) {
      return { kind: 'undecidable', reason: `No positive control: the best mean far-distance agreement score is ${round(Math.max(...farMeans))}, below ${LEARNED}.`, needs: 'a longer budget until some head count learns agreement at long distance', secondary, caveats: [] };
    }
    const c = oneSampleComponent(`per-seed slope of far minus near over ${paired.seeds.length} seeds`, slopes, { reference: 0, sign: 1, unit: 'score per doubling of heads', sesoi: SESOI });
    return {
      kind: 'test',
      components: [c],
      equivalence: equivalence(`slope within ±${MARGIN}`, slopes, slopes.map(() => 0), MARGIN, 'score per doubling of heads'),
      at: `T=${L}, near at most ${cut}, far beyond`,
      key: { label: 'far-minus-near agreement score per doubling of heads', value: c.effect.value, ci: c.effect.ci },
      reason: `Far minus near agreement score for 1, 2, 4, 8 heads: ${paired.values.map((v) => round(meanOf(v))).join(', ')}; far-distance scores ${farMeans.map((m) => round(m)).join(', ')} (channels per head ${HEAD_COUNTS.map((h) => channelsPerHead(ev.profile, h)).join(', ')}).`,
      secondary,
      caveats: ['At fixed width, more heads means narrower heads: the comparison holds the parameter count, not the head width.'],
    };
  },
};
