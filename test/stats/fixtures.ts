/** Reads test/fixtures/stats/<name>.json, written by tools/stats/make_fixtures.py (scipy or independent implementations). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'stats');

/** JSON holds NaN and infinities as strings, as fxbench's records do. */
export function num(x: number | string): number {
  if (typeof x === 'number') return x;
  if (x === 'NaN') return NaN;
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  throw new Error(`not a number: ${x}`);
}

export function fixture<T>(name: string): { cases: T[] } {
  return JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as { cases: T[] };
}

/** |actual - expected| within a relative tolerance (absolute near 0); NaN and infinities must match exactly. */
export function close(actual: number, expected: number, rel = 1e-12, abs = 1e-15): boolean {
  if (!Number.isFinite(expected)) return Object.is(actual, expected) || (Number.isNaN(expected) && Number.isNaN(actual));
  return Math.abs(actual - expected) <= Math.max(abs, rel * Math.abs(expected));
}
