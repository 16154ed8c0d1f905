/**
 * `fxbench audit`: run the claims' experiments at a profile, apply the rules, print the
 * verdicts and write the report. The default main job (`npm start` runs the quick profile).
 */
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { readResults, type ResultRecord } from '../harness/store/results.js';
import { readForReport } from '../harness/store/files.js';
import type { Cell } from '../harness/suite/suite.js';
import { tuningFile, type TuningPlan } from '../harness/run/tune.js';
import { didYouMean } from '../core/registry.js';
import { CLAIMS } from './claims/index.js';
import { PROFILES } from './experiments/index.js';
import { atSeedBlock } from './experiments/profiles.js';
import { measureSpeed, speedCases, speedFile } from './timing.js';
import { auditPlan, decide, selectClaims, writeAudit, type AuditResult } from './run.js';
import { registrationCommit } from './preregistration.js';
import { SANITY_CHECK, type Claim, type Profile, type ProfileName } from './types.js';

export function listClaims(): string {
  return CLAIMS.map((c) => {
    const p = c.primary;
    const primary = `${p.test} on ${p.metric}; arms ${p.arms.join(' vs ')}; predicts ${p.direction}; alpha ${p.alpha} (Holm)${p.sesoi ? `; smallest effect of interest ${p.sesoi.value} (${p.sesoi.unit})` : ''}${p.margin ? `; equivalence margin ${p.margin.value} (${p.margin.unit})` : ''}; decided at ${p.where}`;
    return `${c.id}\n  ${c.title}\n  experiment: ${c.experiment}\n  rule: ${c.rule}\n  primary: ${primary}`;
  }).join('\n\n');
}

/**
 * Stage 1 for the audit: validate the profile and claim ids, and list the cells to run, each
 * naming the registration commit (preregistration.ts). `unregistered` says why there is none;
 * a confirmatory profile's verdicts are then exploratory.
 */
export function prepareAudit(
  profileName: string,
  claimIds: string[] | undefined,
  seedBlock?: number,
): { profile: Profile; claims: Claim[]; cells: Cell[]; plan: TuningPlan; unregistered?: string } {
  const named = PROFILES[profileName as ProfileName];
  if (!named) throw new UsageError(`unknown profile "${profileName}": use smoke, quick, standard or full`);
  const profile = seedBlock === undefined ? named : atSeedBlock(named, seedBlock);
  for (const id of claimIds ?? []) {
    if (!CLAIMS.some((c) => c.id === id)) {
      const s = didYouMean(
        id,
        CLAIMS.map((c) => c.id),
      );
      throw new UsageError(`unknown claim "${id}"${s ? `: did you mean "${s}"?` : ''} (\`fxbench audit --list\` shows them)`);
    }
  }
  const claims = selectClaims(claimIds);
  const { cells, plan } = auditPlan(claims, profile);
  const registration = registrationCommit();
  if ('missing' in registration) return { profile, claims, cells, plan, unregistered: registration.missing };
  return { profile, claims, cells: cells.map((c) => ({ ...c, registration })), plan };
}

/**
 * Stage 5 for the audit: take the speed claims' isolated timings (after every training cell,
 * nothing else running; resumable), decide every claim from the results and write
 * `<out>.audit.json`.
 */
export async function finishAudit(
  profile: Profile,
  claims: Claim[],
  out: string,
  warn: (m: string) => void,
  log: (m: string) => void = warn,
): Promise<{ audit: AuditResult; records: ResultRecord[] }> {
  const records = readForReport([out], warn);
  const cases = speedCases(claims, profile);
  const speed = cases.length ? await measureSpeed(cases, profile.speed, speedFile(out), log) : [];
  const audit = decide(claims, profile, records, speed);
  // The wall time runs from the first cell the audit ran, tuning trials included (decide sees only the main cells).
  const trialStarts = readResults([tuningFile(out)])
    .records.map((r) => Date.parse(r.startedAt))
    .filter(Number.isFinite);
  if (trialStarts.length && audit.wallMs !== undefined) audit.wallMs = Math.max(audit.wallMs, Date.now() - trialStarts.reduce((a, b) => Math.min(a, b)));
  writeAudit(out.replace(/\.jsonl$/, '') + '.audit.json', audit);
  return { audit, records };
}

/** The verdicts as a plain-text table for the terminal. */
export function formatVerdicts(audit: AuditResult): string {
  const w = Math.max(...audit.claims.map((c) => c.id.length));
  const lines = audit.claims.map(
    (c) => `${c.id.padEnd(w)}  ${c.decision.verdict.padEnd(17)}  ${c.byConstruction ? `[${SANITY_CHECK}] ` : ''}${c.decision.reason}`,
  );
  const note =
    audit.profile.name === 'smoke'
      ? '\n(smoke profile: a pipeline check on nearly untrained models; these verdicts say nothing about the claims)'
      : audit.profile.indicative
        ? `\n(${audit.profile.name} profile: few seeds and small budgets, so verdicts are indicative and exploratory; run --profile standard for confirmatory verdicts)`
        : '';
  return `claim${' '.repeat(Math.max(1, w - 3))}verdict\n${lines.join('\n')}\n(rules and tests sha256 ${audit.rulesHash.slice(0, 16)}; Holm over ${audit.primaryTests} primary tests at family alpha 0.05)${note}`;
}

export function defaultAuditOut(profile: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d+Z$/, 'Z');
  return path.join('results', `audit-${profile}-${stamp}.jsonl`);
}
