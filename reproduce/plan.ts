/**
 * Stage 1 for a reproduction: a recipe's profile as cells and one tuning plan, through the
 * same parse, expansion and tuning plan as `fxbench run` (../harness/suite/suite.ts,
 * ../harness/run/tune.ts), so a recipe's suites train exactly as the same suite file would.
 * Several suites run as one set of cells into one results file, as the audit's experiments do.
 */
import { UsageError } from '../core/errors.js';
import { didYouMean } from '../core/registry.js';
import { mergePlans, planTuning, type TuningPlan } from '../harness/run/tune.js';
import { expandSuite, parseSuite, type Cell } from '../harness/suite/suite.js';
import { RECIPE_PROFILES, type Recipe, type RecipeProfileName } from './recipe.js';

/** The profile name as typed, checked: one line with the closest name otherwise. */
export function profileName(name: string): RecipeProfileName {
  if ((RECIPE_PROFILES as readonly string[]).includes(name)) return name as RecipeProfileName;
  const close = didYouMean(name, RECIPE_PROFILES);
  throw new UsageError(`unknown profile "${name}"${close ? `: did you mean "${close}"?` : ''} (profiles: ${RECIPE_PROFILES.join(', ')})`);
}

/** Quick profiles run few seeds on small budgets: their verdicts are indicative. */
export const isIndicative = (profile: RecipeProfileName): boolean => profile === 'quick';

export interface ReproductionPlan {
  cells: Cell[];
  plan: TuningPlan;
  /** For the progress line: "2 suites, 24 cells". */
  shape: string;
}

/** Every suite of the profile validated against the registered tasks and extractors, expanded, and its tuning planned. */
export function reproductionPlan(recipe: Recipe, profile: RecipeProfileName): ReproductionPlan {
  const suites = recipe.profiles[profile].suites;
  const plans: TuningPlan[] = [];
  const cells = suites.flatMap((input) => {
    const where = `recipe ${recipe.id} (${profile} profile), suite ${input.name}`;
    try {
      const suite = parseSuite(input, where);
      const expanded = expandSuite(suite);
      plans.push(planTuning(suite, expanded));
      return expanded;
    } catch (e) {
      // Name the recipe's suite: a task that is not (yet) registered is a message about this recipe.
      if (e instanceof UsageError && !e.message.startsWith(where)) throw new UsageError(`${where}: ${e.message}`);
      throw e;
    }
  });
  return { cells, plan: mergePlans(plans), shape: `${suites.length} suite${suites.length === 1 ? '' : 's'}, ${cells.length} cells` };
}
