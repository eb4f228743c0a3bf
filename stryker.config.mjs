// @ts-check
/**
 * Mutation testing of the pure money and rules code (`npm run mutate`; not part of `npm test`).
 * Only the unit tier runs per mutant (vitest.mutate.config.ts). See docs/testing.md.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'shared/billing/charges.ts',
    'shared/billing/volumes.ts',
    'shared/billing/ledger.ts',
    'shared/billing/allocation.ts',
    'shared/billing/penalties.ts',
    'shared/billing/tariffs.ts',
    'shared/billing/balance.ts',
    'shared/payments/model.ts',
    'shared/readings/rules.ts',
    'shared/epd/model.ts',
    'shared/epd/qr.ts',
  ],
  coverageAnalysis: 'perTest',
  // Mutants run at import or in a test file's set-up (not inside one test) would rerun the whole
  // unit tier each — about 40 % of them, hours on this machine. They are left out of the score.
  ignoreStatic: true,
  // The machine is shared; more workers only thrash.
  concurrency: 2,
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress-append-only', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 80, break: null },
  // The sandbox copies the tree; skip what the unit tier never reads.
  ignorePatterns: ['cdk.out', 'web/dist', '.data', '.test-data', 'reports', 'coverage', 'bench'],
  tempDirName: '.stryker-tmp',
  // Stryker rewrites `extends`/`references` of this tsconfig through TypeScript's JS API, which
  // TypeScript 7 (the native compiler) no longer ships; ours has neither, so point it at no file.
  tsconfigFile: 'tsconfig.stryker-none.json',
};
