#!/usr/bin/env node
/**
 * The ownership check: no code outside extractors/ branches on a built-in extractor's name
 * (an equality test or a `case` on a built-in's name). A fact about one extractor belongs on its
 * definition (extractors/types.ts: forwardFlops, memory, memoryAdvice, state, padding, ...).
 * Run by `npm run lint` and by test/layout.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function sources(dir) {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return ['node_modules', 'dist', 'fixtures'].includes(e.name) ? [] : sources(rel);
    return /\.(ts|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The built-in extractors' names, read from their definitions (`name: '...'` beside `defineExtractor`). */
export function builtinNames() {
  const names = new Set();
  for (const file of sources('extractors')) {
    const text = readFileSync(path.join(root, file), 'utf8');
    for (const m of text.matchAll(/defineExtractor\(\{\s*name:\s*'([a-z0-9-]+)'/g)) names.add(m[1]);
  }
  return [...names].sort();
}

/** Whether a line compares with one of `names` (an equality test or a `case`). */
export function branchesOnName(line, names) {
  const alt = names.map((n) => n.replace(/[-]/g, '\\-')).join('|');
  return new RegExp(`(?:[!=]==?\\s*['"](?:${alt})['"])|(?:['"](?:${alt})['"]\\s*[!=]==?)|(?:case\\s+['"](?:${alt})['"]\\s*:)`).test(line);
}

/** Lines outside extractors/ (and outside tests) that compare with a built-in extractor's name. */
export function checkOwnership(names = builtinNames()) {
  const folders = ['core', 'stats', 'kernels', 'tasks', 'harness', 'perf', 'audit', 'reproduce', 'reports', 'cli', 'tools'];
  const problems = [];
  for (const file of [...folders.flatMap(sources), 'index.ts']) {
    readFileSync(path.join(root, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (branchesOnName(line, names)) problems.push(`${file}:${i + 1}: branches on an extractor's name (put the fact on its definition): ${line.trim()}`);
      });
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = checkOwnership();
  for (const p of problems) console.error(p);
  console.log(
    problems.length
      ? `${problems.length} ownership problems`
      : `ownership: no code outside extractors/ branches on an extractor's name (${builtinNames().length} built-ins)`,
  );
  process.exit(problems.length ? 1 : 0);
}
