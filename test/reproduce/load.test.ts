/**
 * Reading recipes (reproduce/load.ts): the list reads only each recipe's header, so it works
 * whatever its suites name; an unknown id or a recipe whose file name is not its id is one line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRecipes, loadRecipe, paperShort, recipeHeaders, recipeIds } from '../../reproduce/load.js';

const header = {
  paper: { authors: 'Marvin Minsky, Seymour Papert', year: 1969, title: 'Perceptrons', venue: 'MIT Press', url: 'https://example.org/perceptrons' },
  summary: 'One line.',
};

/** A folder of recipes: one whose suites name a task no registry has, and one that is not valid at all past its header. */
function folder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-recipes-'));
  const suite = { name: 'future-a', tasks: ['a-task-not-yet-written'], extractors: ['lstm'], lengths: [8] };
  writeFileSync(
    path.join(dir, 'future.json'),
    JSON.stringify({
      id: 'future',
      ...header,
      profiles: { quick: { suites: [suite] }, full: { suites: [suite] } },
      numbers: [
        {
          id: 'n',
          what: 'w',
          unit: '%',
          value: 50,
          source: { where: 'Table 1' },
          select: { suite: 'future-a', task: 'a-task-not-yet-written', extractor: 'lstm', length: 8, statistic: 'max' },
          criterion: { kind: 'within', points: 5 },
        },
      ],
    }),
  );
  writeFileSync(path.join(dir, 'misnamed.json'), JSON.stringify({ id: 'other', ...header, profiles: {}, numbers: [] }));
  return dir;
}

describe('recipes', () => {
  const dir = folder();

  it('lists every recipe from its header alone (a broken recipe is refused when it is run)', () => {
    expect(recipeIds(dir)).toEqual(['future', 'misnamed']);
    expect(recipeHeaders(dir).map((h) => h.summary)).toEqual(['One line.', 'One line.']);
    expect(listRecipes(dir).split('\n')).toEqual([
      'future  Minsky & Papert 1969, "Perceptrons" (MIT Press)',
      '        One line.',
      'other   Minsky & Papert 1969, "Perceptrons" (MIT Press)',
      '        One line.',
    ]);
  });

  it('loads a recipe whatever its tasks (they are checked when it runs)', () => {
    expect(loadRecipe('future', dir).numbers[0].id).toBe('n');
  });

  it('refuses an unknown id with the closest one, and a recipe that does not parse with its path', () => {
    expect(() => loadRecipe('futur', dir)).toThrow(
      /^unknown recipe "futur": did you mean "future"\? \(recipes: future, misnamed; `fxbench reproduce --list` describes them\)$/,
    );
    expect(() => loadRecipe('misnamed', dir)).toThrow(/^recipe .*misnamed\.json: profiles\.quick: missing: expected an object/);
  });

  it('names papers as people cite them', () => {
    expect(paperShort({ ...header.paper, authors: 'Shaojie Bai, J. Zico Kolter, Vladlen Koltun', year: 2018 })).toBe('Bai et al. 2018');
    expect(paperShort({ ...header.paper, authors: 'Corentin Tallec, Yann Ollivier', year: 2018 })).toBe('Tallec & Ollivier 2018');
  });
});
