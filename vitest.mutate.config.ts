import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The unit project alone, for `npm run mutate` (stryker.config.mjs): Stryker's vitest runner loads
 * one config and has no `--project` switch, and the other tiers start DynamoDB Local, the SES
 * emulator or a browser — far too slow to rerun per mutant.
 */
const unit = base.test?.projects?.find(
  (project) => typeof project === 'object' && 'test' in project && project.test?.name === 'unit',
);
if (!unit || typeof unit !== 'object' || !('test' in unit)) throw new Error('vitest.config.ts has no unit project');

export default defineConfig({ test: { ...unit.test, name: undefined } });
