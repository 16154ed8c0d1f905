/**
 * A value for a zod schema with every field present: each optional, nullable or defaulted
 * field is given a value, so a round trip through a file shows whether every declared field
 * survives. Leaves are chosen from a few candidates by what the schema accepts.
 */
import type { z } from 'zod';

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

const LEAVES: Record<string, unknown[]> = {
  string: ['2026-12-07T00:00:00.000Z', 'x'],
  number: [3, 0.5, 0, -1, 1e-3],
  int: [3, 0, -1],
  boolean: [true],
  unknown: [{ any: 'value' }],
  any: [{ any: 'value' }],
  null: [null],
};

/** A valid value of `schema` with every optional field set (throws when none of the candidates fits a leaf). */
export function sample(schema: z.ZodType, at = '(root)'): unknown {
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const shape = (schema as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
      return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, sample(v, `${at}.${k}`)]));
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
      return sample(def.innerType as z.ZodType, at);
    case 'pipe':
      return sample(def.in as z.ZodType, at);
    case 'lazy':
      return sample((def.getter as () => z.ZodType)(), at);
    case 'literal':
      return (def.values as unknown[])[0];
    case 'enum':
      return Object.values(def.entries as Record<string, unknown>)[0];
    case 'array':
      return [sample(def.element as z.ZodType, `${at}[0]`)];
    case 'tuple':
      return (def.items as z.ZodType[]).map((s, i) => sample(s, `${at}[${i}]`));
    case 'record':
      return { k: sample(def.valueType as z.ZodType, `${at}.k`) };
    case 'union':
      return sample((def.options as z.ZodType[])[0], at);
    default: {
      const fits = (LEAVES[def.type] ?? []).find((v) => schema.safeParse(v).success);
      if (fits === undefined) throw new Error(`zodSample: no value for ${def.type} at ${at}`);
      return fits;
    }
  }
}

/** Every path to a leaf of a plain JSON value, e.g. `env.threads`. */
export function leafPaths(value: unknown, at = ''): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) return Object.entries(value).flatMap(([k, v]) => leafPaths(v, at ? `${at}.${k}` : k));
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, `${at}[${i}]`));
  return [at];
}
