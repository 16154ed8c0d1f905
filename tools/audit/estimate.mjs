#!/usr/bin/env node
/**
 * Estimates an audit profile's wall time on this machine: times a few training steps of
 * every distinct cell (extractor, options, length; batch as the profile), extrapolates each
 * cell to its budget (training steps, plus evaluation forward passes: the test set, the
 * validation checks and the length-generalisation reads, each forward taken as a third of a
 * training step per batch), and schedules the cells longest first on `--workers` workers.
 * Solved cells stop early on validation, so this is an upper bound on the training part.
 *
 *   npm run build --silent && node tools/audit/estimate.mjs standard [--workers 2] [--steps 5]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const load = (m) => import(path.join(root, 'dist', m));
const { auditCells } = await load('audit/run.js');
const { CLAIMS } = await load('audit/claims/index.js');
const { PROFILES } = await load('audit/experiments/index.js');
const { speedCases } = await load('audit/speed.js');
const { timeTrainSteps } = await load('perf/bench.js');
const { initBackend } = await load('kernels/backend.js');

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const profile = PROFILES[args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'standard'];
const workers = flag('workers', 2);
const probe = flag('steps', 5);
await initBackend('wasm');

const cells = auditCells(CLAIMS, profile);
const distinct = new Map();
for (const c of cells) {
  const key = JSON.stringify([c.extractor.name, c.extractor.options, c.length, c.train.batch]);
  if (!distinct.has(key)) distinct.set(key, c);
}
const msPerStep = new Map();
let i = 0;
for (const [key, c] of distinct) {
  const t = await timeTrainSteps(c.extractor.name, c.extractor.options, c.length, c.train.batch, probe);
  msPerStep.set(key, t.meanMs);
  process.stderr.write(`\r${++i}/${distinct.size} ${c.extractor.label} T=${c.length}: ${t.meanMs.toFixed(1)} ms/step        `);
}
process.stderr.write('\n');
const evalSteps = (c) => {
  const t = c.train;
  const test = (t.evalSamples ?? t.evalBatches * t.batch) / t.batch;
  const checks = t.valEvery ? Math.ceil(t.steps / t.valEvery) * ((t.valSamples ?? 0) / t.batch) : 0;
  const generalise = (t.generalize?.length ?? 1) * test;
  return (test + checks + generalise) / 3;
};
const costs = cells.map((c) => {
  const ms = msPerStep.get(JSON.stringify([c.extractor.name, c.extractor.options, c.length, c.train.batch]));
  return { c, s: (ms * (c.train.steps + evalSteps(c))) / 1000 };
});
const byExp = new Map();
for (const { c, s } of costs) byExp.set(c.suite, (byExp.get(c.suite) ?? 0) + s);
const lanes = Array(workers).fill(0);
for (const { s } of [...costs].sort((a, b) => b.s - a.s)) lanes[lanes.indexOf(Math.min(...lanes))] += s;
// Isolated timings: warm-up plus timed steps per case and repetition, one at a time.
let speed = 0;
for (const c of speedCases(CLAIMS, profile)) {
  const t = await timeTrainSteps(c.name, c.options, c.length, profile.speed.batch, probe);
  speed += (t.meanMs * (profile.speed.steps + 1) * profile.speed.repetitions) / 1000;
}
for (const [e, s] of [...byExp].sort((a, b) => b[1] - a[1])) console.log(`${e.padEnd(24)} ${(s / 60).toFixed(1)} cell-min`);
const total = costs.reduce((n, x) => n + x.s, 0);
console.log(
  `${profile.name}: ${cells.length} cells, ${(total / 60).toFixed(1)} cell-min; on ${workers} workers ${(Math.max(...lanes) / 60).toFixed(1)} min; isolated timings ${(speed / 60).toFixed(1)} min; estimated wall ${((Math.max(...lanes) + speed) / 60).toFixed(1)} min (budget-bound: solved cells stop early)`,
);
