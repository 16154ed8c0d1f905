/**
 * Labels that name one configuration each. A label is unique inside a suite, but records of
 * several suites (an audit's experiments, `report a.jsonl b.jsonl`) can reuse it for different
 * models: `transformer-none` is norm none in one experiment and positions none in another.
 * Tables and charts group by label, so such records would be averaged together silently.
 * Here a label that names different configurations in different suites gets its suite's name.
 * Inside one suite a label is never changed (tuning may set options per length there).
 */
import type { ResultRecord } from '../harness/store/results.js';

type Part = 'extractor' | 'task';

const config = (r: ResultRecord, part: Part) => JSON.stringify([r[part].name, r[part].options ?? {}]);

/** The new label of each record whose label names different configurations in different suites. */
function qualify(records: readonly ResultRecord[], part: Part): Map<ResultRecord, string> {
  // label -> suite -> the configurations it names there, as one sorted key
  const seen = new Map<string, Map<string, Set<string>>>();
  for (const r of records) {
    const bySuite = seen.get(r[part].label) ?? new Map<string, Set<string>>();
    bySuite.set(r.suite, (bySuite.get(r.suite) ?? new Set()).add(config(r, part)));
    seen.set(r[part].label, bySuite);
  }
  const ambiguous = new Set<string>();
  for (const [label, bySuite] of seen) if (new Set([...bySuite.values()].map((cs) => JSON.stringify([...cs].sort()))).size > 1) ambiguous.add(label);
  const out = new Map<ResultRecord, string>();
  for (const r of records) if (ambiguous.has(r[part].label)) out.set(r, `${r[part].label} (${r.suite})`);
  return out;
}

/** The records with every extractor and task label naming one configuration (records already unique come back unchanged). */
export function distinctLabels(records: readonly ResultRecord[]): ResultRecord[] {
  const extractor = qualify(records, 'extractor');
  const task = qualify(records, 'task');
  if (!extractor.size && !task.size) return [...records];
  return records.map((r) => {
    const e = extractor.get(r);
    const t = task.get(r);
    return e === undefined && t === undefined
      ? r
      : ({ ...r, extractor: { ...r.extractor, label: e ?? r.extractor.label }, task: { ...r.task, label: t ?? r.task.label } } as ResultRecord);
  });
}
