/**
 * The committed recipes, `reproduce/recipes/<id>.json`: finding them, reading one (the file
 * name must be its id), and their headers for `fxbench reproduce --list`. A recipe that does not
 * match the schema (./recipe.ts) is refused with one line naming the file, the path inside it
 * and what was expected.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';
import { didYouMean } from '../core/registry.js';
import { describeIssue, jsonPath } from '../harness/suite/suite.js';
import { type Recipe, type RecipeHeader, recipeHeaderSchema, recipeSchema } from './recipe.js';

/** Where the committed recipes live (the sources' folder, also when running from dist/). */
export const recipesDir = (): string => path.join(packageRoot(), 'reproduce', 'recipes');

/** The ids of the committed recipes, sorted. */
export function recipeIds(dir = recipesDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`recipe ${file} is not valid JSON (${(e as Error).message})`);
  }
}

function valueAt(raw: unknown, at: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const k of at) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/**
 * The first problem of a recipe as one line. A number is one of two shapes (a value, or an
 * ordering with members): a mismatch is explained against the shape its criterion asks for.
 */
export function describeRecipeIssue(error: z.ZodError, raw: unknown): string {
  let issue = error.issues[0];
  let prefix: PropertyKey[] = [];
  while (issue.code === 'invalid_union' && issue.errors.length) {
    const at = [...prefix, ...issue.path];
    const kind = valueAt(raw, [...at, 'criterion', 'kind']);
    const branch = issue.errors[kind === 'order' ? issue.errors.length - 1 : 0];
    if (!branch?.length) break;
    prefix = at;
    issue = branch[0];
  }
  const at = [...prefix, ...issue.path];
  const value = valueAt(raw, at);
  // A discriminated union's unknown kind carries its options.
  const options = (issue as { options?: unknown[] }).options;
  const message =
    issue.code === 'custom'
      ? issue.message
      : issue.code === 'invalid_union' && options
        ? `expected ${options.map((o) => JSON.stringify(o)).join(' or ')}, got ${JSON.stringify(value)}`
        : describeIssue(issue, value);
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return `${jsonPath(at) || '(top level)'}: ${message}${more}`;
}

/** Validate raw recipe data; `where` names it in the one-line error. */
export function parseRecipe(raw: unknown, where: string): Recipe {
  const result = recipeSchema.safeParse(raw);
  if (!result.success) throw new UsageError(`recipe ${where}: ${describeRecipeIssue(result.error, raw)}`);
  return result.data;
}

/** The recipe `id` from `dir`; an unknown id is refused with the closest one and how to list them. */
export function loadRecipe(id: string, dir = recipesDir()): Recipe {
  const ids = recipeIds(dir);
  if (!ids.includes(id)) {
    const close = didYouMean(id, ids);
    throw new UsageError(
      `unknown recipe "${id}"${close ? `: did you mean "${close}"?` : ''} (recipes: ${ids.join(', ') || 'none'}; \`fxbench reproduce --list\` describes them)`,
    );
  }
  const file = path.join(dir, `${id}.json`);
  const recipe = parseRecipe(readJson(file), path.relative(process.cwd(), file) || file);
  if (recipe.id !== id) throw new UsageError(`recipe ${file}: its id is "${recipe.id}" but its file is named ${id}.json: the two must agree`);
  return recipe;
}

/** Every recipe's id, paper and summary: read without the suites, so listing works whatever their tasks. */
export function recipeHeaders(dir = recipesDir()): RecipeHeader[] {
  return recipeIds(dir).map((id) => {
    const file = path.join(dir, `${id}.json`);
    const result = recipeHeaderSchema.safeParse(readJson(file));
    if (!result.success) throw new UsageError(`recipe ${file}: ${describeRecipeIssue(result.error, readJson(file))}`);
    return result.data;
  });
}

/** `Delétang et al. 2023` from the authors' field ("Delétang, Ruoss, ..."). */
export function paperShort(p: RecipeHeader['paper']): string {
  const names = p.authors.split(/,\s*|\s+and\s+|\s*&\s*/).filter(Boolean);
  const first = names[0].trim().split(/\s+/).at(-1);
  return `${names.length > 2 ? `${first} et al.` : names.length === 2 ? `${first} & ${names[1].trim().split(/\s+/).at(-1)}` : first} ${p.year}`;
}

/** The text of `fxbench reproduce --list`: id, paper and one line each. */
export function listRecipes(dir = recipesDir()): string {
  const headers = recipeHeaders(dir);
  if (!headers.length) return '(no recipes)';
  const w = Math.max(...headers.map((h) => h.id.length));
  return headers.map((h) => `${h.id.padEnd(w)}  ${paperShort(h.paper)}, "${h.paper.title}" (${h.paper.venue})\n${' '.repeat(w + 2)}${h.summary}`).join('\n');
}
