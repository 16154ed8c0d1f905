import { describe, expect, it } from 'vitest';
import { gradientProfile, gradNormOverTraining, groupGradNorms, groupRole, groupRoleScale } from '../../../reports/charts/gradients.js';
import { completedRecord, divergedRecord, erroredRecord } from '../fixtures.js';

type Row = Record<string, number | string | undefined>;
const rowsOf = (spec: unknown) => (spec as { data: { values: Row[] } }).data.values;

const withGradients = (seed: number, over: Record<string, unknown>) => {
  const base = completedRecord({ length: 4, seed });
  return completedRecord({ length: 4, seed }, { gradients: { ...base.gradients, ...over } });
};

describe('gradientProfile', () => {
  it('maps position t to distance T-1-t, takes the geometric mean over seeds, drops zeros', () => {
    const records = [
      withGradients(1, { profileInit: [1e-4, 0, 1e-2, 1], profileTrained: [1, 1, 1, 1] }),
      withGradients(2, { profileInit: [1e-6, 0, 1e-2, 1], profileTrained: [1, 1, 1, 1] }),
    ];
    const [chart] = gradientProfile(records);
    expect(chart.id).toBe('grad-profile-recall');
    const init = rowsOf(chart.spec).filter((r) => r.phase === 'at initialisation');
    // t = 3 is the readout (distance 0); t = 1 had no gradient in either seed; t = 0: √(1e-4 · 1e-6) = 1e-5
    expect(init.map((r) => r.distance)).toEqual([3, 1, 0]);
    expect(init[0].norm).toBeCloseTo(1e-5, 18);
    expect(init[2].norm).toBeCloseTo(1, 12);
    expect(init[0].seeds).toBe(2);
    expect(init[0].slope).toBe('-0.1'); // mean of the records' slopeInit, for the tooltip
    expect(rowsOf(chart.spec).filter((r) => r.phase === 'after training')).toHaveLength(4);
  });

  it('draws no interval band from one seed (an empty band layer makes Vega warn of an infinite extent)', () => {
    const one = gradientProfile([completedRecord({ seed: 1 })]);
    expect(JSON.stringify(one[0].spec)).not.toContain('isValid(datum.lo)');
    const two = gradientProfile([completedRecord({ seed: 1 }), completedRecord({ seed: 2 })]);
    expect(JSON.stringify(two[0].spec)).toContain('isValid(datum.lo)');
  });

  it('nothing without profiles', () => {
    expect(gradientProfile([withGradients(1, { profileInit: [], profileTrained: [] })])).toEqual([]);
    expect(gradientProfile([erroredRecord()])).toEqual([]);
  });
});

describe('gradNormOverTraining', () => {
  it('marks exploding runs at their step and diverged runs at their last finite step', () => {
    const exploding = withGradients(1, { exploding: true, explodingStep: 3 });
    const gradNorm = [1, 1, 5000, 1];
    const records = [
      completedRecord({ seed: 1 }, { curves: { loss: [1, 1, 1, 1], gradNorm }, gradients: exploding.gradients }),
      divergedRecord({ seed: 2 }, { divergedAtStep: 3, curves: { loss: [2, 3], gradNorm: [1, 40] } }),
      erroredRecord({ seed: 3 }),
    ];
    const [chart] = gradNormOverTraining(records);
    const events = rowsOf(chart.spec).filter((r) => r.kind === 'event');
    expect(events.map((e) => [e.flag, e.seed, e.step, e.value])).toEqual([
      ['exploding', 1, 3, 5000],
      ['diverged', 2, 2, 40],
    ]);
    expect(rowsOf(chart.spec).filter((r) => r.kind === 'run')).toHaveLength(6);
    expect(chart.caption).toContain('exploding');
  });

  it('no markers (and no marker layer) when no run is flagged', () => {
    const [chart] = gradNormOverTraining([completedRecord()]);
    expect(JSON.stringify(chart.spec)).not.toContain('"event"');
  });
});

describe('groupGradNorms', () => {
  it('names groups by role and colours layers by depth', () => {
    expect(['embedding', 'layer.0', 'layers.1', 'blocks.2', 'proj', 'head'].map(groupRole)).toEqual([
      'embedding',
      'layer 0',
      'layer 1',
      'layer 2',
      'proj',
      'head',
    ]);
    const scale = groupRoleScale(['head', 'layer 1', 'embedding', 'layer 0', 'proj']);
    expect(scale.domain).toEqual(['embedding', 'proj', 'layer 0', 'layer 1', 'head']);
    expect(new Set(scale.range).size).toBe(5);
  });

  it('geometric mean over seeds per group and step', () => {
    const a = completedRecord({ seed: 1 }, { gradients: { ...completedRecord().gradients, groups: [{ step: 1, norms: { head: 1, 'layer.0': 1e-2 } }] } });
    const b = completedRecord({ seed: 2 }, { gradients: { ...completedRecord().gradients, groups: [{ step: 1, norms: { head: 100, 'layer.0': 1e-4 } }] } });
    const [chart] = groupGradNorms([a, b]);
    const rows = rowsOf(chart.spec);
    expect(rows.find((r) => r.group === 'head')!.norm).toBeCloseTo(10, 10);
    expect(rows.find((r) => r.group === 'layer.0')!.norm).toBeCloseTo(1e-3, 14);
    expect(rows.find((r) => r.group === 'layer.0')!.role).toBe('layer 0');
  });
});
