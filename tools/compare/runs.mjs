#!/usr/bin/env node
/**
 * Are two runs the same apart from timings and where they ran? Compares results files
 * (JSONL: results, tuning trials) record by record, keyed by suite and cell id, and audit
 * decisions (`.audit.json`) claim by claim, after dropping what a rerun may change: wall
 * times, start times, step times, throughput, process memory and the environment.
 *
 *   node tools/compare/runs.mjs <run A prefix> <run B prefix>
 *   e.g. node tools/compare/runs.mjs results/audit-quick-<time A> /tmp/x/results/audit-quick-<time B>
 *
 * compares <prefix>.jsonl, <prefix>.tune.jsonl and <prefix>.audit.json of each; prints every
 * difference (the first path at which a record differs) and exits 1 if there is one.
 */
import { existsSync, readFileSync } from 'node:fs';

/** Fields a rerun may change: timings, memory of the process, the machine and commit. */
const VOLATILE = new Set(['startedAt', 'wallMs', 'msPerStep', 'gflops', 'rssBytes', 'env', 'measuredAt', 'meanMs', 'p50Ms', 'seqPerSec', 'speed', 'rulesHash']);

function strip(x) {
  if (Array.isArray(x)) return x.map(strip);
  if (x && typeof x === 'object')
    return Object.fromEntries(
      Object.entries(x)
        .filter(([k]) => !VOLATILE.has(k))
        .map(([k, v]) => [k, strip(v)]),
    );
  return x;
}

function firstDifference(a, b, at = '') {
  if (Object.is(a, b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[k], b[k], at ? `${at}.${k}` : k);
      if (d) return d;
    }
    return undefined;
  }
  return { path: at, a, b };
}

const lines = (file) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l))
    : [];

export function compareResults(fileA, fileB) {
  const key = (r) => `${r.suite} ${r.cellId}`;
  const a = new Map(lines(fileA).map((r) => [key(r), strip(r)]));
  const b = new Map(lines(fileB).map((r) => [key(r), strip(r)]));
  const out = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    if (!a.has(k) || !b.has(k)) out.push(`${k}: only in ${a.has(k) ? 'A' : 'B'}`);
    else {
      const d = firstDifference(a.get(k), b.get(k));
      if (d) out.push(`${k}: ${d.path}: ${JSON.stringify(d.a)} vs ${JSON.stringify(d.b)}`);
    }
  }
  return { records: a.size, differences: out };
}

export function compareAudits(fileA, fileB) {
  if (!existsSync(fileA) || !existsSync(fileB))
    return { claims: 0, differences: existsSync(fileA) === existsSync(fileB) ? [] : ['only one run has an .audit.json'] };
  const [a, b] = [fileA, fileB].map((f) => JSON.parse(readFileSync(f, 'utf8')));
  const out = [];
  for (const ca of a.claims) {
    const cb = b.claims.find((c) => c.id === ca.id);
    const d = cb ? firstDifference(strip(ca), strip(cb)) : { path: '(missing in B)' };
    if (d) out.push(`claim ${ca.id}: ${d.path}: ${JSON.stringify(d.a)?.slice(0, 160)} vs ${JSON.stringify(d.b)?.slice(0, 160)}`);
  }
  return { claims: a.claims.length, differences: out };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [A, B] = process.argv.slice(2).map((p) => p.replace(/\.jsonl$/, ''));
  if (!A || !B) {
    console.error('usage: node tools/compare/runs.mjs <run A prefix> <run B prefix>');
    process.exit(2);
  }
  let any = false;
  for (const suffix of ['.jsonl', '.tune.jsonl']) {
    const r = compareResults(A + suffix, B + suffix);
    console.log(`${suffix}: ${r.records} records, ${r.differences.length} differ`);
    for (const d of r.differences) console.log(`  ${d}`);
    any ||= r.differences.length > 0;
  }
  const au = compareAudits(A + '.audit.json', B + '.audit.json');
  console.log(`.audit.json: ${au.claims} claims, ${au.differences.length} differ`);
  for (const d of au.differences) console.log(`  ${d}`);
  any ||= au.differences.length > 0;
  process.exit(any ? 1 : 0);
}
