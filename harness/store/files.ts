/**
 * Results files as a store: resuming an interrupted run, merging shard outputs, and the
 * rules both share.
 *
 * - A cell is *done* once its file holds a `completed` or `diverged` record: divergence is
 *   a result (the model blew up with that seed and budget) and rerunning reproduces it.
 *   An `errored` cell is *not* done: `--resume` runs it again (the error may have been
 *   transient, e.g. a crashed worker, or fixed since), and its new record supersedes the
 *   errored one. Files are append-only, so the old errored line stays; readers drop it.
 * - A record belongs to a run when its suite name, cell id and configuration (task and
 *   extractor names, labels and options, length, seed and training budget) equal the
 *   run's cell. Anything else in the file is refused, never silently mixed.
 * - A torn last line (a run killed mid-write) is reported and ignored; its cell is rerun.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import { repairJsonlTail, writeJsonlAtomic } from '../../core/jsonl.js';
import { readResultLines, type LocatedRecord, type ResultRecord, type SkippedLine } from './results.js';
import type { Cell } from '../suite/suite.js';

/** Print one warning per unreadable line, torn ones called out as such. */
export function warnSkipped(skipped: SkippedLine[], warn: (message: string) => void): void {
  for (const s of skipped) warn(`${s.file}:${s.line}: ${s.reason}`);
}

export const isDone = (r: ResultRecord) => r.status === 'completed' || r.status === 'diverged';

/** What identifies a cell's configuration: everything but measurements and environment. */
function configOf(x: Pick<Cell, 'suite' | 'task' | 'extractor' | 'length' | 'seed' | 'train' | 'tuning'>) {
  const use = (u: Cell['task']) => ({ name: u.name, label: u.label, options: u.options, matched: u.matched });
  // Through JSON, so a cell (in memory) and a record (read back) compare alike. The tuning key stands for the grid and budget.
  return JSON.parse(
    JSON.stringify({ suite: x.suite, task: use(x.task), extractor: use(x.extractor), length: x.length, seed: x.seed, train: x.train, tuning: x.tuning?.key }),
  ) as unknown;
}

/** A cell or record without the given training fields and extractor options, and without its tuning summary. */
function withoutKeys<T extends Pick<Cell, 'suite' | 'task' | 'extractor' | 'length' | 'seed' | 'train' | 'tuning'>>(x: T, keys: string[]): T {
  const drop = <V extends Record<string, unknown>>(o: V) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k))) as V;
  return { ...x, train: drop(x.train), extractor: { ...x.extractor, options: drop(x.extractor.options) }, tuning: undefined };
}

/** A record's training settings and options without what tuning chose per (task, extractor, length): what all records of a suite share. */
function untuned<T extends Record<string, unknown>>(values: T, r: ResultRecord): T {
  const chosen = r.tuning?.chosen ?? {};
  return Object.fromEntries(Object.entries(values).filter(([k]) => !(k in chosen))) as T;
}

/** The first path at which two JSON values differ, with both values; undefined when equal. */
export function firstDifference(a: unknown, b: unknown, at = ''): { path: string; a: unknown; b: unknown } | undefined {
  if (a === b) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k);
      if (d) return d;
    }
    return undefined;
  }
  return { path: at || '(record)', a, b };
}

const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));

/**
 * Drop errored records superseded by a retry: all of a cell's errored records when it also
 * has a done record (a resumed run retried it, or another shard file holds it done), else
 * all but its last one. Everything else stays, in order.
 */
export function supersedeRetried<T extends ResultRecord | LocatedRecord>(items: T[]): T[] {
  const rec = (x: T): ResultRecord => ('record' in x ? x.record : x);
  const key = (r: ResultRecord) => `${r.suite}\u0000${r.cellId}`;
  const done = new Set(items.map(rec).filter(isDone).map(key));
  const lastErrored = new Map<string, number>();
  items.forEach((x, i) => {
    if (rec(x).status === 'errored') lastErrored.set(key(rec(x)), i);
  });
  return items.filter((x, i) => rec(x).status !== 'errored' || (!done.has(key(rec(x))) && lastErrored.get(key(rec(x))) === i));
}

/**
 * Make a results file safe to append to: a torn last line (no newline, not JSON) is cut
 * off with a warning; a complete last record that only lacks its newline gets one.
 */
export function repairTail(file: string, warn: (message: string) => void): void {
  repairJsonlTail(file, warn, 'that cell will run again');
}

export interface ResumePlan {
  /** Cells still to run, in suite order. */
  todo: Cell[];
  /** Cells the file already holds as completed or diverged. */
  done: number;
  /** Cells whose only record is errored: they run again. */
  retried: number;
}

/**
 * Which cells of `cells` a results file already holds. Refuses (UsageError) a file that
 * holds another suite, a cell this run does not have, or a cell run with another
 * configuration: resuming must never mix two experiments in one file.
 */
export function planResume(file: string, cells: Cell[], warn: (message: string) => void, tunedKeys?: (cell: Cell) => string[] | undefined): ResumePlan {
  if (!existsSync(file)) return { todo: cells, done: 0, retried: 0 };
  repairTail(file, warn);
  const { entries, skipped } = readResultLines([file]);
  const old = skipped.find((x) => x.version !== undefined);
  if (old)
    throw new UsageError(`--resume: ${file}:${old.line} is ${old.reason.replace(/: ignored$/, '')}; a resumed run cannot mix versions: write to another --out`);
  warnSkipped(skipped, warn);
  // A run may span several suites (an audit runs one per experiment): cells are keyed by suite and id.
  const key = (x: { suite: string; id?: string; cellId?: string }) => `${x.suite}\u0000${x.id ?? x.cellId}`;
  const byId = new Map(cells.map((c) => [key(c), c]));
  const suites = new Set(cells.map((c) => c.suite));
  const done = new Set<string>();
  const errored = new Set<string>();
  const fix = `resume with the same suite and flags, or write to another --out`;
  for (const { record: r, line } of entries) {
    if (suites.size && !suites.has(r.suite)) {
      throw new UsageError(`--resume: ${file} holds results of suite "${r.suite}" (line ${line}), not "${[...suites].join('", "')}": ${fix}`);
    }
    const cell = byId.get(key(r));
    if (!cell)
      throw new UsageError(
        `--resume: ${file}:${line} holds cell ${r.cellId}, which is not a cell of this run (another suite, other flags or another --shard?): ${fix}`,
      );
    // Before tuning (tunedKeys given), what tuning will choose is left out of the comparison.
    const keys = tunedKeys?.(cell);
    const d = keys ? firstDifference(configOf(withoutKeys(cell, keys)), configOf(withoutKeys(r, keys))) : firstDifference(configOf(cell), configOf(r));
    if (d) throw new UsageError(`--resume: ${file}:${line}: cell ${r.cellId} was run with ${d.path} = ${show(d.b)}, this run has ${show(d.a)}: ${fix}`);
    if (isDone(r)) done.add(key(r));
    else errored.add(key(r));
  }
  const retried = [...errored].filter((id) => !done.has(id)).length;
  return { todo: cells.filter((c) => !done.has(key(c))), done: done.size, retried };
}

/**
 * The run a suite belongs to: an audit runs one suite per experiment, all named
 * `audit-<experiment>`, and its shards hold several of them; any other suite is its own run.
 */
const runOf = (suite: string) => (suite.startsWith('audit-') ? 'audit' : suite);

export interface MergeSummary {
  records: ResultRecord[];
  /** Errored records dropped because another file (or a later line) holds the cell done. */
  superseded: number;
}

/**
 * Combine the results files of one suite (e.g. its shards) into one set. Refuses mixed
 * suites (another suite name, or the same name with other training settings or other
 * options under one label) and cells present twice; warns about torn lines.
 */
export function mergeResults(files: string[], warn: (message: string) => void): MergeSummary {
  const { entries, skipped } = readResultLines(files);
  warnSkipped(skipped, warn);
  if (!entries.length) throw new UsageError(`no results records in ${files.join(', ')}: nothing to merge`);
  const where = (e: LocatedRecord) => `${e.file}:${e.line}`;
  const first = entries[0];
  const fix = 'merge only the shards of one suite run with the same flags';
  const labels = new Map<string, LocatedRecord>();
  const firstOfSuite = new Map<string, LocatedRecord>();
  for (const e of entries) {
    const r = e.record;
    if (runOf(r.suite) !== runOf(first.record.suite))
      throw new UsageError(`mixed suites: ${where(first)} is suite "${first.record.suite}", ${where(e)} is suite "${r.suite}": ${fix}`);
    const suiteFirst = firstOfSuite.get(r.suite) ?? e;
    firstOfSuite.set(r.suite, suiteFirst);
    const train = firstDifference(untuned(suiteFirst.record.train, suiteFirst.record), untuned(r.train, r), 'train');
    if (train)
      throw new UsageError(
        `mixed configurations of suite "${r.suite}": ${where(suiteFirst)} has ${train.path} = ${show(train.a)}, ${where(e)} has ${show(train.b)}: ${fix}`,
      );
    for (const kind of ['task', 'extractor'] as const) {
      const key = `${r.suite}\u0000${kind}\u0000${r[kind].label}`;
      const seen = labels.get(key);
      if (!seen) {
        labels.set(key, e);
        continue;
      }
      const pick = (x: ResultRecord) =>
        JSON.parse(JSON.stringify({ name: x[kind].name, options: untuned(x[kind].options, x), matched: x[kind].matched })) as unknown;
      const d = firstDifference(pick(seen.record), pick(r), `${kind}`);
      if (d)
        throw new UsageError(
          `mixed configurations of suite "${r.suite}": ${kind} "${r[kind].label}" has ${d.path} = ${show(d.a)} in ${where(seen)} but ${show(d.b)} in ${where(e)}: ${fix}`,
        );
    }
  }
  const doneAt = new Map<string, LocatedRecord>();
  for (const e of entries) {
    if (!isDone(e.record)) continue;
    const cellKey = `${e.record.suite}\u0000${e.record.cellId}`;
    const other = doneAt.get(cellKey);
    if (other)
      throw new UsageError(
        `duplicate cell ${e.record.cellId}: in ${where(other)} and ${where(e)} (the same file twice, or overlapping shards?): merge each shard once`,
      );
    doneAt.set(cellKey, e);
  }
  const records = supersedeRetried(entries).map((e) => e.record);
  return { records, superseded: entries.length - records.length };
}

/**
 * A cell's done record present more than once (two runs wrote the same file before it
 * was locked, or one file was given twice): byte-identical copies count once, with a
 * warning; copies that differ are refused, since either would silently count a seed twice.
 */
export function dedupeCopies(entries: LocatedRecord[], warn: (message: string) => void): LocatedRecord[] {
  const where = (e: LocatedRecord) => `${e.file}:${e.line}`;
  const first = new Map<string, { entry: LocatedRecord; text: string }>();
  const copies = new Map<string, LocatedRecord[]>();
  const out: LocatedRecord[] = [];
  for (const e of entries) {
    if (!isDone(e.record)) {
      out.push(e);
      continue;
    }
    const key = `${e.record.suite}\u0000${e.record.cellId}`;
    const text = JSON.stringify(e.record);
    const seen = first.get(key);
    if (!seen) {
      first.set(key, { entry: e, text });
      out.push(e);
      continue;
    }
    if (seen.text !== text) {
      const d = firstDifference(seen.entry.record, e.record)!;
      throw new UsageError(
        `cell ${e.record.cellId} of suite "${e.record.suite}" is in ${where(seen.entry)} and ${where(e)} with different contents (${d.path}: ${show(d.a)} vs ${show(d.b)}): two runs wrote it; keep one of the two records (or rerun into a fresh --out) so its seed counts once`,
      );
    }
    copies.set(key, [...(copies.get(key) ?? [seen.entry]), e]);
  }
  for (const list of copies.values()) {
    warn(`cell ${list[0].record.cellId} is present ${list.length} times with identical contents (${list.map(where).join(', ')}): counted once`);
  }
  return out;
}

/** The records of results files as a report counts them: identical copies once, differing copies refused, retried errors superseded. */
export function readForReport(files: string[], warn: (message: string) => void): ResultRecord[] {
  const { entries, skipped } = readResultLines(files);
  warnSkipped(skipped, warn);
  return supersedeRetried(dedupeCopies(entries, warn)).map((e) => e.record);
}

/** Write records as JSONL through a temporary file renamed into place: a crash leaves the old file or the new one. */
export function writeResultsAtomic(file: string, records: ResultRecord[]): void {
  writeJsonlAtomic(file, records);
}
