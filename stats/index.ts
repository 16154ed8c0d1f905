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
 * - sequential: Lan–DeMets α-spending boundaries (Pocock, O'Brien–Fleming) for adding seed blocks;
 * - cluster: a two-way (seeds x test files) cluster bootstrap of a paired difference, its power and seeds needed.
 */
export * from './descriptive.js';
export * from './distributions.js';
export * from './intervals.js';
export * from './regression.js';
export * from './ttest.js';
export * from './wilcoxon.js';
export * from './fisher.js';
export * from './multiplicity.js';
export * from './effect.js';
export * from './survival.js';
export * from './power.js';
export * from './sequential.js';
export * from './cluster.js';
