/**
 * Gradient charts (Pascanu, Mikolov & Bengio 2013): the per-position sensitivity profile
 * ||dL/dx_t|| against distance from the readout, the global gradient norm over training
 * with exploding and diverged runs marked, and per-group (per-layer) norms.
 */
import { curveAcrossSeeds, groupBy, summarize, thinIndices } from '../../harness/store/aggregate.js';
import type { CompletedRecord, ResultRecord } from '../../harness/store/results.js';
import { curveRows, curveSpec, smoothingWindow } from './curves.js';
import { byTask, completed, extractorColor, finiteRow, lengthHeader, logScaleOf, palette, panelWidth, safeId, SCHEMA, tip, type Chart } from './common.js';

const PHASES = ['at initialisation', 'after training'] as const;

/**
 * ||dL/dx_t|| against distance from the readout (T-1-t), log scale: one line per extractor
 * (geometric mean over seeds), a panel per phase (columns) and training length (rows).
 */
export function gradientProfile(records: ResultRecord[]): Chart[] {
  const p = palette(records);
  const charts: Chart[] = [];
  for (const [task, all] of byTask(records)) {
    const rs = completed(all).filter((r) => r.gradients.profileInit.length > 0 || r.gradients.profileTrained.length > 0);
    if (!rs.length) continue;
    const rows: Record<string, unknown>[] = [];
    for (const group of groupBy(rs, (r) => JSON.stringify([r.extractor.label, r.length])).values()) {
      const { label } = group[0].extractor;
      const T = group[0].length;
      PHASES.forEach((phase, i) => {
        const profiles = group.map((r) => (i === 0 ? r.gradients.profileInit : r.gradients.profileTrained));
        const slopes = group.map((r) => (i === 0 ? r.gradients.slopeInit : r.gradients.slopeTrained)).filter((s): s is number => s !== null);
        const mean = summarize(slopes)?.mean;
        const slope = mean === undefined ? 'undefined' : Number(mean.toPrecision(3)).toString();
        const points = curveAcrossSeeds(profiles, 'log');
        const keep = new Set(thinIndices(points.length, 256).map((k) => points[k]?.index));
        for (const pt of points) {
          if (!keep.has(pt.index)) continue;
          rows.push(
            finiteRow({
              extractor: label,
              length: T,
              phase,
              distance: T - 1 - pt.index,
              norm: pt.mean,
              lo: pt.lo ?? undefined,
              hi: pt.hi ?? undefined,
              seeds: pt.n,
              slope,
            }),
          );
        }
      });
    }
    if (!rows.length) continue;
    const labels = new Set(rs.map((r) => r.extractor.label));
    const color = extractorColor(p, labels);
    const maxT = Math.max(...rs.map((r) => r.length));
    const yScale = logScaleOf(rows.map((r) => r.norm as number));
    const tooltip = [
      tip('extractor', 'extractor'),
      tip('phase', 'when'),
      tip('length', 'T', 'd'),
      tip('distance', 'distance from readout', 'd'),
      tip('norm', '‖dL/dx_t‖', '.3e'),
      tip('slope', 'fitted slope (log10 per position)'),
      tip('seeds', 'seeds', 'd'),
    ];
    charts.push({
      id: `grad-profile-${safeId(task)}`,
      section: 'Gradients',
      task,
      title: `${task}: gradient reaching each input position, ‖dL/dx_t‖ vs distance from the readout`,
      caption:
        'Log scale. Each line is how strongly the loss responds to the input at a given distance before the readout (geometric mean over seeds; band: 95% CI). A line that drops by orders of magnitude with distance is a vanishing gradient: those positions can barely be learned from. Left: untrained weights; right: after training. Zero gradients (positions outside a receptive field) are left out.',
      spec: {
        $schema: SCHEMA,
        data: { values: rows },
        facet: {
          row: { field: 'length', type: 'ordinal', header: { ...lengthHeader, labelAngle: 0, labelAlign: 'left' } },
          column: { field: 'phase', type: 'nominal', sort: [...PHASES], header: { title: null, labelFontSize: 12, labelFontWeight: 'bold' } },
        },
        spec: {
          width: 320,
          height: 190,
          layer: [
            // A band needs two seeds: with one, an empty band layer would only make Vega warn of an infinite extent.
            ...(rows.some((r) => typeof r.lo === 'number')
              ? [
                  {
                    transform: [{ filter: 'isValid(datum.lo)' }],
                    mark: { type: 'area' as const, opacity: 0.15, clip: true },
                    encoding: {
                      x: { field: 'distance', type: 'quantitative' as const },
                      y: { field: 'lo', type: 'quantitative' as const, scale: yScale },
                      y2: { field: 'hi' },
                      color,
                    },
                  },
                ]
              : []),
            {
              // Dots on each position while they stay readable (and the SVG small).
              mark: { type: 'line', strokeWidth: 2, point: maxT <= 64 ? { size: 14, filled: true } : false },
              encoding: {
                x: { field: 'distance', type: 'quantitative', title: 'distance from the readout, T − 1 − t (positions)' },
                y: { field: 'norm', type: 'quantitative', scale: yScale, title: '‖dL/dx_t‖ (log scale)', axis: { format: '.0e' } },
                color,
                tooltip,
              },
            },
          ],
        },
        resolve: { scale: { x: 'independent' } },
      },
    });
  }
  return charts;
}

type WithCurves = Exclude<ResultRecord, { status: 'errored' }>;

const FLAGS = ['exploding', 'diverged'] as const;
const FLAG_SHAPES: Record<(typeof FLAGS)[number], string> = { exploding: 'triangle-up', diverged: 'cross' };

/** Global gradient norm before clipping over training, log scale, one panel per length; flagged runs marked. */
export function gradNormOverTraining(records: ResultRecord[]): Chart[] {
  const p = palette(records);
  const charts: Chart[] = [];
  const withCurves = records.filter((r): r is WithCurves => r.status !== 'errored');
  for (const [task, rs] of byTask(withCurves)) {
    const rows = curveRows(rs, (r) => r.curves.gradNorm, 'log');
    for (const r of rs) {
      const curve = r.curves.gradNorm;
      const event = (flag: string, step: number, detail: string) => {
        // Mark at the norm of that step, or the last finite one before it (a diverged step has none).
        let k = Math.min(step, curve.length) - 1;
        while (k >= 0 && !(Number.isFinite(curve[k]) && curve[k] > 0)) k--;
        if (k >= 0) rows.push({ kind: 'event', flag, detail, extractor: r.extractor.label, length: r.length, seed: r.seed, step: k + 1, value: curve[k] });
      };
      if (r.status === 'completed' && r.gradients.exploding)
        event('exploding', r.gradients.explodingStep ?? curve.length, `exploding at step ${r.gradients.explodingStep ?? '?'}`);
      if (r.status === 'diverged') event('diverged', r.divergedAtStep, `diverged at step ${r.divergedAtStep}: ${r.message}`);
    }
    if (!rows.some((r) => r.kind === 'run')) continue;
    const flags = FLAGS.filter((f) => rows.some((r) => r.flag === f));
    const hasEvents = flags.length > 0;
    const labels = new Set(rs.map((r) => r.extractor.label));
    const color = extractorColor(p, labels);
    const window = smoothingWindow(Math.max(...rs.map((r) => r.train.steps)));
    const x = { field: 'step', type: 'quantitative' as const, title: 'training step' };
    const y = { field: 'value', type: 'quantitative' as const, title: '‖∇‖ global, before clipping (log)', scale: { type: 'log' as const } };
    // Exploding and diverged runs, marked on top of the curves.
    const events = hasEvents
      ? [
          {
            transform: [{ filter: { field: 'kind', equal: 'event' } }],
            mark: { type: 'point' as const, filled: true, size: 170, stroke: '#000', strokeWidth: 1, opacity: 1 },
            encoding: {
              x,
              y,
              color,
              shape: { field: 'flag', type: 'nominal' as const, title: 'flag', scale: { domain: flags, range: flags.map((f) => FLAG_SHAPES[f]) } },
              tooltip: [tip('extractor', 'extractor'), tip('seed', 'seed'), tip('detail', 'flag')],
            },
          },
        ]
      : [];
    charts.push({
      id: `grad-norm-${safeId(task)}`,
      section: 'Gradients',
      task,
      title: `${task}: global gradient norm (before clipping) over training`,
      caption:
        `Log scale, one panel per length. Bold: each extractor's geometric mean over seeds, smoothed over ${window} step${window > 1 ? 's' : ''}; faint: single runs. A line sinking by orders of magnitude means vanishing gradients; spikes far above the rest mean exploding ones.` +
        (flags.includes('exploding') ? ' ▲ marks a run flagged exploding (a step above 1000× the running median).' : '') +
        (flags.includes('diverged') ? ' ✚ marks a diverged run (non-finite loss or gradient) at its last finite step.' : ''),
      spec: curveSpec(
        rows,
        new Set(rs.map((r) => r.length)).size,
        { x, y, color, runOpacity: 0.25, runLabel: '‖∇‖', meanLabel: 'smoothed geometric mean ‖∇‖', format: '.4g' },
        events,
      ),
    });
  }
  return charts;
}

/**
 * What a variable group is, for colour and legend: `embedding`, `head`, `layer n` for the
 * extractor's n-th layer or block (PyTorch names layer.n, layers.n, blocks.n), else its own
 * name (e.g. `proj`, `pos_embedding`: the extractor's input side).
 */
export function groupRole(group: string): string {
  if (group === 'embedding' || group === 'head') return group;
  const m = /^(?:layer|layers|blocks)\.(\d+)$/.exec(group);
  return m ? `layer ${m[1]}` : group;
}

const VIRIDIS = ['#440154', '#472D7B', '#3B528B', '#2C728E', '#21918C', '#28AE80', '#5EC962', '#ADDC30'];
const INPUT_SIDE = ['#BCBD22', '#8C564B', '#E377C2', '#17BECF'];

/** Legend order and colours of group roles: embedding (grey), input-side groups, layers by depth (viridis, dark = first), head (red). */
export function groupRoleScale(roles: Iterable<string>): { domain: string[]; range: string[] } {
  const set = new Set(roles);
  const layers = [...set].filter((r) => /^layer \d+$/.test(r)).sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
  const inputs = [...set].filter((r) => r !== 'embedding' && r !== 'head' && !layers.includes(r)).sort();
  const domain: string[] = [];
  const range: string[] = [];
  const add = (r: string, c: string) => {
    domain.push(r);
    range.push(c);
  };
  if (set.has('embedding')) add('embedding', '#9A9A9A');
  inputs.forEach((r, i) => add(r, INPUT_SIDE[i % INPUT_SIDE.length]));
  layers.forEach((r, i) => add(r, VIRIDIS[layers.length === 1 ? 2 : Math.round((i * (VIRIDIS.length - 1)) / (layers.length - 1))]));
  if (set.has('head')) add('head', '#D62728');
  return { domain, range };
}

/** Per-group (embedding, each layer or block, head) gradient norms over training: a panel per extractor (rows) and length (columns). */
export function groupGradNorms(records: ResultRecord[]): Chart[] {
  const charts: Chart[] = [];
  const p = palette(records);
  for (const [task, all] of byTask(records)) {
    const rs = completed(all).filter((r) => r.gradients.groups.length > 0);
    if (!rs.length) continue;
    const rows: Record<string, unknown>[] = [];
    for (const group of groupBy(rs, (r) => JSON.stringify([r.extractor.label, r.length])).values()) {
      const { label } = group[0].extractor;
      const names = [...new Set(group.flatMap((r) => r.gradients.groups.flatMap((g) => Object.keys(g.norms))))];
      const steps = [...new Set(group.flatMap((r) => r.gradients.groups.map((g) => g.step)))].sort((a, b) => a - b);
      const keep = thinIndices(steps.length, 150).map((i) => steps[i]);
      for (const name of names) {
        const perSeed = (r: CompletedRecord) => new Map(r.gradients.groups.map((g) => [g.step, g.norms[name]]));
        const maps = group.map(perSeed);
        for (const step of keep) {
          const values = maps.map((m) => m.get(step)).filter((v): v is number => v !== undefined);
          const pt = curveAcrossSeeds(
            values.map((v) => [v]),
            'log',
          )[0];
          if (pt) rows.push({ extractor: label, length: group[0].length, group: name, role: groupRole(name), step, norm: pt.mean, seeds: pt.n });
        }
      }
    }
    if (!rows.length) continue;
    const roles = groupRoleScale(rows.map((r) => r.role as string));
    const extractors = p.labels.filter((l) => rs.some((r) => r.extractor.label === l));
    charts.push({
      id: `group-grad-norms-${safeId(task)}`,
      section: 'Gradients',
      task,
      title: `${task}: gradient norm per layer over training`,
      caption:
        'Log scale. One panel per extractor (rows) and length (columns); each line is one variable group: the embedding (grey), each layer or block of the extractor from the first (dark) to the last (light), and the head (red). Early layers far below the late ones mean the gradient fades on its way down the stack. Geometric mean over seeds.',
      spec: {
        $schema: SCHEMA,
        data: { values: rows },
        facet: {
          row: {
            field: 'extractor',
            type: 'nominal',
            sort: extractors,
            header: { title: null, labelAngle: 0, labelAlign: 'left', labelFontSize: 12, labelFontWeight: 'bold', labelLimit: 160 },
          },
          column: { field: 'length', type: 'ordinal', header: lengthHeader },
        },
        spec: {
          width: panelWidth(new Set(rs.map((r) => r.length)).size, 260),
          height: 130,
          mark: { type: 'line', strokeWidth: 1.6 },
          encoding: {
            x: { field: 'step', type: 'quantitative', title: 'training step' },
            y: { field: 'norm', type: 'quantitative', scale: { type: 'log' }, title: '‖∇‖ of the group (log)', axis: { format: '.0e' } },
            color: {
              field: 'role',
              type: 'nominal',
              title: 'variable group',
              sort: roles.domain,
              scale: roles,
              legend: { symbolType: 'stroke', symbolStrokeWidth: 3 },
            },
            detail: { field: 'group', type: 'nominal' },
            tooltip: [
              tip('extractor', 'extractor'),
              tip('length', 'T', 'd'),
              tip('group', 'group'),
              tip('step', 'step', 'd'),
              tip('norm', '‖∇‖', '.4g'),
              tip('seeds', 'seeds', 'd'),
            ],
          },
        },
        resolve: { scale: { y: 'shared' } },
      },
    });
  }
  return charts;
}
