/**
 * A recipe's profile as cells (reproduce/plan.ts): every committed recipe's suites validate
 * against the registered tasks and extractors and expand into cells (a recipe naming a task or
 * option fxbench lacks fails here). A profile name is checked with one line.
 */
import { describe, expect, it } from 'vitest';
import { suiteSchema } from '../../harness/suite/suite.js';
import { loadRecipe, recipeIds } from '../../reproduce/load.js';
import { profileName, reproductionPlan } from '../../reproduce/plan.js';
import { RECIPE_PROFILES } from '../../reproduce/recipe.js';

describe('every committed recipe', () => {
  for (const id of recipeIds()) {
    const recipe = loadRecipe(id);
    for (const profile of RECIPE_PROFILES) {
      it(`${id} ${profile}: its suites expand into cells`, () => {
        const { cells, plan, shape } = reproductionPlan(recipe, profile);
        expect(cells.length).toBeGreaterThan(0);
        expect(new Set(cells.map((c) => c.suite))).toEqual(new Set(recipe.profiles[profile].suites.map((s) => s.name)));
        expect(shape).toMatch(/^\d+ suites?, \d+ cells$/);
        expect(plan.groups).toBeInstanceOf(Map);
      });
    }
  }
});

describe('plan', () => {
  it('names the recipe, profile and suite when a suite does not validate', () => {
    const recipe = loadRecipe('tallec2018');
    const broken = structuredClone(recipe);
    broken.profiles.quick.suites[0] = suiteSchema.parse({ ...recipe.profiles.quick.suites[0], tasks: ['addng'] });
    expect(() => reproductionPlan(broken, 'quick')).toThrow(
      /^recipe tallec2018 \(quick profile\), suite tallec2018-adding: unknown task "addng": did you mean "adding"\?/,
    );
  });

  it('checks the profile name', () => {
    expect(profileName('quick')).toBe('quick');
    expect(() => profileName('quik')).toThrow(/^unknown profile "quik": did you mean "quick"\? \(profiles: quick, full\)$/);
    expect(() => profileName('standard')).toThrow(/^unknown profile "standard"/);
  });
});
