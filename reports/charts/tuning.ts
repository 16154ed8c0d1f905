/** Tuning: validation score against the learning rate, one line per extractor (harness/tune.ts). */
import { groupBy } from '../../harness/store/aggregate.js';
import type { CompletedRecord, ResultRecord } from '../../harness/store/results.js';
import { byTask, completed, extractorColor, finiteRow, lengthHeader, palette, panelWidth, safeId, SCHEMA, sortedLengths, tip, type Chart } from './common.js';

/** What the chart says of a choice made when every trial of the last rung was at chance. */
export const AMONG_CHANCE = 'settings chosen among chance-level trials';

type Tuned = CompletedRecord & { tuning: NonNullable<CompletedRecord['tuning']> };

/**
 * One panel per length: each extractor's mean final validation score at each learning
 * rate of the grid, from the first rung of successive halving, where every grid point
 * trained for the same budget (later rungs run only the survivors). With more grid keys
 * than lr, each point is the best over the other keys at that rate. A filled ring marks
 * the rate chosen (after every rung); a choice made among chance-level trials only
 * (`chosenAmongChance`, harness/run/tune.ts) says so in its tooltip and in the caption.
 */
export function tuningByLr(records: ResultRecord[]): Chart[] {
  const p = palette(records);
  const charts: Chart[] = [];
  for (const [task, all] of byTask(records)) {
    const tuned = completed(all).filter((r): r is Tuned => r.tuning !== undefined && 'lr' in r.tuning.grid && r.tuning.rungs.length > 0);
    if (!tuned.length) continue;
    const rows: Record<string, unknown>[] = [];
    const amongChance: string[] = [];
    for (const group of groupBy(tuned, (r) => JSON.stringify([r.extractor.label, r.length])).values()) {
      const { tuning } = group[0]; // the same in every seed's record of the group
      const first = tuning.rungs[0];
      const best = new Map<number, (typeof first.trials)[number]>();
      for (const t of first.trials) {
        const lr = t.config.lr as number;
        const seen = best.get(lr);
        if (!seen || (t.score ?? -Infinity) > (seen.score ?? -Infinity)) best.set(lr, t);
      }
      for (const [lr, t] of best) {
        const base = {
          extractor: group[0].extractor.label,
          length: group[0].length,
          lr,
          budget: first.steps,
          seeds: t.completed + t.failed,
          solved: t.solved,
          failed: t.failed,
        };
        if (t.score === null || !Number.isFinite(t.score)) continue; // every seed failed: no score to plot (the tuning table lists it)
        rows.push(
          finiteRow({
            kind: 'point',
            ...base,
            score: t.score,
            // Text, not a number: records from before the loss ranking have none, and a formatted missing number reads NaN.
            loss: t.loss === null || t.loss === undefined ? 'not recorded' : t.loss.toFixed(4),
            chance: t.atChance === undefined ? 'not tested' : t.atChance ? 'at chance' : 'above chance',
            solvedAt: t.stepsToSolve === null ? 'not solved' : `${Math.round(t.stepsToSolve)} steps`,
            config: JSON.stringify(t.config),
          }),
        );
      }
      if (tuning.chosenAmongChance) amongChance.push(`${group[0].extractor.label} at T = ${group[0].length}`);
      const chosen = best.get(tuning.chosen.lr as number);
      if (chosen?.score !== null && chosen?.score !== undefined)
        rows.push({
          kind: 'chosen',
          extractor: group[0].extractor.label,
          length: group[0].length,
          lr: tuning.chosen.lr,
          score: chosen.score,
          config: JSON.stringify(tuning.chosen),
          ...(tuning.chosenAmongChance ? { note: AMONG_CHANCE } : {}),
        });
    }
    const lengths = sortedLengths(tuned);
    const color = extractorColor(p, new Set(tuned.map((r) => r.extractor.label)));
    const rates = [...new Set(rows.map((r) => r.lr as number))].sort((a, b) => a - b);
    const x = {
      field: 'lr',
      type: 'quantitative' as const,
      title: 'learning rate (log scale)',
      scale: { type: 'log' as const, padding: 10 },
      axis: { values: rates, format: '.0e' },
    };
    const y = { field: 'score', type: 'quantitative' as const, title: 'validation score (0 = chance, 1 = perfect)', scale: { domainMax: 1 } };
    charts.push({
      id: `tuning-lr-${safeId(task)}`,
      section: 'Tuning',
      task,
      title: `${task}: validation score against learning rate`,
      caption:
        `Tuning on validation data, one panel per length: each line is an extractor's mean final validation score over the tuning seeds at each learning rate, every rate trained for the same budget (the first rung of successive halving); the ring marks the rate chosen after every rung (ranked by mean validation loss), the one the reported runs used. ` +
        `A line that peaks inside the grid found its rate; one that peaks at an end may want a wider grid.` +
        (amongChance.length
          ? ` ${AMONG_CHANCE[0].toUpperCase()}${AMONG_CHANCE.slice(1)} (every trial of the last rung at chance): ${amongChance.join(', ')}.`
          : ''),
      spec: {
        $schema: SCHEMA,
        data: { values: rows },
        facet: { column: { field: 'length', type: 'ordinal', sort: lengths, header: lengthHeader } },
        spec: {
          width: panelWidth(lengths.length),
          height: 220,
          layer: [
            {
              transform: [{ filter: { field: 'kind', equal: 'point' } }],
              mark: { type: 'line', point: true, strokeWidth: 2 },
              encoding: {
                x,
                y,
                color,
                tooltip: [
                  tip('extractor', 'extractor'),
                  tip('lr', 'learning rate', '.1e'),
                  tip('score', 'mean validation score', '.3f'),
                  tip('loss', 'mean validation loss'),
                  tip('chance', 'against chance'),
                  tip('solved', 'seeds solved', 'd'),
                  tip('seeds', 'seeds', 'd'),
                  tip('solvedAt', 'mean steps to solve'),
                  tip('failed', 'seeds diverged or errored', 'd'),
                  tip('budget', 'trial budget (steps)', 'd'),
                  tip('config', 'grid point'),
                ],
              },
            },
            {
              transform: [{ filter: { field: 'kind', equal: 'chosen' } }],
              mark: { type: 'point', size: 220, strokeWidth: 2.5, filled: false },
              encoding: { x, y, color, tooltip: [tip('extractor', 'extractor'), tip('config', 'chosen'), tip('note', 'note')] },
            },
          ],
        },
        resolve: { scale: { y: 'shared' } },
      },
    });
  }
  return charts;
}
