import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseBalances } from '#shared/billing/openingBalances';
import { BillingMessage, BillingRefused, checkBillable, closedPeriod } from '#shared/billing/run';
import { PeriodRange } from '#shared/billing/schemas';
import { resolveRange } from '#shared/billing/views';
import { FUNCTION_GROUPS } from '#shared/functions';
import { groupEntry } from '#shared/http/entry';
import { QUEUES, visibilityTimeoutSeconds } from '#shared/queues';
import { ROUTES, routeKey } from '#shared/routes';
import { scheduleDefinitions, unixCron } from '#shared/schedules';
import { lambdaContext } from '#test/support/events';

const at = (iso: string) => new Date(iso);

describe('the billing schedule and periods', () => {
  it('runs ten minutes after the reading window closes, on the same day, in Moscow time', () => {
    const jobs = scheduleDefinitions({ windowOpenDay: 25, windowCloseDay: 1 });
    const close = jobs.find((j) => j.job === 'window.close');
    const billing = jobs.find((j) => j.job === 'billing.run');
    expect(billing?.group).toBe('billing');
    expect(billing && unixCron(billing.cron)).toBe('10 0 1 * *');
    expect(billing?.cron.dayOfMonth).toBe(close?.cron.dayOfMonth);
    const later = scheduleDefinitions({ windowOpenDay: 20, windowCloseDay: 3 }).find((j) => j.job === 'billing.run');
    expect(later?.cron.dayOfMonth).toBe(3);
  });

  it('closes the month before the run (Moscow time: 00:10 on the 1st is still the 31st in UTC)', () => {
    expect(closedPeriod(at('2026-10-31T21:10:00Z'))).toBe('2026-10');
    expect(closedPeriod(at('2026-01-01T00:00:00+03:00'))).toBe('2025-12');
  });

  it('refuses a month that has not ended', () => {
    const now = at('2026-11-15T12:00:00+03:00');
    expect(() => checkBillable('2026-10', now)).not.toThrow();
    expect(() => checkBillable('2026-11', now)).toThrow(BillingRefused);
    expect(() => checkBillable('2026-11', now)).toThrow(/ещё не закончился/);
    expect(() => checkBillable('2026-13', now)).toThrow(/ГГГГ-ММ/);
  });

  it('takes only well-formed queue messages', () => {
    expect(BillingMessage.safeParse({ type: 'shard', period: '2026-10', runId: 'r', shard: 3 }).success).toBe(true);
    expect(
      BillingMessage.safeParse({ type: 'batch', period: '2026-10', runId: 'r', accounts: ['100001'] }).success,
    ).toBe(true);
    expect(BillingMessage.safeParse({ type: 'batch', period: '2026-10', runId: 'r', accounts: [] }).success).toBe(
      false,
    );
    expect(BillingMessage.safeParse({ type: 'batch', period: '2026-1', runId: 'r', accounts: ['1'] }).success).toBe(
      false,
    );
  });
});

describe('the billing queue', () => {
  it('is consumed by the billing group, which alone sends to it, with a visibility timeout of six timeouts', () => {
    expect(QUEUES.billing.consumer).toBe('billing');
    expect(QUEUES.billing.producers).toEqual(['billing']);
    expect(visibilityTimeoutSeconds(FUNCTION_GROUPS.billing.timeoutSeconds)).toBe(1800);
  });

  it('reaches the group’s handler as SQS records; a failed message comes back alone (partial batch response)', async () => {
    const seen: unknown[] = [];
    const handler = groupEntry({
      queue: async (body) => {
        if ((body as { fail?: boolean }).fail) throw new Error('boom');
        seen.push(body);
      },
    });
    const record = (messageId: string, body: unknown) => ({
      messageId,
      body: JSON.stringify(body),
      eventSource: 'aws:sqs',
    });
    const result = await handler(
      { Records: [record('a', { n: 1 }), record('b', { fail: true }), record('c', { n: 2 })] } as never,
      lambdaContext,
    );
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
  });
});

describe('the statement routes', () => {
  it('live under /api/statement, clear of the payments feature’s /api/payments/{id}', () => {
    const keys = ROUTES.filter((r) => r.group === 'statement').map(routeKey);
    expect(keys).toEqual([
      'GET /api/statement',
      'GET /api/statement/csv',
      'GET /api/statement/charges',
      'GET /api/statement/payments',
      'GET /api/tariffs',
    ]);
    expect(ROUTES.find((r) => r.path === '/api/tariffs')?.auth).toBe(false);
  });

  it('take an optional period range, from not after to, at most ten years', () => {
    expect(PeriodRange.safeParse({}).success).toBe(true);
    expect(PeriodRange.safeParse({ from: '2026-01', to: '2026-10' }).success).toBe(true);
    const reversed = PeriodRange.safeParse({ from: '2026-10', to: '2026-01' });
    expect(reversed.success).toBe(false);
    expect(reversed.error?.issues[0]?.message).toMatch(/не позже/);
    expect(PeriodRange.safeParse({ from: '2010-01', to: '2026-10' }).success).toBe(false);
    expect(PeriodRange.safeParse({ from: '2026-1' }).success).toBe(false);
  });

  it('default to the twelve months up to the current one, not before the account’s first entry', () => {
    const now = at('2026-11-15T12:00:00+03:00');
    expect(resolveRange({}, now, '2024-01')).toEqual({ from: '2025-12', to: '2026-11' });
    expect(resolveRange({}, now, '2026-08')).toEqual({ from: '2026-08', to: '2026-11' });
    expect(resolveRange({}, now)).toEqual({ from: '2026-11', to: '2026-11' });
    expect(resolveRange({ from: '2026-05' }, now, '2026-08')).toEqual({ from: '2026-05', to: '2026-11' });
    expect(resolveRange({ to: '2026-03' }, now, '2020-01')).toEqual({ from: '2025-04', to: '2026-03' });
  });
});

describe('opening balances file', () => {
  const utf8 = (text: string) => Buffer.from(`\uFEFF${text}`, 'utf8');

  it('reads signed roubles per account, service and month, in UTF-8 with «;»', () => {
    const parsed = parseBalances(
      utf8(
        [
          'account;service;balance;period;comment',
          '100001;cold_water;1 234,56;2026-01;долг',
          '100001;advance;-150,00;2026-01;',
          '100002;GAS;0;2026-01;',
        ].join('\r\n'),
      ),
      '2026-11',
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((r) => [r.line, r.row])).toEqual([
      [2, { account: '100001', service: 'cold_water', balance: 123456, period: '2026-01' }],
      [3, { account: '100001', service: 'advance', balance: -15000, period: '2026-01' }],
      [4, { account: '100002', service: 'gas', balance: 0, period: '2026-01' }],
    ]);
    expect(parsed.encoding).toBe('utf-8');
    expect(parsed.delimiter).toBe(';');
  });

  it('reads Windows-1251 with «,» and reports bad rows by line, in Russian', () => {
    const parsed = parseBalances(
      iconv.encode(
        [
          'account,service,balance,period',
          '100001,cold_water,"12,5",2026-01',
          '10001,cold_water,1,2026-01',
          '100001,вода,1,2026-01',
          '100002,gas,12.345,2026-01',
          '100002,waste,1,2027-01',
          '100001,cold_water,7,2026-01',
          '100003,waste,1,январь',
        ].join('\r\n'),
        'win1251',
      ),
      '2026-11',
    );
    expect(parsed.encoding).toBe('windows-1251');
    expect(parsed.rows.map((r) => r.line)).toEqual([2]);
    expect(parsed.errors).toEqual([
      { line: 3, reason: expect.stringMatching(/^account — .*6 цифр/) },
      { line: 4, reason: expect.stringMatching(/^service — неизвестная услуга «вода»/) },
      { line: 5, reason: expect.stringMatching(/^balance — ожидается сумма в рублях/) },
      { line: 6, reason: 'period — месяц 2027-01 ещё не наступил' },
      { line: 7, reason: 'сальдо этого счёта по этой услуге уже есть в строке 2 файла' },
      { line: 8, reason: expect.stringMatching(/^period — ожидается месяц ГГГГ-ММ/) },
    ]);
  });

  it('refuses a file without the required columns as a whole', () => {
    const parsed = parseBalances(utf8('account;service;sum\n100001;gas;1'), '2026-11');
    expect(parsed.fatal).toEqual({ line: 1, reason: expect.stringContaining('нет столбцов balance, period') });
    expect(parsed.rows).toEqual([]);
  });
});
