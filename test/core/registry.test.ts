import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { Registry, didYouMean, editDistance } from '../../core/registry.js';

describe('Registry', () => {
  const reg = new Registry<{ name: string }>('extractor');
  reg.register({ name: 'lstm' });
  reg.register({ name: 'transformer' });

  it('returns registered entries and refuses duplicates', () => {
    expect(reg.get('lstm').name).toBe('lstm');
    expect(() => reg.register({ name: 'lstm' })).toThrow(/already registered/);
    expect(() => reg.register({ name: 'Bad Name' })).toThrow(/invalid/);
  });

  it('suggests the closest name for an unknown one', () => {
    expect(() => reg.get('lstn')).toThrow(UsageError);
    expect(() => reg.get('lstn')).toThrow('unknown extractor "lstn": did you mean "lstm"?');
    expect(() => reg.get('transfomer')).toThrow(/did you mean "transformer"/);
    expect(() => reg.get('zzzzzz')).not.toThrow(/did you mean/);
  });

  it('computes edit distances', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(didYouMean('gru2', ['gru', 'rnn'])).toBe('gru');
  });
});
