import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeGroup } from '#local/lambda';
import { resetConfigForTests } from '#shared/config';
import { METRIC, metricCount } from '#shared/metrics';
import { importBankRegistry } from '#shared/payments/bankRegistry';
import { meterIdOf } from '#shared/readings/meterId';
import { lastReadingOf, meterReadingsOf } from '#shared/readings/store';
import { importRegistry } from '#shared/registry/importRegistry';
import { setWindow } from '#shared/window/windowStore';
import { runCli } from '#test/support/cli';
import {
  balanceTotal,
  importAccounts,
  mdOrderOf,
  owes,
  type PaymentsStack,
  paymentEntries,
  residentWithCabinet,
  signedBankRequest,
  startPaymentsStack,
  storedPayment,
} from '#test/support/payments';

/**
 * Payments made in a bank's own app by account number: the bank's signed check and notification,
 * its daily registry (Windows-1251, `;`) overlapping what the notifications brought, the readings
 * typed in the bank's app; and the reconciliation job for card payments whose callback never came.
 */

let stack: PaymentsStack;

beforeAll(async () => {
  stack = await startPaymentsStack();
  // Accounts of their own per test that moves money or readings, so tests run in any order.
  await importAccounts(['400001', '400002', '400003', '400004', '400005', '400006', '400007', '400008']);
  const meters = [
    'account;meter;service;reading;verified_until',
    '400001;ХВ-001;cold_water;100;2031-01-01',
    '400001;ГВ-002;hot_water;50;2031-01-01',
    '400002;ЭЛ-777;electricity;1000;2031-01-01',
    '400005;ХВ-005;cold_water;100;2031-01-01',
    '400005;ГВ-006;hot_water;50;2031-01-01',
    '400007;ХВ-007;cold_water;100;2031-01-01',
  ].join('\n');
  expect((await importRegistry('meters', Buffer.from(meters))).errors).toEqual([]);
  await owes('400001', { cold_water: 60_000, hot_water: 40_000 });
  await owes('400002', { electricity: 30_000 });
  await owes('400005', { cold_water: 60_000, hot_water: 40_000 });
  await owes('400007', { cold_water: 60_000, hot_water: 40_000 });
  await setWindow(true, 'operator');
});
afterAll(() => stack.stop());

/** A meter's last accepted value: its newest reading item. */
async function lastValue(account: string, serial: string) {
  return lastReadingOf((await meterReadingsOf(account)).readings.get(serial))?.value;
}

async function bank(path: string, body: unknown, key?: string, at?: number) {
  const signed = signedBankRequest(path, body, key, at);
  return stack.client.request('POST', path, { raw: signed.raw, headers: signed.headers });
}

describe("a bank's check of an account", () => {
  it('answers the debt, the payer by initials and the meters', async () => {
    const res = await bank('/api/banks/sberbank/check', { account: '400001' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      account: '400001',
      payer: 'Петрова А. С.',
      debt: 100_000,
      balance: 100_000,
      services: [
        { service: 'cold_water', balance: 60_000 },
        { service: 'hot_water', balance: 40_000 },
      ],
      meters: [
        { id: meterIdOf('ХВ-001'), serial: 'ХВ-001', service: 'cold_water', title: 'Холодное водоснабжение' },
        { serial: 'ГВ-002', service: 'hot_water' },
      ],
    });
    expect(JSON.stringify(res.json)).not.toMatch(/passport|Анна Сергеевна/);
  });

  it('refuses an unknown bank, a wrong or stale signature, one for another path, an unsigned request: 401, and counts them', async () => {
    const before = metricCount(METRIC.forgedBankRequest);
    const stale = Math.floor(Date.now() / 1000) - 3600;
    const forPayments = signedBankRequest('/api/banks/sberbank/payments', { account: '400001' });
    for (const res of [
      await bank('/api/banks/vtb/check', { account: '400001' }),
      await stack.client.request('POST', '/api/banks/sberbank/check', forPayments),
      await bank('/api/banks/sberbank/check', { account: '400001' }, 'x'.repeat(32)),
      await bank('/api/banks/sberbank/check', { account: '400001' }, undefined, stale),
      await stack.client.request('POST', '/api/banks/sberbank/check', { body: { account: '400001' } }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('bank_unauthorized');
    }
    expect(metricCount(METRIC.forgedBankRequest) - before).toBe(5);
  });

  it('answers 404 for an unknown account and 400 for a malformed one', async () => {
    const unknown = await bank('/api/banks/sberbank/check', { account: '499999' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('account_not_found');
    const malformed = await bank('/api/banks/sberbank/check', { account: '12' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.fields.account).toMatch(/6 цифр/);
  });
});

describe('payments a bank reports, and its daily registry', () => {
  const paidAt = '2026-11-20T12:30:00+03:00';

  it('credits a notified payment once, whatever the bank repeats', async () => {
    const body = {
      transactionId: 'SB-1001',
      account: '400007',
      amount: 50_000,
      paidAt,
      readings: [{ meter: 'ХВ-007', value: '112,5' }],
    };
    const first = await bank('/api/banks/sberbank/payments', body);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ status: 'succeeded', duplicate: false, readings: { accepted: true } });
    const again = await bank('/api/banks/sberbank/payments', body);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, duplicate: true, readings: null });
    const future = await bank('/api/banks/sberbank/payments', {
      ...body,
      transactionId: 'SB-FUTURE',
      paidAt: '2099-01-01T00:00:00Z',
    });
    expect(future.status).toBe(400);
    expect(future.json.error.fields.paidAt).toMatch(/позже/);
    const conflicting = await bank('/api/banks/sberbank/payments', { ...body, amount: 1 });
    expect(conflicting.status).toBe(409);
    expect(conflicting.json.error.code).toBe('transaction_conflict');
    expect(await paymentEntries('400007')).toEqual([{ id: first.json.id, total: -50_000 }]);
    expect(await balanceTotal('400007')).toBe(50_000);
    expect(await lastValue('400007', 'ХВ-007')).toBe('112.500');
    const stored = await storedPayment('400007', first.json.id);
    expect(stored).toMatchObject({ channel: 'bank', bank: 'sberbank', via: 'notification', status: 'succeeded' });
  });

  it('imports the registry: skips what came online, credits the rest, takes the readings by the rules', async () => {
    // The bank first notified one of the registry's payments online.
    const online = await bank('/api/banks/sberbank/payments', {
      transactionId: 'SB-1101',
      account: '400005',
      amount: 50_000,
      paidAt,
      readings: [{ meter: 'ХВ-005', value: '112,5' }],
    });
    expect(online.json).toMatchObject({ status: 'succeeded', duplicate: false });
    const registry = [
      // Already received by notification: skipped, and its readings are not taken twice.
      '20-11-2026;12-30-00;8592;0001;SB-1101;400005;ПЕТРОВА А С;Г СТАРЫЙ ОСКОЛ;112026;ХВ-005=100;500.00;495.00;5.00',
      // New: credited; a good hot-water reading.
      '20-11-2026;18-05-10;8592;0002;SB-1102;400005;ПЕТРОВА А С;Г СТАРЫЙ ОСКОЛ;112026;ГВ-006=55,25;300,00;297,00;3,00',
      // New: credited; the reading is lower than the last one: refused, reported.
      '21-11-2026;09-00-00;8592;СБОЛ;SB-1003;400002;ПЕТРОВА А С;Г СТАРЫЙ ОСКОЛ;112026;ЭЛ-777=900;200.00;198.00;2.00',
      // Unknown account: reported, the others still load.
      '21-11-2026;09-10-00;8592;СБОЛ;SB-1004;499999;ИВАНОВ И И;Г СТАРЫЙ ОСКОЛ;112026;;100.00;99.00;1.00',
      '=4;1100.00;1089.00;11.00',
    ].join('\r\n');
    const file = iconv.encode(registry, 'win1251');
    const report = await importBankRegistry('sberbank', file);
    expect(report).toMatchObject({
      encoding: 'windows-1251',
      total: 4,
      loaded: 2,
      skippedOnline: 1,
      skippedRepeated: 0,
      readings: { accepted: 1 },
    });
    expect(report.errors).toEqual([{ line: 4, reason: expect.stringContaining('Лицевой счёт не найден') }]);
    expect(report.readings.refused).toEqual([
      { line: 3, reason: expect.stringContaining('Показание меньше предыдущего') },
    ]);
    expect(await balanceTotal('400005')).toBe(100_000 - 50_000 - 30_000);
    expect(await balanceTotal('400002')).toBe(30_000 - 20_000);
    expect(await lastValue('400005', 'ГВ-006')).toBe('55.250');
    // The online payment's reading stays as the notification brought it, not the registry's 100.
    expect(await lastValue('400005', 'ХВ-005')).toBe('112.500');

    // The same file again: nothing new.
    const again = await importBankRegistry('sberbank', file);
    expect(again).toMatchObject({ loaded: 0, skippedOnline: 1, skippedRepeated: 2, readings: { accepted: 0 } });
    expect(await balanceTotal('400005')).toBe(20_000);
    expect(await paymentEntries('400005')).toHaveLength(2);
  });

  it('refuses a registry whose control line does not match: nothing loads', async () => {
    const truncated = iconv.encode(
      [
        '22-11-2026;10-00-00;8592;0001;SB-2001;400008;ПЕТРОВА А С;Г СТАРЫЙ ОСКОЛ;112026;;100.00;99.00;1.00',
        '=2;200.00;198.00;2.00',
      ].join('\n'),
      'win1251',
    );
    const report = await importBankRegistry('sberbank', truncated);
    expect(report.loaded).toBe(0);
    expect(report.errors[0]?.reason).toMatch(/контрольная строка/);
    expect(await paymentEntries('400008')).toEqual([]);
  });

  it('shows bank payments in the resident’s history with their channel', async () => {
    // One payment notified online, one loaded from the registry.
    await owes('400006', { gas: 10_000 });
    const notified = await bank('/api/banks/sberbank/payments', {
      transactionId: 'SB-1201',
      account: '400006',
      amount: 3_000,
      paidAt,
    });
    expect(notified.status).toBe(200);
    const loaded = await importBankRegistry(
      'sberbank',
      iconv.encode(
        '21-11-2026;10-00-00;8592;0001;SB-1202;400006;ПЕТРОВА А С;Г СТАРЫЙ ОСКОЛ;112026;;20.00;19.80;0.20\r\n=1;20.00;19.80;0.20\r\n',
        'win1251',
      ),
    );
    expect(loaded).toMatchObject({ loaded: 1, errors: [] });
    const resident = await residentWithCabinet(stack, '400006');
    const history = await resident.request('GET', '/api/payments');
    expect(history.json.items.map((p: { channelText: string; status: string }) => [p.channelText, p.status])).toEqual([
      ['Через банк по номеру лицевого счёта (ПАО Сбербанк)', 'succeeded'],
      ['Через банк по номеру лицевого счёта (ПАО Сбербанк)', 'succeeded'],
    ]);
  });
});

describe('reconciliation of card payments whose callback never came', () => {
  const at = (minutesFromNow: number) => new Date(Date.now() + minutesFromNow * 60_000).toISOString();

  afterAll(() => {
    delete process.env.RAC_NOW;
    resetConfigForTests();
  });

  it('asks the gateway about orders pending too long, settles them by the same state machine, and the CLI lists the review', {
    timeout: 60_000,
  }, async () => {
    await owes('400004', { gas: 25_000 });
    const resident = await residentWithCabinet(stack, '400004');
    const start = async (amount: number) =>
      (await resident.request('POST', '/api/payments', { body: { amount } })).json;
    const paidQuietly = await start(25_000);
    const abandoned = await start(1_000);
    const fresh = await start(2_000);
    stack.sandbox.complete(mdOrderOf(paidQuietly.paymentUrl), 'pay', { sendCallback: false });

    // Ten minutes on: nothing is due yet.
    process.env.RAC_NOW = at(10);
    resetConfigForTests();
    expect(await invokeGroup('payments', { job: 'payments.reconcile' })).toMatchObject({ checked: 0 });

    // Twenty-five minutes on: the paid one settles; the unpaid ones are still inside their time.
    process.env.RAC_NOW = at(25);
    resetConfigForTests();
    expect(await invokeGroup('payments', { job: 'payments.reconcile' })).toMatchObject({
      checked: 3,
      changed: 1,
      unchanged: 2,
    });
    expect((await storedPayment('400004', paidQuietly.id))?.status).toBe('succeeded');
    expect(await balanceTotal('400004')).toBe(0);

    // Forty minutes on: the page has long expired; the never-paid orders close as expired.
    process.env.RAC_NOW = at(40);
    resetConfigForTests();
    expect(await invokeGroup('payments', { job: 'payments.reconcile' })).toMatchObject({ checked: 2, changed: 2 });
    expect((await storedPayment('400004', abandoned.id))?.status).toBe('expired');
    expect((await storedPayment('400004', fresh.id))?.status).toBe('expired');
    expect(await invokeGroup('payments', { job: 'payments.reconcile' })).toMatchObject({ checked: 0 });
    expect(await paymentEntries('400004')).toHaveLength(1);

    // Money that arrives for an order already closed is held for review, not lost and not credited.
    stack.sandbox.complete(mdOrderOf(abandoned.paymentUrl), 'pay');
    await stack.sandbox.idle();
    expect((await storedPayment('400004', abandoned.id))?.status).toBe('review');
    expect(await paymentEntries('400004')).toHaveLength(1);

    // The operator's CLI lists it among the payments held for review (this file's only one).
    const review = await runCli(['payments', 'review']);
    expect(review.code).toBe(0);
    expect(review.stdout).toMatch(/Платежей на проверке: 1\n {2}400004-\w+: заказ на 10,00.*причина: paid_after_close/);
  });
});

describe('the operator CLI', () => {
  it('imports a registry file, once', { timeout: 60_000 }, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rac-registry-')), 'sber-20261128.txt');
    writeFileSync(
      file,
      iconv.encode(
        '22-11-2026;11-00-00;8592;0001;SB-3001;400003;ПЕТРОВА А С;Г СТАРЫЙ ОСКОЛ;112026;;75.00;74.00;1.00\r\n=1;75.00;74.00;1.00\r\n',
        'win1251',
      ),
    );
    const first = await runCli(['import', 'payments', file, '--bank', 'sberbank']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Windows-1251');
    expect(first.stdout).toContain('зачислено: 1; уже получены онлайн: 0; уже загружены ранее: 0; отклонено: 0');
    const again = await runCli(['import', 'payments', file]);
    expect(again.stdout).toContain('зачислено: 0; уже получены онлайн: 0; уже загружены ранее: 1');
    expect(await balanceTotal('400003')).toBe(-7_500);

    const wrong = await runCli(['import', 'payments']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('import payments FILE [--bank sberbank]');
  });
});
