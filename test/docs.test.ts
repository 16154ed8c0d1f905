/**
 * The README is where a newcomer starts: at most 250 lines, its extractor and task tables are
 * what `fxbench list --json` says today (tools/docs/tables.mjs), and every relative link in it
 * and in the guides leads to a file that exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRows } from '../cli/commands/list.js';
import { tables, withTables } from '../tools/docs/tables.mjs';

const root = path.resolve(import.meta.dirname, '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('the README', () => {
  it('is at most 250 lines', () => {
    expect(readme.trimEnd().split('\n').length).toBeLessThanOrEqual(250);
  });

  it('has the extractor and task tables of `fxbench list --json` (node tools/docs/tables.mjs --write renews them)', () => {
    const { taskRows, extractorRows } = listRows();
    const list = JSON.parse(JSON.stringify({ tasks: taskRows, extractors: extractorRows }));
    expect(readme).toBe(withTables(readme, tables(list)));
    for (const e of extractorRows) expect(readme).toContain(`| \`${e.name}\` |`);
    for (const t of taskRows) expect(readme).toContain(`| \`${t.name}\` |`);
  });

  it('and every document links only to files that exist', () => {
    const markdown = (dir: string): string[] =>
      readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? markdown(path.join(dir, e.name)) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : [],
      );
    for (const doc of ['README.md', ...markdown('docs'), ...markdown('tools'), ...markdown('perf')]) {
      const text = readFileSync(path.join(root, doc), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^https?:/.test(target)) continue;
        expect(existsSync(path.resolve(root, path.dirname(doc), target)), `${doc} links to ${target}`).toBe(true);
      }
    }
  });
});
