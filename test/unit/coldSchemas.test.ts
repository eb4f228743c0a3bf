import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { FUNCTION_GROUP_NAMES, FUNCTION_GROUPS } from '#shared/functions';

/**
 * Issue 13: a function's cold start builds none of its schemas (shared/api/lazySchema.ts); each is
 * built by the first request or message that uses it. One built at module level (a bounce parser
 * reached by every group that mails was 33 schemas) is paid by every cold start of every group that
 * imports it. Zod calls this hook for each schema it constructs; the failure names where.
 */
describe('importing a function group', () => {
  it('builds no schema: every group’s modules, all of them imported', async () => {
    const built: string[] = [];
    // Zod keeps its global configuration here and takes an existing one when it loads.
    const holder = globalThis as { __zod_globalConfig?: Record<string, unknown> };
    holder.__zod_globalConfig = holder.__zod_globalConfig ?? {};
    const config = holder.__zod_globalConfig;
    config.postProcessor = () => {
      const frame = (new Error().stack ?? '')
        .split('\n')
        .find((line) => /\/(shared|functions)\//.test(line) && !line.includes('node_modules'));
      built.push(frame?.trim() ?? 'unknown');
    };
    let atImport: string[] = [];
    try {
      for (const group of FUNCTION_GROUP_NAMES)
        await import(/* @vite-ignore */ path.resolve(FUNCTION_GROUPS[group].entry));
      atImport = [...built];
      // The hook sees zod/mini's schemas (the app's): one built here is counted.
      z.string();
    } finally {
      delete config.postProcessor;
    }
    expect(atImport).toEqual([]);
    expect(built).toHaveLength(1);
  });
});
