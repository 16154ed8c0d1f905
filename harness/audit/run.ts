/**
 * Running the audit: the union of the experiments the chosen claims need, as one list of
 * cells (run once even when several claims read them), then each claim's rule applied to
 * the records. Decisions are plain data, written beside the results as `<out>.audit.json`.
 */
import { writeFileSync } from 'node:fs';
import type { CompletedRecord, ResultRecord } from '../results.js';
import { expandSuite, parseSuite, type Cell } from '../suite.js';
import { mergePlans, planTuning, type TuningPlan } from '../tune.js';
import { CLAIMS } from './claims.js';
import { EXPERIMENTS } from './experiments.js';
import { estimateOf } from './rules.js';
import type { Claim, Decision, Evidence, Profile } from './types.js';

export interface ClaimResult {
  id: string;
  title: string;
  article: string;
  experiment: string;
  rule: string;
  decision: Decision;
  /** The rule threw: a bug, reported rather than hidden. */
  error?: string;
}

export interface AuditResult {
  profile: Profile;
  claims: ClaimResult[];
}

/** Claims by id, in the article's order; an unknown id is the caller's to report. */
export function selectClaims(ids: string[] | undefined): Claim[] {
  if (!ids?.length) return CLAIMS;
  return ids.map((id) => {
    const c = CLAIMS.find((x) => x.id === id);
    if (!c) throw new Error(`unknown claim ${id}`);
    return c;
  });
}

/** Stage 1 for the audit: the cells of every experiment the claims need, each experiment once. */
export function auditCells(claims: Claim[], profile: Profile): Cell[] {
  return auditPlan(claims, profile).cells;
}

/** The audit's cells with their tuning plan (groups the experiments share are tuned once: tune.ts). */
export function auditPlan(claims: Claim[], profile: Profile): { cells: Cell[]; plan: TuningPlan } {
  const names = [...new Set(claims.flatMap((c) => c.needs))];
  const plans: TuningPlan[] = [];
  const cells = names.flatMap((n) => {
    const exp = EXPERIMENTS[n];
    if (!exp) throw new Error(`claim needs unknown experiment ${n}`);
    return exp.suites(profile).flatMap((input) => {
      const suite = parseSuite(input, `experiment ${n}`);
      const expanded = expandSuite(suite);
      plans.push(planTuning(suite, expanded));
      return expanded;
    });
  });
  return { cells, plan: mergePlans(plans) };
}

export function makeEvidence(profile: Profile, records: ResultRecord[]): Evidence {
  const select: Evidence['select'] = (experiment, where = {}) =>
    records.filter(
      (r) =>
        r.suite === `audit-${experiment}` &&
        (where.task === undefined || r.task.label === where.task) &&
        (where.extractor === undefined || r.extractor.label === where.extractor) &&
        (where.length === undefined || r.length === where.length),
    );
  return {
    profile,
    records,
    select,
    estimate(experiment, where, value) {
      const done = select(experiment, where).filter((r): r is CompletedRecord => r.status === 'completed');
      const values = done.map(value).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      return estimateOf(values);
    },
  };
}

/** Stage 5 for the audit: every claim's rule applied to the records. */
export function decide(claims: Claim[], profile: Profile, records: ResultRecord[]): AuditResult {
  const evidence = makeEvidence(profile, records);
  return {
    profile,
    claims: claims.map((c) => {
      const head = { id: c.id, title: c.title, article: c.article, experiment: c.experiment, rule: c.rule };
      try {
        return { ...head, decision: c.decide(evidence) };
      } catch (e) {
        return {
          ...head,
          error: (e as Error).message,
          decision: { verdict: 'inconclusive' as const, key: { label: 'rule failed', value: NaN }, reason: `the decision rule failed: ${(e as Error).message}`, numbers: {}, caveats: [] },
        };
      }
    }),
  };
}

export function writeAudit(file: string, audit: AuditResult): void {
  writeFileSync(file, JSON.stringify(audit, null, 2) + '\n');
}
