import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQueues, startLocalQueues } from '#local/queue';
import { importOpeningBalances } from '#shared/billing/openingBalances';
import {
  buildTown,
  expectedOctober,
  type Home,
  type Item,
  OCTOBER_RUN_CLOCK,
  pinClock,
  residentOf,
  runOctober,
  totalOf,
  town,
} from '#test/support/billingTown';
import { type Client, startTestGateway } from '#test/support/http';

/**
 * The resident's statement after October's run of the town (test/support/billingTown.ts), for an
 * account that came with opening balances from the previous system; November is not billed here.
 */

pinClock(OCTOBER_RUN_CLOCK);

let client: Client;
let queues: LocalQueues;

beforeAll(async () => {
  ({ client } = await startTestGateway());
  queues = startLocalQueues({ concurrency: 3, log: () => undefined });
  await buildTown();
  // 300002 owes 900,50 ₽ for cold water and has a 200 ₽ advance (billing-openingBalances.test.ts
  // loads the same through corrections); October's run applies the advance.
  const openings = await importOpeningBalances(
    Buffer.from('account;service;balance;period\n300002;cold_water;900,50;2026-10\n300002;advance;-200,00;2026-10\n'),
  );
  expect(openings.errors).toEqual([]);
  await runOctober(queues);
}, 120_000);

afterAll(async () => {
  queues.stop();
  await client.stop();
});

describe('the resident’s statement', () => {
  let resident: Client;
  const home = town[1] as Home; // 300002: metered, read in October, with opening balances

  beforeAll(async () => {
    resident = await residentOf(client, home);
  });

  it('shows opening, charged, paid and closing per month, and /api/me the same balance', async () => {
    const res = await resident.request('GET', '/api/statement?from=2026-09&to=2026-11');
    expect(res.status).toBe(200);
    const charged = totalOf(expectedOctober(home));
    expect(res.json).toEqual({
      from: '2026-09',
      to: '2026-11',
      rows: [
        { period: '2026-09', opening: 0, charged: 0, paid: 0, closing: 0 },
        { period: '2026-10', opening: 70_050, charged, paid: 0, closing: 70_050 + charged },
        { period: '2026-11', opening: 70_050 + charged, charged: 0, paid: 0, closing: 70_050 + charged },
      ],
    });
    const me = await resident.request('GET', '/api/me');
    expect(me.json.balance.total).toBe(70_050 + charged);
    // ПП РФ № 354 п. 118: the October run applied the 200 ₽ advance to the oldest debt, the cold
    // water carried over from the previous system; the total is the same.
    expect(me.json.balance.services).toContainEqual({ service: 'advance', balance: 0 });
    expect(me.json.balance.services).toContainEqual({
      service: 'cold_water',
      balance: 90_050 - 20_000 + (expectedOctober(home).cold_water ?? 0),
    });
  });

  it('downloads the same rows as CSV: UTF-8 with BOM, «;», as an attachment', async () => {
    const json = (await resident.request('GET', '/api/statement?from=2026-09&to=2026-10')).json;
    const res = await fetch(`${client.url}/api/statement/csv?from=2026-09&to=2026-10`, {
      headers: { cookie: [...resident.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="statement-300002-2026-09-2026-10\.csv"$/,
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes).replace(/^\uFEFF/, '');
    const [header, ...rows] = text.trimEnd().split('\r\n');
    expect(header).toBe('Период;Входящее сальдо;Начислено;Оплачено;Исходящее сальдо;В т.ч. пени');
    const roubles = (k: number) =>
      `${k < 0 ? '-' : ''}${Math.floor(Math.abs(k) / 100)},${String(Math.abs(k) % 100).padStart(2, '0')}`;
    expect(rows).toEqual(
      json.rows.map(
        (r: Item) =>
          `${r.period === '2026-09' ? 'Сентябрь 2026' : 'Октябрь 2026'};${roubles(r.opening)};${roubles(r.charged)};${roubles(r.paid)};${roubles(r.closing)};0,00`,
      ),
    );
  });

  it('breaks each month down by service, with volume, method, tariff and amount', async () => {
    const res = await resident.request('GET', '/api/statement/charges?from=2026-10&to=2026-10');
    expect(res.status).toBe(200);
    const [october] = res.json.periods;
    expect(october.period).toBe('2026-10');
    expect(october.total).toBe(totalOf(expectedOctober(home)));
    expect(october.lines).toContainEqual({
      kind: 'charge',
      service: 'cold_water',
      title: 'Холодное водоснабжение',
      volume: home.cold.toFixed(),
      unit: 'м³',
      method: 'meter',
      price: '40',
      amount: expectedOctober(home).cold_water,
    });
    const payments = await resident.request('GET', '/api/statement/payments');
    expect(payments.status).toBe(200);
    expect(payments.json.items).toEqual([]);
  });

  it('answers bad filters with a Russian 400 and strangers with 401, never a 5xx', async () => {
    for (const query of ['from=2026-13', 'from=2026-10&to=2026-01', 'to=октябрь', 'from=2000-01&to=2026-10']) {
      const res = await resident.request('GET', `/api/statement?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json.error.code).toBe('invalid_input');
      expect(Object.values(res.json.error.fields ?? {}).join(' ')).toMatch(/[А-Яа-я]/);
    }
    const csv = await resident.request('GET', '/api/statement/csv?from=2026-10&to=2026-01');
    expect(csv.status).toBe(400);
    for (const path of ['/api/statement', '/api/statement/csv', '/api/statement/charges', '/api/statement/payments']) {
      const res = await client.fork().request('GET', path);
      expect(res.status, path).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
    }
  });

  it('publishes the tariffs in force without a login', async () => {
    const res = await client.fork().request('GET', '/api/tariffs');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.json.period).toBe('2026-11');
    expect(res.json.current).toContainEqual({
      service: 'cold_water',
      title: 'Холодное водоснабжение',
      basis: 'metered',
      unit: 'м³',
      price: '40',
      norm: '4',
      coefficient: '1.5',
      from: '2026-01',
      until: '2026-12',
    });
    expect(res.json.upcoming).toEqual([
      expect.objectContaining({ service: 'cold_water', price: '99', from: '2027-01' }),
    ]);
  });
});
