#!/usr/bin/env node
/**
 * The README's extractor and task tables, made from what `fxbench list --json` prints (the
 * registries themselves), between the markers <!-- list:extractors --> and <!-- list:tasks -->.
 * test/docs.test.ts fails when they are stale; rewrite them with
 *
 *   npm run build --silent && node tools/docs/tables.mjs --write
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cell = (s) => String(s).replaceAll('|', '\\|').replaceAll('\n', ' ');
/** A row's options as `key` (default), ... */
const options = (row) => row.options.map((o) => `\`${o.key}\` (${o.default === undefined ? 'unset' : JSON.stringify(o.default)})`).join(', ');
const firstSentence = (s) => (s.match(/^.*?[.:](\s|$)/)?.[0] ?? s).trim().replace(/[.:]$/, '');

/** Markdown tables from list rows: { extractors: [...], tasks: [...] } as `fxbench list --json` prints them. */
export function tables(list) {
  const extractors = [
    '| extractor | what it is | options (default) | state per sequence | padding |',
    '|---|---|---|---|---|',
    ...list.extractors.map((e) => {
      const opts = options(e);
      const last = e.state?.at?.[e.state.at.length - 1];
      const state = e.state ? (e.state.constant ? `${last.bytes} B` : `${e.state.at.map((a) => `${a.bytes} B at T=${a.length}`).join(', ')}`) : 'not declared';
      return `| \`${cell(e.name)}\` | ${cell(e.description)} | ${cell(opts)} | ${cell(state)} | ${cell(e.padding)} |`;
    }),
  ];
  const tasks = [
    '| task | what it measures | metric, chance at T=64 | options (default) |',
    '|---|---|---|---|',
    ...list.tasks.map((t) => {
      const opts = options(t);
      const metric = t.unavailable ? 'needs an optional package' : `${t.metric}, ${Number(t.chance.toPrecision(3))}`;
      return `| \`${cell(t.name)}\` | ${cell(firstSentence(t.description))} | ${cell(metric)} | ${cell(opts || '-')} |`;
    }),
  ];
  return { extractors: extractors.join('\n'), tasks: tasks.join('\n') };
}

/** `text` with each marked block replaced by the table of that name. */
export function withTables(text, t) {
  let out = text;
  for (const name of ['extractors', 'tasks']) {
    const re = new RegExp(`(<!-- list:${name} -->\\n)(?:[\\s\\S]*?\\n)?(<!-- /list:${name} -->)`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- list:${name} --> ... <!-- /list:${name} --> block`);
    out = out.replace(re, (_, open, close) => `${open}${t[name]}\n${close}`);
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { listRows } = await import(path.join(root, 'dist/cli/commands/list.js'));
  const { taskRows, extractorRows } = listRows();
  const file = path.join(root, 'README.md');
  const text = readFileSync(file, 'utf8');
  const next = withTables(text, tables(JSON.parse(JSON.stringify({ tasks: taskRows, extractors: extractorRows }))));
  if (process.argv.includes('--write')) writeFileSync(file, next);
  else if (next !== text) {
    console.error('README.md tables are stale: node tools/docs/tables.mjs --write');
    process.exit(1);
  }
}
