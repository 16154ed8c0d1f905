/**
 * The speed claims' isolated timings: training throughput per extractor on one thread,
 * every repetition a faint dot and the median a bold mark, one column per length.
 */
import type { SpeedRow } from '../../audit/speed.js';
import { median } from '../../stats/index.js';
import { extractorPalette } from '../palette.js';
import { extractorColor, logScaleOf, SCHEMA, tip, type Chart } from './common.js';

export function speedChart(rows: readonly SpeedRow[], id: string, title: string): Chart[] {
  if (!rows.length) return [];
  const p = extractorPalette(rows.map((r) => ({ extractor: { name: r.name, label: r.label, options: r.options } })));
  const color = extractorColor(p, new Set(rows.map((r) => r.label)));
  const groups = new Map<string, SpeedRow[]>();
  for (const r of rows) groups.set(`${r.label}|${r.length}`, [...(groups.get(`${r.label}|${r.length}`) ?? []), r]);
  const values = [
    ...rows.map((r) => ({
      kind: 'rep',
      extractor: r.label,
      length: r.length,
      seqPerSec: r.seqPerSec,
      repetition: r.repetition + 1,
      steps: r.steps,
      batch: r.batch,
    })),
    ...[...groups.values()].map((g) => ({
      kind: 'median',
      extractor: g[0].label,
      length: g[0].length,
      seqPerSec: median(g.map((r) => r.seqPerSec)),
      repetitions: g.length,
      steps: g[0].steps,
      batch: g[0].batch,
    })),
  ];
  const x = { field: 'extractor', type: 'nominal' as const, title: null, sort: color.sort, axis: { labelAngle: -30 } };
  const y = {
    field: 'seqPerSec',
    type: 'quantitative' as const,
    title: 'training sequences per second (one thread, log scale)',
    scale: logScaleOf(values.map((v) => v.seqPerSec)),
  };
  return [
    {
      id,
      section: 'Cost',
      title,
      caption: `Isolated timings: each extractor trained alone in the process after all other work (tinybench, ${rows[0].steps} timed steps of batch ${rows[0].batch} per repetition, repetitions interleaved across extractors). Faint dots: repetitions; bold: their median. One CPU thread: this is per-thread speed, not parallel speed.`,
      spec: {
        $schema: SCHEMA,
        data: { values },
        facet: { column: { field: 'length', type: 'ordinal', header: { labelExpr: "'T = ' + datum.value", title: null } } },
        spec: {
          width: Math.max(120, (28 * groups.size) / Math.max(1, new Set(rows.map((r) => r.length)).size)),
          height: 220,
          layer: [
            {
              transform: [{ filter: "datum.kind === 'rep'" }],
              mark: { type: 'point', filled: true, opacity: 0.35, size: 30 },
              encoding: {
                x,
                y,
                color,
                tooltip: [tip('extractor', 'extractor'), tip('length', 'T', 'd'), tip('repetition', 'repetition', 'd'), tip('seqPerSec', 'seq/s', '.1f')],
              },
            },
            {
              transform: [{ filter: "datum.kind === 'median'" }],
              mark: { type: 'tick', thickness: 3, size: 18 },
              encoding: {
                x,
                y,
                color,
                tooltip: [
                  tip('extractor', 'extractor'),
                  tip('length', 'T', 'd'),
                  tip('seqPerSec', 'median seq/s', '.1f'),
                  tip('repetitions', 'repetitions', 'd'),
                  tip('steps', 'timed steps each', 'd'),
                ],
              },
            },
          ],
        },
        resolve: { scale: { y: 'shared' } },
      } as Chart['spec'],
    },
  ];
}
