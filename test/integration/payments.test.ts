import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CENTRE } from '#shared/centre';
import { db } from '#shared/clients/dynamo';
import { METRIC, metricCount } from '#shared/metrics';
import { refundOrder } from '#shared/payments/sber';
import type { Client } from '#test/support/http';
import {
  balanceTotal,
  depositedCallback,
  importAccounts,
  mdOrderOf,
  owes,
  type PaymentsStack,
  paymentEntries,
  residentWithCabinet,
  signedCallback,
  startPaymentsStack,
  storedPayment,
  submitPaymentPage,
  waitUntil,
} from '#test/support/payments';

/**
 * Card payments end to end through the local gateway and the sandbox acquirer: the resident's
 * order, the bank's page, the signed callback, the gateway's confirmation, the ledger credited once.
 */

let stack: PaymentsStack;
const DEBT = { cold_water: 100_000, maintenance: 154_300 };
const TOTAL_DEBT = 254_300;

beforeAll(async () => {
  stack = await startPaymentsStack();
  // One account per test that moves money, so tests run in any order (vitest shuffles them).
  await importAccounts([
    '300001',
    '300002',
    '300003',
    '300004',
    '300005',
    '300006',
    '300007',
    '300008',
    '300009',
    '300010',
    '300011',
    '300012',
    '300013',
    '300014',
    '300015',
  ]);
});
afterAll(() => stack.stop());

async function startPayment(resident: Client, body: unknown) {
  const res = await resident.request('POST', '/api/payments', { body });
  expect(res.status).toBe(201);
  return res.json as { id: string; status: string; paymentUrl: string; amount: number };
}

async function statusOf(resident: Client, id: string) {
  const res = await resident.request('GET', `/api/payments/${id}`);
  expect(res.status).toBe(200);
  return res.json as { status: string; state: string; amount: number };
}

async function untilSettled(resident: Client, id: string) {
  let state = '';
  await waitUntil(async () => {
    state = (await statusOf(resident, id)).state;
    return state !== 'pending' && state !== 'created';
  }, `payment ${id} to settle`);
  return state;
}

async function untilState(resident: Client, id: string, want: string) {
  await waitUntil(async () => (await statusOf(resident, id)).state === want, `payment ${id} to become ${want}`);
}

describe('paying the debt by card through the sandbox', () => {
  /** A resident owing DEBT on `account` who has paid it all by card, the callback settled. */
  async function paidByCard(account: string) {
    await owes(account, DEBT);
    const resident = await residentWithCabinet(stack, account);
    const paid = await startPayment(resident, { amount: TOTAL_DEBT });
    await submitPaymentPage(paid.paymentUrl, 'pay');
    expect(await untilSettled(resident, paid.id)).toBe('succeeded');
    await stack.sandbox.idle();
    return { resident, paid };
  }

  it('registers an order and sends the resident to the bank page carrying mdOrder', async () => {
    await owes('300001', DEBT);
    const resident = await residentWithCabinet(stack, '300001');
    const me = await resident.request('GET', '/api/me');
    expect(me.json.balance.total).toBe(TOTAL_DEBT);
    const paid = await startPayment(resident, { amount: TOTAL_DEBT });
    expect(paid).toMatchObject({ status: 'pending', amount: TOTAL_DEBT });
    expect(paid.paymentUrl).toMatch(
      /\/sandbox-bank\/payment\/merchants\/rac\/payment_ru\.html\?mdOrder=[0-9a-f-]{36}$/,
    );
    expect(stack.sandbox.orderByNumber(paid.id)?.orderId).toBe(mdOrderOf(paid.paymentUrl));
    expect(await statusOf(resident, paid.id)).toMatchObject({ status: 'pending', amount: TOTAL_DEBT });

    const page = await fetch(paid.paymentUrl);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain('lang="ru"');
    expect(html).toContain('2\u00a0543,00\u00a0₽');
    expect(html).toContain('value="pay"');
    expect(html).toContain('value="decline"');
    expect(html).not.toMatch(/<script|style=/);
  });

  it('pays on the bank page: the callback arrives, the gateway confirms, the balance drops once', async () => {
    await owes('300011', DEBT);
    const resident = await residentWithCabinet(stack, '300011');
    const paid = await startPayment(resident, { amount: TOTAL_DEBT });
    const res = await submitPaymentPage(paid.paymentUrl, 'pay');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain(`/payments/return?id=${paid.id}`);
    expect(await untilSettled(resident, paid.id)).toBe('succeeded');
    await stack.sandbox.idle();
    expect(stack.sandbox.callbacks.filter((c) => c.orderId === mdOrderOf(paid.paymentUrl))).toEqual([
      expect.objectContaining({ operation: 'deposited', attempt: 1, status: 200 }),
    ]);
    expect(await statusOf(resident, paid.id)).toMatchObject({ status: 'succeeded' });
    expect(await balanceTotal('300011')).toBe(0);
    expect(await paymentEntries('300011')).toEqual([{ id: paid.id, total: -TOTAL_DEBT }]);
    // Split over what was owed, per service.
    const stored = await storedPayment('300011', paid.id);
    // Opening balances of January are December's debts (shared/billing/allocation.ts).
    expect(stored?.allocation).toEqual([
      { service: 'cold_water', amount: 100_000, forPeriod: '2025-12' },
      { service: 'maintenance', amount: 154_300, forPeriod: '2025-12' },
    ]);
    expect(stored?.gsi1pk).toBeUndefined();
    expect(stored?.history.map((h) => h.status)).toEqual(['created', 'pending', 'succeeded']);
  });

  it('answers a replayed callback 200 and credits nothing twice', async () => {
    const { paid } = await paidByCard('300012');
    const replay = depositedCallback(paid, TOTAL_DEBT);
    for (let i = 0; i < 3; i++) {
      const res = await stack.client.request('GET', `/api/webhooks/sber?${replay}`);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ status: 'succeeded' });
    }
    // An out-of-order "declined" for the paid order changes nothing either: the gateway decides.
    const late = signedCallback({
      mdOrder: mdOrderOf(paid.paymentUrl),
      orderNumber: paid.id,
      operation: 'deposited',
      status: '0',
    });
    expect((await stack.client.request('GET', `/api/webhooks/sber?${late}`)).status).toBe(200);
    expect(await paymentEntries('300012')).toHaveLength(1);
    expect(await balanceTotal('300012')).toBe(0);
  });

  it('lists the payment with its channel and status, and prints a receipt', async () => {
    const { resident, paid } = await paidByCard('300013');
    const history = await resident.request('GET', '/api/payments');
    expect(history.status).toBe(200);
    expect(history.json.items).toEqual([
      expect.objectContaining({
        id: paid.id,
        amount: TOTAL_DEBT,
        status: 'succeeded',
        channel: 'card',
        channelText: 'Банковская карта на сайте',
        statusText: 'Оплачено',
        paymentUrl: null,
      }),
    ]);
    const receipt = await resident.request('GET', `/api/payments/${paid.id}/receipt`);
    expect(receipt.status).toBe(200);
    expect(receipt.json).toMatchObject({
      id: paid.id,
      amount: TOTAL_DEBT,
      payer: { account: '300013', owner: 'Петрова Анна Сергеевна' },
      reference: mdOrderOf(paid.paymentUrl),
      services: [
        { service: 'cold_water', title: 'Холодное водоснабжение', amount: 100_000 },
        { service: 'maintenance', title: 'Содержание жилого помещения', amount: 154_300 },
      ],
    });
    expect(receipt.json.payee.name).toContain('Расчётно-аналитический центр');
    // The payee's requisites, as the ЕПД prints them, and the bills the money paid.
    expect(receipt.json.payee).toMatchObject({
      inn: CENTRE.payee.inn,
      kpp: CENTRE.payee.kpp,
      bic: CENTRE.payee.bic,
      settlementAccount: CENTRE.payee.settlementAccount,
      correspondentAccount: CENTRE.payee.correspondentAccount,
    });
    // The debts carried in on 1 January 2026 are December 2025's bill (billing/allocation.ts).
    expect(receipt.json.periods).toEqual(['2025-12']);
  });

  it('refunds: the bank returns the money, the ledger takes the credit back', async () => {
    const { resident, paid } = await paidByCard('300014');
    await refundOrder(mdOrderOf(paid.paymentUrl), TOTAL_DEBT);
    await untilState(resident, paid.id, 'refunded');
    await stack.sandbox.idle();
    expect(await statusOf(resident, paid.id)).toMatchObject({ status: 'failed', state: 'refunded' });
    expect(await balanceTotal('300014')).toBe(TOTAL_DEBT);
    expect((await paymentEntries('300014')).map((e) => e.total).sort()).toEqual([-TOTAL_DEBT, TOTAL_DEBT]);
  });
});

describe('a declined payment', () => {
  it('fails, moves no money and has no receipt', async () => {
    await owes('300002', { gas: 50_000 });
    const resident = await residentWithCabinet(stack, '300002');
    const payment = await startPayment(resident, { amount: 50_000 });
    const res = await submitPaymentPage(payment.paymentUrl, 'decline');
    expect(res.status).toBe(303);
    expect(await untilSettled(resident, payment.id)).toBe('failed');
    expect(await statusOf(resident, payment.id)).toMatchObject({ status: 'failed' });
    expect(await balanceTotal('300002')).toBe(50_000);
    expect(await paymentEntries('300002')).toEqual([]);
    const receipt = await resident.request('GET', `/api/payments/${payment.id}/receipt`);
    expect(receipt.status).toBe(409);
    expect(receipt.json.error.code).toBe('no_receipt');
    // The page now says the order is closed; paying it again does nothing.
    expect(await (await fetch(payment.paymentUrl)).text()).toContain('Оплата не состоялась');
    await submitPaymentPage(payment.paymentUrl, 'pay');
    await stack.sandbox.idle();
    expect(await paymentEntries('300002')).toEqual([]);
  });
});

describe('forged and foreign callbacks', () => {
  let resident: Client;
  let payment: { id: string; paymentUrl: string };

  beforeAll(async () => {
    await owes('300003', { electricity: 70_000 });
    resident = await residentWithCabinet(stack, '300003');
    payment = await startPayment(resident, { amount: 70_000 });
    // Paid at the bank, but its callback is lost: only a forger would tell us now.
    stack.sandbox.complete(mdOrderOf(payment.paymentUrl), 'pay', { sendCallback: false });
  });

  const params = () => ({
    mdOrder: mdOrderOf(payment.paymentUrl),
    orderNumber: payment.id,
    operation: 'deposited',
    status: '1',
  });

  it('refuses a wrong checksum, a missing one and a tampered parameter: 403, nothing moves, an alarm metric', async () => {
    const before = metricCount(METRIC.forgedCallback);
    const wrongKey = signedCallback(params(), 'not-the-bank-key');
    const unsigned = new URLSearchParams(params());
    const tampered = signedCallback(params());
    tampered.set('orderNumber', `${payment.id.slice(0, -1)}x`);
    const duplicated = signedCallback(params());
    duplicated.append('status', '0');
    for (const query of [wrongKey, unsigned, tampered, duplicated]) {
      const res = await stack.client.request('GET', `/api/webhooks/sber?${query}`);
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('invalid_signature');
      expect(res.json.error.message).toMatch(/[а-я]/);
    }
    const posted = await stack.client.request('POST', '/api/webhooks/sber', {
      raw: wrongKey.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(posted.status).toBe(403);
    expect(metricCount(METRIC.forgedCallback) - before).toBe(5);
    expect(await statusOf(resident, payment.id)).toMatchObject({ status: 'pending' });
    expect(await paymentEntries('300003')).toEqual([]);
    expect(await balanceTotal('300003')).toBe(70_000);
  });

  it('refuses a signed callback naming another order: 409, nothing moves', async () => {
    const other = signedCallback({ ...params(), mdOrder: '00000000-0000-4000-8000-000000000000' });
    const res = await stack.client.request('GET', `/api/webhooks/sber?${other}`);
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('order_mismatch');
    const unknown = signedCallback({ ...params(), orderNumber: '300003-zzzzzzzzzzzzzzzzzzz' });
    expect((await stack.client.request('GET', `/api/webhooks/sber?${unknown}`)).status).toBe(404);
    expect(await paymentEntries('300003')).toEqual([]);
  });

  it('accepts the genuine callback as a POST form, base64-encoded as API Gateway may pass it', async () => {
    // Its own lost-callback order: the refusals above must find theirs still unpaid, in any order.
    await owes('300015', { electricity: 70_000 });
    const owner = await residentWithCabinet(stack, '300015');
    const lost = await startPayment(owner, { amount: 70_000 });
    stack.sandbox.complete(mdOrderOf(lost.paymentUrl), 'pay', { sendCallback: false });
    const genuine = { ...params(), mdOrder: mdOrderOf(lost.paymentUrl), orderNumber: lost.id };
    const { handler } = await import('#functions/payments/index');
    const { httpEvent, lambdaContext } = await import('#test/support/events');
    const event = httpEvent('POST', '/api/webhooks/sber', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(signedCallback(genuine).toString()).toString('base64'),
    });
    event.isBase64Encoded = true;
    const res = (await handler(event, lambdaContext)) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'succeeded' });
    expect(await paymentEntries('300015')).toEqual([{ id: lost.id, total: -70_000 }]);
    expect(await balanceTotal('300015')).toBe(0);
  });
});

describe('what a resident may ask', () => {
  let resident: Client;
  let stranger: Client;
  // Refusals assert the resident has no payments at all: one who makes none in the other tests.
  let refused: Client;

  beforeAll(async () => {
    await owes('300004', { heating: 300_000, waste: 20_000 });
    resident = await residentWithCabinet(stack, '300004');
    stranger = await residentWithCabinet(stack, '300005');
    await owes('300010', { heating: 300_000, waste: 20_000 });
    refused = await residentWithCabinet(stack, '300010');
  });

  it.each([
    ['zero', { amount: 0 }],
    ['negative', { amount: -100 }],
    ['a fraction of a kopeck', { amount: 10.5 }],
    ['a string', { amount: '1000' }],
    ['over the maximum', { amount: 50_000_001 }],
    ['missing', {}],
    ['a split that does not add up', { amount: 1000, services: [{ service: 'heating', amount: 999 }] }],
    ['a split with an unknown service', { amount: 1000, services: [{ service: 'internet', amount: 1000 }] }],
    [
      'a split naming a service twice',
      {
        amount: 1000,
        services: [
          { service: 'heating', amount: 500 },
          { service: 'heating', amount: 500 },
        ],
      },
    ],
  ])('refuses an amount that is %s with 422 invalid_amount and creates nothing', async (_what, body) => {
    const orders = stack.sandbox.orders.size;
    const res = await refused.request('POST', '/api/payments', { body });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe('invalid_amount');
    expect(Object.values(res.json.error.fields ?? {}).join(' ')).toMatch(/[а-я]/);
    expect((await refused.request('GET', '/api/payments')).json.items).toEqual([]);
    expect(stack.sandbox.orders.size).toBe(orders);
  });

  it('pays a split by service as asked', async () => {
    const payment = await startPayment(resident, {
      amount: 150_000,
      services: [
        { service: 'waste', amount: 20_000 },
        { service: 'heating', amount: 130_000 },
      ],
    });
    await submitPaymentPage(payment.paymentUrl, 'pay');
    expect(await untilSettled(resident, payment.id)).toBe('succeeded');
    expect((await storedPayment('300004', payment.id))?.allocation).toEqual([
      { service: 'heating', amount: 130_000 },
      { service: 'waste', amount: 20_000 },
    ]);
    expect(await balanceTotal('300004')).toBe(170_000);
  });

  it("answers 404 for another resident's payment, a made-up id, and 401 without a session", async () => {
    const payment = await startPayment(resident, { amount: 1_000 });
    for (const path of [`/api/payments/${payment.id}`, `/api/payments/${payment.id}/receipt`]) {
      const res = await stranger.request('GET', path);
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
    expect((await stranger.request('GET', '/api/payments/300005-aaaaaaaaaaaaaaaaaaa')).status).toBe(404);
    expect((await stranger.request('GET', '/api/payments/..%2F..')).status).toBe(404);
    expect((await stack.client.request('GET', `/api/payments/${payment.id}`)).status).toBe(401);
    expect((await stack.client.request('POST', '/api/payments', { body: { amount: 100 } })).status).toBe(401);
    const csrf = await resident.request('POST', '/api/payments', {
      body: { amount: 100 },
      headers: { 'x-requested-with': '' },
    });
    expect(csrf.status).toBe(403);
  });
});

describe('an amount the gateway deposited differently', () => {
  it('goes to review: no ledger entry, an alarm metric, the resident sees it pending', async () => {
    await owes('300006', { gas: 40_000 });
    const resident = await residentWithCabinet(stack, '300006');
    const before = metricCount(METRIC.paymentReview);
    const payment = await startPayment(resident, { amount: 40_000 });
    stack.sandbox.complete(mdOrderOf(payment.paymentUrl), 'pay', { depositedAmount: 4_000 });
    expect(await untilSettled(resident, payment.id)).toBe('review');
    expect(await statusOf(resident, payment.id)).toMatchObject({ status: 'pending', state: 'review' });
    expect(await paymentEntries('300006')).toEqual([]);
    expect(await balanceTotal('300006')).toBe(40_000);
    expect(metricCount(METRIC.paymentReview) - before).toBe(1);
    const stored = await storedPayment('300006', payment.id);
    expect(stored).toMatchObject({ reason: 'amount_mismatch', paidAmount: 4_000, gsi1pk: 'PAYMENTS#REVIEW' });
  });
});

describe('reliability', () => {
  it('credits exactly once under 1,000 concurrent duplicate callbacks', { timeout: 180_000 }, async () => {
    await owes('300007', { cold_water: 123_456 });
    const resident = await residentWithCabinet(stack, '300007');
    const payment = await startPayment(resident, { amount: 123_456 });
    stack.sandbox.complete(mdOrderOf(payment.paymentUrl), 'pay', { sendCallback: false });
    const query = depositedCallback(payment).toString();
    const statuses: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < 1000) {
        next++;
        const res = await fetch(`${stack.url}/api/webhooks/sber?${query}`);
        await res.arrayBuffer();
        statuses.push(res.status);
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    expect(statuses).toHaveLength(1000);
    expect([...new Set(statuses)]).toEqual([200]);
    expect(await paymentEntries('300007')).toEqual([{ id: payment.id, total: -123_456 }]);
    expect(await balanceTotal('300007')).toBe(0);
    expect((await storedPayment('300007', payment.id))?.history.map((h) => h.status)).toEqual([
      'created',
      'pending',
      'succeeded',
    ]);
  });

  it('leaves nothing half-written when DynamoDB fails mid-way, and the bank’s retry completes it', async () => {
    await owes('300008', { hot_water: 88_800 });
    const resident = await residentWithCabinet(stack, '300008');
    let failures = 0;
    const failOnce =
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        if (context.commandName === 'TransactWriteItemsCommand' && failures === 0) {
          failures++;
          throw Object.assign(new Error('Injected: the service is unavailable'), { name: 'ServiceUnavailable' });
        }
        return next(args);
      };
    db().middlewareStack.add(failOnce as never, { step: 'initialize', name: 'failOnceOnTransaction' });
    try {
      const payment = await startPayment(resident, { amount: 88_800 });
      const mdOrder = mdOrderOf(payment.paymentUrl);
      await submitPaymentPage(payment.paymentUrl, 'pay');
      // The first delivery is answered 500 (nothing written); the sandbox retries and succeeds.
      expect(await untilSettled(resident, payment.id)).toBe('succeeded');
      await stack.sandbox.idle();
      expect(failures).toBe(1);
      expect(stack.sandbox.callbacks.filter((c) => c.orderId === mdOrder).map((c) => c.status)).toEqual([500, 200]);
      expect(await paymentEntries('300008')).toEqual([{ id: payment.id, total: -88_800 }]);
      expect(await balanceTotal('300008')).toBe(0);
    } finally {
      db().middlewareStack.remove('failOnceOnTransaction');
    }
  });

  it('between the failure and the retry nothing has moved', async () => {
    await owes('300009', { hot_water: 10_000 });
    const resident = await residentWithCabinet(stack, '300009');
    const payment = await startPayment(resident, { amount: 10_000 });
    stack.sandbox.complete(mdOrderOf(payment.paymentUrl), 'pay', { sendCallback: false });
    const callback = depositedCallback(payment);
    let failed = false;
    db().middlewareStack.add(
      ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        if (context.commandName === 'TransactWriteItemsCommand' && !failed) {
          failed = true;
          throw new Error('Injected: connection reset');
        }
        return next(args);
      }) as never,
      { step: 'initialize', name: 'failOnceAgain' },
    );
    try {
      const first = await stack.client.request('GET', `/api/webhooks/sber?${callback}`);
      expect(first.status).toBe(500);
      expect(first.text).not.toContain('Injected');
      expect((await storedPayment('300009', payment.id))?.status).toBe('pending');
      expect((await paymentEntries('300009')).filter((e) => e.id === payment.id)).toEqual([]);
      const retry = await stack.client.request('GET', `/api/webhooks/sber?${callback}`);
      expect(retry.status).toBe(200);
      expect((await paymentEntries('300009')).filter((e) => e.id === payment.id)).toEqual([
        { id: payment.id, total: -10_000 },
      ]);
    } finally {
      db().middlewareStack.remove('failOnceAgain');
    }
  });
});
