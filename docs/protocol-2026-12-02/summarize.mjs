// Summarise a results file of this folder (and its <out>.tune.jsonl): per main cell the
// tuned choice, test value and score, validation steps to solve, train value (split tasks)
// and wall time; per extractor the count of cells meeting a threshold and a 95% Student-t
// interval over seeds; and the tuning cost in cell-seconds against the main cells.
//
//   node docs/protocol-2026-12-02/summarize.mjs <results.jsonl> [threshold] [field]
//     threshold: a cell "meets" it when metrics.<field> >= threshold (accuracy, score) or
//     < threshold (mse); field: value (default) or score.
import { readFileSync, existsSync } from 'node:fs';
import { ci95, mean } from '../../dist/stats/index.js';

const [file, thrArg, field = 'value'] = process.argv.slice(2);
const read = (f) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
const main = read(file).filter((r) => r.schemaVersion === 2);
const tune = read(file.replace(/\.jsonl$/, '') + '.tune.jsonl');
const thr = thrArg === undefined ? undefined : Number(thrArg);
const f3 = (x) => (x === null || x === undefined ? '-' : Math.abs(x) < 0.01 && x !== 0 ? x.toExponential(2) : x.toFixed(3));
const meets = (r) => {
  if (thr === undefined || r.status !== 'completed') return false;
  const v = r.metrics[field];
  return r.metrics.higherIsBetter || field === 'score' ? v >= thr : v < thr;
};
const groups = new Map();
for (const r of main) {
  const k = `${r.task.label} ${r.extractor.label} T${r.length}`;
  if (!groups.has(k)) groups.set(k, []);
  groups.get(k).push(r);
}
console.log('cell | status | tuned choice | test value (n) | score | val stepsToSolve | steps run | train value | wall s | data');
for (const rs of groups.values())
  for (const r of rs.sort((a, b) => a.seed - b.seed)) {
    const m = r.metrics ?? {};
    const stepsRun = r.curves?.loss?.length;
    const data = Object.entries(r.data ?? {}).map(([stage, d]) => `${stage}:${d ? (d.split ?? '') + (d.split && d.stream ? '/' : '') + (d.stream ?? '') : 'null'}`).join(' ');
    // Accuracy: the 95% normal-approximation binomial half-width on the cell's own samples.
    const pm = m.metric === 'accuracy' ? ` ±${(1.96 * Math.sqrt((m.value * (1 - m.value)) / m.samples)).toFixed(3)}` : '';
    console.log(
      `${r.cellId} | ${r.status} | ${JSON.stringify(r.tuning?.chosen ?? 'untuned')} | ${f3(m.value)}${pm} (${m.samples}) | ${f3(m.score)} | ${r.validation?.stepsToSolve ?? 'null'} | ${stepsRun} | ${f3(m.trainValue)} | ${(r.wallMs / 1000).toFixed(1)} | ${data}`,
    );
  }
console.log('\ngroup | cells | meets threshold | test value mean [95% t-interval over seeds] | score mean | train value mean [interval] | steps to solve (val)');
for (const [k, rs] of groups) {
  const ok = rs.filter((r) => r.status === 'completed');
  const vals = ok.map((r) => r.metrics.value);
  const ci = ci95(vals);
  const tr = ok.map((r) => r.metrics.trainValue).filter((x) => x !== undefined);
  const tci = tr.length ? ci95(tr) : null;
  const sts = rs.map((r) => String(r.validation?.stepsToSolve ?? 'censored'));
  console.log(
    `${k} | ${rs.length} | ${thr === undefined ? '-' : `${rs.filter(meets).length}/${rs.length} (${field} ${rs[0]?.metrics?.higherIsBetter || field === 'score' ? '>=' : '<'} ${thr})`} | ${f3(mean(vals))} [${ci ? `${f3(ci.lo)}, ${f3(ci.hi)}` : '-'}] | ${f3(mean(ok.map((r) => r.metrics.score)))} | ${tr.length ? `${f3(mean(tr))} [${tci ? `${f3(tci.lo)}, ${f3(tci.hi)}` : '-'}]` : '-'} | ${sts.join(', ')}`,
  );
}
// Cost: wall time of every tuning trial against every main cell (cell-seconds: one worker each).
const sum = (rs) => rs.reduce((a, r) => a + (r.wallMs ?? 0), 0) / 1000;
const steps = (rs) => rs.reduce((a, r) => a + (r.curves?.loss?.length ?? 0), 0);
console.log('\ncost | tuning trials | tuning cell-s | tuning steps | main cells | main cell-s | main steps | tuning / main');
const byEx = new Map();
for (const r of [...tune.map((r) => ['t', r]), ...main.map((r) => ['m', r])]) {
  const k = r[1].extractor.label;
  if (!byEx.has(k)) byEx.set(k, { t: [], m: [] });
  byEx.get(k)[r[0]].push(r[1]);
}
const all = { t: tune, m: main };
for (const [k, g] of [...byEx, ['total', all]])
  console.log(`${k} | ${g.t.length} | ${sum(g.t).toFixed(0)} | ${steps(g.t)} | ${g.m.length} | ${sum(g.m).toFixed(0)} | ${steps(g.m)} | ${(sum(g.t) / sum(g.m)).toFixed(2)}`);
// The rungs of each tuning group, from its first main record.
console.log('\ntuning rungs (grid point: seeds solved, mean steps to solve, mean validation score)');
const seen = new Set();
for (const r of main) {
  if (!r.tuning || seen.has(r.tuning.key)) continue;
  seen.add(r.tuning.key);
  console.log(`${r.extractor.label} grid ${JSON.stringify(r.tuning.grid)} budget ${JSON.stringify(r.tuning.budget)} chosen ${JSON.stringify(r.tuning.chosen)}`);
  for (const rung of r.tuning.rungs) console.log(`  rung ${rung.steps} steps: ` + rung.trials.map((t) => `${JSON.stringify(t.config)}: ${t.solved}/${t.completed + t.failed} solved, ${t.stepsToSolve ?? '-'}, ${f3(t.score)}${t.carried ? ' (carried)' : ''}`).join('; ') + ` (kept ${rung.kept})`);
}
