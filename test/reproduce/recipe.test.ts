/**
 * The recipe schema (reproduce/recipe.ts): every committed recipe parses, and what a recipe
 * must not get wrong is refused with a line that says where: a selection naming no cell of the
 * full profile, a criterion without the value it needs, a side that contradicts the paper's
 * value, duplicate ids, suites that do not carry the recipe's id.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { parseRecipe, recipeIds, recipesDir } from '../../reproduce/load.js';
import { recipeSchema, type Select } from '../../reproduce/recipe.js';
import { lengthEntryText } from '../../harness/suite/lengthRange.js';

const read = (id: string) => JSON.parse(readFileSync(path.join(recipesDir(), `${id}.json`), 'utf8'));

describe('the committed recipes', () => {
  it('are the five of issue 27', () => {
    expect(recipeIds()).toEqual(expect.arrayContaining(['bai2018', 'deletang2023', 'le2015', 'tallec2018', 'zoology2023']));
  });

  for (const id of recipeIds()) {
    it(`${id} parses, and every number has a source and a criterion`, () => {
      const r = recipeSchema.parse(read(id));
      expect(r.id).toBe(id);
      expect(r.numbers.length).toBeGreaterThan(0);
      for (const n of r.numbers) {
        expect(n.source.where.length).toBeGreaterThan(0);
        expect(['within', 'side', 'order']).toContain(n.criterion.kind);
      }
      // Where 2 cores force a smaller budget, the full profile says so.
      expect(r.profiles.full.scaled?.why.length ?? 0).toBeGreaterThan(0);
    });

    it(`${id}: its quick profile compares at least one number (same suite names, labels and lengths as the full profile)`, () => {
      const r = recipeSchema.parse(read(id));
      const label = (ref: string | { name: string; label?: string }) => (typeof ref === 'string' ? ref : (ref.label ?? ref.name));
      const cells = new Set(
        r.profiles.quick.suites.flatMap((s) =>
          s.tasks.flatMap((t) => s.extractors.flatMap((e) => s.lengths.map((L) => `${s.name}|${label(t)}|${label(e)}|${lengthEntryText(L)}`))),
        ),
      );
      const runs = (sel: Select) => [sel.extractor].flat().some((e) => cells.has(`${sel.suite}|${sel.task}|${e}|${sel.length}`));
      const compared = r.numbers.filter((n) => ('select' in n ? runs(n.select) : n.members.every((m) => runs(m.select))));
      expect(compared.length, 'numbers the quick profile compares').toBeGreaterThan(0);
    });
  }
});

/** A small valid recipe to break one field at a time. */
function base() {
  return {
    id: 'demo',
    paper: { authors: 'A. One, B. Two', year: 2020, title: 'T', venue: 'V', url: 'https://example.org/paper' },
    summary: 'S',
    profiles: {
      quick: { suites: [{ name: 'demo-a', tasks: ['adding'], extractors: ['lstm'], lengths: [16] }] },
      full: {
        suites: [{ name: 'demo-a', tasks: ['adding'], extractors: ['lstm', { name: 'gru', label: 'gru-64', options: { hidden: 64 } }], lengths: [16, 32] }],
        scaled: { paper: 'p', ours: 'o', why: 'w' },
      },
    },
    numbers: [
      {
        id: 'a/lstm',
        what: 'w',
        unit: 'MSE',
        value: 0.1,
        source: { where: 'Table 1', page: 3 },
        select: { suite: 'demo-a', task: 'adding', extractor: 'lstm', length: 32, statistic: 'mean' },
        criterion: { kind: 'within', points: 0.05 },
      },
    ],
  };
}

function refused(edit: (r: ReturnType<typeof base>) => void): string {
  const r = base();
  edit(r);
  try {
    parseRecipe(r, 'demo.json');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('recipe schema', () => {
  it('accepts the base recipe', () => expect(parseRecipe(base(), 'demo.json').numbers).toHaveLength(1));

  it('refuses a selection that names no cell of the full profile', () => {
    expect(refused((r) => (r.numbers[0].select.suite = 'demo-b'))).toBe(
      'recipe demo.json: numbers[0].select.suite: no suite "demo-b" in the full profile (its suites: demo-a)',
    );
    expect(refused((r) => (r.numbers[0].select.extractor = 'gru'))).toMatch(
      /numbers\[0\]\.select\.extractor: suite demo-a has no extractor labelled "gru" \(its extractors: lstm, gru-64\)/,
    );
    expect(refused((r) => (r.numbers[0].select.length = 64))).toMatch(/select\.length: suite demo-a has no length 64 \(its lengths: 16, 32\)/);
    expect(refused((r) => (r.numbers[0].select.task = 'copy'))).toMatch(/has no task labelled "copy"/);
  });

  it('refuses a criterion without what it needs, and a side against the value', () => {
    expect(refused((r) => Object.assign(r.numbers[0], { value: null }))).toMatch(/numbers\[0\]\.value: a "within" criterion needs the paper's value/);
    expect(refused((r) => Object.assign(r.numbers[0], { value: null, criterion: { kind: 'side', threshold: 0.5 } }))).toMatch(
      /numbers\[0\]\.criterion\.side: without a value, a "side" criterion must state the paper's side/,
    );
    expect(refused((r) => Object.assign(r.numbers[0], { criterion: { kind: 'side', threshold: 0.05, side: 'below' } }))).toMatch(
      /the paper's value 0.1 is not below 0.05/,
    );
    expect(refused((r) => Object.assign(r.numbers[0], { criterion: { kind: 'close', points: 1 } }))).toMatch(
      /numbers\[0\]\.criterion\.kind: expected "within" or "side"/,
    );
  });

  it('explains an ordering against the ordering shape', () => {
    const msg = refused((r) =>
      r.numbers.push({
        id: 'order',
        what: 'w',
        unit: 'MSE',
        source: { where: 'Figure 2' },
        criterion: { kind: 'order', ranking: [['a'], ['b']], margin: 0.01 },
      } as never),
    );
    expect(msg).toMatch(/numbers\[1\]\.members: missing: expected a list/);
  });

  it('refuses duplicate ids, suites without the recipe id, unknown fields and a bad statistic', () => {
    expect(refused((r) => r.numbers.push(structuredClone(r.numbers[0])))).toMatch(/numbers\[1\]\.id: number id "a\/lstm" is used twice/);
    expect(refused((r) => (r.profiles.quick.suites[0].name = 'other'))).toMatch(
      /profiles\.quick\.suites\[0\]\.name: suite name "other" must start with "demo-"/,
    );
    expect(refused((r) => Object.assign(r, { extra: 1 }))).toMatch(/unknown key "extra"/);
    expect(refused((r) => Object.assign(r.numbers[0].select, { statistic: 'best' }))).toMatch(
      /statistic: expected "mean" or "median" or "max" or "min", got "best"/,
    );
    expect(refused((r) => Object.assign(r.profiles.full.suites[0], { steps: 0 }))).toMatch(/profiles\.full\.suites\[0\]\.steps/);
  });
});
