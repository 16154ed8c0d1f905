/** Running the built CLI (npm test builds dist/ first) and comparing results files. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/fxbench.js');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `fxbench args...`. With `interrupt`, send that signal once `interrupt.file` holds a
 * complete line (the first cell's record), as a user or a scheduler would mid-run.
 */
export function fxbench(args: string[], interrupt?: { file: string; signal: NodeJS.Signals }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    if (interrupt) {
      timer = setInterval(() => {
        if (existsSync(interrupt.file) && readFileSync(interrupt.file, 'utf8').includes('\n')) {
          clearInterval(timer);
          child.kill(interrupt.signal);
        }
      }, 10);
    }
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(timer);
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A record without what measures the machine rather than the model (timings, memory, environment). */
export function comparable(record: Record<string, unknown>): Record<string, unknown> {
  const r = structuredClone(record) as Record<string, Record<string, unknown>>;
  for (const k of ['wallMs', 'startedAt', 'env']) delete r[k];
  if (r.metrics) delete r.metrics.msPerStep;
  if (r.cost) for (const k of ['gflops', 'rssBytes', 'peakTensorBytes', 'peakKernelBytes']) delete r.cost[k];
  return r;
}

export function readLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** cellId -> comparable record; throws on a cell present twice. */
export function byCell(file: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const r of readLines(file)) {
    const id = r.cellId as string;
    if (out.has(id)) throw new Error(`${file}: cell ${id} appears twice`);
    out.set(id, comparable(r));
  }
  return out;
}
