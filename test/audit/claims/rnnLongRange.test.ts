import { describe, expect, it } from 'vitest';
import { rnnLongRange } from '../../../audit/claims/rnnLongRange.js';
import { decision, P, perSeed, solved } from '../fixtures.js';

/** Solved flags per extractor per length: { rnn: [[T8 seeds...], [T32 seeds...]] }. */
const sweep = (s: Record<string, boolean[][]>) =>
  Object.entries(s).flatMap(([e, byLength]) =>
    byLength.flatMap((flags, li) =>
      perSeed(flags.map(Number), (v) => ({ exp: 'recall-lengths', extractor: e, length: P.lengths[li], accuracy: solved(v === 1) })),
    ),
  );
const all = (v: boolean) => Array(5).fill(v) as boolean[];

describe('rnn-long-range', () => {
  it('supported: at the longest length with a positive control the LSTM solves 5/5 and the RNN 0/5 (Fisher p = 2/252)', () => {
    const d = decision(rnnLongRange, sweep({ rnn: [all(true), all(false)], lstm: [all(true), all(true)] }));
    expect(d.decision.verdict).toBe('supported');
    expect(d.decision.primary!.at).toBe('T=32');
    expect(d.decision.primary!.p).toBeCloseTo(2 / 252, 12);
  });

  it('contradicted when the RNN solves where the LSTM does not', () => {
    expect(decision(rnnLongRange, sweep({ rnn: [all(true), all(true)], lstm: [all(true), all(false)] })).decision.verdict).toBe('contradicted');
  });

  it('decides at the longest length where either solved: both solve T=8 and neither T=32 -> no difference, inconclusive with seeds needed', () => {
    const d = decision(rnnLongRange, sweep({ rnn: [all(true), all(false)], lstm: [all(true), all(false)] }));
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.primary!.at).toBe('T=8');
    expect(d.decision.reason).toMatch(/seeds per arm would decide|no seed count/);
  });

  it('no positive control at any length: inconclusive, saying what it needs', () => {
    const d = decision(rnnLongRange, sweep({ rnn: [all(false), all(false)], lstm: [all(false), all(false)], transformer: [all(true), all(true)] }));
    expect(d.decision.verdict).toBe('inconclusive');
    expect(d.decision.primary).toBeUndefined();
    expect(d.decision.reason).toContain('No positive control');
  });
});
