import { describe, expect, it } from 'vitest';
import { buildCharts } from '../../reports/charts/index.js';
import { EXTRACTOR_COLORS, extractorPalette, shades } from '../../reports/palette.js';
import { richResults } from './fixtures.js';

const ex = (name: string, label = name) => ({ extractor: { name, label, options: {} } });

describe('extractor colours', () => {
  it('a fixed colour per built-in name, whatever else is in the results', () => {
    const a = extractorPalette([ex('lstm'), ex('rnn')]);
    const b = extractorPalette([ex('tcn'), ex('rnn'), ex('transformer'), ex('lstm')]);
    expect(a.color('rnn')).toBe(EXTRACTOR_COLORS.rnn);
    expect(b.color('rnn')).toBe(EXTRACTOR_COLORS.rnn);
    expect(a.color('lstm')).toBe(b.color('lstm'));
    expect(b.labels).toEqual(['rnn', 'lstm', 'transformer', 'tcn']); // built-in order
  });

  it('shades of the name colour for several labels of one name, distinct colours for plugins', () => {
    const p = extractorPalette([ex('transformer', 'tf-1'), ex('transformer', 'tf-8'), ex('bow'), ex('other')]);
    expect(p.color('tf-1')).not.toBe(p.color('tf-8'));
    expect(shades(EXTRACTOR_COLORS.transformer, 2)).toEqual([p.color('tf-1'), p.color('tf-8')]);
    expect(p.color('bow')).not.toBe(p.color('other'));
    expect(p.labels).toEqual(['tf-1', 'tf-8', 'bow', 'other']);
    expect(shades('#336699', 1)).toEqual(['#336699']);
    for (const c of shades('#336699', 4)) expect(c).toMatch(/^#[0-9A-F]{6}$/);
  });

  it('five variants of one extractor get shades a reader can tell apart', () => {
    const rgb = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    for (const base of Object.values(EXTRACTOR_COLORS)) {
      const cs = shades(base, 5);
      let nearest = Infinity;
      for (let i = 0; i < cs.length; i++)
        for (let j = i + 1; j < cs.length; j++) nearest = Math.min(nearest, Math.hypot(...rgb(cs[i]).map((v, k) => v - rgb(cs[j])[k])));
      expect(nearest, `${base}: ${cs.join(' ')}`).toBeGreaterThan(40);
    }
  });

  it('every chart colours a label the same', () => {
    const records = richResults({ tasks: ['recall'], seeds: [1] });
    const seen = new Map<string, string>();
    const walk = (x: unknown): void => {
      if (!x || typeof x !== 'object') return;
      const o = x as Record<string, unknown>;
      const scale = o.scale as { domain?: unknown[]; range?: unknown[] } | undefined;
      if ((o.field === 'extractor' || o.field === 'series') && o.type === 'nominal' && Array.isArray(scale?.domain) && Array.isArray(scale?.range)) {
        scale.domain.forEach((d, i) => {
          const label = String(d).split('   ')[0]; // throughput legend: "label   slope …"
          const colour = String(scale.range![i]);
          expect(seen.get(label) ?? colour, label).toBe(colour);
          seen.set(label, colour);
        });
      }
      Object.values(o).forEach(walk);
    };
    for (const c of buildCharts(records)) walk(c.spec);
    expect([...seen.keys()].sort()).toEqual(['gru', 'lstm', 'rnn', 'tcn', 'tf-1head', 'tf-learned', 'transformer']);
  });
});
