import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { seedDemoData } from '#local/seed';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';

describe('demo data of the local runtime', () => {
  it('loads the registry and a year of increasing readings once', async () => {
    const report = await seedDemoData();
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
    const meter = await db().send(new GetCommand({ TableName: tableName(), Key: keys.meter('100001', '21034567') }));
    expect(meter.Item?.lastReading?.value).toBe(readings.Items?.at(-1)?.value);

    // The meter whose verification expired on 2025-09-30 has no later readings.
    const expired = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': 'ACC#100003', ':prefix': `${keys.readingPrefix}19087732#` },
      }),
    );
    for (const r of expired.Items ?? []) expect(r.period <= '2025-09').toBe(true);

    expect(await seedDemoData()).toBeUndefined();
  });
});
