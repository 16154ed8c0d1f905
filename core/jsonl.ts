/**
 * JSON Lines files (results, tuning trials, speed timings): appended one fsynced line at a
 * time, and read back tolerating what a killed writer leaves behind, a torn last line (no
 * newline after it, not valid JSON). The one reader and writer of every JSONL file fxbench
 * keeps; what a line must hold is the caller's schema.
 */
import { gunzipSync } from 'node:zlib';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

/** A line that parsed as JSON. */
export interface JsonlLine {
  file: string;
  /** 1-based line number. */
  line: number;
  value: unknown;
}

/** A line that did not parse. */
export interface JsonlSkip {
  file: string;
  /** 1-based line number. */
  line: number;
  /** The file's last line, cut short (no newline, not valid JSON): a writer killed mid-line. */
  torn: boolean;
}

/** Every non-blank line of the files (in order; a missing file reads as empty; `.gz` files are gunzipped), parsed, and the lines that are not JSON. */
export function readJsonl(files: readonly string[]): { lines: JsonlLine[]; skipped: JsonlSkip[] } {
  const lines: JsonlLine[] = [];
  const skipped: JsonlSkip[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    // Committed evidence is gzipped (a results file of long curves compresses ~4x): read either.
    const raw = readFileSync(file);
    const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').split('\n');
    text.forEach((t, i) => {
      if (!t.trim()) return;
      try {
        lines.push({ file, line: i + 1, value: JSON.parse(t) });
      } catch {
        skipped.push({ file, line: i + 1, torn: i === text.length - 1 });
      }
    });
  }
  return { lines, skipped };
}

/**
 * Append one value as a line and fsync, so a killed writer keeps every finished line. The
 * line is one write; if the file ends in a torn line, a newline first keeps the new line
 * whole.
 */
export function appendJsonl(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'a+');
  try {
    const size = fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    writeSync(fd, prefix + JSON.stringify(value) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Make a file safe to append to: a torn last line is cut off (with a warning that ends with
 * `consequence`); a complete last line that only lacks its newline gets one.
 */
export function repairJsonlTail(file: string, warn: (message: string) => void, consequence: string): void {
  if (!existsSync(file) || statSync(file).size === 0) return;
  const text = readFileSync(file);
  if (text[text.length - 1] === 0x0a) return;
  const cut = text.lastIndexOf(0x0a) + 1; // start of the last line
  const tail = text.subarray(cut).toString('utf8');
  const fd = openSync(file, 'r+');
  try {
    let complete = false;
    try {
      JSON.parse(tail);
      complete = true;
    } catch {
      /* torn */
    }
    if (complete) {
      writeSync(fd, '\n', text.length);
    } else {
      const line = text.subarray(0, cut).toString('utf8').split('\n').length;
      warn(`${file}:${line}: torn last line (the run was killed while writing it): removed; ${consequence}`);
      ftruncateSync(fd, cut);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Write values as JSONL through a temporary file renamed into place: a crash leaves the old file or the new one. */
export function writeJsonlAtomic(file: string, values: readonly unknown[]): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, values.map((v) => JSON.stringify(v) + '\n').join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
