import { combine, pairedComponent } from '../components.js';
import { widths } from '../experiments/common.js';
import { round } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim, Component, Evidence, Profile } from '../types.js';
import { medianSeqPerSec, perThread, rowsOf, timeScaling } from './speedLib.js';
import { missing } from './lib.js';

const ARMS = ['transformer', 'rnn'] as const;
type Arm = (typeof ARMS)[number];
const THREADS = [1, 2] as const;
/** The smallest difference in log speed-up (1 to 2 threads) that would matter: about 10%. */
const SESOI = 0.1;
/** Per-thread throughput (descriptive) at the profile's timing lengths, for these three. */
const PER_THREAD = ['transformer', 'rnn', 'lstm'] as const;

const scalingLabel = (arm: Arm, batch: number, threads: number) => `${arm}-b${batch}-t${threads}`;

/**
 * Per repetition (the first discarded: it warms the caches and the kernel instance), the
 * log speed-up of one arm from 1 to 2 kernel threads: log(ms at 1 thread / ms at 2), both
 * from the same interleaved repetition.
 */
function logSpeedUps(ev: Evidence, arm: Arm, batch: number, length: number): Map<number, number> {
  const at = (threads: number) => new Map(rowsOf(ev, scalingLabel(arm, batch, threads), length).map((r) => [r.repetition, r.meanMs]));
  const [one, two] = THREADS.map(at);
  const out = new Map<number, number>();
  for (const [rep, ms] of one) if (rep > 0 && two.has(rep)) out.set(rep, Math.log(ms / two.get(rep)!));
  return out;
}

function scalingComponent(ev: Evidence, batch: number, length: number): Component {
  const [t, r] = ARMS.map((a) => logSpeedUps(ev, a, batch, length));
  const reps = [...t.keys()].filter((k) => r.has(k)).sort((a, b) => a - b);
  return pairedComponent(
    `log speed-up 1 -> 2 threads, transformer minus rnn, batch ${batch}, T=${length}, ${reps.length} repetitions`,
    reps.map((k) => t.get(k)!),
    reps.map((k) => r.get(k)!),
    { sign: 1, unit: 'log speed-up difference', sesoi: SESOI },
  );
}

const cases = (p: Profile) => [
  ...PER_THREAD.flatMap((name) => p.speed.lengths.map((length) => ({ label: name, name, options: widths(p)[name], length }))),
  ...ARMS.flatMap((arm) =>
    p.speed.scaling.batches.flatMap((batch) =>
      p.speed.scaling.lengths.flatMap((length) => THREADS.map((threads) => ({ label: scalingLabel(arm, batch, threads), name: arm, options: widths(p)[arm], length, batch, threads }))),
    ),
  ),
];

export const rnnSequential: Claim = {
  id: 'rnn-sequential',
  source: sourceOf(import.meta.url),
  title: 'Recurrence limits parallelism and training speed; the Transformer parallelises',
  article: "The RNN's sequential nature limits parallel computation and hence training speed; the Transformer drops recursion and is highly parallelisable.",
  experiment:
    "A thread-scaling test on this CPU: isolated timings (tinybench, one measurement at a time after all training, interleaved repetitions, the first discarded) of the Transformer and the RNN at the profile widths, each at 1 and 2 kernel threads, at batch 1 and a training batch and two lengths. At batch 1 the RNN's only parallel work is inside each step's small products (its T steps are a chain); the Transformer's products span the whole sequence. Per-thread throughput across lengths and the critical path are descriptive.",
  rule: `Per interleaved repetition (the first discarded), each arm's log speed-up from 1 to 2 kernel threads, log(step time at 1 thread / at 2); the Transformer's minus the RNN's, paired by repetition, a two-sided paired t-test, at batch 1 at each of the two scaling lengths (intersection-union: both must hold, p is the larger). Supported if the Transformer gains significantly more from the second thread, contradicted if the RNN does (Holm over the primary tests, family alpha 0.05). Smallest effect of interest ${SESOI} (about 10%). The training batch's speed-ups, per-thread throughput and the scaling exponent in T are descriptive. Two cores are what this machine has: the test is of parallelism at two threads, not on a GPU.`,
  primary: {
    experiment: 'isolated timings',
    task: 'random tokens (timing only)',
    arms: ARMS,
    metric: 'log speed-up of a training step from 1 to 2 kernel threads, per repetition',
    test: 'paired t',
    alpha: 0.05,
    direction: 'the transformer gains more from a second thread than the rnn, at batch 1',
    sesoi: { value: SESOI, unit: 'log speed-up difference' },
    where: 'batch 1, at both lengths of the profile\'s scaling plan',
  },
  needs: [],
  speed: cases,
  charts: [],
  analyse(ev) {
    const { lengths: scaling, batches } = ev.profile.speed.scaling;
    const lengths = ev.profile.speed.lengths;
    if (!ARMS.every((a) => THREADS.every((t) => scaling.every((L) => rowsOf(ev, scalingLabel(a, batches[0], t), L).length)))) return missing('the thread-scaling timings');
    const secondary: Record<string, number | string | null> = {};
    for (const B of batches)
      for (const L of scaling)
        for (const a of ARMS) {
          const s = [...logSpeedUps(ev, a, B, L).values()];
          secondary[`${a} speed-up 1 -> 2 threads, batch ${B}, T=${L} (mean over repetitions)`] = s.length ? round(Math.exp(s.reduce((x, y) => x + y, 0) / s.length)) : null;
        }
    for (const T of lengths) {
      for (const l of PER_THREAD) secondary[`${l} seq/s on one thread, T=${T}`] = round(medianSeqPerSec(ev, l, T));
      secondary[`transformer / rnn on one thread, T=${T}`] = round(perThread(ev, 'transformer', 'rnn', T).ratio);
      secondary[`critical path T=${T}: recurrent (per layer)`] = T;
    }
    secondary['critical path: transformer (per layer, independent of T)'] = 1;
    for (const l of PER_THREAD) secondary[`${l} step time ~ T^k, k`] = timeScaling(ev, l, lengths);
    const components = scaling.map((L) => scalingComponent(ev, batches[0], L));
    const speedUp = (a: Arm, L: number) => {
      const s = [...logSpeedUps(ev, a, batches[0], L).values()];
      return round(Math.exp(s.reduce((x, y) => x + y, 0) / Math.max(1, s.length)));
    };
    const worst = components.reduce((w, c) => (c.p >= w.p ? c : w));
    return {
      kind: 'test',
      components,
      at: `batch ${batches[0]}, T=${scaling.join(' and ')}`,
      key: { label: `log speed-up difference, transformer - rnn (weakest length)`, value: worst.effect.value, ci: worst.effect.ci },
      reason: `From 1 to 2 threads at batch ${batches[0]}: ${scaling.map((L) => `T=${L}: the Transformer ${speedUp('transformer', L)}x, the RNN ${speedUp('rnn', L)}x`).join('; ')} (combined p ${round(combine(components).p, 2)}).`,
      secondary,
      caveats: [
        'Two CPU cores, WebAssembly kernels: the scaling of these kernels is what is measured; a GPU has thousands of lanes, and the gap there is larger.',
        "The repetitions are of one machine: the test's population is this machine's timings, not machines in general.",
      ],
    };
  },
};
