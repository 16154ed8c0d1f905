/** Cost charts: throughput and its scaling with length, achieved GFLOP/s, peak tensor memory, parameter counts. */
import { groupBy, summarize } from '../../harness/store/aggregate.js';
import type { CompletedRecord, ResultRecord } from '../../harness/store/results.js';
import { logLogFit } from '../../stats/index.js';
import {
  ciText,
  completed,
  extractorColor,
  finiteRow,
  fixedLength,
  LEGEND,
  lengthAxis,
  logScaleOf,
  palette,
  SCHEMA,
  sortedLengths,
  tip,
  type Chart,
} from './common.js';

/** Training throughput in sequences per second: batch · 1000 / msPerStep. */
export const seqPerSec = (r: CompletedRecord): number => (r.metrics.msPerStep > 0 ? (r.train.batch * 1000) / r.metrics.msPerStep : NaN);

/**
 * Per (extractor, length) summary of a per-record quantity over tasks and seeds. In `log`
 * space (for log axes) the mean is geometric and the CI is taken on log10 values, so it
 * stays positive.
 */
function perExtractorLength(rs: CompletedRecord[], value: (r: CompletedRecord) => number, space: 'linear' | 'log' = 'linear') {
  const log = space === 'log';
  const back = (x: number) => (log ? 10 ** x : x);
  return [...groupBy(rs, (r) => JSON.stringify([r.extractor.label, r.length])).values()].flatMap((g) => {
    const values = g.map(value).filter((v) => !log || v > 0);
    const s = summarize(log ? values.map(Math.log10) : values);
    if (!s) return [];
    const ci = s.ci95 ? ([back(s.ci95[0]), back(s.ci95[1])] as [number, number]) : null;
    return [finiteRow({ extractor: g[0].extractor.label, length: g[0].length, mean: back(s.mean), lo: ci?.[0], hi: ci?.[1], ci: ciText(ci), n: s.n })];
  });
}

/**
 * Training throughput against length, log-log, one line per extractor (mean over tasks and
 * seeds); the legend gives each extractor's least-squares slope on log-log axes.
 */
export function throughputVsLength(records: ResultRecord[]): Chart[] {
  const rs = completed(fixedLength(records)).filter((r) => Number.isFinite(seqPerSec(r)));
  if (!rs.length) return [];
  const p = palette(records);
  const series = new Map<string, string>();
  for (const [label, g] of groupBy(rs, (r) => r.extractor.label)) {
    const fit = logLogFit(
      g.map((r) => r.length),
      g.map(seqPerSec),
    );
    series.set(label, fit ? `${label}   slope ${fit.slope.toFixed(2).replace('-', '−')}` : `${label}   (one length: no slope)`);
  }
  const means = perExtractorLength(rs, seqPerSec, 'log').map((m) => ({ ...m, series: series.get(m.extractor as string) }));
  const points = rs.map((r) => ({
    extractor: r.extractor.label,
    series: series.get(r.extractor.label),
    task: r.task.label,
    length: r.length,
    seed: r.seed,
    seqPerSec: seqPerSec(r),
    msPerStep: r.metrics.msPerStep,
  }));
  const scale = p.scale(series.keys());
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: 'extractor, log-log slope',
    scale: { domain: scale.domain.map((l) => series.get(l)!), range: scale.range },
    sort: scale.domain.map((l) => series.get(l)!),
    legend: { ...LEGEND, labelLimit: 280 },
  };
  const x = lengthAxis(sortedLengths(rs));
  const y = { type: 'quantitative' as const, title: 'training throughput (sequences/s, log scale)', scale: { type: 'log' as const } };
  return [
    {
      id: 'throughput-vs-length',
      section: 'Cost',
      title: 'Training throughput vs sequence length',
      caption:
        "Log-log: sequences trained per second (batch × 1000 / ms per step, mean over tasks and seeds; dots: single runs). The legend's slope is the least-squares fit on these axes: −1 means time per sequence grows in proportion to T, −2 with T², 0 not at all (parallel hardware absorbing the length).",
      spec: {
        $schema: SCHEMA,
        width: 460,
        height: 280,
        layer: [
          {
            data: { values: points },
            mark: { type: 'point', size: 20, opacity: 0.5 },
            encoding: {
              x,
              y: { ...y, field: 'seqPerSec' },
              color,
              tooltip: [
                tip('extractor', 'extractor'),
                tip('task', 'task'),
                tip('length', 'T', 'd'),
                tip('seed', 'seed'),
                tip('seqPerSec', 'sequences/s', '.1f'),
                tip('msPerStep', 'ms/step', '.2f'),
              ],
            },
          },
          {
            data: { values: means },
            mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 2.2 },
            encoding: {
              x,
              y: { ...y, field: 'mean' },
              color,
              tooltip: [tip('series', 'extractor'), tip('length', 'T', 'd'), tip('mean', 'mean sequences/s', '.1f'), tip('n', 'runs', 'd')],
            },
          },
        ],
      },
    },
  ];
}

/** A per-(extractor, length) line chart of a cost quantity with 95% CI rules. */
function costLineChart(
  records: ResultRecord[],
  opts: {
    id: string;
    title: string;
    caption: string;
    yTitle: string;
    format: string;
    value: (r: CompletedRecord) => number;
    logY?: boolean;
    accept?: (r: CompletedRecord) => boolean;
  },
): Chart[] {
  const rs = completed(fixedLength(records)).filter((r) => (opts.accept ? opts.accept(r) : true) && Number.isFinite(opts.value(r)));
  if (!rs.length) return [];
  const p = palette(records);
  const rows = perExtractorLength(rs, opts.value, opts.logY ? 'log' : 'linear');
  const color = extractorColor(p, new Set(rs.map((r) => r.extractor.label)));
  const x = lengthAxis(sortedLengths(rs));
  const means = rows.map((r) => r.mean as number);
  const scale = opts.logY ? logScaleOf(means) : { domain: [0, Math.max(...means) * 1.15] as [number, number], nice: true };
  return [
    {
      id: opts.id,
      section: 'Cost',
      title: opts.title,
      caption: opts.caption,
      spec: {
        $schema: SCHEMA,
        width: 460,
        height: 260,
        data: { values: rows },
        layer: [
          // Interval rules only where some row has one: a layer whose data all filter away leaves vega an empty, infinite x extent (a console warning).
          ...(rows.some((r) => r.lo !== null && r.lo !== undefined && Number.isFinite(r.lo as number))
            ? [
                {
                  transform: [{ filter: 'isValid(datum.lo)' }],
                  mark: { type: 'rule' as const, strokeWidth: 1.2, opacity: 0.7, clip: true },
                  encoding: { x, y: { field: 'lo', type: 'quantitative' as const, scale }, y2: { field: 'hi' }, color },
                },
              ]
            : []),
          {
            mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 2.2 },
            encoding: {
              x,
              y: { field: 'mean', type: 'quantitative', title: opts.yTitle, scale },
              color,
              tooltip: [tip('extractor', 'extractor'), tip('length', 'T', 'd'), tip('mean', 'mean', opts.format), tip('ci', '95% CI'), tip('n', 'runs', 'd')],
            },
          },
        ],
      },
    },
  ];
}

/** Achieved GFLOP/s of the extractor's training step. */
export const gflopsPerExtractor = (records: ResultRecord[]): Chart[] =>
  costLineChart(records, {
    id: 'gflops',
    title: 'Achieved GFLOP/s per extractor',
    caption:
      "The extractor's analytic training FLOPs per step divided by the measured step time (embedding and head excluded; mean over tasks and seeds, rules: 95% CI). Higher means the extractor keeps the CPU busier: a few large matrix products usually score higher than many small step-by-step ones.",
    yTitle: 'achieved GFLOP/s (extractor training step)',
    format: '.3f',
    value: (r) => r.cost.gflops,
    accept: (r) => r.cost.trainFlopsPerStep > 0,
  });

/** Peak tensor memory of a training step. */
export const memoryVsLength = (records: ResultRecord[]): Chart[] =>
  costLineChart(records, {
    id: 'peak-memory',
    title: 'Peak tensor memory of a training step vs sequence length',
    caption:
      'Peak MiB held by tfjs tensors during one training step (log scale; mean over tasks and seeds). Attention stores T × T scores per head, so its memory grows faster with T than a recurrent or convolutional extractor’s.',
    yTitle: 'peak tensor memory (MiB, log scale)',
    format: '.2f',
    value: (r) => r.cost.peakTensorBytes / 2 ** 20,
    logY: true,
    accept: (r) => r.cost.peakTensorBytes > 0,
  });

/** Parameter count of each extractor label (embedding and head excluded). */
export function paramCounts(records: ResultRecord[]): Chart[] {
  const withParams = records.filter((r) => r.extractor.params !== undefined);
  if (!withParams.length) return [];
  const p = palette(records);
  const rows = [...groupBy(withParams, (r) => r.extractor.label).values()].map((g) => {
    const counts = [...new Set(g.map((r) => r.extractor.params!))].sort((a, b) => a - b);
    return {
      extractor: g[0].extractor.label,
      name: g[0].extractor.name,
      params: counts[counts.length - 1],
      // Learned positions can make the count depend on the task's input; say so.
      range: counts.length > 1 ? `${counts[0]}–${counts[counts.length - 1]}` : String(counts[0]),
      options: JSON.stringify(g[0].extractor.options),
    };
  });
  const color = extractorColor(
    p,
    rows.map((r) => r.extractor),
  );
  return [
    {
      id: 'param-counts',
      section: 'Cost',
      title: 'Parameters per extractor',
      caption:
        'Trainable parameters of each extractor (embedding and head excluded, they are identical for all). Compare accuracy with this in mind: a bigger extractor is not a fairer one.',
      spec: {
        $schema: SCHEMA,
        width: 420,
        height: { step: 26 },
        data: { values: rows },
        encoding: {
          y: { field: 'extractor', type: 'nominal', sort: color.sort, title: null, axis: { labelLimit: 220 } },
          x: { field: 'params', type: 'quantitative', title: 'parameters (extractor only)', axis: { format: ',.0f', tickCount: 5 } },
        },
        layer: [
          {
            mark: { type: 'bar', cornerRadiusEnd: 2 },
            encoding: {
              color: { ...color, legend: null },
              tooltip: [tip('extractor', 'extractor'), tip('name', 'extractor type'), tip('range', 'parameters'), tip('options', 'options')],
            },
          },
          { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { text: { field: 'params', type: 'quantitative', format: ',' } } },
        ],
      },
    },
  ];
}
