// Steps to solve: first step at which the 20-step moving mean of the training loss is below `thr` (default 0.1 nats).
import { readFileSync } from 'node:fs';
const [file, thrArg] = process.argv.slice(2);
const thr = Number(thrArg ?? 0.1);
const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const by = new Map();
for (const r of rows) {
  if (r.status !== 'completed') { console.log(r.cellId, r.status, r.message); continue; }
  const loss = r.curves.loss;
  let solved = null, sum = 0;
  for (let i = 0; i < loss.length; i++) { sum += loss[i]; if (i >= 20) sum -= loss[i - 20]; if (i >= 19 && sum / 20 < thr) { solved = i + 1; break; } }
  const key = `${r.task.label} T${r.length} ${r.extractor.label}`;
  if (!by.has(key)) by.set(key, []);
  by.get(key).push({ seed: r.seed, acc: r.metrics.value, solved });
}
for (const [k, v] of by) console.log(k.padEnd(40), v.map((x) => `s${x.seed}: acc ${x.acc.toFixed(3)} solved@${x.solved ?? '>' + rows[0].train.steps}`).join(' | '));
