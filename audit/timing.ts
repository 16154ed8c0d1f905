/**
 * Isolated timings for the speed claims (rnn-sequential, speed-ranking). Step times taken
 * inside a suite share the machine with another worker; these are taken after every
 * training cell has finished, one measurement at a time in the main thread, with tinybench:
 * at least 50 timed training steps per measurement, 5 repetitions, the repetitions
 * interleaved across extractors so a drift in the machine's speed hits every arm alike.
 *
 * Rows are appended to `<results>.speed.jsonl` as they are measured; a resumed audit skips
 * the measurements already there.
 */
import { initBackend } from '../kernels/backend.js';
import { kernelThreads, setKernelThreads } from '../kernels/runtime/runtime.js';
import { appendJsonl } from '../core/jsonl.js';
import { timeTrainSteps } from '../perf/bench.js';
import { environment } from '../harness/store/env.js';
import { readSpeed, type SpeedCase, type SpeedRow } from './speed.js';
import type { Profile, SpeedPlan } from './types.js';

export const speedFile = (out: string) => out.replace(/\.jsonl$/, '') + '.speed.jsonl';

const key = (c: { label: string; length: number }, rep: number) => `${c.label}|${c.length}|${rep}`;

/** The unique cases of every claim that times something, at this profile. */
export function speedCases(claims: readonly { speed?: (p: Profile) => SpeedCase[] }[], p: Profile): SpeedCase[] {
  const all = claims.flatMap((c) => c.speed?.(p) ?? []);
  return [...new Map(all.map((c) => [`${c.label}|${c.length}`, c])).values()];
}

/** Takes every timing not yet in `file`, appending rows as they come; returns all rows of the cases. */
export async function measureSpeed(cases: readonly SpeedCase[], plan: SpeedPlan, file: string, log: (m: string) => void): Promise<SpeedRow[]> {
  const done = new Map(readSpeed(file).map((r) => [key(r, r.repetition), r]));
  const todo =
    plan.repetitions * cases.length -
    cases.reduce((n, c) => n + Array.from({ length: plan.repetitions }, (_, r) => done.has(key(c, r))).filter(Boolean).length, 0);
  if (todo > 0) {
    await initBackend('wasm');
    log(`timing ${cases.length} extractor settings x ${plan.repetitions} repetitions x ${plan.steps} steps, alone in this process -> ${file}`);
    const before = kernelThreads();
    try {
      for (let rep = 0; rep < plan.repetitions; rep++) {
        for (const c of cases) {
          if (done.has(key(c, rep))) continue;
          // Between timings, never inside one (setKernelThreads replaces the kernel instance).
          setKernelThreads(c.threads ?? 1);
          const batch = c.batch ?? plan.batch;
          const t = await timeTrainSteps(c.name, c.options, c.length, batch, plan.steps);
          const row: SpeedRow = {
            ...c,
            repetition: rep,
            batch,
            steps: plan.steps,
            meanMs: t.meanMs,
            p50Ms: t.p50Ms,
            seqPerSec: (batch * 1000) / t.meanMs,
            params: t.params,
            measuredAt: new Date().toISOString(),
            env: environment(),
          };
          appendJsonl(file, row);
          done.set(key(c, rep), row);
        }
      }
    } finally {
      setKernelThreads(before);
    }
  }
  return cases.flatMap((c) => Array.from({ length: plan.repetitions }, (_, r) => done.get(key(c, r))).filter((r): r is SpeedRow => !!r));
}
