import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQueues, startLocalQueues } from '#local/queue';
import { balanceOf } from '#shared/billing/balance';
import { startBillingRun } from '#shared/billing/run';
import { accountLedger, getRun } from '#shared/billing/store';
import { resetConfigForTests } from '#shared/config';
import { importRegistry } from '#shared/registry/importRegistry';
import { runCli } from '#test/support/cli';
import { type Client, startTestGateway } from '#test/support/http';
import { residentWithCabinet, signedBankRequest } from '#test/support/payments';

/**
 * Payments by period, advances and пени through the real path: the registry imported, key rates
 * through the operator's CLI, the monthly runs through the billing queue, banks' payments through
 * the signed bank API, the resident's statement through the gateway.
 *
 * Three flats of 50 m² billed 3 750,00 ₽ a month (heating 2 500,00 + maintenance 1 250,00):
 * - 310001 never pays;
 * - 310002 pays November's bill by its QR code (PaymPeriod 112026), October stays unpaid;
 * - 310003 pays 5 000,00 ₽ in November with no period: October and an advance of 1 250,00 ₽.
 */

const [NEVER, NAMED, AHEAD] = ['310001', '310002', '310003'];
const MONTH = 375_000;

function pinClock(iso: string): void {
  process.env.RAC_NOW = iso;
  resetConfigForTests();
}

let client: Client;
let queues: LocalQueues;

async function bill(period: string) {
  const started = await startBillingRun({ period, source: 'test' });
  await queues.drain();
  return getRun(period, started.runId);
}

async function bankPays(account: string, transactionId: string, amount: number, paidAt: string, period?: string) {
  const path = '/api/banks/sberbank/payments';
  const { raw, headers } = signedBankRequest(path, {
    transactionId,
    account,
    amount,
    paidAt,
    ...(period ? { period } : {}),
  });
  const res = await fetch(`${client.url}${path}`, { method: 'POST', headers, body: raw });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

const paymentLines = async (account: string) =>
  (await accountLedger(account)).filter((e) => e.kind === 'payment').flatMap((e) => e.lines);

let aheadAfterNovember: Awaited<ReturnType<typeof balanceOf>>;
let december: Awaited<ReturnType<typeof bill>>;

beforeAll(async () => {
  pinClock('2026-11-01T00:10:00+03:00');
  ({ client } = await startTestGateway());
  queues = startLocalQueues({ concurrency: 2, log: () => undefined });
  const files = {
    tariffs: 'service;unit;price;norm;from\nheating;Гкал;2500,00;0,02;2026-01\nmaintenance;м2;25,00;1;2026-01\n',
    accounts: [
      'account;owner;passport;address;area;residents;services',
      ...[NEVER, NAMED, AHEAD].map(
        // The passport residentWithCabinet registers with.
        (a, i) => `${a};Житель ${i};14${a.slice(-2)} ${a};г. Старый Оскол, д. ${i + 1};50;2;heating maintenance`,
      ),
    ].join('\n'),
  } as const;
  for (const kind of ['tariffs', 'accounts'] as const) {
    expect((await importRegistry(kind, Buffer.from(files[kind]))).errors).toEqual([]);
  }
  // The operator's key rates: 9.5 % on 27.02.2022, 16.5 % from 27.10.2025.
  const dir = mkdtempSync(join(tmpdir(), 'rac-key-rates-'));
  const good = join(dir, 'key-rates.csv');
  writeFileSync(good, 'from;rate\n2022-02-14;9,5\n2025-10-27;16,5\n');
  const imported = await runCli(['import', 'key-rates', good]);
  expect(imported.code, imported.output).toBe(0);
  expect(imported.stdout).toContain('загружено: 2');
  const again = await runCli(['import', 'key-rates', good]);
  expect(again.code, again.output).toBe(0);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'from;rate\n2026-13-01;16\n2026-01-01;шестнадцать\n');
  const refused = await runCli(['import', 'key-rates', bad]);
  expect(refused.code).toBe(1);
  expect(refused.stdout).toMatch(/строка 2: from — .*\n.*строка 3: rate — /);

  expect(await bill('2026-10')).toMatchObject({ billed: 3, charged: 3 * MONTH, penalized: 0 });
  pinClock('2026-11-20T12:00:00+03:00');
  await bankPays(AHEAD, 'AHEAD-1', 500_000, '2026-11-20T11:00:00+03:00');
  pinClock('2026-12-01T00:10:00+03:00');
  expect(await bill('2026-11')).toMatchObject({ billed: 3, penalized: 0, advanceApplied: 1, advanceAmount: 125_000 });
  pinClock('2026-12-05T12:00:00+03:00');
  await bankPays(NAMED, 'NAMED-1', MONTH, '2026-12-05T11:00:00+03:00', '112026');
  pinClock('2027-01-01T00:10:00+03:00');
  // December's run here, not in the пени block: every describe sees the same ledger, in any order.
  aheadAfterNovember = await balanceOf(AHEAD);
  december = await bill('2026-12');
}, 180_000);

afterAll(async () => {
  queues.stop();
  await client.stop();
  pinClock('2026-11-01T00:10:00+03:00');
});

describe('a payment that names its bill', () => {
  it('pays that bill, in proportion to its services, and leaves the older bill owed', async () => {
    expect(await paymentLines(NAMED)).toEqual([
      { service: 'heating', amount: -250_000, forPeriod: '2026-11' },
      { service: 'maintenance', amount: -125_000, forPeriod: '2026-11' },
    ]);
  });

  it('without a period pays the oldest bill, and the rest is an advance', async () => {
    expect(await paymentLines(AHEAD)).toEqual([
      { service: 'heating', amount: -250_000, forPeriod: '2026-10' },
      { service: 'maintenance', amount: -125_000, forPeriod: '2026-10' },
      { service: 'advance', amount: -125_000 },
    ]);
  });
});

describe('an advance at billing (ПП РФ № 354 п. 118)', () => {
  it("is applied to the next month's charges, so no service shows a debt beside it", async () => {
    const offset = (await accountLedger(AHEAD)).find((e) => e.kind === 'offset');
    expect(offset).toMatchObject({
      period: '2026-11',
      total: 0,
      lines: [
        { service: 'advance', amount: 125_000 },
        { service: 'heating', amount: -83_333, forPeriod: '2026-11' },
        { service: 'maintenance', amount: -41_667, forPeriod: '2026-11' },
      ],
    });
    // As November's run left it, before December's charges.
    const balance = aheadAfterNovember;
    expect(balance.services.find((s) => s.service === 'advance')?.balance).toBe(0);
    expect(balance.total).toBe(2 * MONTH - 500_000);
  });
});

describe('пени (ЖК РФ ст. 155 ч. 14)', () => {
  it('a month billed and unpaid: the next runs charge пени from the 31st day after the due date', async () => {
    // October's 3 750,00 ₽ fell due on 15.11.2026; 16–31 December at 1/300 of 9.5 % (the key rate
    // of 16.5 % capped by ПП РФ № 474): 3 750 × 0,095 × 16 / 300 = 19,00 ₽. November's bill (due
    // 15.12.2026) is not 30 days overdue yet.
    const penalty = (await accountLedger(NEVER)).find((e) => e.kind === 'penalty');
    expect(penalty).toMatchObject({
      period: '2026-12',
      total: 1_900,
      lines: [
        {
          service: 'penalty',
          amount: 1_900,
          rate: '9.5',
          bills: [{ forPeriod: '2026-10', dueDate: '2026-11-15', overdue: MONTH, accrued: 1_900 }],
        },
      ],
    });
    // The flat that paid November by its QR code still owes October: the same пени.
    expect((await accountLedger(NAMED)).find((e) => e.kind === 'penalty')?.total).toBe(1_900);
    // The flat that paid October on 20 November: none.
    expect((await accountLedger(AHEAD)).find((e) => e.kind === 'penalty')).toBeUndefined();
    expect(december).toMatchObject({ billed: 3, penalized: 2, penaltyAmount: 3_800, withoutKeyRate: 0 });
  });

  it('shows as the «Пени» line of the month, in the statement and its CSV', async () => {
    const resident = await residentWithCabinet({ client } as never, NEVER);
    const charges = await resident.request('GET', '/api/statement/charges?from=2026-12&to=2026-12');
    expect(charges.status).toBe(200);
    const december = charges.json.periods[0];
    expect(december.lines).toContainEqual(
      expect.objectContaining({
        service: 'penalty',
        title: 'Пени',
        method: 'penalty',
        amount: 1_900,
        penalty: expect.objectContaining({ overdue: MONTH, rate: '9.5' }),
      }),
    );
    expect(december.total).toBe(MONTH + 1_900);
    const statement = await resident.request('GET', '/api/statement?from=2026-12&to=2026-12');
    expect(statement.json.rows[0]).toMatchObject({ period: '2026-12', charged: MONTH + 1_900, penalty: 1_900 });
    const csv = await resident.request('GET', '/api/statement/csv?from=2026-12&to=2026-12');
    const [header, row] = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(header?.split(';').at(-1)).toBe('В т.ч. пени');
    expect(row?.split(';').at(-1)).toBe('19,00');
  });

  it('a re-run of the month changes nothing', async () => {
    const before = await accountLedger(NEVER);
    expect(await bill('2026-12')).toMatchObject({ billed: 0, alreadyBilled: 3, penalized: 0 });
    expect(await accountLedger(NEVER)).toEqual(before);
  });
});
