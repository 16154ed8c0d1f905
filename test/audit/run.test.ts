/**
 * The audit's framework: experiments expand into valid cells for every profile, cheap cells
 * get more seeds, Holm runs over the claims' primary tests, the verdict helper combines
 * parts, and the registration marks what is exploratory.
 */
import { describe, expect, it } from 'vitest';
import { CLAIMS, CLAIMS_BY_ID } from '../../audit/claims/index.js';
import { combine, fisherComponent, pairedComponent } from '../../audit/components.js';
import { EXPERIMENTS, PROFILES } from '../../audit/experiments/index.js';
import { atSeedBlock } from '../../audit/experiments/profiles.js';
import { readRegistry, registrationStatus, ruleHash } from '../../audit/preregistration.js';
import { auditCells, auditPlan, decide, makeEvidence } from '../../audit/run.js';
import { withInitSearch } from '../../audit/experiments/common.js';
import { cellKey, DEFAULT_GRID } from '../../harness/run/tune.js';
import { ADDING_LENGTH } from '../../audit/experiments/addingLong.js';
import { semantic } from '../../audit/experiments/semantic.js';
import { pairedBySeed } from '../../audit/measures.js';
import { CLAIM_IDS, SANITY_CHECK, type Profile } from '../../audit/types.js';
import { formatVerdicts } from '../../audit/session.js';
import { renderAuditSection } from '../../reports/audit.js';
import { holm } from '../../stats/index.js';
import { P, perSeed, record } from './fixtures.js';

describe('experiments', () => {
  for (const name of Object.keys(PROFILES) as (keyof typeof PROFILES)[]) {
    it(`expand into valid, unique cells for the ${name} profile`, () => {
      const cells = auditCells(CLAIMS, PROFILES[name]);
      expect(cells.length).toBeGreaterThan(20);
      expect(new Set(cells.map((c) => `${c.suite}|${c.id}`)).size).toBe(cells.length);
    });
  }

  it('a seed block moves every seed a confirmatory audit runs or tunes on; blocks share none', () => {
    const one = auditPlan(CLAIMS, PROFILES.standard);
    const two = auditPlan(CLAIMS, atSeedBlock(PROFILES.standard, 2000));
    const seedsOf = (x: typeof one) => new Set([...x.cells.map((c) => c.seed), ...[...x.plan.groups.values()].flatMap((g) => g.budget.seeds)]);
    const [a, b] = [seedsOf(one), seedsOf(two)];
    expect([...a].every((s) => s >= 1000 && s < 2000)).toBe(true);
    expect([...b].every((s) => s >= 2000 && s < 3000)).toBe(true);
    expect(two.cells.length).toBe(one.cells.length);
    expect(() => atSeedBlock(PROFILES.quick, 2000)).toThrow(/confirmatory/);
    expect(() => atSeedBlock(PROFILES.standard, 2500)).toThrow(/whole thousand/);
    // Every confirmatory profile tunes on at least two seeds.
    for (const p of [PROFILES.standard, PROFILES.full]) expect(p.tune && (p.tune.seeds ?? []).length).toBeGreaterThanOrEqual(2);
  });

  it('every claim reads known experiments, in the article order', () => {
    for (const c of CLAIMS) for (const e of c.needs) expect(EXPERIMENTS[e.name], `${c.id} needs ${e.name}`).toBe(e);
    expect(CLAIMS.map((c) => c.id)).toEqual([...CLAIM_IDS]);
  });

  it('cheap arms get the extra seeds, expensive ones not, and paired tests read the seeds every arm ran', () => {
    const p: Profile = { ...PROFILES.quick, seeds: [1, 2], extraSeeds: [3, 4], cheapCost: 0 };
    const none = auditCells([CLAIMS_BY_ID['rnn-long-range']], p);
    expect(new Set(none.map((c) => c.seed))).toEqual(new Set([1, 2]));
    const all = auditCells([CLAIMS_BY_ID['rnn-long-range']], { ...p, cheapCost: Infinity });
    expect(new Set(all.map((c) => c.seed))).toEqual(new Set([1, 2, 3, 4]));
    // A bound between the recurrent arms at T = 32 (at most 1.02e10) and the Transformer's and TCN's (2.4e10 and up).
    const mixed = auditCells([CLAIMS_BY_ID['rnn-long-range']], { ...p, cheapCost: 1.5e10 });
    const seedsOf = (L: number, arm: string) =>
      new Set(mixed.filter((c) => c.length === L && c.suite === 'audit-recall-lengths' && c.extractor.label === arm).map((c) => c.seed));
    for (const arm of ['rnn', 'lstm', 'gru', 'transformer', 'tcn']) expect(seedsOf(8, arm), `T8 ${arm}`).toEqual(new Set([1, 2, 3, 4]));
    for (const arm of ['rnn', 'lstm', 'gru']) expect(seedsOf(32, arm), `T32 ${arm}`).toEqual(new Set([1, 2, 3, 4]));
    for (const arm of ['transformer', 'tcn']) expect(seedsOf(32, arm), `T32 ${arm}`).toEqual(new Set([1, 2]));
  });

  it('equal treatment: every tuned recurrent arm searches its declared initialisations beside the learning rate; untuned and fixed arms do not', () => {
    const { plan, cells } = auditPlan([CLAIMS_BY_ID['rnn-long-range']], PROFILES.standard);
    const gridOf = (label: string) => plan.groups.get(plan.groupOf.get(cellKey(cells.find((c) => c.extractor.label === label)!))!)!.grid;
    expect(Object.fromEntries(gridOf('rnn'))).toEqual({ lr: DEFAULT_GRID.lr, recurrentInit: ['pytorch', 'orthogonal', 'identity'] });
    expect(Object.fromEntries(gridOf('lstm'))).toEqual({ lr: DEFAULT_GRID.lr, forgetBias: ['pytorch', 'chrono'] });
    expect(Object.fromEntries(gridOf('gru'))).toEqual({ lr: DEFAULT_GRID.lr, updateBias: ['pytorch', 'chrono'] });
    expect(Object.fromEntries(gridOf('transformer'))).toEqual({ lr: DEFAULT_GRID.lr });
    // A suite whose arm sets the option keeps it fixed (the radius sweep sets spectralRadius and is untuned).
    const fixed = withInitSearch({ name: 's', tasks: ['recall'], extractors: [{ name: 'lstm', options: { forgetBias: 'unit' } }], tune: {} });
    expect(fixed.tune).toEqual({});
    expect(withInitSearch({ name: 's', tasks: ['recall'], extractors: ['rnn'], tune: false }).tune).toBe(false);
  });

  it('a paired comparison over arms with different seed counts uses the seeds they share', () => {
    const L = P.long;
    const genre = (extractor: string, seed: number, accuracy: number) => record({ exp: 'semantic', task: 'brown-genre', extractor, length: L, seed, accuracy });
    const records = [...[0, 1, 2, 3].map((i) => genre('lstm', 1000 + i, 0.3 + 0.1 * i)), ...[0, 1].map((i) => genre('transformer', 1000 + i, 0.9))];
    const got = pairedBySeed(
      makeEvidence(P, records),
      semantic,
      { task: 'brown-genre', length: L },
      ['transformer', 'lstm'],
      (r) => r.metrics.accuracy ?? null,
    );
    expect(got.seeds).toEqual([1000, 1001]);
    expect(got.values[1]).toEqual([0.3, 0.4]);
  });
});

describe('verdicts', () => {
  it('Holm runs over every claim that computed a primary test', () => {
    // Adding scores with little separation (lstm 0.08 above the rnn, spread 0.1): p well above 0.05 alone.
    const adding = (e: string, accs: number[]) =>
      perSeed(accs, (a) => ({ exp: 'adding-long', task: 'adding', extractor: e, length: ADDING_LENGTH, accuracy: a, chance: 0.5 }));
    const pe = (e: string, task: string, accs: number[]) =>
      perSeed(accs, (a) => ({ exp: 'pe', task, extractor: e, length: P.lengths[0] * 2, accuracy: a, chance: task === 'adding' ? 0.5 : 0.25 }));
    const records = [
      ...adding('lstm', [0.9, 0.95, 0.8, 0.99, 0.85]),
      ...adding('rnn', [0.8, 0.9, 0.85, 0.9, 0.8]),
      ...pe('transformer-causal-sinusoidal', 'recall', [1, 0.98, 0.99, 1, 0.97]),
      ...pe('transformer-causal-none', 'recall', [0.25, 0.3, 0.27, 0.25, 0.26]),
    ];
    const audit = decide([CLAIMS_BY_ID['lstm-mitigates'], CLAIMS_BY_ID['pe-needed']], P, records);
    const ps = audit.claims.map((c) => c.decision.primary!.p);
    expect(audit.primaryTests).toBe(2);
    expect(audit.claims.map((c) => c.decision.primary!.pAdjusted)).toEqual(holm(ps));
    expect(holm(ps)[1]).toBeCloseTo(2 * ps[1], 12); // the smaller p is doubled (two tests)
    expect(audit.claims[0].decision.verdict).toBe(holm(ps)[0] <= 0.05 ? 'supported' : 'inconclusive');

    // A sanity check (by construction) keeps its own p, outside the family: the claim's p is then not adjusted for it.
    const sanity = { ...CLAIMS_BY_ID['pe-needed'], byConstruction: 'for this test' };
    const sane = decide([CLAIMS_BY_ID['lstm-mitigates'], sanity], P, records);
    expect(sane.primaryTests).toBe(1);
    expect(sane.claims[0].decision.primary!.pAdjusted).toBeCloseTo(ps[0], 12);
    expect(sane.claims[1].decision.primary!.pAdjusted).toBe(sane.claims[1].decision.primary!.p);
    expect(sane.claims[1].byConstruction).toBe('for this test');
    expect(sane.claims[0].byConstruction).toBeUndefined();
  });

  it('the sanity checks are the claims true by construction, and the report and terminal label them and leave them out of the decided count', () => {
    expect(
      CLAIMS.filter((c) => c.byConstruction)
        .map((c) => c.id)
        .sort(),
    ).toEqual(['rnn-gradients', 'rnn-weight-sharing']);
    const audit = decide(CLAIMS, P, []);
    const html = renderAuditSection(audit);
    expect(html).toContain('2 more are sanity checks (by construction), not counted');
    expect(html).toMatch(/of 10 claims decided/);
    expect(html.match(new RegExp(SANITY_CHECK.replace(/[()]/g, '\\$&'), 'g'))!.length).toBeGreaterThanOrEqual(4); // table and section of each
    expect(formatVerdicts(audit)).toContain(`rnn-weight-sharing`);
    expect(
      formatVerdicts(audit)
        .split('\n')
        .filter((l) => l.includes(`[${SANITY_CHECK}]`)),
    ).toHaveLength(2);
  });

  it('without records every tested claim says what it lacks; the analytic claim is still decided', () => {
    const audit = decide(CLAIMS, P, []);
    for (const c of audit.claims) {
      if (c.id === 'rnn-weight-sharing') expect(c.decision.verdict).toBe('supported');
      else expect(c.decision.verdict, c.id).toBe('inconclusive');
    }
  });

  it('a compound claim holds only if every part does; a part against the claim contradicts it', () => {
    const yes = pairedComponent('a', [2, 3, 4], [0, 1, 1], { sign: 1, unit: 'x', sesoi: 0.1 });
    const no = pairedComponent('b', [0, 1, 1], [2, 3, 4.5], { sign: 1, unit: 'x', sesoi: 0.1 });
    expect(combine([yes, yes])).toEqual({ p: yes.p, favours: 'claim' });
    expect(combine([yes, no])).toEqual({ p: no.p, favours: 'against' });
    expect(combine([yes, { ...no, p: NaN }]).p).toBeNaN();
  });

  it('Fisher power: with 3 seeds per arm nothing is detectable, and it says how many seeds would decide', () => {
    const c = fisherComponent('x', 3, 3, 0, 3, { sign: 1, sesoi: 0.5 });
    expect(c.p).toBeCloseTo(0.1, 12);
    expect(c.power.mde).toBeNull();
    expect(c.power.seedsNeeded).toBeGreaterThan(3);
  });
});

describe('pre-registration', () => {
  it('every rule matches its registered version (a changed rule needs `node tools/audit/register.mjs "why"`)', () => {
    const registry = readRegistry();
    for (const c of CLAIMS) {
      expect(registry[c.id], `${c.id} is not registered`).toBeDefined();
      expect(ruleHash(c), `${c.id} changed since version ${registry[c.id]?.version}: run npm run build && node tools/audit/register.mjs "why"`).toBe(
        registry[c.id]!.sha256,
      );
    }
  });

  it('development seeds, a rule registered after the run started, or an exploratory profile make a verdict exploratory', () => {
    const claim = CLAIMS_BY_ID['rnn-long-range'];
    const entry = { version: 3, registered: '2026-12-01T00:00:00.000Z', sha256: ruleHash(claim), history: [] };
    const registry = { [claim.id]: entry };
    const registration = { commit: 'abc', at: '2026-12-01T00:00:00.000Z' };
    const at = (startedAt: string, seed: number) => [{ ...record({ exp: 'recall-lengths', extractor: 'rnn', length: 8, startedAt, seed }), registration }];
    const confirmatory: Profile = { ...P, confirmatory: true };
    expect(registrationStatus(claim, confirmatory, at('2026-12-02T00:00:00.000Z', 1000), registry)).toMatchObject({ status: 'confirmatory', reasons: [] });
    const early = registrationStatus(claim, confirmatory, at('2026-11-30T00:00:00.000Z', 1000), registry);
    expect(early.status).toBe('exploratory');
    expect(early.reasons.join()).toContain('registered after the run started');
    expect(registrationStatus(claim, confirmatory, at('2026-12-02T00:00:00.000Z', 3), registry).reasons.join()).toContain('development seeds');
    expect(registrationStatus(claim, { ...P, confirmatory: false }, at('2026-12-02T00:00:00.000Z', 1000), registry).status).toBe('exploratory');
    expect(registrationStatus(claim, confirmatory, at('2026-12-02T00:00:00.000Z', 1000), { [claim.id]: { ...entry, sha256: 'x' } }).reasons.join()).toContain(
      'differs from its registered version',
    );
  });
});
