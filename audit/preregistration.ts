/**
 * Pre-registration. Every claim's rule has a version, registered on a date with the SHA-256
 * of the sources it is decided by: its own file, the files of the experiments it reads, and
 * the shared decision code (verdict, components, measures, the solved measure). The record
 * is audit/preregistration.json; a test fails when a source no longer matches it, so a
 * rule cannot change without a new version (`node tools/audit/register.mjs "why"`).
 *
 * A verdict is confirmatory only when the rule was registered before the run started, the
 * source still matches the registration, and the seeds are disjoint from the development
 * seeds (from 1000 up). Otherwise it is exploratory, and the report says why: a rule
 * changed after a run makes that run's verdicts exploratory.
 *
 * The report prints a hash of all rules and tests: every file above plus the statistics
 * (stats/) and the profiles.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../core/paths.js';
import type { ResultRecord } from '../harness/store/results.js';
import { CONFIRMATORY_SEED_MIN, type Claim, type ClaimId, type Profile } from './types.js';

export interface RegistryEntry {
  version: number;
  /** ISO time the version was registered. */
  registered: string;
  /** SHA-256 (hex) of the sources the rule is decided by, at registration. */
  sha256: string;
  /** One line per version, oldest first. */
  history: string[];
}

export type Registry = Record<ClaimId, RegistryEntry>;

/** Shared decision code every claim's hash covers, relative to the package root. */
// The profiles (sizes, seeds, budgets) and run.ts (which cells run which seeds) decide what a verdict sees, so they belong to every rule.
export const SHARED_SOURCES = [
  'audit/verdict.ts',
  'audit/components.ts',
  'audit/measures.ts',
  'harness/cell/measure/solve.ts',
  'audit/experiments/profiles.ts',
  'audit/run.ts',
];

const REGISTRY_FILE = 'audit/preregistration.json';

/**
 * The name a moved source was registered under, by its path today (./registered-names.json).
 * A rule's hash reads every source under its registered name, with each relative import
 * written from that name to the imported file's registered name: moving or renaming a file
 * (and adding its entry here) leaves every hash unchanged, while any other edit changes it.
 */
const REGISTERED_NAMES_FILE = 'audit/registered-names.json';

export interface HashSources {
  /** The package root the paths are relative to. */
  root: string;
  /** Registered name by path today, for the sources that moved since registration. */
  names: Readonly<Record<string, string>>;
}

function defaultSources(): HashSources {
  const root = packageRoot();
  const file = path.join(root, REGISTERED_NAMES_FILE);
  return { root, names: existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {} };
}

/** The TypeScript source of a module from its `import.meta.url`, whether running from dist/ (built) or from sources (tests). */
export function sourceOf(moduleUrl: string): string {
  const root = packageRoot();
  const file = fileURLToPath(moduleUrl);
  const rel = path.relative(root, file);
  const fromDist = rel.startsWith(`dist${path.sep}`) ? rel.slice(5).replace(/\.js$/, '.ts') : rel;
  return fromDist.split(path.sep).join('/');
}

/** A static or dynamic import's relative specifier: `from './x.js'`, `import('../y.js')`. */
const RELATIVE_IMPORT = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"\n]*)\2/g;

/** A source's text as registered: its relative imports written between registered names (see REGISTERED_NAMES_FILE). */
export function registeredText(rel: string, src: HashSources = defaultSources()): string {
  const file = path.join(src.root, rel);
  // Sources ship with the package; a missing one (a stripped install) hashes as absent, so the rule reads as unregistered.
  if (!existsSync(file)) return `missing: ${rel}`;
  const name = src.names[rel] ?? rel;
  return readFileSync(file, 'utf8').replace(RELATIVE_IMPORT, (whole, head: string, quote: string, spec: string) => {
    const target = path.posix.join(path.posix.dirname(rel), spec.replace(/\.js$/, '.ts'));
    if (!existsSync(path.join(src.root, target))) return whole;
    let written = path.posix.relative(path.posix.dirname(name), src.names[target] ?? target);
    if (spec.endsWith('.js')) written = written.replace(/\.ts$/, '.js');
    return head + quote + (written.startsWith('.') ? written : `./${written}`) + quote;
  });
}

const sha256 = (parts: readonly string[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
};

/** SHA-256 of sources (registered names and registered texts), in the given order. */
export function hashSources(rels: readonly string[], src: HashSources = defaultSources()): string {
  return sha256(rels.flatMap((rel) => [src.names[rel] ?? rel, registeredText(rel, src)]));
}

/** The sources a claim's verdict depends on, relative to the package root. */
export function claimSources(claim: Claim): string[] {
  return [...new Set([claim.source, ...claim.needs.map((e) => e.source), ...SHARED_SOURCES])];
}

/** SHA-256 of a claim's sources (names and contents). */
export function ruleHash(claim: Claim): string {
  return hashSources(claimSources(claim));
}

/** SHA-256 of every rule and test: the claims' sources, the statistics and the profiles. */
export function rulesHash(claims: readonly Claim[]): string {
  const src = defaultSources();
  const stats = readdirSync(path.join(src.root, 'stats'))
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .map((f) => `stats/${f}`);
  const byName = (rel: string) => src.names[rel] ?? rel;
  const files = [...new Set([...claims.flatMap(claimSources), ...stats, 'audit/experiments/profiles.ts'])].sort((a, b) => (byName(a) < byName(b) ? -1 : 1));
  return hashSources(files, src);
}

/** The commit that registered the rules: the last one to change the registry, and its commit time. */
export interface RegistrationCommit {
  commit: string;
  at: string;
}

/**
 * The registration commit, or why there is none: not a git checkout, the registry never
 * committed, or changed since its last commit (a registration must land in a commit of its
 * own before any confirmatory cell runs, so anyone can check its time against the records).
 */
export function registrationCommit(root = packageRoot()): RegistrationCommit | { missing: string } {
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  try {
    if (git(['status', '--porcelain', '--', REGISTRY_FILE]))
      return { missing: `${REGISTRY_FILE} has changes not committed: commit the registration on its own first (git commit -- ${REGISTRY_FILE})` };
    const line = git(['log', '-1', '--format=%H%x09%cI', '--', REGISTRY_FILE]);
    if (!line) return { missing: `${REGISTRY_FILE} was never committed` };
    const [commit, at] = line.split('\t');
    const others = git(['show', '--format=', '--name-only', commit])
      .split('\n')
      .filter((f) => f && f !== REGISTRY_FILE && f !== REGISTERED_NAMES_FILE);
    if (others.length)
      return {
        missing: `the registration commit ${commit.slice(0, 10)} also changes ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}: register in a commit of its own (node tools/audit/register.mjs "why", then git commit -- ${REGISTRY_FILE})`,
      };
    return { commit, at: new Date(at).toISOString() };
  } catch {
    return { missing: 'not a git checkout: the registration commit cannot be named' };
  }
}

export function readRegistry(): Partial<Registry> {
  const file = path.join(packageRoot(), REGISTRY_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Registry>) : {};
}

export interface RegistrationStatus {
  status: 'confirmatory' | 'exploratory';
  version: number | null;
  registered: string | null;
  hash: string;
  /** Why exploratory (empty when confirmatory). */
  reasons: string[];
  /** The registration commit the records name, and the time from it to the first cell's start (ms). */
  commit?: { commit: string; at: string; gapMs: number };
}

/** Whether a claim's verdict on these records is confirmatory, and if not, why. */
export function registrationStatus(
  claim: Claim,
  profile: Profile,
  records: readonly ResultRecord[],
  registry: Partial<Registry> = readRegistry(),
): RegistrationStatus {
  const entry = registry[claim.id];
  const hash = ruleHash(claim);
  const reasons: string[] = [];
  if (!entry) reasons.push('the rule is not registered');
  else if (entry.sha256 !== hash) reasons.push(`the rule's code differs from its registered version ${entry.version} (changed after registration)`);
  const suites = new Set(claim.needs.map((e) => `audit-${e.name}`));
  const own = records.filter((r) => suites.has(r.suite));
  const started = own.map((r) => r.startedAt).sort()[0];
  if (entry && started && started < entry.registered)
    reasons.push(
      `the rule (version ${entry.version}, registered ${entry.registered}) was registered after the run started (${started}): the rule changed after the data`,
    );
  const devSeeds = [...new Set(own.map((r) => r.seed).filter((s) => s < CONFIRMATORY_SEED_MIN))].sort((a, b) => a - b); // in seed order, not the order cells happened to finish
  if (devSeeds.length)
    reasons.push(`seeds below ${CONFIRMATORY_SEED_MIN} (${devSeeds.slice(0, 5).join(', ')}${devSeeds.length > 5 ? ', ...' : ''}) are development seeds`);
  if (!profile.confirmatory) reasons.push(`the ${profile.name} profile is exploratory by design`);
  // The registration commit: every record must name one, the same one, committed before its first cell started.
  const named = [...new Set(own.map((r) => (r.registration ? `${r.registration.commit}\t${r.registration.at}` : '')))];
  let commit: RegistrationStatus['commit'];
  if (named.length === 1 && named[0]) {
    const [c, at] = named[0].split('\t');
    commit = { commit: c, at, gapMs: started ? Date.parse(started) - Date.parse(at) : NaN };
    if (started && Date.parse(at) > Date.parse(started))
      reasons.push(`the registration commit ${c.slice(0, 10)} (${at}) is later than the run's first cell (${started})`);
  } else if (own.length && profile.confirmatory) {
    reasons.push(named.length > 1 ? 'the records name different registration commits' : 'the records name no registration commit');
  }
  return {
    status: reasons.length ? 'exploratory' : 'confirmatory',
    version: entry?.version ?? null,
    registered: entry?.registered ?? null,
    hash,
    reasons,
    ...(commit ? { commit } : {}),
  };
}
