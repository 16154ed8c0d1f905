/**
 * `fxbench audit`: run the claims' experiments at a profile, apply the rules, print the
 * verdicts and write the report. The default main job (`npm start` runs the quick profile).
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import { executeCells } from '../execute.js';
import type { Progress } from '../progress.js';
import { readResults } from '../results.js';
import { didYouMean } from '../registry.js';
import { CLAIMS } from './claims.js';
import { PROFILES } from './experiments.js';
import { auditCells, decide, selectClaims, writeAudit, type AuditResult } from './run.js';
import type { ProfileName } from './types.js';

export interface AuditArgs {
  profile: string;
  claim?: string[];
  out: string;
  workers?: number;
  plugins: string[];
  progress: Progress;
}

export function listClaims(): string {
  return CLAIMS.map((c) => `${c.id}\n  ${c.title}\n  experiment: ${c.experiment}\n  rule: ${c.rule}`).join('\n\n');
}

export async function runAuditCommand(a: AuditArgs): Promise<AuditResult> {
  const profile = PROFILES[a.profile as ProfileName];
  if (!profile) throw new UsageError(`unknown profile "${a.profile}": use smoke, quick, standard or full`);
  for (const id of a.claim ?? []) {
    if (!CLAIMS.some((c) => c.id === id)) {
      const s = didYouMean(id, CLAIMS.map((c) => c.id));
      throw new UsageError(`unknown claim "${id}"${s ? `: did you mean "${s}"?` : ''} (\`fxbench audit --list\` shows them)`);
    }
  }
  const claims = selectClaims(a.claim);
  const cells = auditCells(claims, profile);
  a.progress.log(`fxbench audit (${profile.name}): ${claims.length} claims, ${cells.length} cells -> ${a.out}`);
  await executeCells(cells, { out: a.out, progress: a.progress, workers: a.workers, plugins: a.plugins });
  const { records } = readResults([a.out]);
  const audit = decide(claims, profile, records);
  writeAudit(a.out.replace(/\.jsonl$/, '') + '.audit.json', audit);
  return audit;
}

/** The verdicts as a plain-text table for the terminal. */
export function formatVerdicts(audit: AuditResult): string {
  const w = Math.max(...audit.claims.map((c) => c.id.length));
  const lines = audit.claims.map((c) => `${c.id.padEnd(w)}  ${c.decision.verdict.padEnd(12)}  ${c.decision.reason}`);
  const note =
    audit.profile.name === 'smoke'
      ? '\n(smoke profile: a pipeline check on nearly untrained models; these verdicts say nothing about the claims)'
      : audit.profile.indicative
        ? `\n(${audit.profile.name} profile: one seed and small budgets, so verdicts are indicative; run --profile standard for verdicts with confidence intervals)`
        : '';
  return `claim${' '.repeat(Math.max(1, w - 3))}verdict\n${lines.join('\n')}${note}`;
}

export function defaultAuditOut(profile: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z');
  return path.join('results', `audit-${profile}-${stamp}.jsonl`);
}
