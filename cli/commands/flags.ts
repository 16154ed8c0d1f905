/** Flag parsing shared by the commands: comma-separated lists, numbers, `-o NAME.KEY=VALUE`. */
import { UsageError } from '../../core/errors.js';

export const csv = (s: string | undefined) =>
  s === undefined
    ? undefined
    : s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);

export function csvNumbers(flag: string, s: string | undefined): number[] | undefined {
  const parts = csv(s);
  if (!parts) return undefined;
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isFinite(n)) throw new UsageError(`--${flag}: "${p}" is not a number: give a comma-separated list such as --${flag} 16,64`);
    return n;
  });
}

/** `-o transformer.heads=8` -> options for extractor (or task) `transformer`. */
export function parseOptionFlags(flags: string[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const flag of flags) {
    const m = /^([a-z][a-z0-9-]*)\.([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(flag);
    if (!m) throw new UsageError(`--option "${flag}" is malformed: write it as NAME.KEY=VALUE, e.g. --option transformer.heads=8`);
    const [, name, key, raw] = m;
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* a bare word stays a string, e.g. positional=learned */
    }
    out.set(name, { ...(out.get(name) ?? {}), [key]: value });
  }
  return out;
}

/** What the user typed after `--flag` (yargs turns a non-number into NaN). */
export function typedValue(argv: string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${flag}`) return argv[i + 1];
    if (argv[i].startsWith(`--${flag}=`)) return argv[i].slice(flag.length + 3);
  }
  return undefined;
}

/** A numeric flag given once, as a number; the suite schema checks its range. */
export function numberFlag(a: Record<string, unknown>, flag: string, argv: string[], example: string): number | undefined {
  const v = a[flag];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw new UsageError(`--${flag} is given ${v.length} times: give it once, e.g. ${example}`);
  if (typeof v !== 'number' || Number.isNaN(v))
    throw new UsageError(`--${flag} ${JSON.stringify(typedValue(argv, flag) ?? String(v))} is not a number: e.g. ${example}`);
  return v;
}

/** `s` quoted for a POSIX shell when it needs quoting. */
export const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
