/**
 * Progress for long work: a bar when stderr is a terminal, plain lines otherwise (CI logs,
 * pipes), so nothing is lost to carriage returns in a log file.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Start cell `index` of `total`. */
  cellStart(index: number, total: number, label: string): void;
  step(step: number, steps: number, loss: number): void;
  cellEnd(summary: string): void;
  log(message: string): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  if (quiet) return { cellStart() {}, step() {}, cellEnd() {}, log: (m) => stream.write(m + '\n'), stop() {} };
  if (stream.isTTY) return barProgress(stream);
  return lineProgress(stream);
}

function lineProgress(stream: NodeJS.WriteStream): Progress {
  let prefix = '';
  let lastLogged = 0;
  return {
    cellStart(index, total, label) {
      prefix = `[${index}/${total}] ${label}`;
      lastLogged = performance.now();
      stream.write(`${prefix} ...\n`);
    },
    step(step, steps, loss) {
      // A line every 10 s at most keeps CI logs readable.
      if (performance.now() - lastLogged > 10_000) {
        lastLogged = performance.now();
        stream.write(`${prefix} step ${step}/${steps} loss ${loss.toFixed(4)}\n`);
      }
    },
    cellEnd(summary) {
      stream.write(`${prefix} ${summary}\n`);
    },
    log: (m) => stream.write(m + '\n'),
    stop() {},
  };
}

function barProgress(stream: NodeJS.WriteStream): Progress {
  const bar = new cliProgress.SingleBar(
    { stream, format: '{cell} |{bar}| step {value}/{total} loss {loss} | cell {index}/{cells}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let active = false;
  let label = '';
  return {
    cellStart(index, total, l) {
      label = `[${index}/${total}] ${l}`;
      bar.start(1, 0, { cell: l, loss: '-', index, cells: total });
      active = true;
    },
    step(step, steps, loss) {
      bar.setTotal(steps);
      bar.update(step, { loss: loss.toFixed(4) });
    },
    cellEnd(summary) {
      if (active) bar.stop();
      active = false;
      stream.write(`${label} ${summary}\n`);
    },
    log(m) {
      if (active) bar.stop();
      active = false;
      stream.write(m + '\n');
    },
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}
