import { beforeEach, describe, expect, it, vi } from 'vitest';
import { keys } from '#shared/keys';

/**
 * The balance as read from the ledger: the query is answered by a fake holding ledger items as
 * DynamoDB returns them (numbers may come back as strings from old imports, lines may be absent).
 */
const stored = vi.hoisted(() => ({ items: [] as Array<Record<string, unknown>>, queries: [] as any[] }));
vi.mock('#shared/clients/dynamo', () => ({
  queryAll: async (input: any) => {
    stored.queries.push(input);
    return stored.items;
  },
}));

const { balanceOf } = await import('#shared/billing/balance');

beforeEach(() => {
  stored.items = [];
  stored.queries = [];
});

describe('balance of an account', () => {
  it('reads only the ledger entries of that account, and only their lines', async () => {
    await balanceOf('100001');
    expect(stored.queries).toHaveLength(1);
    const [query] = stored.queries;
    expect(query.KeyConditionExpression).toMatch(/^pk = :pk AND begins_with\(sk, :prefix\)$/);
    expect(query.ExpressionAttributeValues).toEqual({ ':pk': keys.account('100001').pk, ':prefix': keys.ledgerPrefix });
    const projected = String(query.ProjectionExpression)
      .split(',')
      .map((name) => query.ExpressionAttributeNames?.[name.trim()] ?? name.trim());
    expect(projected).toEqual(['lines']);
  });

  it('sums the lines per service and in total, whatever type the amounts were stored as', async () => {
    stored.items = [
      { lines: [{ service: 'cold_water', amount: 13_346 }] },
      { lines: [] },
      {},
      {
        lines: [
          { service: 'cold_water', amount: '-10000' },
          { service: 'waste', amount: 43_515 },
        ],
      },
    ];
    const balance = await balanceOf('100001');
    expect(balance).toEqual({
      total: 46_861,
      services: [
        { service: 'cold_water', balance: 3_346 },
        { service: 'waste', balance: 43_515 },
      ],
    });
    expect(typeof balance.services[0]?.balance).toBe('number');
  });

  it('is zero with no entries', async () => {
    expect(await balanceOf('100002')).toEqual({ total: 0, services: [] });
  });
});
