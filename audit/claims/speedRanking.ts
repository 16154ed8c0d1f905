import { expandSuite, parseSuite } from '../../harness/suite/suite.js';
import { RECALL } from '../experiments/common.js';
import { pairedComponent } from '../components.js';
import { round } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim, Evidence, Profile } from '../types.js';
import { medianSeqPerSec, perThread, rowsOf } from './speedLib.js';
import { missing } from './lib.js';

const LABELS = ['transformer', 'tcn', 'rnn', 'lstm'] as const;
const matched = (label: string) => `${label}-matched`;

/** Each extractor at the width whose parameter count is within 10% of the profile's target (--match-params). */
function matchedCases(p: Profile) {
  const cells = expandSuite(parseSuite({ name: 'speed-ranking', tasks: [RECALL], extractors: [...LABELS], lengths: [p.long], seeds: [1], matchParams: p.matchParams }, 'the speed-ranking timings'));
  return cells.map((c) => ({ label: matched(c.extractor.name), name: c.extractor.name, options: c.extractor.options, length: p.long }));
}

/** The smallest throughput ratio that would matter, in log units: about 10%. */
const SESOI = 0.1;
/** The article's order as adjacent comparisons: faster arm first. */
const ORDER = [['transformer', 'tcn'], ['tcn', 'rnn'], ['tcn', 'lstm']] as const;

/** Log training throughput of two labels per interleaved repetition (the first discarded), paired by repetition. */
function logPairs(ev: Evidence, a: string, b: string, L: number): { a: number[]; b: number[] } {
  const at = (l: string) => new Map(rowsOf(ev, matched(l), L).filter((r) => r.repetition > 0).map((r) => [r.repetition, Math.log(r.seqPerSec)]));
  const [ma, mb] = [at(a), at(b)];
  const reps = [...ma.keys()].filter((k) => mb.has(k)).sort((x, y) => x - y);
  return { a: reps.map((k) => ma.get(k)!), b: reps.map((k) => mb.get(k)!) };
}

export const speedRanking: Claim = {
  id: 'speed-ranking',
  source: sourceOf(import.meta.url),
  title: 'Speed ranks Transformer > CNN > RNN (tested per CPU thread)',
  article: 'Speed: the Transformer is fastest, the CNN next, and the RNN several to tens of times slower.',
  experiment:
    'Isolated timings (tinybench, at least 50 timed training steps, interleaved repetitions with the first discarded, nothing else running) of transformer, tcn, rnn and lstm with widths chosen for equal parameter counts (--match-params), at one length, on one CPU thread.',
  rule: `Tested as what this machine can show: the per-thread order. Three adjacent comparisons of the article's order (transformer above tcn, tcn above rnn, tcn above lstm), each a two-sided paired t-test on log training throughput over the interleaved repetitions (the first discarded), intersection-union: supported only if all three hold. Contradicted if any part is significantly the other way (Bonferroni over the parts against the claim); Holm over the primary tests, family alpha 0.05. Smallest effect of interest ${SESOI} in log throughput (about 10%). What it shows is the ranking per CPU thread at equal parameter counts, not on a GPU, where the cited ranking was measured.`,
  primary: {
    experiment: 'isolated timings',
    task: 'random tokens (timing only)',
    arms: LABELS,
    metric: 'log training sequences per second on one thread at equal parameter counts, per repetition',
    test: 'paired t',
    alpha: 0.05,
    direction: 'transformer > tcn > rnn and lstm, per thread',
    sesoi: { value: SESOI, unit: 'log throughput difference' },
    where: "the profile's long length, one thread",
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
    const components = ORDER.map(([a, b]) => {
      const d = logPairs(ev, a, b, L);
      secondary[`${a} / ${b}`] = round(perThread(ev, matched(a), matched(b), L).ratio);
      return pairedComponent(`log seq/s, ${a} minus ${b}, ${d.a.length} repetitions`, d.a, d.b, { sign: 1, unit: 'log throughput difference', sesoi: SESOI });
    });
    // The key number: the first part against the claim, else the weakest part for it.
    const against = components.findIndex((c) => c.favours === 'against');
    const k = against >= 0 ? against : components.reduce((w, c, i) => (c.p >= components[w].p ? i : w), 0);
    const key = components[k];
    return {
      kind: 'test',
      components,
      at: `T=${L}, one thread, ~${ev.profile.matchParams} parameters`,
      key: { label: `log seq/s difference, ${ORDER[k][0]} - ${ORDER[k][1]}, one thread`, value: key.effect.value, ci: key.effect.ci },
      reason: `On one CPU thread at ~${ev.profile.matchParams} parameters and T=${L}: ${speed.map(([l, s]) => `${l} ${round(s)}`).join(', ')} seq/s, so the per-thread order is ${order.join(' > ')}.`,
      secondary,
      caveats: [
        'Per thread on a CPU: the cited ranking was measured on GPUs, where parallel work gains far more; the thread-scaling test is rnn-sequential.',
        "Per-thread speed is also a statement about kernels: this harness's kernels against PyTorch's are in the performance guide.",
      ],
    };
  },
};
