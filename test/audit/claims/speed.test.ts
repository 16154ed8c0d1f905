import { describe, expect, it } from 'vitest';
import { rnnSequential } from '../../../audit/claims/rnnSequential.js';
import { speedRanking } from '../../../audit/claims/speedRanking.js';
import type { SpeedRow } from '../../../audit/speed.js';
import { speedCases } from '../../../audit/timing.js';
import { decision, P } from '../fixtures.js';

const env = { fxbench: '0', node: 'v20', tfjs: '4', backend: 'wasm', cpu: 'x', cores: 2, memoryGiB: 24, platform: 'linux', arch: 'x64' };
const rows = (
  cases: { label: string; name: string; options: Record<string, unknown>; length: number; batch?: number; threads?: number }[],
  seqPerSec: (label: string, length: number) => number,
  repetitions = 6,
): SpeedRow[] =>
  cases.flatMap((c) =>
    Array.from({ length: repetitions }, (_, repetition) => {
      // A little spread over repetitions, different per label, so paired tests have a variance.
      const wobble = 1 + 0.01 * (((repetition * 7 + c.label.length * 3) % 5) - 2);
      const s = seqPerSec(c.label, c.length) * wobble;
      return { ...c, repetition, batch: c.batch ?? 8, steps: 50, meanMs: 8000 / s, p50Ms: 1, seqPerSec: s, params: 1000, measuredAt: 'x', env };
    }),
  );

describe('speed claims', () => {
  const { lengths, batches } = P.speed.scaling;

  it('rnn-sequential: a thread-scaling test; supported when the Transformer gains from the second thread at batch 1 and the RNN does not', () => {
    const cases = speedCases([rnnSequential], P);
    expect(cases.map((c) => c.label)).toEqual(expect.arrayContaining(['transformer', `transformer-b${batches[0]}-t2`, `rnn-b${batches[0]}-t1`]));
    expect(new Set(cases.filter((c) => c.threads).map((c) => c.threads))).toEqual(new Set([1, 2]));
    // Throughput: the transformer 1.8x faster at 2 threads, the rnn 1.0x.
    const speed = (gain: Record<string, number>) => (label: string) => 100 * (label.endsWith('-t2') ? gain[label.split('-')[0]] : 1);
    const d = decision(rnnSequential, [], { speed: rows(cases, speed({ transformer: 1.8, rnn: 1.0 })) });
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.primary!.components).toHaveLength(lengths.length);
    expect(d.decision.primary!.components[0].test).toBe('paired t');
    expect(d.decision.primary!.components[0].n).toEqual([5, 5]); // six repetitions, the first discarded
    expect(d.decision.key.value).toBeCloseTo(Math.log(1.8), 1);
    expect(d.decision.secondary[`critical path T=${P.speed.lengths[1]}: recurrent (per layer)`]).toBe(P.speed.lengths[1]);
    expect(decision(rnnSequential, [], { speed: rows(cases, speed({ transformer: 1.0, rnn: 1.8 })) }).decision.verdict).toBe('contradicted');
    expect(decision(rnnSequential, []).decision.verdict).toBe('inconclusive'); // no timings
  });

  it('speed-ranking: widths matched to the parameter target; the article order tested per thread', () => {
    const cases = speedCases([speedRanking], P);
    expect(cases).toHaveLength(4);
    const against = { 'transformer-matched': 100, 'tcn-matched': 200, 'rnn-matched': 400, 'lstm-matched': 300 } as Record<string, number>;
    const d = decision(speedRanking, [], { speed: rows(cases, (l) => against[l]) });
    expect(d.decision.verdict).toBe('contradicted');
    expect(d.decision.secondary['per-thread order (fastest first)']).toBe('rnn > lstm > tcn > transformer');
    const forIt = { 'transformer-matched': 400, 'tcn-matched': 300, 'rnn-matched': 100, 'lstm-matched': 120 } as Record<string, number>;
    const ok = decision(speedRanking, [], { speed: rows(cases, (l) => forIt[l]) });
    expect(ok.decision.verdict).toBe('supported');
    expect(ok.decision.primary!.components).toHaveLength(3);
  });
});
