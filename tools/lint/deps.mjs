#!/usr/bin/env node
/**
 * The dependency check: fails on an import cycle between source files, and on an import
 * that points up the layer order below (a layer imports only the layers under it; a folder
 * imports its own files freely). Run by `npm run lint` and by test/layout.test.ts.
 *
 *   node tools/lint/deps.mjs        # prints the problems, exit 1 if any
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Top to bottom; folders on one line are peers and may not import each other. */
export const LAYERS = [
  ['cli', 'index.ts'],
  ['reports'],
  ['audit', 'reproduce'],
  ['perf'],
  ['harness'],
  ['extractors', 'tasks'],
  ['kernels', 'stats'],
  ['core'],
];

/** Inside harness/, the same rule between its stages' folders. */
export const HARNESS_LAYERS = [['run'], ['cell'], ['store', 'cost'], ['suite'], ['plugins']];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function sources(dir) {
  const out = [];
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Every source file and the source files it imports (relative specifiers, type-only imports included). */
export function importGraph() {
  const files = LAYERS.flat().flatMap((f) => (f.endsWith('.ts') ? [f] : sources(f)));
  const graph = new Map();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, true);
    const targets = [];
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = path.posix.join(path.posix.dirname(file), fileName).replace(/\.js$/, '.ts');
      if (existsSync(path.join(root, target)) && statSync(path.join(root, target)).isFile()) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

const rankIn = (layers, name) => layers.findIndex((l) => l.includes(name));

/** Imports that point up (or sideways to a peer) in `layers`, for the folder each file sits in under `base`. */
function upward(graph, layers, base) {
  const problems = [];
  const folderOf = (f) => (base ? (f.startsWith(`${base}/`) ? f.slice(base.length + 1).split('/')[0] : undefined) : f.split('/')[0]);
  for (const [from, targets] of graph) {
    const a = folderOf(from);
    if (a === undefined || rankIn(layers, a) < 0) continue;
    for (const to of targets) {
      const b = folderOf(to);
      if (b === undefined || a === b) continue;
      const ra = rankIn(layers, a);
      const rb = rankIn(layers, b);
      if (rb < 0) problems.push(`${from} imports ${to}: ${base ? `${base}/` : ''}${b} is in no layer`);
      else if (rb <= ra)
        problems.push(
          `${from} imports ${to}: ${base ? `${base}/` : ''}${a} may not import ${rb === ra ? 'its peer' : 'the layer above it,'} ${base ? `${base}/` : ''}${b}`,
        );
    }
  }
  return problems;
}

/** Strongly connected components of more than one file (Tarjan), i.e. the import cycles. */
function cycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const found = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found.map((scc) => `import cycle: ${scc.join(' <-> ')}`);
}

/** Every problem, one line each. */
export function checkDependencies(graph = importGraph()) {
  return [...cycles(graph), ...upward(graph, LAYERS), ...upward(graph, HARNESS_LAYERS, 'harness')];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = checkDependencies();
  for (const p of problems) console.error(p);
  console.log(problems.length ? `${problems.length} dependency problems` : 'dependencies: no cycle, no upward import');
  process.exit(problems.length ? 1 : 0);
}
