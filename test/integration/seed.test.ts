import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQueues, startLocalQueues } from '#local/queue';
import { seedDemoData } from '#local/seed';
import { statementRows } from '#shared/billing/statement';
import { accountLedger } from '#shared/billing/store';
import { db, tableName } from '#shared/clients/dynamo';
import { epdOf } from '#shared/epd/bill';
import { keys } from '#shared/keys';
import { addMonths, now, periodOf } from '#shared/time';

let queues: LocalQueues;
beforeAll(() => {
  queues = startLocalQueues({ concurrency: 4, log: () => undefined });
});
afterAll(() => queues.stop());

describe('demo data of the local runtime', () => {
  it('loads the registry and a year of increasing readings, bills and pays that year, once', async () => {
    const report = await seedDemoData({ drain: queues.drain });
    expect(report).toMatch(/лицевых счетов — 6/);
    const account = await db().send(new GetCommand({ TableName: tableName(), Key: keys.account('100001') }));
    expect(account.Item).toMatchObject({ owner: 'Иванова Мария Петровна', residents: 3 });
    expect(JSON.stringify(account.Item)).not.toContain('123456');

    const readings = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': 'ACC#100001', ':prefix': `${keys.readingPrefix}21034567#` },
      }),
    );
    const values = (readings.Items ?? []).map((r) => Number(r.value));
    expect(values).toHaveLength(12);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1] as number);

    // The meter whose verification expired on 2025-09-30 has no later readings.
    const expired = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': 'ACC#100003', ':prefix': `${keys.readingPrefix}19087732#` },
      }),
    );
    for (const r of expired.Items ?? []) expect(r.period <= '2025-09').toBe(true);

    // The year is billed by the real run: the statement has charges every month, the bills are paid
    // on the 12th of the next month (the demo debtor 100004 leaves its last ones unpaid).
    const current = periodOf(now());
    const [first, last] = [addMonths(current, -12), addMonths(current, -1)];
    const ivanova = statementRows(await accountLedger('100001'), first, last);
    expect(ivanova).toHaveLength(12);
    for (const row of ivanova) expect(row.charged).toBeGreaterThan(0);
    for (const row of ivanova.slice(1, -1)) expect(row.paid).toBeGreaterThan(0);
    expect(ivanova.at(-1)?.closing).toBe(ivanova.at(-1)?.charged);
    const kuznetsov = statementRows(await accountLedger('100004'), first, last);
    expect(kuznetsov.at(-1)?.closing).toBeGreaterThan(kuznetsov.at(-1)?.charged ?? 0);

    // Last month's ЕПД exists, names the providers of its services and asks for the month's bill.
    const epd = await epdOf('100001', last);
    expect(epd).toBeDefined();
    expect(epd?.summary.toPay).toBe(ivanova.at(-1)?.closing);
    expect(epd?.providers.map((p) => p.name)).toContain('МУП «Водоканал»');
    const vodokanal = epd?.providers.find((p) => p.code === 'vodokanal');
    expect(epd?.charges.find((r) => r.service === 'cold_water')?.providerNumber).toBe(vodokanal?.number);

    expect(await seedDemoData({ drain: queues.drain })).toBeUndefined();
    // A year of billing runs through the local queue: longer than the tier's default 30 s on a busy machine.
  }, 180_000);
});
