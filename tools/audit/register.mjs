#!/usr/bin/env node
/**
 * Registers the audit's rules: for every claim whose sources (registry.ts: its file, its
 * experiments' files, the shared decision code) no longer match harness/audit/registry.json,
 * bumps the version, records the time and appends the reason to its history.
 *
 *   npm run build --silent && node tools/audit/register.mjs "why the rules changed"
 *
 * Register before any confirmatory run: a run that started before a rule's registration
 * time, or on sources that differ from it, is reported as exploratory for that claim. Then
 * commit the registry alone, after the rule changes are committed:
 *
 *   git commit -m "register: why" -- audit/preregistration.json
 *
 * The audit names that commit in every record (audit/preregistration.ts registrationCommit)
 * and refuses to call a verdict confirmatory if the commit changed anything else.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { CLAIMS } = await import(path.join(root, 'dist/audit/claims/index.js'));
const { ruleHash } = await import(path.join(root, 'dist/audit/preregistration.js'));
const file = path.join(root, 'audit/preregistration.json');
const registry = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
const why = process.argv.slice(2).join(' ').trim();
const now = new Date().toISOString();
const changed = [];
for (const claim of CLAIMS) {
  const hash = ruleHash(claim);
  const entry = registry[claim.id];
  if (entry && entry.sha256 === hash) continue;
  changed.push(claim.id);
  registry[claim.id] = entry
    ? { version: entry.version + 1, registered: now, sha256: hash, history: [...entry.history, `v${entry.version + 1} ${now.slice(0, 10)}: ${why}`] }
    : { version: 1, registered: now, sha256: hash, history: [`v1 ${now.slice(0, 10)}: ${why}`] };
}
if (!changed.length) {
  console.log('every rule matches its registration');
  process.exit(0);
}
if (!why) {
  console.error(
    `rules changed (${changed.join(', ')}): give the reason, e.g. node tools/audit/register.mjs "primary test of pe-needed: Fisher on solved counts"`,
  );
  process.exit(2);
}
const ordered = Object.fromEntries(CLAIMS.map((c) => [c.id, registry[c.id]]));
writeFileSync(file, JSON.stringify(ordered, null, 2) + '\n');
console.log(`registered ${changed.length}: ${changed.map((id) => `${id} v${ordered[id].version}`).join(', ')}`);
console.log('now commit the registry on its own: git commit -m "register: ..." -- audit/preregistration.json');
