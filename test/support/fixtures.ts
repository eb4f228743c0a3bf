import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Cabinet } from '#shared/accounts/store';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import { importRegistry } from '#shared/registry/importRegistry';
import type { RegistryKind } from '#shared/registry/report';
import { addMonths } from '#shared/time';

/**
 * Items written straight to the table for tests and benchmarks whose subject is not how they got
 * there: a resident's cabinet, a meter's reading history, an operator's import, a month billed by
 * the real run; and the readings lock's revision tests read back. No vitest here, so bench/ can use
 * it too (a failed set-up throws).
 */

/** What a cabinet put here holds unless told otherwise: registered on 1 January 2026, no mail but the bills. */
export const CABINET_DEFAULTS = {
  passwordHash: 'not-used-here',
  remindersOptIn: false,
  billByEmail: true,
  consent: { version: '2026-01', acceptedAt: '2026-01-01T00:00:00.000Z' },
  registeredAt: '2026-01-01T00:00:00.000Z',
  passwordChangedAt: '2026-01-01T00:00:00.000Z',
} satisfies Partial<Cabinet>;

/** A resident's cabinet as registration leaves it (shared/accounts/store.ts, `Cabinet`), without the mailed link. */
export async function putCabinet(
  account: string,
  fields: Pick<Cabinet, 'email'> & Partial<Omit<Cabinet, 'account'>>,
): Promise<Cabinet> {
  const cabinet: Cabinet = { account, ...CABINET_DEFAULTS, ...fields };
  await db().send(
    new PutCommand({ TableName: tableName(), Item: { ...keys.cabinet(account), entity: 'credentials', ...cabinet } }),
  );
  return cabinet;
}

export interface SeedReading {
  account: string;
  serial: string;
  service: string;
  period: string;
  value: string;
  consumption: string;
  previous?: string;
  source?: string;
  submittedAt?: string;
}

/**
 * A reading item as a submission stores it (shared/readings), without its period index entry: the
 * billing run and the history read it by the account's partition. The seed's source and instant
 * (the 26th, 19:30 Moscow) unless given.
 */
export function readingItem(r: SeedReading) {
  return {
    ...keys.reading(r.account, r.serial, r.period),
    entity: 'reading' as const,
    account: r.account,
    serial: r.serial,
    service: r.service,
    period: r.period,
    value: r.value,
    ...(r.previous === undefined ? {} : { previous: r.previous }),
    consumption: r.consumption,
    source: r.source ?? 'seed',
    submittedAt: r.submittedAt ?? `${r.period}-26T16:30:00.000Z`,
  };
}

/** Puts items 25 to a request, sending again what DynamoDB left unprocessed. */
export async function putItems(items: readonly Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests = { [tableName()]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) };
    for (let attempt = 0; Object.keys(requests).length; attempt++) {
      if (attempt === 10) throw new Error('putItems: DynamoDB kept items unprocessed');
      const out = await db().send(new BatchWriteCommand({ RequestItems: requests }));
      requests = (out.UnprocessedItems ?? {}) as typeof requests;
    }
  }
}

/**
 * The usual resident's meters: `months` readings before `period` (3 by default, the most the
 * average of ПП РФ № 354, п. 59 asks for), each meter `monthly` units a month from `from`, so the
 * last one shows `from + months × monthly`. Submitted now, from the seed.
 */
export async function putReadingHistory(
  account: string,
  meters: ReadonlyArray<{ serial: string; service: string }>,
  period: string,
  options: { months?: number; from?: number; monthly?: number } = {},
): Promise<void> {
  const { months = 3, from = 100, monthly = 3 } = options;
  const items: Record<string, unknown>[] = [];
  for (const { serial, service } of meters) {
    for (let back = months; back >= 1; back--) {
      const month = addMonths(period, -back);
      items.push(
        readingItem({
          account,
          serial,
          service,
          period: month,
          value: String(from + monthly * (months + 1 - back)),
          previous: String(from + monthly * (months - back)),
          consumption: String(monthly),
          submittedAt: new Date().toISOString(),
        }),
      );
    }
  }
  await putItems(items);
}

/** An operator's import of CSV rows (header first) that must go in whole: throws on any row's error. */
export async function imported(kind: RegistryKind, rows: string | readonly string[]): Promise<void> {
  const csv = typeof rows === 'string' ? rows : rows.join('\n');
  const report = await importRegistry(kind, Buffer.from(csv));
  if (report.errors.length) throw new Error(`import ${kind}: ${JSON.stringify(report.errors)}`);
}

/** The month billed by the real billing run, through the local billing queue, to the end. */
export async function billedByRun(period: string, source = 'bench'): Promise<void> {
  const [{ startLocalQueues }, { startBillingRun }] = await Promise.all([
    import('#local/queue'),
    import('#shared/billing/run'),
  ]);
  const queues = startLocalQueues({ concurrency: 2, log: () => undefined });
  try {
    await startBillingRun({ period, source });
    await queues.drain();
  } finally {
    queues.stop();
  }
}

/** The meters file's columns (docs/registry.md); `installed` and the rest may follow. */
export const METERS_HEADER = 'account;meter;service;reading;verified_until';

/** The account's readings lock: its revision moves with every write of a reading of the account. */
export async function readingsRev(account: string): Promise<number | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.readingsLock(account), ConsistentRead: true }),
  );
  return out.Item?.readingRev as number | undefined;
}
