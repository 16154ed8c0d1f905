/**
 * Rule hashes are keyed by registered names, not paths: moving or renaming a source (and
 * recording its registered name) leaves every hash unchanged; editing it changes the hash.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIMS } from '../../audit/claims/index.js';
import { claimSources, hashSources, readRegistry, registeredText, registrationCommit, registrationStatus, ruleHash } from '../../audit/preregistration.js';
import { execFileSync } from 'node:child_process';
import { CLAIMS_BY_ID } from '../../audit/claims/index.js';
import { PROFILES } from '../../audit/experiments/index.js';
import type { ResultRecord } from '../../harness/store/results.js';
import { gapText } from '../../reports/audit.js';
import { record } from './fixtures.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fxbench-prereg-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('rule hashes under registered names', () => {
  const rule = "import { solved } from '../measure/solve.js';\nimport type { X } from './types.js';\nexport const rule = () => solved(0.9);\n";
  const solve = 'export const solved = (s: number) => s >= 0.9;\n';
  const types = 'export type X = number;\n';

  it('a pure move leaves the hash unchanged; an edit changes it', () => {
    const root = tree({ 'harness/audit/rule.ts': rule, 'harness/measure/solve.ts': solve, 'harness/audit/types.ts': types });
    const before = hashSources(['harness/audit/rule.ts', 'harness/measure/solve.ts'], { root, names: {} });

    // Move both files and rewrite the one import between them, as the move script did.
    mkdirSync(path.join(root, 'audit'), { recursive: true });
    mkdirSync(path.join(root, 'harness/cell/measure'), { recursive: true });
    renameSync(path.join(root, 'harness/measure/solve.ts'), path.join(root, 'harness/cell/measure/solve.ts'));
    renameSync(path.join(root, 'harness/audit/types.ts'), path.join(root, 'audit/types.ts'));
    writeFileSync(path.join(root, 'audit/rule.ts'), rule.replace('../measure/solve.js', '../harness/cell/measure/solve.js'));
    rmSync(path.join(root, 'harness/audit/rule.ts'));
    const names = {
      'audit/rule.ts': 'harness/audit/rule.ts',
      'audit/types.ts': 'harness/audit/types.ts',
      'harness/cell/measure/solve.ts': 'harness/measure/solve.ts',
    };
    const moved = ['audit/rule.ts', 'harness/cell/measure/solve.ts'];
    expect(registeredText('audit/rule.ts', { root, names })).toBe(rule);
    expect(hashSources(moved, { root, names })).toBe(before);
    // Without the registered names the same files hash differently: the names carry the identity.
    expect(hashSources(moved, { root, names: {} })).not.toBe(before);

    writeFileSync(path.join(root, 'harness/cell/measure/solve.ts'), solve.replace('0.9', '0.8'));
    expect(hashSources(moved, { root, names })).not.toBe(before);
  });

  it('every registered rule still matches after the move of 2026-12-07 (no rule re-registered)', () => {
    const registry = readRegistry();
    for (const claim of CLAIMS) expect(ruleHash(claim), claim.id).toBe(registry[claim.id]?.sha256);
    // The registered names in use resolve to files that exist.
    const names = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../audit/registered-names.json'), 'utf8')) as Record<string, string>;
    for (const claim of CLAIMS) for (const src of claimSources(claim)) expect(registeredText(src)).not.toMatch(/^missing: /);
    expect(Object.keys(names).length).toBeGreaterThan(0);
  });
});

describe('the registration commit (a registration lands in a commit of its own before any confirmatory cell runs)', () => {
  const git = (root: string, ...args: string[]) => execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  const repo = () => {
    const root = tree({ 'audit/preregistration.json': '{}\n', 'audit/rule.ts': 'export const r = 1;\n' });
    git(root, 'init', '-q');
    git(root, '-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.');
    git(root, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'rules and registry together');
    return root;
  };
  const commitOnly = (root: string, text: string) => {
    writeFileSync(path.join(root, 'audit/preregistration.json'), text);
    git(root, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'register', '--', 'audit/preregistration.json');
  };

  it('names the last commit that changed the registry, when it changed nothing else and nothing is pending', () => {
    const root = repo();
    expect(registrationCommit(root)).toMatchObject({ missing: expect.stringMatching(/also changes audit\/rule\.ts: register in a commit of its own/) });
    commitOnly(root, '{"a":1}\n');
    const c = registrationCommit(root);
    expect(c).toEqual({ commit: git(root, 'rev-parse', 'HEAD').trim(), at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    writeFileSync(path.join(root, 'audit/preregistration.json'), '{"a":2}\n');
    expect(registrationCommit(root)).toMatchObject({ missing: expect.stringMatching(/changes not committed/) });
    rmSync(root, { recursive: true });
  });

  it('outside a git checkout there is none, and it says why', () => {
    const root = tree({ 'audit/preregistration.json': '{}\n' });
    expect(registrationCommit(root)).toMatchObject({ missing: expect.stringMatching(/not a git checkout/) });
    rmSync(root, { recursive: true });
  });

  it('a confirmatory verdict needs records naming one registration commit older than the first cell; the gap is reported', () => {
    const claim = CLAIMS_BY_ID['rnn-long-range'];
    const registry = { [claim.id]: { version: 1, registered: '2026-01-01T00:00:00.000Z', sha256: ruleHash(claim), history: [] } };
    const standard = { ...PROFILES.standard };
    const at = '2026-01-02T00:00:00.000Z';
    const named = (r: ResultRecord, commit = 'abc') => ({ ...r, startedAt: '2026-01-02T03:00:00.000Z', registration: { commit, at } });
    const rec = record({ exp: 'recall-lengths', extractor: 'lstm', length: 32 });
    const ok = registrationStatus(claim, standard, [named(rec)], registry);
    expect(ok.status).toBe('confirmatory');
    expect(ok.commit).toEqual({ commit: 'abc', at, gapMs: 3 * 3600e3 });
    expect(gapText(ok.commit!.gapMs)).toBe('3 h 0 min');
    const none = registrationStatus(claim, standard, [{ ...rec, startedAt: '2026-01-02T03:00:00.000Z' }], registry);
    expect(none.reasons).toContain('the records name no registration commit');
    const two = registrationStatus(claim, standard, [named(rec), named({ ...rec, seed: 1001 }, 'def')], registry);
    expect(two.reasons).toContain('the records name different registration commits');
    const late = registrationStatus(claim, standard, [{ ...named(rec), startedAt: '2026-01-01T12:00:00.000Z' }], registry);
    expect(late.reasons.join(' ')).toMatch(/registration commit abc .* is later than the run's first cell/);
  });
});
