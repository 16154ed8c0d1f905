/**
 * The layout tells the architecture, and these checks keep it so: no import cycle, no import
 * up the layer order (tools/lint/deps.mjs), no code outside extractors/ branching on an
 * extractor's name (tools/lint/ownership.mjs), no folder above a quarter of the code, and
 * test/ mirroring the source folders.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDependencies, LAYERS } from '../tools/lint/deps.mjs';
import { branchesOnName, builtinNames, checkOwnership } from '../tools/lint/ownership.mjs';

const root = path.resolve(import.meta.dirname, '..');
const FOLDERS = LAYERS.flat().filter((f) => !f.endsWith('.ts'));

function files(dir: string, suffix: RegExp): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    return e.isDirectory() ? files(rel, suffix) : suffix.test(e.name) ? [rel] : [];
  });
}

describe('dependencies', () => {
  it('have no cycle and point down the layers', () => {
    expect(checkDependencies()).toEqual([]);
  });

  it('a cycle, an upward import and a peer import are each reported', () => {
    const graph = new Map([
      ['core/a.ts', ['core/b.ts']],
      ['core/b.ts', ['core/a.ts']],
      ['kernels/k.ts', ['harness/run/x.ts']],
      ['tasks/t.ts', ['extractors/e.ts']],
      ['reproduce/r.ts', ['audit/a.ts']],
      ['harness/store/s.ts', ['harness/run/x.ts']],
      ['harness/run/x.ts', ['harness/store/s.ts']],
    ]);
    const problems = checkDependencies(graph);
    expect(problems).toContainEqual('import cycle: core/a.ts <-> core/b.ts');
    expect(problems.some((p) => p.startsWith('kernels/k.ts imports harness/run/x.ts: kernels may not import the layer above it'))).toBe(true);
    expect(problems.some((p) => p.startsWith('tasks/t.ts imports extractors/e.ts: tasks may not import its peer'))).toBe(true);
    expect(problems.some((p) => p.startsWith('reproduce/r.ts imports audit/a.ts: reproduce may not import its peer'))).toBe(true);
    expect(problems.some((p) => p.startsWith('harness/store/s.ts imports harness/run/x.ts: harness/store may not import the layer above it'))).toBe(true);
  });
});

describe('ownership', () => {
  it('no code outside extractors/ branches on an extractor name', () => {
    expect(builtinNames()).toEqual(expect.arrayContaining(['lstm', 'mlp', 'transformer', 'linear-attention']));
    expect(checkOwnership()).toEqual([]);
  });

  it('recognises a branch on a name, not a name used as data', () => {
    const names = ['mlp', 'linear-attention'];
    expect(branchesOnName("const positions = cell.extractor.name === 'mlp' ? B : B * T;", names)).toBe(true);
    expect(branchesOnName("    case 'linear-attention':", names)).toBe(true);
    expect(branchesOnName("if ('mlp' !== name) return;", names)).toBe(true);
    expect(branchesOnName("extractors: ['mlp', 'linear-attention'],", names)).toBe(false);
  });
});

describe('folders', () => {
  it('none holds more than a quarter of the code', () => {
    const lines = Object.fromEntries(
      FOLDERS.map((f) => [f, files(f, /\.ts$/).reduce((n, file) => n + readFileSync(path.join(root, file), 'utf8').split('\n').length, 0)]),
    );
    const total = Object.values(lines).reduce((a, b) => a + b, 0);
    for (const [folder, n] of Object.entries(lines)) expect(n / total, `${folder}: ${n} of ${total} lines`).toBeLessThanOrEqual(0.25);
  });

  it('test/ mirrors the source folders', () => {
    const own = new Set(['helpers', 'fixtures', 'examples']);
    for (const test of files('test', /\.test\.ts$/)) {
      const dir = path.posix.dirname(test).slice('test'.length + 1);
      if (!dir || own.has(dir.split('/')[0])) continue;
      expect(existsSync(path.join(root, dir)) && statSync(path.join(root, dir)).isDirectory(), `${test}: no source folder ${dir}/`).toBe(true);
    }
  });
});
