import { defineConfig } from 'vitest/config';

/**
 * Test tiers as vitest projects: `npm test` runs them all; `npm run test:unit` etc. run one.
 * Integration tests share a global setup that starts DynamoDB Local and the SES emulator on free
 * ports, isolated per run; e2e tests start the whole local runtime (`npm start`) themselves.
 */
// Handlers log JSON; tests read their responses instead.
const env = { POWERTOOLS_LOG_LEVEL: 'SILENT' };
// Files and the tests inside them run in random order (the seed is printed; `--sequence.seed=N`
// replays one), so a test that leans on another's leftovers fails here rather than on a reorder.
const shuffled = { shuffle: { tests: true } };

export default defineConfig({
  test: {
    sequence: { shuffle: { files: true, tests: false } },
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', env, sequence: shuffled },
      },
      {
        test: {
          name: 'integration',
          env,
          include: ['test/integration/**/*.test.ts'],
          // Each file has its own table and mailbox view, and each test sets up the state it reads.
          sequence: shuffled,
          globalSetup: ['test/support/globalSetup.ts'],
          setupFiles: ['test/support/integrationEnv.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        // Attacks replayed against the real handlers (takeover, brute force, forged bank calls,
        // junk input): the same DynamoDB Local + SES emulator set-up as the integration tier.
        test: {
          name: 'security',
          env,
          include: ['test/security/**/*.test.ts'],
          sequence: shuffled,
          globalSetup: ['test/support/globalSetup.ts'],
          setupFiles: ['test/support/integrationEnv.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'infra',
          env,
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          env,
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
