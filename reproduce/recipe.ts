/**
 * A reproduction recipe: one published paper's experiment as fxbench suites, and the paper's
 * numbers as data, each with the criterion that decides, before any run, what counts as
 * reproducing it. Recipes are committed JSON files, `reproduce/recipes/<id>.json`, validated by
 * the schema below (every type is derived from it):
 *
 *   id, paper (authors, year, title, venue, url), summary
 *   profiles.full, profiles.quick   each: suites (fxbench's suite format, the schema
 *                                   `fxbench run --suite` reads) and, where 2 cores force a
 *                                   smaller budget than the paper's, `scaled`: the paper's
 *                                   settings, ours, and why
 *   numbers[]                       the paper's numbers: what, value, unit, source (table or
 *                                   figure, page; read off a figure or not), the records they
 *                                   compare to (`select`) and the criterion
 *   notes[]                         what the recipe leaves out and why (numbers that could
 *                                   not be verified, tasks not yet in fxbench)
 *
 * A number is either one value compared to one selection of records (criterion `within` or
 * `side`), or an ordering the paper reports among several selections (criterion `order`,
 * with its `members`). The comparison itself is ./compare.ts; the loader is ./load.ts.
 */
import { z } from 'zod';
import { lengthEntryText } from '../harness/suite/lengthRange.js';
import { suiteSchema } from '../harness/suite/suite.js';

/** The two profiles every recipe has: `full` is the paper's experiment (scaled where needed); `quick` runs in minutes and its verdicts are indicative. */
export const RECIPE_PROFILES = ['quick', 'full'] as const;
export type RecipeProfileName = (typeof RECIPE_PROFILES)[number];

/** A length as a selection names it: a fixed length (64) or a train:test range (`1-40:41-500`, as lengthText writes it). */
export const RANGE_TEXT = /^\d+-\d+:\d+-\d+$/;

const paperSchema = z
  .object({
    authors: z.string().min(1),
    year: z.number().int().min(1950).max(2100),
    title: z.string().min(1),
    venue: z.string().min(1),
    url: z.url({ protocol: /^https?$/ }),
  })
  .strict();

/** Where in the paper a number is printed. */
const sourceSchema = z
  .object({
    /** "Table 2", "Figure 2", "Abstract", "Section 5.2". */
    where: z.string().min(1),
    page: z.number().int().positive().optional(),
    /** The number is read off a plot (approximate), or stated only qualitatively in the text, rather than printed in a table. */
    approximate: z.boolean().default(false),
    note: z.string().optional(),
  })
  .strict();

/** Which records a number is compared to, and the statistic over their seeds that the paper reports. */
export const selectSchema = z
  .object({
    /** A suite of the recipe (its `name`). */
    suite: z.string().min(1),
    /** A task label of that suite. */
    task: z.string().min(1),
    /** An extractor label, or several pooled (the paper maximised over them, e.g. positional encodings). */
    extractor: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    length: z.union([z.number().int().positive(), z.string().regex(RANGE_TEXT, 'a length or a range such as "1-40:41-500"')]),
    /** Over the completed seeds (and pooled extractors): the paper's own statistic. */
    statistic: z.enum(['mean', 'median', 'max', 'min']),
  })
  .strict();
export type Select = z.infer<typeof selectSchema>;

/** |ours - paper| <= points, in the paper's units. */
const withinSchema = z.object({ kind: z.literal('within'), points: z.number().nonnegative() }).strict();

/**
 * Ours on the same side of `threshold` as the paper's (>= threshold counts as above). `side`
 * states the paper's side when it gives no exact value; otherwise it follows from the value.
 * Within `margin` of the threshold on the right side is only `partly`: too close to call.
 */
const sideSchema = z
  .object({
    kind: z.literal('side'),
    threshold: z.number(),
    side: z.enum(['above', 'below']).optional(),
    margin: z.number().nonnegative().default(0),
  })
  .strict();

/**
 * The paper's ordering of the members: `ranking` lists groups of member ids from the highest
 * value to the lowest (in the metric's own direction, not "best first"). Ours must keep every
 * gap between groups beyond `margin`. Members of one group are ones the paper reports as
 * comparable (`groupsAre: 'comparable'`: ours within `margin` of each other) or does not order
 * among themselves (`'unordered'`: no constraint between them).
 */
const orderSchema = z
  .object({
    kind: z.literal('order'),
    ranking: z.array(z.array(z.string().min(1)).min(1)).min(1),
    margin: z.number().nonnegative(),
    groupsAre: z.enum(['comparable', 'unordered']).default('comparable'),
  })
  .strict();

const numberCommon = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9./-]*$/, 'letters, digits, ".", "/" and "-"'),
  /** What the number is, in words: "RNN on Parity Check, score over test lengths 41-500". */
  what: z.string().min(1),
  /** The paper's unit ("%", "MSE", "nats per step", "accuracy"). */
  unit: z.string().min(1),
  /** Ours is multiplied by this before comparing: 100 when the paper prints percent and fxbench fractions. */
  scale: z.number().positive().default(1),
  source: sourceSchema,
};

/** One value against one selection. */
const valueNumberSchema = z
  .object({
    ...numberCommon,
    /** The paper's value; null when it gives none (only a side of a threshold, or a place in an ordering). */
    value: z.number().nullable(),
    select: selectSchema,
    criterion: z.discriminatedUnion('kind', [withinSchema, sideSchema]),
  })
  .strict()
  .superRefine((n, ctx) => {
    if (n.criterion.kind === 'within' && n.value === null)
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a "within" criterion needs the paper\'s value' });
    if (n.criterion.kind === 'side') {
      const { threshold, side } = n.criterion;
      if (n.value === null && side === undefined)
        ctx.addIssue({ code: 'custom', path: ['criterion', 'side'], message: 'without a value, a "side" criterion must state the paper\'s side' });
      if (n.value !== null && side !== undefined && side !== (n.value >= threshold ? 'above' : 'below'))
        ctx.addIssue({ code: 'custom', path: ['criterion', 'side'], message: `the paper's value ${n.value} is not ${side} ${threshold}` });
    }
  });

const memberSchema = z
  .object({
    id: z.string().min(1),
    /** How the row names this member: "attention, d 64". */
    label: z.string().min(1),
    value: z.number().nullable(),
    select: selectSchema,
  })
  .strict();

/** An ordering among several selections. */
const orderNumberSchema = z
  .object({ ...numberCommon, members: z.array(memberSchema).min(2), criterion: orderSchema })
  .strict()
  .superRefine((n, ctx) => {
    const ids = n.members.map((m) => m.id);
    const ranked = n.criterion.ranking.flat();
    for (const id of ranked)
      if (!ids.includes(id)) ctx.addIssue({ code: 'custom', path: ['criterion', 'ranking'], message: `"${id}" is not a member (members: ${ids.join(', ')})` });
    for (const id of ids)
      if (ranked.filter((x) => x === id).length !== 1)
        ctx.addIssue({ code: 'custom', path: ['criterion', 'ranking'], message: `member "${id}" must be in exactly one group of the ranking` });
    if (ranked.length < 2) ctx.addIssue({ code: 'custom', path: ['criterion', 'ranking'], message: 'an ordering needs at least two members' });
    // Where the paper gives values, they must agree with the ranking it is said to show.
    const value = new Map(n.members.map((m) => [m.id, m.value]));
    const groups = n.criterion.ranking;
    for (let i = 0; i + 1 < groups.length; i++)
      for (const a of groups[i])
        for (const b of groups[i + 1]) {
          const va = value.get(a);
          const vb = value.get(b);
          if (va != null && vb != null && !(va > vb))
            ctx.addIssue({ code: 'custom', path: ['criterion', 'ranking'], message: `the ranking puts "${a}" (${va}) above "${b}" (${vb})` });
        }
  });

export const numberSchema = z.union([valueNumberSchema, orderNumberSchema]);
export type PaperNumber = z.infer<typeof numberSchema>;
export type ValueNumber = z.infer<typeof valueNumberSchema>;
export type OrderNumber = z.infer<typeof orderNumberSchema>;
export type Criterion = ValueNumber['criterion'] | OrderNumber['criterion'];

/** The paper's settings against ours, for a profile whose budget is smaller than the paper's. */
const scaledSchema = z
  .object({
    /** Steps, seeds, learning-rate grid, widths as the paper ran them. */
    paper: z.string().min(1),
    ours: z.string().min(1),
    why: z.string().min(1),
  })
  .strict();

const profileSchema = z
  .object({
    /** One or more suites, as `fxbench run` reads them; suite names start with the recipe id. */
    suites: z.array(suiteSchema).min(1),
    scaled: scaledSchema.optional(),
  })
  .strict();
export type RecipeProfile = z.infer<typeof profileSchema>;

/** The fields `fxbench reproduce --list` shows: read alone, so the list never depends on the suites' tasks. */
export const recipeHeaderShape = {
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lowercase letters, digits and "-", starting with a letter'),
  paper: paperSchema,
  /** One line: what is reproduced. */
  summary: z.string().min(1),
};
export const recipeHeaderSchema = z.object(recipeHeaderShape);
export type RecipeHeader = z.infer<typeof recipeHeaderSchema>;

const labelOf = (ref: string | { name: string; label?: string }) => (typeof ref === 'string' ? ref : (ref.label ?? ref.name));

export const recipeSchema = z
  .object({
    ...recipeHeaderShape,
    profiles: z.object({ quick: profileSchema, full: profileSchema }).strict(),
    numbers: z.array(numberSchema).min(1),
    notes: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .superRefine((r, ctx) => {
    // Suite names: each starts with the recipe id (records of two recipes never mix in one file) and is unique in its profile.
    for (const p of RECIPE_PROFILES) {
      const names = r.profiles[p].suites.map((s) => s.name);
      names.forEach((name, i) => {
        if (!name.startsWith(`${r.id}-`) && name !== r.id)
          ctx.addIssue({ code: 'custom', path: ['profiles', p, 'suites', i, 'name'], message: `suite name "${name}" must start with "${r.id}-"` });
        if (names.indexOf(name) !== i)
          ctx.addIssue({ code: 'custom', path: ['profiles', p, 'suites', i, 'name'], message: `suite name "${name}" is used twice` });
      });
    }
    const ids = r.numbers.map((n) => n.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['numbers', i, 'id'], message: `number id "${id}" is used twice` });
    });
    // Every selection names a cell of the full profile: a typo would otherwise read as "not run" forever.
    const full = r.profiles.full.suites;
    const check = (s: Select, path: (string | number)[]) => {
      const suite = full.find((x) => x.name === s.suite);
      if (!suite) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'suite'],
          message: `no suite "${s.suite}" in the full profile (its suites: ${full.map((x) => x.name).join(', ')})`,
        });
        return;
      }
      const tasks = suite.tasks.map(labelOf);
      if (!tasks.includes(s.task))
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'task'],
          message: `suite ${s.suite} has no task labelled "${s.task}" (its tasks: ${tasks.join(', ')})`,
        });
      const extractors = suite.extractors.map(labelOf);
      for (const e of [s.extractor].flat())
        if (!extractors.includes(e))
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'extractor'],
            message: `suite ${s.suite} has no extractor labelled "${e}" (its extractors: ${extractors.join(', ')})`,
          });
      const lengths = suite.lengths.map(lengthEntryText);
      if (!lengths.includes(String(s.length)))
        ctx.addIssue({ code: 'custom', path: [...path, 'length'], message: `suite ${s.suite} has no length ${s.length} (its lengths: ${lengths.join(', ')})` });
    };
    r.numbers.forEach((n, i) => {
      if ('select' in n) check(n.select, ['numbers', i, 'select']);
      else n.members.forEach((m, j) => check(m.select, ['numbers', i, 'members', j, 'select']));
    });
  });
export type Recipe = z.infer<typeof recipeSchema>;
