/**
 * One registry per plugin kind (extractors, tasks). Names are unique; an unknown name is
 * an error that suggests the closest registered name.
 */
import { UsageError } from './errors.js';

export class Registry<T extends { name: string }> {
  private readonly entries = new Map<string, T>();

  /** @param kind what the entries are, for messages ("extractor", "task"). */
  constructor(readonly kind: string) {}

  register(entry: T, opts: { replace?: boolean } = {}): T {
    if (!/^[a-z][a-z0-9-]*$/.test(entry.name)) {
      throw new UsageError(`${this.kind} name "${entry.name}" is invalid: use lowercase letters, digits and dashes, starting with a letter`);
    }
    if (this.entries.has(entry.name) && !opts.replace) {
      throw new UsageError(`${this.kind} "${entry.name}" is already registered: choose another name`);
    }
    this.entries.set(entry.name, entry);
    return entry;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get(name: string): T {
    const entry = this.entries.get(name);
    if (entry) return entry;
    const known = [...this.entries.keys()];
    const suggestion = didYouMean(name, known);
    throw new UsageError(
      `unknown ${this.kind} "${name}"` +
        (suggestion ? `: did you mean "${suggestion}"?` : '') +
        ` (known: ${known.join(', ')}; \`fxbench list\` shows them all)`,
    );
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  all(): T[] {
    return [...this.entries.values()];
  }
}

/** Levenshtein edit distance. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The known name closest to `name`, if it is close enough to be a plausible typo. */
export function didYouMean(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}
