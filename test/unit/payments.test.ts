import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseBankRegistry, parseCounters } from '#shared/payments/bankRegistry';
import { bankSignature, bankSigningString, maskedName, verifyBankSignature } from '#shared/payments/banks';
import {
  accountOfPaymentId,
  canTransition,
  decide,
  EXPIRE_AFTER_MS,
  type GatewayOrder,
  MAX_PAYMENT_KOPECKS,
  newPaymentId,
  PAYMENT_STATUSES,
  type PaymentFacts,
  type PaymentStatus,
  publicStatus,
  validatePaymentRequest,
} from '#shared/payments/model';
import {
  callbackChecksum,
  callbackParams,
  callbackSignatureBase,
  toGatewayOrder,
  verifyCallbackChecksum,
} from '#shared/payments/sber';
import { eventBridgeCron, scheduleDefinitions, unixCron } from '#shared/schedules';

const KEY = 'rac-sandbox-callback-secret';
const CALLBACK = {
  mdOrder: '3ff6962a-7dcc-4283-ab50-a6d7dd3386fe',
  orderNumber: '100001-0mhxyz1230a1b2c3d4e',
  operation: 'deposited',
  status: '1',
  amount: '254300',
};
// openssl dgst -sha256 -hmac rac-sandbox-callback-secret over the signature base below.
const CHECKSUM = '586384BB42DD5AC0524932150B7C6DA548C7565ADDEC661629301597D5D0CD67';

describe('the acquirer callback checksum', () => {
  it('signs `name;value;` of every parameter but checksum and sign_alias, sorted by name, upper-case hex', () => {
    const params = { ...CALLBACK, checksum: 'X', sign_alias: 'SHA-256 with RSA' };
    expect(callbackSignatureBase(params)).toBe(
      'amount;254300;mdOrder;3ff6962a-7dcc-4283-ab50-a6d7dd3386fe;operation;deposited;' +
        'orderNumber;100001-0mhxyz1230a1b2c3d4e;status;1;',
    );
    expect(callbackChecksum(params, KEY)).toBe(CHECKSUM);
  });

  it('accepts the right checksum in either case and refuses any change', () => {
    expect(verifyCallbackChecksum({ ...CALLBACK, checksum: CHECKSUM }, KEY)).toBe(true);
    expect(verifyCallbackChecksum({ ...CALLBACK, checksum: CHECKSUM.toLowerCase() }, KEY)).toBe(true);
    expect(verifyCallbackChecksum({ ...CALLBACK, checksum: CHECKSUM }, 'another key')).toBe(false);
    expect(verifyCallbackChecksum({ ...CALLBACK, status: '0', checksum: CHECKSUM }, KEY)).toBe(false);
    expect(verifyCallbackChecksum({ ...CALLBACK, extra: '1', checksum: CHECKSUM }, KEY)).toBe(false);
    expect(verifyCallbackChecksum({ ...CALLBACK }, KEY)).toBe(false);
    expect(verifyCallbackChecksum({ ...CALLBACK, checksum: 'ABC' }, KEY)).toBe(false);
    expect(verifyCallbackChecksum({ ...CALLBACK, checksum: `${CHECKSUM.slice(0, -1)}Z` }, KEY)).toBe(false);
  });

  it('refuses every single-character change of any parameter (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(CALLBACK)),
        fc.string({ minLength: 1, maxLength: 3 }),
        (name, junk) => {
          const params: Record<string, string> = { ...CALLBACK, checksum: CHECKSUM };
          fc.pre(params[name] !== `${params[name]}${junk}`);
          params[name] = `${params[name]}${junk}`;
          return !verifyCallbackChecksum(params, KEY);
        },
      ),
    );
  });

  it('reads parameters from a form body, else the query; a repeated parameter is ambiguous', () => {
    const query = new URLSearchParams(CALLBACK).toString();
    expect(callbackParams('', query)).toEqual(CALLBACK);
    expect(callbackParams(query, 'ignored=1')).toEqual(CALLBACK);
    expect(callbackParams('', `${query}&status=0`)).toBeUndefined();
  });
});

describe("the gateway's order status", () => {
  it('reads getOrderStatusExtended.do as the real gateway answers it', () => {
    expect(
      toGatewayOrder({
        errorCode: '0',
        errorMessage: 'Успешно',
        orderNumber: '100001-x',
        orderStatus: 2,
        actionCode: 0,
        amount: 254300,
        authDateTime: 1_795_000_000_000,
        attributes: [{ name: 'mdOrder', value: 'abc' }],
        paymentAmountInfo: { paymentState: 'DEPOSITED', depositedAmount: 254300, refundedAmount: 0 },
      }),
    ).toEqual({
      found: true,
      orderNumber: '100001-x',
      orderId: 'abc',
      orderStatus: 2,
      amount: 254300,
      depositedAmount: 254300,
      actionCode: 0,
      paidAt: new Date(1_795_000_000_000).toISOString(),
    });
    expect(toGatewayOrder({ errorCode: '6', errorMessage: 'Заказ не найден' })).toEqual({ found: false });
    expect(() => toGatewayOrder({ errorCode: '5', errorMessage: 'Доступ запрещён' })).toThrow(/errorCode 5/);
  });
});

describe('the payment state machine', () => {
  const at = new Date('2026-11-26T10:00:00Z');
  const payment = (status: PaymentStatus, ageMs = 60_000): PaymentFacts => ({
    id: '100001-abc',
    status,
    amount: 10_000,
    createdAt: new Date(at.getTime() - ageMs).toISOString(),
  });
  type FoundOrder = Extract<GatewayOrder, { found: true }>;
  const order = (orderStatus: number, extra: Partial<FoundOrder> = {}): FoundOrder => ({
    found: true,
    orderNumber: '100001-abc',
    orderStatus,
    amount: 10_000,
    ...extra,
  });

  it('allows only forward transitions', () => {
    expect(canTransition('created', 'pending')).toBe(true);
    expect(canTransition('pending', 'succeeded')).toBe(true);
    expect(canTransition('succeeded', 'refunded')).toBe(true);
    for (const to of PAYMENT_STATUSES) {
      expect(canTransition('refunded', to)).toBe(false);
      expect(canTransition('review', to)).toBe(false);
      expect(canTransition(to, 'created')).toBe(false);
      expect(canTransition(to, 'pending')).toBe(to === 'created');
    }
    expect(canTransition('succeeded', 'failed')).toBe(false);
    expect(canTransition('failed', 'succeeded')).toBe(false);
    expect(canTransition('expired', 'succeeded')).toBe(false);
  });

  it('credits a paid order once: paid pending → succeeded with a credit; succeeded stays', () => {
    expect(decide(payment('pending'), order(2, { depositedAmount: 10_000 }), at)).toMatchObject({
      kind: 'transition',
      to: 'succeeded',
      ledger: 'credit',
    });
    expect(decide(payment('succeeded'), order(2), at)).toEqual({ kind: 'none', reason: 'already succeeded' });
  });

  it('sends a different deposited amount, or money after a close, to review without a credit', () => {
    expect(decide(payment('pending'), order(2, { depositedAmount: 9_999 }), at)).toMatchObject({
      to: 'review',
      ledger: 'none',
      reason: 'amount_mismatch',
      paidAmount: 9_999,
    });
    expect(decide(payment('pending'), order(2, { amount: 20_000 }), at)).toMatchObject({ to: 'review' });
    for (const closed of ['failed', 'expired'] as const) {
      expect(decide(payment(closed), order(2), at)).toMatchObject({ to: 'review', reason: 'paid_after_close' });
    }
  });

  it('fails a declined order, expires a timed-out one, refunds a succeeded one', () => {
    expect(decide(payment('pending'), order(6, { actionCode: 2001 }), at)).toMatchObject({ to: 'failed' });
    expect(decide(payment('pending'), order(6, { actionCode: -2007 }), at)).toMatchObject({ to: 'expired' });
    expect(decide(payment('succeeded'), order(4, { refundedAmount: 10_000 }), at)).toMatchObject({
      to: 'refunded',
      ledger: 'refund',
      refundedAmount: 10_000,
    });
    expect(decide(payment('pending'), order(3), at)).toMatchObject({ to: 'failed', reason: 'reversed' });
    // A late "declined" never takes a paid payment back.
    expect(decide(payment('succeeded'), order(6), at)).toMatchObject({ kind: 'none' });
  });

  it('leaves an unpaid order alone within its time and expires it after', () => {
    expect(decide(payment('pending'), order(0), at)).toMatchObject({ kind: 'none' });
    expect(decide(payment('pending', EXPIRE_AFTER_MS + 1), order(0), at)).toMatchObject({ to: 'expired' });
    expect(decide(payment('created'), { found: false }, at)).toMatchObject({ kind: 'none' });
    expect(decide(payment('created', EXPIRE_AFTER_MS + 1), { found: false }, at)).toMatchObject({ to: 'expired' });
    expect(decide(payment('pending'), order(5), at)).toMatchObject({ kind: 'none' });
  });

  it("refuses an order that is not this payment's", () => {
    expect(decide(payment('pending'), { ...order(2), orderNumber: '100002-abc' }, at)).toMatchObject({
      kind: 'mismatch',
    });
  });

  it('never decides a transition the table forbids, whatever the gateway says (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PAYMENT_STATUSES),
        fc.integer({ min: -1, max: 8 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 0, max: 2 * EXPIRE_AFTER_MS }),
        (status, orderStatus, deposited, age) => {
          const d = decide(payment(status, age), order(orderStatus, { depositedAmount: deposited }), at);
          return (
            d.kind !== 'transition' ||
            (canTransition(status, d.to) && (d.ledger !== 'credit' || status !== 'succeeded'))
          );
        },
      ),
    );
  });

  it('shows residents the three contract statuses', () => {
    expect(PAYMENT_STATUSES.map(publicStatus)).toEqual([
      'pending',
      'pending',
      'succeeded',
      'failed',
      'failed',
      'failed',
      'pending',
    ]);
  });
});

describe('what a resident asks to pay', () => {
  it('accepts whole kopecks from 1 to the maximum', () => {
    expect(validatePaymentRequest({ amount: 1 })).toEqual({ ok: true, amount: 1 });
    expect(validatePaymentRequest({ amount: MAX_PAYMENT_KOPECKS })).toMatchObject({ ok: true });
    for (const amount of [0, -1, 1.5, '100', null, Number.NaN, MAX_PAYMENT_KOPECKS + 1, 2 ** 60]) {
      const result = validatePaymentRequest({ amount });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.fields.amount).toMatch(/500 000,00 ₽/);
    }
    expect(validatePaymentRequest(undefined).ok).toBe(false);
  });

  it('accepts a split that adds up, sorted by service; refuses anything else with the field named', () => {
    expect(
      validatePaymentRequest({
        amount: 300,
        services: [
          { service: 'gas', amount: 100 },
          { service: 'cold_water', amount: 200 },
        ],
      }),
    ).toEqual({
      ok: true,
      amount: 300,
      services: [
        { service: 'cold_water', amount: 200 },
        { service: 'gas', amount: 100 },
      ],
    });
    const bad = (services: unknown) => validatePaymentRequest({ amount: 300, services });
    expect(bad([{ service: 'gas', amount: 299 }])).toMatchObject({
      ok: false,
      fields: { services: expect.any(String) },
    });
    expect(bad([{ service: 'tv', amount: 300 }])).toMatchObject({
      fields: { 'services.0.service': 'Неизвестная услуга.' },
    });
    expect(bad([{ service: 'gas', amount: 0.5 }])).toMatchObject({
      fields: { 'services.0.amount': expect.any(String) },
    });
    expect(bad([])).toMatchObject({ ok: false });
    expect(bad('gas')).toMatchObject({ ok: false });
  });
});

describe('payment ids', () => {
  it('start with the account and their time, fit the acquirer orderNumber, and sort by time', () => {
    const a = newPaymentId('100001', new Date('2026-11-26T10:00:00Z'));
    const b = newPaymentId('100001', new Date('2026-11-26T10:00:01Z'));
    expect(a).toMatch(/^100001-[0-9a-z]{19}$/);
    expect(a.length).toBeLessThanOrEqual(32);
    expect(a < b).toBe(true);
    expect(accountOfPaymentId(a)).toBe('100001');
    expect(accountOfPaymentId('../100001')).toBeUndefined();
    expect(accountOfPaymentId('100001-short')).toBeUndefined();
  });
});

describe('bank signatures', () => {
  const body = '{"account":"100001"}';
  const now = 1_800_000_000;
  const line = { timestamp: String(now), method: 'POST', path: '/api/banks/sberbank/check', rawBody: body };
  it('signs `<timestamp>\\n<METHOD>\\n<path>\\n<raw body>` as the contract spells it', () => {
    expect(bankSigningString(line)).toBe(`${now}\nPOST\n/api/banks/sberbank/check\n${body}`);
    // printf '1800000000\nPOST\n/api/banks/sberbank/check\n{"account":"100001"}' | openssl dgst -sha256 -hmac bank-key-0123456789
    expect(bankSignature('bank-key-0123456789', line)).toBe(
      'c581f74993dc9b26442811e3c9e8e4c80540fdff8b0a6f9fcf5403703a22ac52',
    );
  });

  it('accepts the bank key over timestamp, method, path and the exact body, within five minutes', () => {
    const signature = bankSignature('bank-key-0123456789', line);
    const check = (over: Partial<Parameters<typeof verifyBankSignature>[0]>) =>
      verifyBankSignature({
        key: 'bank-key-0123456789',
        timestamp: String(now),
        signature,
        method: line.method,
        path: line.path,
        rawBody: body,
        nowSeconds: now,
        ...over,
      });
    expect(check({})).toBe(true);
    expect(check({ nowSeconds: now + 299 })).toBe(true);
    expect(check({ nowSeconds: now + 301 })).toBe(false);
    expect(check({ rawBody: `${body} ` })).toBe(false);
    expect(check({ path: '/api/banks/sberbank/payments' })).toBe(false);
    expect(check({ method: 'GET' })).toBe(false);
    expect(check({ key: 'another-key-0123456789' })).toBe(false);
    expect(check({ signature: undefined })).toBe(false);
    expect(check({ timestamp: 'yesterday' })).toBe(false);
  });

  it('shows the payer by surname and initials', () => {
    expect(maskedName('Иванова Мария Петровна')).toBe('Иванова М. П.');
    expect(maskedName('Ли')).toBe('Ли');
  });
});

describe("a bank's daily registry", () => {
  const line = (tx: string, account: string, counters: string, amount: string) =>
    `26-11-2026;18-05-10;8592;0002;${tx};${account};ПЕТРОВА А С;Г СТАРЫЙ ОСКОЛ, Д 1;112026;${counters};${amount};0;0`;

  it('reads Windows-1251 with `;`, the counters and the control line', () => {
    const text = [
      line('T1', '100001', 'ХВ-001=123,456|ГВ 002=45', '1500.00'),
      line('T2', '100002', '', '2,50'),
      '=2;1502.50;0;0',
    ];
    const parsed = parseBankRegistry(iconv.encode(text.join('\r\n'), 'win1251'));
    expect(parsed.encoding).toBe('windows-1251');
    expect(parsed.errors).toEqual([]);
    expect(parsed.total).toBe(2);
    expect(parsed.payments).toEqual([
      {
        line: 1,
        transactionId: 'T1',
        account: '100001',
        amount: 150_000,
        paidAt: '2026-11-26T15:05:10.000Z',
        // The registry's MMYYYY period names the bill paid (shared/billing/allocation.ts).
        period: '2026-11',
        readings: [
          { meter: 'ХВ-001', value: '123,456' },
          { meter: 'ГВ 002', value: '45' },
        ],
      },
      {
        line: 2,
        transactionId: 'T2',
        account: '100002',
        amount: 250,
        paidAt: '2026-11-26T15:05:10.000Z',
        period: '2026-11',
        readings: [],
      },
    ]);
  });

  it('reports bad rows by line and loads the rest; tolerates a header row', () => {
    const text = [
      'Дата;Время;Отделение;Кассир;УНО;ЛС;ФИО;Адрес;Период;Счётчики;Сумма;Перечислено;Комиссия',
      line('T1', '100001', '', '10.00'),
      line('T2', '12', '', '10.00'),
      line('T3', '100003', '', '-5.00'),
      line('T 4', '100004', '', '10.00'),
      line('T5', '100005', 'ХВ-001', '10.00'),
      '31-02-2026;10-00-00;1;1;T6;100006;;;;;10.00;0;0',
    ].join('\n');
    const parsed = parseBankRegistry(Buffer.from(text));
    expect(parsed.payments.map((p) => p.transactionId)).toEqual(['T1']);
    expect(parsed.total).toBe(6);
    expect(parsed.errors.map((e) => [e.line, e.reason.split(' ')[0]])).toEqual([
      [3, 'account'],
      [4, 'amount'],
      [5, 'transaction'],
      [6, 'counters'],
      [7, 'date/time'],
    ]);
  });

  it('refuses the whole file when the control line disagrees', () => {
    const parsed = parseBankRegistry(Buffer.from([line('T1', '100001', '', '10.00'), '=3;30.00;0;0'].join('\n')));
    expect(parsed.payments).toEqual([]);
    expect(parsed.fatal?.reason).toMatch(/контрольная строка: 3 платежей/);
  });

  it('parses counters as serial=value pairs', () => {
    expect(parseCounters('')).toEqual([]);
    expect(parseCounters('A=1|B=2.5')).toEqual([
      { meter: 'A', value: '1' },
      { meter: 'B', value: '2.5' },
    ]);
    expect(parseCounters('A=1|=2')).toMatch(/counters/);
    expect(parseCounters('A=abc')).toMatch(/counters/);
  });
});

describe('the reconciliation schedule', () => {
  it('runs every ten minutes in Moscow time', () => {
    const job = scheduleDefinitions({ windowOpenDay: 25, windowCloseDay: 1 }).find(
      (j) => j.job === 'payments.reconcile',
    );
    expect(job?.group).toBe('payments');
    expect(job && eventBridgeCron(job.cron)).toBe('cron(0/10 * * * ? *)');
    expect(job && unixCron(job.cron)).toBe('*/10 * * * *');
  });
});
