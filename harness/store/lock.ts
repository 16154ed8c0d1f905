/**
 * One writer per results file. A run holds `<out>.lock` while it appends to `<out>`: a
 * second run on the same file (two shells, or a requeued array task racing its
 * predecessor) stops with a one-line error instead of running every cell again.
 *
 * The lock file holds its holder (host, pid, start time and a random token) and is
 * created atomically (a complete file linked into place), so a reader never sees half of
 * one. While held, a heartbeat thread touches it every HEARTBEAT_MS; the heartbeat runs
 * on its own thread because a cell trained on the main thread blocks the event loop for
 * minutes. A lock is stale, and taken over with a warning, when
 * - its holder ran on this host and that pid is gone (or is this very process), or
 * - its heartbeat is older than STALE_MS (the holder's machine died, or its pid was reused).
 * The takeover moves the stale file aside and checks that what it moved is what it judged
 * stale, so two processes taking over at once cannot both win.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../../core/errors.js';

export const HEARTBEAT_MS = 10_000;
export const STALE_MS = 60_000;

export interface LockHolder {
  host: string;
  pid: number;
  /** ISO time the lock was taken. */
  since: string;
  /** Tells this holder from a later one with the same host and pid. */
  token: string;
}

export interface HeldLock {
  file: string;
  holder: LockHolder;
  /** Remove the lock if it is still ours; idempotent. */
  release(): void;
}

export const lockFileOf = (out: string) => `${out}.lock`;

/** Tokens of the locks this process holds now. */
const heldHere = new Set<string>();

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by another user). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === 'EPERM';
  }
}

/** Why `holder` no longer holds its lock, or undefined while it does. */
export function staleReason(holder: LockHolder | undefined, heartbeatAgeMs: number, here = { host: os.hostname(), pid: process.pid }): string | undefined {
  if (!holder) return 'the lock file is unreadable';
  if (holder.host === here.host) {
    if (holder.pid === here.pid)
      return heldHere.has(holder.token) ? undefined : 'it names this very process, which did not take it (a restarted container reuses the pid)';
    if (!pidAlive(holder.pid)) return 'that process is gone';
  }
  if (heartbeatAgeMs > STALE_MS) return `its heartbeat stopped ${Math.round(heartbeatAgeMs / 1000)} s ago`;
  return undefined;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.host === 'string' && typeof h.pid === 'number' && typeof h.since === 'string' && typeof h.token === 'string') return h as LockHolder;
  } catch {
    /* unreadable: stale */
  }
  return undefined;
}

const describeHolder = (h: LockHolder) => `pid ${h.pid} on host ${h.host} (since ${h.since})`;

/** Create `file` holding `text`, atomically; false when it already exists. */
function createExclusive(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text);
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if (errno(e) === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(errno(e) ?? '')) throw e;
    // A filesystem without hard links: O_EXCL is still exclusive, only not written in one step.
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (e2) {
      if (errno(e2) === 'EEXIST') return false;
      throw e2;
    }
    writeSync(fd, text);
    closeSync(fd);
    return true;
  } finally {
    unlinkSync(tmp);
  }
}

/** The heartbeat: a thread of its own that touches the lock while it is still ours. */
function startHeartbeat(file: string, token: string, ms: number): Worker {
  const code = `
    const { workerData: { file, token, ms } } = require('node:worker_threads');
    const fs = require('node:fs');
    const timer = setInterval(() => {
      try {
        if (!fs.readFileSync(file, 'utf8').includes(token)) return clearInterval(timer);
        const now = new Date();
        fs.utimesSync(file, now, now);
      } catch {
        clearInterval(timer);
      }
    }, ms);`;
  const worker = new Worker(code, { eval: true, workerData: { file, token, ms } });
  worker.unref(); // never keeps the process alive
  return worker;
}

export interface LockOptions {
  heartbeatMs?: number;
  /** How long to wait for a live holder to finish or go stale before refusing (0: refuse at once). */
  waitMs?: number;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Take the lock on results file `out`, or stop with a UsageError naming the holder. A
 * stale lock is taken over, with a warning. With `waitMs`, a live holder is waited for
 * (a requeued array task whose predecessor is still being stopped).
 */
export function lockResults(out: string, warn: (message: string) => void, opts: LockOptions = {}): HeldLock {
  const deadline = Date.now() + (opts.waitMs ?? 0);
  let waited = false;
  for (;;) {
    try {
      return tryLock(out, warn, opts);
    } catch (e) {
      if (!(e instanceof HeldElsewhere) || Date.now() >= deadline) throw e;
      if (!waited)
        warn(`${e.message.replace(/: wait for it.*$/, '')}: waiting up to ${Math.round((deadline - Date.now()) / 1000)} s for it to finish or go stale`);
      waited = true;
      sleep(Math.min(1000, deadline - Date.now()));
    }
  }
}

/** The lock is held by a live run. */
class HeldElsewhere extends UsageError {}

function tryLock(out: string, warn: (message: string) => void, opts: LockOptions): HeldLock {
  const file = lockFileOf(out);
  const holder: LockHolder = { host: os.hostname(), pid: process.pid, since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const text = JSON.stringify(holder) + '\n';
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(file, text)) return held(file, holder, opts.heartbeatMs ?? HEARTBEAT_MS);
    let seen: string;
    let age: number;
    try {
      seen = readFileSync(file, 'utf8');
      age = Date.now() - statSync(file).mtimeMs;
    } catch (e) {
      if (errno(e) === 'ENOENT') continue; // released meanwhile: try again
      throw e;
    }
    const other = parseHolder(seen);
    const why = staleReason(other, age);
    if (!why) {
      throw new HeldElsewhere(
        `--out ${out} is being written by another fxbench run, ${describeHolder(other!)}: wait for it to finish, or write to another --out (its lock: ${file})`,
      );
    }
    // Move the stale lock aside, then check that what moved is what was judged stale.
    const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      renameSync(file, aside);
    } catch (e) {
      if (errno(e) === 'ENOENT') continue;
      throw e;
    }
    const moved = readFileSync(aside, 'utf8');
    if (moved !== seen) {
      // Another process took the lock between our read and the move: give it back.
      try {
        linkSync(aside, file);
      } catch {
        /* a third process holds it now; ours is lost either way */
      }
      unlinkSync(aside);
      continue;
    }
    unlinkSync(aside);
    warn(`taking over the lock on ${out} left by ${other ? describeHolder(other) : 'an unknown holder'}: ${why}`);
  }
  throw new UsageError(`--out ${out}: could not take its lock ${file} (other processes keep taking it): make sure only one run writes to it`);
}

function held(file: string, holder: LockHolder, heartbeatMs: number): HeldLock {
  const heartbeat = startHeartbeat(file, holder.token, heartbeatMs);
  heldHere.add(holder.token);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    heldHere.delete(holder.token);
    process.removeListener('exit', release);
    void heartbeat.terminate();
    try {
      if (readFileSync(file, 'utf8').includes(holder.token)) unlinkSync(file);
    } catch {
      /* already gone */
    }
  };
  // An exit that skips the caller's `finally` (process.exit) still releases the lock.
  process.on('exit', release);
  return { file, holder, release };
}
