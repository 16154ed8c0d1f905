import { oneSampleComponent } from '../components.js';
import { radiusLabel, RADII, rnnRadius } from '../experiments/rnnRadius.js';
import { recallLengths } from '../experiments/recallLengths.js';
import { isSolved, meanOf, round, slopeUpToUnderflow } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim, Evidence } from '../types.js';
import { missing } from './lib.js';

const SESOI = 0.005; // log10 per position: a factor 10 over 200 positions

/** Per seed: the mean over lengths of the initial log-sensitivity slope, fitted up to underflow. */
function initSlopes(ev: Evidence, label: ReturnType<typeof radiusLabel>): number[] {
  const bySeed = new Map<number, number[]>();
  for (const L of ev.profile.lengths) {
    for (const r of ev.completed(rnnRadius, { extractor: label, length: L })) {
      const s = slopeUpToUnderflow(r.gradients.profileInit).slope;
      if (s !== null) bySeed.set(r.seed, [...(bySeed.get(r.seed) ?? []), s]);
    }
  }
  return [...bySeed.entries()].sort((a, b) => a[0] - b[0]).map(([, xs]) => meanOf(xs));
}

export const rnnGradients: Claim = {
  id: 'rnn-gradients',
  source: sourceOf(import.meta.url),
  title: "A plain RNN's gradients vanish or explode over long sequences",
  byConstruction:
    "A linearised recurrence with spectral radius 0.5 contracts and one with radius 2 expands: the chosen radii pick the answer, and the spread over seeds adds nothing to that fact.",
  article: 'RNNs suffer vanishing and exploding gradients when learning long sequences, so long-distance dependencies are hard to learn.',
  experiment:
    'Per-position sensitivity ||dL/dx_t|| at initialisation of an RNN whose recurrent matrix starts as rho x a random orthogonal matrix, rho = 0.5, 1, 2 (Pascanu et al.: spectral radius below and above 1), at every profile length; and the trained sensitivity of rnn and lstm on recall, in the cells that solved it.',
  rule:
    'Slope: the least-squares slope of log10 sensitivity against the distance from the readout, fitted from the readout outward up to the first position that underflows to 0. Per seed, its mean over the profile lengths. Supported if both parts hold: the slope is below 0 for rho = 0.5 (vanishing) and above 0 for rho = 2 (exploding), each by a two-sided one-sample t-test over seeds (intersection-union: p is the larger). Contradicted if a part is significant the other way. Holm over the primary tests at family alpha 0.05. Trained profiles (rnn against lstm, solved cells only) are descriptive.',
  primary: {
    experiment: 'rnn-radius',
    task: 'recall',
    arms: [radiusLabel(0.5), radiusLabel(2)],
    metric: 'log10-sensitivity slope per position at initialisation, fitted up to underflow, mean over lengths (per seed)',
    test: 'one-sample t',
    alpha: 0.05,
    direction: 'slope < 0 at rho = 0.5 and > 0 at rho = 2 (both)',
    sesoi: { value: SESOI, unit: 'log10 per position' },
    where: 'at initialisation, at every profile length (nothing is learned, so no positive control is needed)',
  },
  needs: [rnnRadius, recallLengths],
  charts: ['gradientProfile', 'gradNormOverTraining'],
  analyse(ev) {
    const low = initSlopes(ev, radiusLabel(0.5));
    const high = initSlopes(ev, radiusLabel(2));
    if (!low.length || !high.length) return missing('the radius sweep');
    const vanish = oneSampleComponent('vanishing at rho = 0.5', low, { reference: 0, sign: -1, unit: 'log10 per position', sesoi: SESOI });
    const explode = oneSampleComponent('exploding at rho = 2', high, { reference: 0, sign: 1, unit: 'log10 per position', sesoi: SESOI });
    const secondary: Record<string, number | string | null> = {};
    for (const rho of RADII) for (const L of ev.profile.lengths) secondary[`initSlope rho=${rho} T=${L}`] = round(meanOf(ev.completed(rnnRadius, { extractor: radiusLabel(rho), length: L }).map((r) => slopeUpToUnderflow(r.gradients.profileInit).slope)));
    for (const L of ev.profile.lengths) {
      for (const e of ['rnn', 'lstm'] as const) {
        const rs = ev.completed(recallLengths, { extractor: e, length: L });
        secondary[`${e} initSlope T=${L}`] = round(meanOf(rs.map((r) => slopeUpToUnderflow(r.gradients.profileInit).slope)));
        const solved = rs.filter(isSolved);
        secondary[`${e} trainedSlope (solved cells: ${solved.length}/${rs.length}) T=${L}`] = solved.length ? round(meanOf(solved.map((r) => slopeUpToUnderflow(r.gradients.profileTrained).slope))) : null;
        secondary[`${e} underflowed positions at init T=${L}`] = round(meanOf(rs.map((r) => slopeUpToUnderflow(r.gradients.profileInit).underflow)));
      }
    }
    return {
      kind: 'test',
      components: [vanish, explode],
      at: `initialisation, lengths ${ev.profile.lengths.join(', ')}`,
      key: { label: 'initial slope per position at rho = 0.5 / rho = 2', value: vanish.effect.value, ci: vanish.effect.ci },
      reason: `Initial log10-sensitivity slope per position: ${round(vanish.effect.value)} at rho = 0.5 and ${round(explode.effect.value)} at rho = 2 (${low.length} seeds).`,
      secondary,
      caveats: [
        'tanh saturates: a spectral radius above 1 is necessary for exploding gradients, not sufficient (Pascanu et al. 2013).',
        'Positions whose sensitivity underflows to 0 end the fit (their count is in the numbers); fitting only the survivors would hide the vanishing.',
      ],
    };
  },
};
