/**
 * A submitted run's folder: what `fxbench submit` writes and `status` and `collect` read.
 *
 *   run.json              the manifest: what runs (a suite or an audit profile), in how many shards
 *   suite.json            the suite (suite runs only), exactly as validated at submission
 *   results/shard-I.jsonl shard I's results, appended by its job (I = 0..shards-1)
 *   merged.jsonl          every shard's records, written by `collect` (the merge job)
 *   report/index.html     the report, written by `collect`
 *   logs/                 the scheduler's logs
 * plus the scheduler's scripts or manifests (./slurm.ts, ./k8s.ts). Paths inside run.json
 * are relative to the folder, so the folder can be read wherever it is mounted.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import { prepareAudit } from '../../audit/session.js';
import { packageVersion } from '../../core/paths.js';
import { planTuning, shardOfRun, type TuningPlan } from '../../harness/run/tune.js';
import { expandSuite, loadSuiteFile, parseSuite, type Cell, type SuiteInput } from '../../harness/suite/suite.js';

export const RUN_FILE = 'run.json';
export const SUITE_FILE = 'suite.json';
export const MERGED_FILE = 'merged.jsonl';
export const REPORT_DIR = 'report';
export const LOGS_DIR = 'logs';
export const shardFile = (index: number | string) => `results/shard-${index}.jsonl`;

const workSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('suite') }),
  z.object({ kind: z.literal('audit'), profile: z.string(), claims: z.array(z.string()).optional(), seedBlock: z.number().int().optional() }),
]);
export type Work = z.infer<typeof workSchema>;

export const manifestSchema = z.object({
  fxbench: z.string(),
  created: z.string(),
  scheduler: z.enum(['slurm', 'k8s']),
  /** The run's name: the jobs' names derive from it. */
  name: z.string(),
  shards: z.number().int().positive(),
  work: workSchema,
  /** Plugins every job loads (--plugin), as the jobs will see them. */
  plugins: z.array(z.string()),
  cells: z.number().int().nonnegative(),
  /** Scheduler job ids, once submitted. */
  jobs: z.record(z.string(), z.string()).optional(),
});
export type RunManifest = z.infer<typeof manifestSchema>;

/** What a submission runs, validated: the work, its suite (suite runs) and every cell. */
export interface Planned {
  work: Work;
  suite?: SuiteInput;
  cells: Cell[];
  /** A name for the run, from the suite's name or the audit profile. */
  name: string;
}

/** Validate a suite file or an audit profile into the cells it runs (plugins already loaded). */
export function planWork(a: { suite?: string; audit?: string; claim?: string[]; seedBlock?: number }): Planned {
  if (a.suite !== undefined && a.audit !== undefined)
    throw new UsageError(`give a suite file or --audit PROFILE, not both (got ${a.suite} and --audit ${a.audit})`);
  if (a.audit !== undefined) {
    const { profile, claims, cells } = prepareAudit(a.audit, a.claim, a.seedBlock);
    const chosen = a.claim?.length ? claims.map((c) => c.id) : undefined;
    const block = a.seedBlock !== undefined ? { seedBlock: a.seedBlock } : {};
    return { work: { kind: 'audit', profile: profile.name, ...(chosen ? { claims: chosen } : {}), ...block }, cells, name: `audit-${profile.name}` };
  }
  if (a.claim?.length) throw new UsageError('--claim goes with --audit PROFILE');
  if (a.suite === undefined) throw new UsageError('give a suite file (fxbench submit slurm suite.json ...) or --audit PROFILE');
  const suite = loadSuiteFile(a.suite);
  const parsed = parseSuite(suite, 'suite', { file: a.suite });
  return { work: { kind: 'suite' }, suite, cells: expandSuite(parsed, { file: a.suite }), name: parsed.name };
}

/** A run folder's work: its cells in suite order, and how tuning groups them (which decides the shards). */
export interface RunWork {
  cells: Cell[];
  plan: TuningPlan;
}

/** The cells of a run folder's work (plugins already loaded). */
export function cellsOfRun(dir: string, m: RunManifest): RunWork {
  if (m.work.kind === 'audit') {
    const { cells, plan } = prepareAudit(m.work.profile, m.work.claims, m.work.seedBlock);
    return { cells, plan };
  }
  const file = path.join(dir, SUITE_FILE);
  const suite = parseSuite(loadSuiteFile(file), 'suite', { file });
  const cells = expandSuite(suite, { file });
  return { cells, plan: planTuning(suite, cells, { file }) };
}

/** The cells of shard `index` of a run: the same selection `fxbench run --shard` makes. */
export const shardCells = (work: RunWork, m: RunManifest, index: number) => shardOfRun(work.cells, { index, count: m.shards }, work.plan);

export function readManifest(dir: string): RunManifest {
  const file = path.join(dir, RUN_FILE);
  if (!existsSync(file)) throw new UsageError(`${dir} is not a run folder (no ${RUN_FILE}): give the folder \`fxbench submit\` printed`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON (${(e as Error).message}): it was written by fxbench submit; restore it or submit again`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`${file} is not a run manifest: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export function writeManifest(dir: string, m: RunManifest): void {
  writeFileSync(path.join(dir, RUN_FILE), JSON.stringify(m, null, 2) + '\n');
}

/** A job-name-safe slug: lowercase letters, digits and dashes (Kubernetes' DNS-1123 label rules). */
export const slug = (s: string, max: number) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '') || 'run';

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-'); // 20261201-215304

/**
 * Create the folder of a new run (default runs/<name>-<time>) with its manifest and suite;
 * refuses a folder that already holds files.
 */
export function createRunFolder(
  planned: Planned,
  opts: { dir?: string; scheduler: RunManifest['scheduler']; shards: number; plugins: string[] },
): { dir: string; manifest: RunManifest } {
  const name = `${slug(planned.name, 40)}-${stamp()}`;
  const dir = path.resolve(opts.dir ?? path.join('runs', name));
  if (existsSync(dir) && readdirSync(dir).length)
    throw new UsageError(`--dir ${dir} already holds files: choose a new folder for this run (or omit --dir for runs/<name>-<time>)`);
  try {
    mkdirSync(path.join(dir, 'results'), { recursive: true });
    mkdirSync(path.join(dir, LOGS_DIR), { recursive: true });
  } catch (e) {
    throw new UsageError(`run folder ${dir} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): choose another --dir`);
  }
  const manifest: RunManifest = {
    fxbench: packageVersion(),
    created: new Date().toISOString(),
    scheduler: opts.scheduler,
    name,
    shards: opts.shards,
    work: planned.work,
    plugins: opts.plugins,
    cells: planned.cells.length,
  };
  writeManifest(dir, manifest);
  if (planned.suite) writeFileSync(path.join(dir, SUITE_FILE), JSON.stringify(planned.suite, null, 2) + '\n');
  return { dir, manifest };
}

/**
 * The arguments (after `fxbench`) of shard `indexExpr` of a run, for any scheduler:
 * `--shard auto` takes the index from the scheduler, `--resume` makes a restarted or
 * requeued shard continue its own results file, and `--lock-wait` lets it wait for a
 * predecessor that is still being stopped.
 */
export function shardArgs(m: RunManifest, where: { suite: string; out: string; workers: string }): string[] {
  const plugins = m.plugins.flatMap((p) => ['--plugin', p]);
  const work =
    m.work.kind === 'audit'
      ? [
          'audit',
          '--profile',
          m.work.profile,
          ...(m.work.claims ?? []).flatMap((c) => ['--claim', c]),
          ...(m.work.seedBlock !== undefined ? ['--seed-block', String(m.work.seedBlock)] : []),
        ]
      : ['run', where.suite];
  return [
    ...plugins,
    ...work,
    '--shard',
    'auto',
    '--shards',
    String(m.shards),
    '--resume',
    '--out',
    where.out,
    '--workers',
    where.workers,
    '--lock-wait',
    String(LOCK_WAIT_S),
  ];
}

/** Longer than a lock takes to go stale (lock.ts STALE_MS), so a requeued shard outwaits a dead predecessor on another node. */
export const LOCK_WAIT_S = 180;

/** The merge job's arguments (after `fxbench`); `collect` loads the run's plugins from its manifest. */
export const collectArgs = (dir: string) => ['collect', dir];
