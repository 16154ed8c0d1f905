/** `fxbench list`: the registered tasks and extractors with their options and defaults, and each extractor's state size and padding treatment. */
import { extractors, tasks } from '../../harness/plugins/registries.js';
import { stateLine, stateListing } from '../../harness/cost/state.js';
import { defineCommand } from './types.js';

export const list = defineCommand({
  command: 'list',
  describe: 'list tasks and extractors with their options and defaults',
  builder: (y) => y.option('json', { type: 'boolean', describe: 'machine-readable output' }),
  handler: (a) => printList(Boolean(a.json)),
});

/** What `fxbench list --json` prints: every registered task and extractor with its options (the README's tables are made from it: tools/docs/tables.mjs). */
export function listRows() {
  const describeOptions = (schema: { parse(x: unknown): unknown; shape?: Record<string, unknown> }) => {
    const defaults = schema.parse({}) as Record<string, unknown>;
    return Object.entries(schema.shape ?? {}).map(([key, field]) => ({ key, default: defaults[key], ...fieldFacts(field) }));
  };
  const taskRows = tasks.all().map((t) => {
    const row = { name: t.name, description: t.description, example: t.example, source: t.source, options: describeOptions(t.options) };
    try {
      const task = t.create(t.options.parse({}));
      const chance = task.chance(Math.max(task.minLength, 64));
      return { ...row, metric: chance.metric, chance: chance.value, chanceWhy: chance.why };
    } catch (e) {
      // e.g. an optional data package that is not installed: list the task, say why it cannot run.
      return { ...row, unavailable: (e as Error).message };
    }
  });
  const extractorRows = extractors.all().map((e) => ({
    name: e.name,
    description: e.description,
    options: describeOptions(e.options as never),
    state: stateListing(e),
    padding: e.padding ?? 'reads',
    stateLine: stateLine(e),
  }));
  return { taskRows, extractorRows };
}

function printList(json: boolean): void {
  const { taskRows, extractorRows } = listRows();
  if (json) {
    process.stdout.write(JSON.stringify({ tasks: taskRows, extractors: extractorRows.map(({ stateLine: _, ...row }) => row) }, null, 2) + '\n');
    return;
  }
  const opts = (rows: { key: string; default: unknown; description: string; choices?: unknown[] }[]) =>
    rows
      .map((o) =>
        `      ${o.key} = ${o.default === undefined ? '(unset)' : JSON.stringify(o.default)}${o.choices ? `  (one of ${o.choices.map((c) => JSON.stringify(c)).join(', ')})` : ''}  ${o.description}`.trimEnd(),
      )
      .join('\n');
  const lines = ['Tasks:'];
  for (const t of taskRows) {
    const facts =
      'unavailable' in t ? `    unavailable: ${t.unavailable}` : `    metric ${t.metric}, chance ${+t.chance.toPrecision(4)} at T=64 (${t.chanceWhy})`;
    lines.push(`  ${t.name}  ${t.description}`, facts, opts(t.options));
  }
  lines.push('', 'Extractors:');
  for (const e of extractorRows) lines.push(`  ${e.name}  ${e.description}`, `    ${e.stateLine}`, opts(e.options));
  process.stdout.write(lines.filter((l) => l !== '').join('\n') + '\n');
}

/** An option's description and, for an enum, its choices, looking through the default and optional wrappers (zod keeps `.describe()` on the schema it was called on). */
export function fieldFacts(field: unknown): { description: string; choices?: unknown[] } {
  let description = '';
  let s = field as { description?: string; _zod?: { def: { type: string; innerType?: unknown; entries?: Record<string, unknown> } } } | undefined;
  for (let depth = 0; s && depth < 5; depth++) {
    description ||= s.description ?? '';
    const def = s._zod?.def;
    if (def?.type === 'enum') return { description, choices: Object.values(def.entries ?? {}) };
    if (!def || !['default', 'optional', 'nullable', 'prefault'].includes(def.type)) break;
    s = def.innerType as typeof s;
  }
  return { description };
}
