import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FUNCTION_GROUP_NAMES, FUNCTION_GROUPS, type FunctionGroupName } from '#shared/functions';
import type { groupEntry } from '#shared/http/entry';
import { QUEUES } from '#shared/queues';
import { scheduleDefinitions } from '#shared/schedules';

/*
 * Schedules and queues name their consumer by group; a group's entry module registers its jobs and
 * its queue handler with groupEntry. A name that does not match fails only when the schedule fires
 * or the first message arrives, so it is checked here: groupEntry is replaced by one that hands back
 * what it was given, and every entry module is imported, nothing started.
 */
vi.mock('#shared/http/entry', async (importOriginal) => ({
  ...(await importOriginal<typeof import('#shared/http/entry')>()),
  groupEntry: (parts: Parameters<typeof groupEntry>[0]) => parts,
}));

type EntryParts = Parameters<typeof groupEntry>[0];

const ROOT = path.resolve(import.meta.dirname, '..', '..');

async function partsOf(group: FunctionGroupName): Promise<EntryParts> {
  const entry = (await import(path.join(ROOT, FUNCTION_GROUPS[group].entry))) as { handler: EntryParts };
  return entry.handler;
}

// Job names do not depend on the days; the defaults stand for any deployment's settings.
const SCHEDULES = scheduleDefinitions({ windowOpenDay: 25, windowCloseDay: 1 });

describe('every schedule and queue has a consumer', () => {
  it.each(SCHEDULES)('the $job schedule names a job that the $group group serves', async ({ job, group }) => {
    const { jobs } = await partsOf(group);
    expect(Object.keys(jobs ?? {})).toContain(job);
  });

  it.each(Object.entries(QUEUES))('the %s queue is consumed by its consumer group', async (_name, queue) => {
    const { queue: consume } = await partsOf(queue.consumer);
    expect(consume).toBeTypeOf('function');
  });

  it('no group serves a job that no schedule fires, or consumes a queue it is not mapped to', async () => {
    for (const group of FUNCTION_GROUP_NAMES) {
      const parts = await partsOf(group);
      const scheduled = SCHEDULES.filter((s) => s.group === group).map((s) => s.job);
      expect(Object.keys(parts.jobs ?? {}).sort(), group).toEqual(scheduled.sort());
      const mapped = Object.values(QUEUES).some((q) => q.consumer === group);
      expect(parts.queue !== undefined, group).toBe(mapped);
    }
  });
});
