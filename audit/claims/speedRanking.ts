import { expandSuite, parseSuite } from '../../harness/suite/suite.js';
import { RECALL } from '../experiments/common.js';
import { round } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim, Profile } from '../types.js';
import { medianSeqPerSec, perThread } from './speedLib.js';
import { missing } from './lib.js';

const LABELS = ['transformer', 'tcn', 'rnn', 'lstm'] as const;
const matched = (label: string) => `${label}-matched`;

/** Each extractor at the width whose parameter count is within 10% of the profile's target (--match-params). */
function matchedCases(p: Profile) {
  const cells = expandSuite(parseSuite({ name: 'speed-ranking', tasks: [RECALL], extractors: [...LABELS], lengths: [p.long], seeds: [1], matchParams: p.matchParams }, 'the speed-ranking timings'));
  return cells.map((c) => ({ label: matched(c.extractor.name), name: c.extractor.name, options: c.extractor.options, length: p.long }));
}

export const speedRanking: Claim = {
  id: 'speed-ranking',
  source: sourceOf(import.meta.url),
  title: 'Speed ranks Transformer > CNN > RNN',
  article: 'Speed: the Transformer is fastest, the CNN next, and the RNN several to tens of times slower.',
  experiment: 'Isolated timings (tinybench, at least 50 timed training steps, 5 interleaved repetitions, nothing else running) of transformer, tcn, rnn and lstm with widths chosen for equal parameter counts (--match-params), at one length.',
  rule:
    "Not testable here: the cited ranking comes from GPUs, where the Transformer's and the CNN's parallel operations gain far more than the RNN's T dependent steps; here every run has one CPU thread. Reported instead (scoped, descriptive): the per-thread ranking by median training throughput at equal parameter counts, with paired t-tests on log throughput over the interleaved repetitions.",
  primary: {
    experiment: 'isolated timings',
    task: 'random tokens (timing only)',
    arms: LABELS,
    metric: 'training sequences per second on one thread at equal parameter counts (median of 5 repetitions of >= 50 steps)',
    test: 'isolated timing',
    alpha: 0.05,
    direction: 'transformer > tcn > rnn, lstm (on parallel hardware)',
    where: 'the profile\'s long length; the verdict is "not testable here" by design (one thread)',
  },
  needs: [],
  speed: matchedCases,
  charts: [],
  analyse(ev) {
    const L = ev.profile.long;
    const speed = LABELS.map((l) => [l, medianSeqPerSec(ev, matched(l), L)] as const);
    if (speed.some(([, s]) => !Number.isFinite(s))) return missing('the isolated timings');
    const order = [...speed].sort((a, b) => b[1] - a[1]).map(([l]) => l);
    const secondary: Record<string, number | string | null> = { 'per-thread order (fastest first)': order.join(' > ') };
    for (const [l, s] of speed) {
      secondary[`${l} seq/s`] = round(s);
      secondary[`${l} params`] = ev.speed.find((r) => r.label === matched(l))?.params ?? null;
    }
    for (const [a, b] of [['transformer', 'tcn'], ['tcn', 'rnn'], ['tcn', 'lstm']] as const) {
      const c = perThread(ev, matched(a), matched(b), L);
      secondary[`${a} / ${b}`] = round(c.ratio);
      secondary[`paired t on log seq/s, ${a} vs ${b}: p`] = c.p;
    }
    return {
      kind: 'not testable',
      scoped: `on one CPU thread at ~${ev.profile.matchParams} parameters and T=${L}: ${speed.map(([l, s]) => `${l} ${round(s)}`).join(', ')} seq/s, so the per-thread order is ${order.join(' > ')}.`,
      key: { label: `transformer / lstm training seq/s on one thread, equal parameters, T=${L}`, value: speed[0][1] / speed[3][1] },
      reason: 'The ranking is a claim about parallel hardware (GPUs); one CPU thread per run cannot test it.',
      secondary,
      caveats: ["The Transformer's WASM kernels run at about half PyTorch's speed per thread, the recurrent ones at about PyTorch's (README): the per-thread order is also a statement about kernels."],
    };
  },
};
