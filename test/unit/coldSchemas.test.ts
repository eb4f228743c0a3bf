import { expect, it } from 'vitest';
import { globalRegistry } from 'zod';
import { FUNCTION_GROUPS } from '#shared/functions';

/**
 * Issue 13: a function's cold start builds none of its schemas (shared/api/lazySchema.ts); each is
 * built by the first request that uses it. Named schemas (`.meta({ id })`) register their id when
 * built, so none may be registered once every function entry is loaded. A schema written without
 * `lazySchema` in a module a function loads shows up here by its id.
 */
it('loading every function entry builds no named schema', async () => {
  for (const group of Object.values(FUNCTION_GROUPS)) {
    await import(`../../${group.entry.replace(/\.ts$/, '')}`);
  }
  // The registry's id index (zod keeps it to resolve ids); not part of its typed API.
  const ids = [...(globalRegistry as unknown as { _idmap: Map<string, unknown> })._idmap.keys()];
  expect(ids).toEqual([]);
});
