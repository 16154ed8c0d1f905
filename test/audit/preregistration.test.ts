/**
 * Rule hashes are keyed by registered names, not paths: moving or renaming a source (and
 * recording its registered name) leaves every hash unchanged; editing it changes the hash.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIMS } from '../../audit/claims/index.js';
import { claimSources, hashSources, readRegistry, registeredText, ruleHash } from '../../audit/preregistration.js';

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
