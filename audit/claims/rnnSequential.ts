import { widths } from '../experiments/common.js';
import { round } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim } from '../types.js';
import { medianSeqPerSec, perThread, timeScaling } from './speedLib.js';
import { missing } from './lib.js';

const LABELS = ['transformer', 'rnn', 'lstm'] as const;

export const rnnSequential: Claim = {
  id: 'rnn-sequential',
  source: sourceOf(import.meta.url),
  title: 'Recurrence limits parallelism and training speed; the Transformer parallelises',
  article: "The RNN's sequential nature limits parallel computation and hence training speed; the Transformer drops recursion and is highly parallelisable.",
  experiment:
    'Isolated timings (tinybench, one measurement at a time after all training, at least 50 timed training steps, 5 interleaved repetitions) of transformer, rnn and lstm at the profile widths across lengths; and the critical path of each: T dependent steps per recurrent layer against one per Transformer layer.',
  rule:
    'Not testable here: every run uses one CPU thread (tfjs WASM), so the parallelism the claim is about cannot appear. Reported instead (scoped, descriptive): per-thread training throughput of the Transformer against the RNN and the LSTM at each length, with a paired t-test on log throughput over the interleaved repetitions, the step time\'s scaling exponent in T, and the critical-path length.',
  primary: {
    experiment: 'isolated timings',
    task: 'random tokens (timing only)',
    arms: LABELS,
    metric: 'training sequences per second on one thread (median of 5 repetitions of >= 50 steps)',
    test: 'isolated timing',
    alpha: 0.05,
    direction: 'transformer faster than rnn and lstm (on parallel hardware)',
    where: 'every length of the timing plan; the verdict is "not testable here" by design (one thread)',
  },
  needs: [],
  speed: (p) => LABELS.flatMap((name) => p.speed.lengths.map((length) => ({ label: name, name, options: widths(p)[name], length }))),
  charts: [],
  analyse(ev) {
    const lengths = ev.profile.speed.lengths;
    const L = lengths[lengths.length - 1];
    if (!LABELS.every((l) => Number.isFinite(medianSeqPerSec(ev, l, L)))) return missing('the isolated timings');
    const secondary: Record<string, number | string | null> = {};
    for (const T of lengths) {
      for (const l of LABELS) secondary[`${l} seq/s T=${T}`] = round(medianSeqPerSec(ev, l, T));
      for (const other of ['rnn', 'lstm'] as const) {
        const c = perThread(ev, 'transformer', other, T);
        secondary[`transformer / ${other} T=${T}`] = round(c.ratio);
        secondary[`paired t on log seq/s, transformer vs ${other}, T=${T}: p`] = c.p;
      }
      secondary[`critical path T=${T}: recurrent (per layer)`] = T;
    }
    secondary['critical path: transformer (per layer, independent of T)'] = 1;
    for (const l of LABELS) secondary[`${l} step time ~ T^k, k`] = timeScaling(ev, l, lengths);
    const vsRnn = perThread(ev, 'transformer', 'rnn', L);
    const vsLstm = perThread(ev, 'transformer', 'lstm', L);
    return {
      kind: 'not testable',
      scoped: `on one CPU thread at T=${L} the Transformer trains ${round(medianSeqPerSec(ev, 'transformer', L))} seq/s, the RNN ${round(medianSeqPerSec(ev, 'rnn', L))} and the LSTM ${round(medianSeqPerSec(ev, 'lstm', L))} (transformer/rnn ${round(vsRnn.ratio)}, transformer/lstm ${round(vsLstm.ratio)}); the recurrent critical path is ${L} dependent steps per layer against 1 per Transformer layer.`,
      key: { label: `transformer / lstm training seq/s on one thread at T=${L}`, value: vsLstm.ratio },
      reason: 'One CPU thread per run: the Transformer has no parallel hardware to exploit, so the claim about parallelism cannot be tested.',
      secondary,
      caveats: ["The Transformer's WASM kernels run at about half PyTorch's speed per thread, the recurrent ones at about PyTorch's (README, performance table): per-thread speed here is also a statement about kernels."],
    };
  },
};
