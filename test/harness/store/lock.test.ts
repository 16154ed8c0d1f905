/**
 * One writer per results file: the lock on --out in-process (held, stale, taken over,
 * released, kept alive by its heartbeat). Two real runs on one file: test/cli/lock.e2e.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../core/errors.js';
import { lockFileOf, lockResults, STALE_MS, type LockHolder } from '../../../harness/store/lock.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-lock-'));
let n = 0;
const fresh = () => path.join(dir, `r${++n}.jsonl`);
const host = os.hostname();

function plant(out: string, holder: Partial<LockHolder>, ageMs = 0): void {
  const file = lockFileOf(out);
  writeFileSync(file, JSON.stringify({ host, pid: process.pid, since: '2020-01-01T00:00:00.000Z', token: 'planted', ...holder }) + '\n');
  const t = new Date(Date.now() - ageMs);
  utimesSync(file, t, t);
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const warnings = () => {
  const list: string[] = [];
  return { list, warn: (m: string) => void list.push(m) };
};

describe('the lock on a results file', () => {
  it('is exclusive, records its holder, and is released', () => {
    const out = fresh();
    const lock = lockResults(out, () => {});
    const holder = JSON.parse(readFileSync(lockFileOf(out), 'utf8')) as LockHolder;
    expect(holder).toMatchObject({ host, pid: process.pid });
    // This process holds it: taking it again is refused too.
    expect(() => lockResults(out, () => {})).toThrow(UsageError);
    lock.release();
    expect(existsSync(lockFileOf(out))).toBe(false);
    lockResults(out, () => {}).release();
  });

  it('refuses a second writer in one line naming the holder', () => {
    const out = fresh();
    plant(out, { pid: process.ppid, since: '2030-01-01T00:00:00.000Z' }); // the parent process: alive
    let message = '';
    try {
      lockResults(out, () => {});
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      `--out ${out} is being written by another fxbench run, pid ${process.ppid} on host ${host} (since 2030-01-01T00:00:00.000Z): wait for it to finish, or write to another --out (its lock: ${out}.lock)`,
    );
    const other = fresh();
    plant(other, { host: 'node-7', pid: 1 }, 5_000); // another host, heartbeat fresh: held
    expect(() => lockResults(other, () => {})).toThrow(/pid 1 on host node-7/);
  });

  it('with waitMs, waits for a live holder and takes the lock once that process is gone', () => {
    const out = fresh();
    // A holder that exits by itself (lockResults blocks this thread while it waits), not our
    // child: an exited child of ours stays a zombie, which still has its pid, until we reap it.
    const pid = Number(spawnSync('sh', ['-c', 'sleep 2 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }).stdout);
    plant(out, { pid });
    const w = warnings();
    const t0 = Date.now();
    const lock = lockResults(out, w.warn, { waitMs: 60_000 });
    expect(Date.now() - t0).toBeGreaterThan(500);
    lock.release();
    expect(w.list).toHaveLength(2);
    expect(w.list[0]).toMatch(new RegExp(`is being written by another fxbench run, pid ${pid} .*: waiting up to \\d+ s for it to finish or go stale$`));
    expect(w.list[1]).toMatch(/^taking over the lock on .*: that process is gone$/);
    expect(() => lockResults(fresh(), () => {}, { waitMs: 0 })).not.toThrow();
  });

  it('takes over a stale lock with a warning: dead pid on this host, a stopped heartbeat elsewhere, this very pid, or an unreadable file', () => {
    const cases: [string, () => void, RegExp][] = [
      ['dead pid', () => plant(cur, { pid: deadPid() }), /that process is gone/],
      ['stopped heartbeat', () => plant(cur, { host: 'node-7', pid: 1 }, STALE_MS + 30_000), /pid 1 on host node-7 .*its heartbeat stopped \d+ s ago/],
      ['this pid', () => plant(cur, { pid: process.pid }), /names this very process/],
      ['unreadable', () => writeFileSync(lockFileOf(cur), '{"ho'), /an unknown holder: the lock file is unreadable/],
    ];
    let cur = '';
    for (const [what, setup, expected] of cases) {
      cur = fresh();
      setup();
      const w = warnings();
      const lock = lockResults(cur, w.warn);
      expect(w.list, what).toHaveLength(1);
      expect(w.list[0], what).toMatch(expected);
      expect(w.list[0]).toMatch(/^taking over the lock on /);
      expect(readFileSync(lockFileOf(cur), 'utf8')).toContain(lock.holder.token);
      lock.release();
    }
  });

  it('does not remove a lock another process has taken over, and keeps its own alive with a heartbeat', async () => {
    const out = fresh();
    const lock = lockResults(out, () => {}, { heartbeatMs: 50 });
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(lockFileOf(out), old, old);
    // The heartbeat thread touches it (its start may take a while on a loaded machine).
    for (let i = 0; i < 200 && Date.now() - statSync(lockFileOf(out)).mtimeMs > 5_000; i++) await new Promise((r) => setTimeout(r, 50));
    expect(Date.now() - statSync(lockFileOf(out)).mtimeMs).toBeLessThan(5_000);
    plant(out, { host: 'node-7', token: 'successor' });
    lock.release();
    expect(readFileSync(lockFileOf(out), 'utf8')).toContain('successor');
  });
});
