/**
 * Statistics: pure functions, one concern per file in harness/stats/, each tested against
 * exact values (test/harness/stats/; the fixtures are computed by scipy or by independent
 * implementations in tools/stats/make_fixtures.py, never at run time).
 *
 * - descriptive: `mean`, `median`, `sampleSd` (n - 1), paired `differences`;
 * - distributions: Student t (`tCdf`, `tQuantile`), normal, chi-square, incomplete beta and
 *   gamma, noncentral t;
 * - intervals: `ci95` / `confidenceInterval`, the Student-t interval for a mean;
 * - regression: `leastSquares`, `logLogFit`;
 * - tests: `pairedTTest`, `tost` (paired equivalence), `wilcoxonSignedRank`, `fisherExact`
 *   (counts of solved runs), `logRank` (steps-to-solve censored at the budget);
 * - `holm`: the family-wise adjustment over the audit's primary tests;
 * - effect sizes: `hedgesG`, `hedgesGPaired`, `bootstrapInterval` (seeded);
 * - survival: `kaplanMeier`, `censoredAtBudget`;
 * - power: minimum detectable effects at 80% power and seeds needed;
 * - sequential: Lan–DeMets α-spending boundaries (Pocock, O'Brien–Fleming) for adding seed blocks.
 */
export * from './stats/descriptive.js';
export * from './stats/distributions.js';
export * from './stats/intervals.js';
export * from './stats/regression.js';
export * from './stats/ttest.js';
export * from './stats/wilcoxon.js';
export * from './stats/fisher.js';
export * from './stats/multiplicity.js';
export * from './stats/effect.js';
export * from './stats/survival.js';
export * from './stats/power.js';
export * from './stats/sequential.js';
