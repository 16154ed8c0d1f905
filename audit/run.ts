/**
 * Running the audit: the union of the experiments the chosen claims need, as one list of
 * cells (run once even when several claims read them), then each claim's rule applied to
 * the records, Holm over the primary tests, and each verdict's registration status.
 * Decisions are plain data, written beside the results as `<out>.audit.json`.
 */
import { writeFileSync } from 'node:fs';
import type { CompletedRecord, ResultRecord } from '../harness/store/results.js';
import { cellCost } from '../harness/cost/cellCost.js';
import { expandSuite, parseSuite, type Cell } from '../harness/suite/suite.js';
import { mergePlans, planTuning, type TuningPlan } from '../harness/run/tune.js';
import { CLAIMS } from './claims/index.js';
import { EXPERIMENTS } from './experiments/index.js';
import { withInitSearch } from './experiments/common.js';
import { readRegistry, registrationStatus, rulesHash, type RegistrationStatus } from './preregistration.js';
import type { SpeedRow } from './speed.js';
import type { Claim, ClaimId, Decision, Evidence, PrimarySpec, Profile } from './types.js';
import { decideClaims } from './verdict.js';

export interface ClaimResult {
  id: ClaimId;
  title: string;
  article: string;
  experiment: string;
  rule: string;
  primary: PrimarySpec;
  decision: Decision;
  registration: RegistrationStatus;
  /** A sanity check: why its verdict holds by construction (types.ts `byConstruction`); not counted among the decided claims. */
  byConstruction?: string;
  /** The rule threw: a bug, reported rather than hidden. */
  error?: string;
}

export interface AuditResult {
  profile: Profile;
  /** SHA-256 of every rule and test (registry.ts). */
  rulesHash: string;
  /** Primary tests Holm ran over. */
  primaryTests: number;
  /** Wall time from the first cell's start to the decision (ms; a resumed run includes its pauses), when known. */
  wallMs?: number;
  /** The isolated timings the speed claims read. */
  speed: SpeedRow[];
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

/**
 * Stage 1 for the audit: the cells of every experiment the claims need, each experiment
 * once, with their tuning plan (groups the experiments share are tuned once: tune.ts).
 * Cheap cells get more seeds: an arm (experiment, length, extractor label) whose most
 * expensive cell on the profile's seeds costs at most `profile.cheapCost` also runs
 * `profile.extraSeeds`. Arms of one comparison may so differ in seed count: paired tests
 * read the seeds every arm ran (measures.ts pairedBySeed), count tests each arm's own.
 */
export function auditPlan(claims: readonly Claim[], profile: Profile): { cells: Cell[]; plan: TuningPlan } {
  const names = [...new Set(claims.flatMap((c) => c.needs.map((e) => e.name)))];
  const extra = new Set(profile.extraSeeds);
  const plans: TuningPlan[] = [];
  const armOf = (c: Cell) => `${c.suite}|${c.length}|${c.extractor.label}`;
  const cells = names.flatMap((n) =>
    EXPERIMENTS[n].suites(profile).flatMap((input) => {
      const suite = parseSuite(withInitSearch(input), `experiment ${n}`);
      const expanded = expandSuite(suite);
      const armCost = new Map<string, number>();
      for (const c of expanded) {
        if (extra.has(c.seed)) continue;
        armCost.set(armOf(c), Math.max(armCost.get(armOf(c)) ?? 0, cellCost(c) ?? Infinity));
      }
      const kept = expanded.filter((c) => !extra.has(c.seed) || (armCost.get(armOf(c)) ?? Infinity) <= profile.cheapCost);
      plans.push(planTuning(suite, kept));
      return kept;
    }),
  );
  return { cells, plan: mergePlans(plans) };
}

/** The audit's cells (auditPlan without the tuning plan). */
export function auditCells(claims: readonly Claim[], profile: Profile): Cell[] {
  return auditPlan(claims, profile).cells;
}

export function makeEvidence(profile: Profile, records: ResultRecord[], speed: SpeedRow[] = []): Evidence {
  const select: Evidence['select'] = (experiment, where = {}) =>
    records.filter(
      (r) =>
        r.suite === `audit-${experiment.name}` &&
        (where.task === undefined || r.task.label === where.task) &&
        (where.extractor === undefined || r.extractor.label === where.extractor) &&
        (where.length === undefined || r.length === where.length),
    );
  return {
    profile,
    records,
    speed,
    select,
    completed: (experiment, where) => select(experiment, where).filter((r): r is CompletedRecord => r.status === 'completed'),
  };
}

/** Stage 5 for the audit: every claim's rule applied to the records, Holm over the primary tests, registration status. */
export function decide(claims: readonly Claim[], profile: Profile, records: ResultRecord[], speed: SpeedRow[] = []): AuditResult {
  const evidence = makeEvidence(profile, records, speed);
  const decided = decideClaims(claims, evidence);
  const registry = readRegistry();
  const starts = records.map((r) => Date.parse(r.startedAt)).filter(Number.isFinite);
  return {
    profile,
    rulesHash: rulesHash(claims),
    primaryTests: decided.filter((d, i) => !claims[i].byConstruction && d.decision.primary && !Number.isNaN(d.decision.primary.p)).length,
    wallMs: starts.length ? Date.now() - Math.min(...starts) : undefined,
    speed,
    claims: claims.map((c, i) => ({
      id: c.id,
      title: c.title,
      article: c.article,
      experiment: c.experiment,
      rule: c.rule,
      primary: c.primary,
      decision: decided[i].decision,
      registration: registrationStatus(c, profile, records, registry),
      ...(c.byConstruction ? { byConstruction: c.byConstruction } : {}),
      ...(decided[i].error ? { error: decided[i].error } : {}),
    })),
  };
}

export function writeAudit(file: string, audit: AuditResult): void {
  writeFileSync(file, JSON.stringify(audit, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2) + '\n');
}
