/**
 * A recipe's profile as cells (reproduce/plan.ts): every committed recipe's suites validate
 * against the registered tasks and extractors and expand into cells, once the tasks and options
 * they name exist (a recipe may name a task a colleague is still writing; such a profile is
 * reported as waiting, never silently passed). A profile name is checked with one line.
 */
import { describe, expect, it } from 'vitest';
import { extractors, tasks } from '../../harness/plugins/registries.js';
import { suiteSchema } from '../../harness/suite/suite.js';
import { loadRecipe, recipeIds } from '../../reproduce/load.js';
import { profileName, reproductionPlan } from '../../reproduce/plan.js';
import { RECIPE_PROFILES, type Recipe, type RecipeProfileName } from '../../reproduce/recipe.js';

const nameOf = (ref: string | { name: string }) => (typeof ref === 'string' ? ref : ref.name);

/** What a profile needs that fxbench does not have yet: unregistered tasks or extractors, or range lengths before suites accept them. */
function waitingFor(recipe: Recipe, profile: RecipeProfileName): string[] {
  const suites = recipe.profiles[profile].suites;
  const missing = new Set<string>();
  for (const s of suites) {
    for (const t of s.tasks) if (!tasks.has(nameOf(t))) missing.add(`task ${nameOf(t)}`);
    for (const e of s.extractors) if (!extractors.has(nameOf(e))) missing.add(`extractor ${nameOf(e)}`);
  }
  return [...missing];
}

describe('every committed recipe', () => {
  for (const id of recipeIds()) {
    const recipe = loadRecipe(id);
    for (const profile of RECIPE_PROFILES) {
      const waiting = waitingFor(recipe, profile);
      it.skipIf(waiting.length)(`${id} ${profile}: its suites expand into cells${waiting.length ? ` (waiting for ${waiting.join(', ')})` : ''}`, () => {
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
