/**
 * Progress for long work: a bar when stderr is a terminal, plain lines otherwise (CI logs,
 * pipes), so nothing is lost to carriage returns in a log file. Cells may run in parallel
 * on workers, so progress counts cells and training steps over the whole phase (`start`
 * begins one: each tuning rung, then the main cells).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** The suite is about to run `cells` cells totalling `steps` training steps. */
  start(cells: number, steps: number): void;
  cellStart(label: string): void;
  step(label: string, step: number, steps: number, loss: number): void;
  cellEnd(label: string, summary: string): void;
  log(message: string): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  if (quiet) return { start() {}, cellStart() {}, step() {}, cellEnd() {}, log: (m) => stream.write(m + '\n'), stop() {} };
  return stream.isTTY ? barProgress(stream) : lineProgress(stream);
}

function lineProgress(stream: NodeJS.WriteStream): Progress {
  let total = 0;
  let started = 0;
  let done = 0;
  let lastLogged = performance.now();
  return {
    start(cells) {
      // A run may have phases (tuning rungs, then the main cells): each counts from zero.
      [total, started, done] = [cells, 0, 0];
    },
    cellStart(label) {
      stream.write(`[${++started}/${total}] ${label} ...\n`);
    },
    step(label, step, steps, loss) {
      // One line every 15 s at most keeps CI logs readable.
      if (performance.now() - lastLogged > 15_000) {
        lastLogged = performance.now();
        stream.write(`  ${label} step ${step}/${steps} loss ${loss.toFixed(4)}\n`);
      }
    },
    cellEnd(label, summary) {
      stream.write(`[done ${++done}/${total}] ${label}: ${summary}\n`);
    },
    log: (m) => stream.write(m + '\n'),
    stop() {},
  };
}

function barProgress(stream: NodeJS.WriteStream): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'cells {cells} |{bar}| {percentage}% steps {value}/{total} | eta {eta_formatted} | {current}',
      hideCursor: true,
      etaBuffer: 200,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let totalCells = 0;
  let done = 0;
  let steps = 0;
  const running = new Set<string>();
  const payload = () => ({ cells: `${done}/${totalCells}`, current: [...running].join(', ') });
  return {
    start(cells, totalSteps) {
      [totalCells, done, steps] = [cells, 0, 0];
      bar.start(totalSteps, 0, payload());
    },
    cellStart(label) {
      running.add(label);
      bar.update(steps, payload());
    },
    step() {
      bar.update(++steps, payload());
    },
    cellEnd(label, summary) {
      running.delete(label);
      done++;
      // Print the finished cell above the bar.
      bar.stop();
      stream.write(`[${done}/${totalCells}] ${label}: ${summary}\n`);
      if (done < totalCells) bar.start(bar.getTotal(), steps, payload());
    },
    log(m) {
      stream.write(`\r\x1b[K${m}\n`);
    },
    stop() {
      bar.stop();
    },
  };
}
