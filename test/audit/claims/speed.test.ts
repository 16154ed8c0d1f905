import { describe, expect, it } from 'vitest';
import { rnnSequential } from '../../../audit/claims/rnnSequential.js';
import { speedRanking } from '../../../audit/claims/speedRanking.js';
import type { SpeedRow } from '../../../audit/speed.js';
import { speedCases } from '../../../audit/timing.js';
import { decision, P } from '../fixtures.js';

const env = { fxbench: '0', node: 'v20', tfjs: '4', backend: 'wasm', cpu: 'x', cores: 2, memoryGiB: 24, platform: 'linux', arch: 'x64' };
const rows = (
  cases: { label: string; name: string; options: Record<string, unknown>; length: number }[],
  seqPerSec: (label: string, length: number) => number,
): SpeedRow[] =>
  cases.flatMap((c) =>
    [0, 1, 2, 3, 4].map((repetition) => ({
      ...c,
      repetition,
      batch: 8,
      steps: 50,
      meanMs: 8000 / seqPerSec(c.label, c.length),
      p50Ms: 1,
      seqPerSec: seqPerSec(c.label, c.length) * (1 + 0.01 * repetition),
      params: 1000,
      measuredAt: 'x',
      env,
    })),
  );

describe('speed claims', () => {
  it('rnn-sequential: not testable here on one thread, with the per-thread result and the critical path', () => {
    const cases = speedCases([rnnSequential], P);
    expect(cases.map((c) => c.label)).toContain('transformer');
    const d = decision(rnnSequential, [], { speed: rows(cases, (l, T) => (l === 'transformer' ? 1000 / T : 100)) });
    expect(d.decision.verdict).toBe('not testable here');
    expect(d.decision.reason).toContain('Scoped result measured instead');
    expect(d.decision.secondary[`critical path T=${P.speed.lengths[1]}: recurrent (per layer)`]).toBe(P.speed.lengths[1]);
    expect(d.decision.primary).toBeUndefined();
    expect(decision(rnnSequential, []).decision.verdict).toBe('inconclusive'); // no timings
  });

  it('speed-ranking: widths matched to the parameter target; the per-thread order is reported', () => {
    const cases = speedCases([speedRanking], P);
    expect(cases).toHaveLength(4);
    const speed = { 'transformer-matched': 100, 'tcn-matched': 200, 'rnn-matched': 400, 'lstm-matched': 300 } as Record<string, number>;
    const d = decision(speedRanking, [], { speed: rows(cases, (l) => speed[l]) });
    expect(d.decision.verdict).toBe('not testable here');
    expect(d.decision.secondary['per-thread order (fastest first)']).toBe('rnn > lstm > tcn > transformer');
  });
});
