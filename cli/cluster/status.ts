/**
 * Where a submitted run stands, from its results files alone (so it works while the jobs
 * run, on any machine that sees the folder): per shard, the cells done (completed or
 * diverged), errored (every attempt so far failed; with the message) and remaining (no
 * record yet). Read-only: a torn last line of a file being written is skipped, not repaired.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lockFileOf } from '../../harness/store/lock.js';
import { readResultLines, type ResultRecord } from '../../harness/store/results.js';
import { isDone } from '../../harness/store/files.js';
import { shardCells, shardFile, type RunManifest, type RunWork } from './runFolder.js';

export interface MissingCell {
  id: string;
  suite: string;
  shard: number;
  /** errored: the last attempt's message; not run: no record yet. */
  state: 'errored' | 'not run';
  message?: string;
}

export interface ShardStatus {
  index: number;
  file: string;
  cells: number;
  done: number;
  errored: number;
  remaining: number;
  /** Who holds the shard's results file, while a job writes it. */
  writer?: string;
}

export interface RunStatus {
  shards: ShardStatus[];
  cells: number;
  done: number;
  missing: MissingCell[];
  /** Records in a shard file that are not cells of that shard (another run's file copied in?). */
  foreign: string[];
  /** Unreadable lines, e.g. the torn tail of a file being written. */
  skipped: number;
}

const key = (suite: string, id: string) => `${suite}\u0000${id}`;

export function runStatus(dir: string, m: RunManifest, work: RunWork): RunStatus {
  const all = work.cells;
  const shards: ShardStatus[] = [];
  const missing: MissingCell[] = [];
  const foreign: string[] = [];
  let skipped = 0;
  for (let index = 0; index < m.shards; index++) {
    const file = path.join(dir, shardFile(index));
    const cells = shardCells(work, m, index);
    const { entries, skipped: bad } = readResultLines([file]);
    skipped += bad.length;
    const mine = new Set(cells.map((c) => key(c.suite, c.id)));
    const last = new Map<string, ResultRecord>();
    const done = new Set<string>();
    for (const { record: r, line } of entries) {
      const k = key(r.suite, r.cellId);
      if (!mine.has(k)) {
        foreign.push(`${file}:${line} (${r.cellId})`);
        continue;
      }
      last.set(k, r);
      if (isDone(r)) done.add(k);
    }
    let errored = 0;
    for (const c of cells) {
      const k = key(c.suite, c.id);
      if (done.has(k)) continue;
      const r = last.get(k);
      if (r) errored++;
      missing.push({ id: c.id, suite: c.suite, shard: index, state: r ? 'errored' : 'not run', ...(r && 'message' in r ? { message: r.message } : {}) });
    }
    shards.push({ index, file, cells: cells.length, done: done.size, errored, remaining: cells.length - done.size - errored, writer: writerOf(file) });
  }
  return { shards, cells: all.length, done: shards.reduce((n, s) => n + s.done, 0), missing, foreign, skipped };
}

function writerOf(file: string): string | undefined {
  const lock = lockFileOf(file);
  if (!existsSync(lock)) return undefined;
  try {
    const h = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; host: string };
    return `pid ${h.pid} on ${h.host}`;
  } catch {
    return 'a lock file is present';
  }
}

/** The per-shard table, then the totals. */
export function formatStatus(s: RunStatus): string {
  const w = String(Math.max(...s.shards.map((x) => x.cells), 1)).length;
  const n = (x: number) => String(x).padStart(w);
  const lines = s.shards.map(
    (x) =>
      `shard ${String(x.index).padStart(String(s.shards.length - 1).length)}: ${n(x.done)} done, ${n(x.errored)} errored, ${n(x.remaining)} remaining of ${n(x.cells)}${x.writer ? `  (being written: ${x.writer})` : ''}`,
  );
  const errored = s.missing.filter((c) => c.state === 'errored').length;
  lines.push(`total: ${s.done} done, ${errored} errored, ${s.missing.length - errored} remaining of ${s.cells} cells`);
  if (s.skipped) lines.push(`(${s.skipped} unreadable line${s.skipped === 1 ? '' : 's'} skipped, e.g. a record being written)`);
  if (s.foreign.length) lines.push(`warning: ${s.foreign.length} records are not cells of their shard, e.g. ${s.foreign[0]}`);
  return lines.join('\n');
}

/** One line per missing cell: which, in which shard, and why. */
export function formatMissing(missing: MissingCell[], total: number): string {
  if (!missing.length) return `complete: all ${total} cells done`;
  const suites = new Set(missing.map((c) => c.suite)).size > 1;
  return [
    `missing ${missing.length} of ${total} cells:`,
    ...missing.map((c) => `  ${suites ? `${c.suite} ` : ''}${c.id} (shard ${c.shard}): ${c.state === 'errored' ? `errored: ${c.message ?? ''}` : 'not run'}`),
  ].join('\n');
}
