import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetMailForTests } from '#shared/clients/mail';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { keys } from '#shared/keys';
import { RECEIPT_TRIES } from '#shared/payments/guestReceipt';
import { reconcilePendingPayments } from '#shared/payments/reconcile';
import { paymentsOf } from '#shared/payments/store';
import { periodOf } from '#shared/time';
import { startFaultProxy } from '#test/support/faultProxy';
import { mailsTo } from '#test/support/mail';
import {
  balanceTotal,
  depositedCallback,
  importAccounts,
  mdOrderOf,
  owes,
  type PaymentsStack,
  paymentEntries,
  residentWithCabinet,
  startPaymentsStack,
  storedPayment,
  submitPaymentPage,
  waitUntil,
} from '#test/support/payments';
import { captcha } from '#test/support/residents';

/**
 * Paying for any account without login (`POST /api/pay`), end to end through the local gateway
 * and the sandbox acquirer: the masked payer, the bank's page, the signed callback, the ledger
 * credited once, the result page's status, the receipt mailed once. The accounts' owner is
 * «Петрова Анна Сергеевна» (importAccounts), so the payer is «Петрова А. С.».
 */

let stack: PaymentsStack;
const DEBT = { cold_water: 100_000, maintenance: 154_300 };
const TOTAL = 254_300;
const PAYER = 'Петрова А. С.';

beforeAll(async () => {
  stack = await startPaymentsStack();
  // One account per test, so tests run in any order.
  await importAccounts([
    '310001',
    '310002',
    '310003',
    '310004',
    '310005',
    '310006',
    '310007',
    '310008',
    '310009',
    '310010',
  ]);
});
afterAll(() => stack.stop());

async function guestPay(body: Record<string, unknown>) {
  return stack.client.fork().request('POST', '/api/pay', { body: { ...(await captcha(stack.client)), ...body } });
}

async function guestStatus(id: string) {
  return stack.client.request('GET', `/api/pay/${encodeURIComponent(id)}`);
}

async function untilGuestStatus(id: string, want: string) {
  await waitUntil(async () => (await guestStatus(id)).json?.status === want, `guest payment ${id} to be ${want}`);
}

function pinClock(iso: string | undefined) {
  if (iso) process.env[ENV.now] = iso;
  else delete process.env[ENV.now];
  resetConfigForTests();
}

describe('paying for an account without login', () => {
  it('names the payer masked, pays on the bank page, credits once and mails the receipt once', async () => {
    await owes('310001', DEBT);
    const email = 'grandson310001@example.ru';
    const created = await guestPay({ account: '310001', amount: TOTAL, email });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^310001-[0-9a-z]{19}$/),
      paymentUrl: expect.stringMatching(/\/sandbox-bank\/payment\/merchants\/rac\/payment_ru\.html\?mdOrder=/),
      payer: PAYER,
      amount: TOTAL,
    });
    // Surname and initials only: never the full name, the passport or the address.
    expect(created.text).not.toMatch(/Анна|Сергеевна|1401|Оскол/);
    const { id, paymentUrl } = created.json as { id: string; paymentUrl: string };
    expect(await guestStatus(id)).toMatchObject({ status: 200, json: { id, amount: TOTAL, status: 'pending' } });

    const page = await submitPaymentPage(paymentUrl, 'pay');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(new RegExp(`^${stack.url}/pay/result\\?id=${id}(&|$)`));
    await untilGuestStatus(id, 'succeeded');
    await stack.sandbox.idle();

    // The result page's answer: the amount and the status, nothing about the account.
    const status = await guestStatus(id);
    expect(status.json).toEqual({ id, amount: TOTAL, status: 'succeeded' });
    expect(await paymentEntries('310001')).toEqual([{ id, total: -TOTAL }]);
    expect(await balanceTotal('310001')).toBe(0);

    // The bank repeats its callback, and the reconciliation job runs later: nothing moves twice.
    const replay = depositedCallback({ id, paymentUrl }, TOTAL);
    for (let i = 0; i < 3; i++) {
      const res = await stack.client.request('GET', `/api/webhooks/sber?${replay}`);
      expect(res).toMatchObject({ status: 200, json: { status: 'succeeded' } });
    }
    pinClock(new Date(Date.now() + 40 * 60_000).toISOString());
    try {
      await reconcilePendingPayments();
    } finally {
      pinClock(undefined);
    }
    expect(await paymentEntries('310001')).toEqual([{ id, total: -TOTAL }]);
    expect(await balanceTotal('310001')).toBe(0);

    const mails = await mailsTo(email);
    expect(mails).toHaveLength(1);
    const text = mails[0]?.body.text ?? '';
    expect(mails[0]?.subject).toBe('Квитанция об оплате: лицевой счёт 310001, 2\u00a0543,00\u00a0₽');
    expect(text).toContain(`Плательщик: ${PAYER}`);
    expect(text).toContain('Лицевой счёт: 310001');
    expect(text).toContain('Сумма: 2\u00a0543,00\u00a0₽');
    expect(text).toMatch(/Дата и время оплаты: \d{2}\.\d{2}\.\d{4} в \d{2}:\d{2} \(МСК\)/);
    expect(text).toContain('ИНН / КПП: 3128012340 / 312801001');
    expect(text).toContain('БИК: 041403999');
    expect(text).not.toMatch(/Анна|Сергеевна|Оскол, д\./);

    // Once mailed, the address is not kept; the claim stays, so nothing mails it again.
    const stored = await storedPayment('310001', id);
    expect(stored).toMatchObject({ status: 'succeeded', channel: 'card', payer: PAYER });
    expect(stored?.receiptEmail).toBeUndefined();
    expect(stored?.receiptMailedAt).toEqual(expect.any(String));
  });

  it('shows in the resident’s payments and statement like any card payment', async () => {
    await owes('310002', DEBT);
    const created = await guestPay({ account: '310002', amount: 100_000 });
    expect(created.status).toBe(201);
    const { id, paymentUrl } = created.json as { id: string; paymentUrl: string };
    await submitPaymentPage(paymentUrl, 'pay');
    await untilGuestStatus(id, 'succeeded');
    await stack.sandbox.idle();

    const resident = await residentWithCabinet(stack, '310002');
    const history = await resident.request('GET', '/api/payments');
    expect(history.json.items).toEqual([
      expect.objectContaining({
        id,
        amount: 100_000,
        status: 'succeeded',
        channel: 'card',
        channelText: 'Банковская карта на сайте, без входа в личный кабинет',
      }),
    ]);
    const period = periodOf(new Date());
    const statement = await resident.request('GET', `/api/statement?from=${period}&to=${period}`);
    expect(statement.status).toBe(200);
    expect(statement.json.rows).toEqual([expect.objectContaining({ period, paid: 100_000 })]);
    const receipt = await resident.request('GET', `/api/payments/${id}/receipt`);
    expect(receipt.json).toMatchObject({ id, amount: 100_000, reference: mdOrderOf(paymentUrl) });
    // No address given: no receipt mail to anyone, and none kept.
    expect((await storedPayment('310002', id))?.receiptEmail).toBeUndefined();
  });

  it('settles by the reconciliation job when the callback is lost, and mails the receipt once', async () => {
    await owes('310003', DEBT);
    const email = 'tenant310003@example.ru';
    const created = await guestPay({ account: '310003', amount: 54_300, email });
    expect(created.status).toBe(201);
    const { id, paymentUrl } = created.json as { id: string; paymentUrl: string };
    // The payer paid; the bank's callback never came.
    stack.sandbox.complete(mdOrderOf(paymentUrl), 'pay', { sendCallback: false });
    expect((await guestStatus(id)).json.status).toBe('pending');

    pinClock(new Date(Date.now() + 21 * 60_000).toISOString());
    try {
      expect(await reconcilePendingPayments()).toMatchObject({ changed: 1, failed: 0 });
      await reconcilePendingPayments();
    } finally {
      pinClock(undefined);
    }
    expect((await guestStatus(id)).json).toEqual({ id, amount: 54_300, status: 'succeeded' });
    expect(await paymentEntries('310003')).toEqual([{ id, total: -54_300 }]);
    // The callback arrives late after all: 200, nothing credited or mailed again.
    const late = depositedCallback({ id, paymentUrl });
    expect((await stack.client.request('GET', `/api/webhooks/sber?${late}`)).status).toBe(200);
    expect(await paymentEntries('310003')).toHaveLength(1);
    expect(await mailsTo(email)).toHaveLength(1);
  });

  it('a declined card: failed, nothing credited, no receipt, and the resident’s history is not cluttered', async () => {
    await owes('310004', DEBT);
    const email = 'declined310004@example.ru';
    const created = await guestPay({ account: '310004', amount: 10_000, email });
    const { id, paymentUrl } = created.json as { id: string; paymentUrl: string };
    expect((await submitPaymentPage(paymentUrl, 'decline')).headers.get('location')).toContain(`/pay/result?id=${id}`);
    await untilGuestStatus(id, 'failed');
    await stack.sandbox.idle();
    expect(await paymentEntries('310004')).toEqual([]);
    expect(await balanceTotal('310004')).toBe(TOTAL);
    expect(await mailsTo(email)).toEqual([]);
    const resident = await residentWithCabinet(stack, '310004');
    expect((await resident.request('GET', '/api/payments')).json.items).toEqual([]);
  });
});

describe('a receipt SES refused', () => {
  /** A guest payment paid at the bank whose callback never came: the reconciliation job settles it. */
  async function paidWithoutCallback(account: string, email: string) {
    await owes(account, DEBT);
    const created = await guestPay({ account, amount: 20_000, email });
    expect(created.status).toBe(201);
    const { id, paymentUrl } = created.json as { id: string; paymentUrl: string };
    stack.sandbox.complete(mdOrderOf(paymentUrl), 'pay', { sendCallback: false });
    return { id, paymentUrl, createdAt: Date.now() };
  }

  /** One reconciliation run at `minutes` after the payment, optionally with SES refusing every mail. */
  async function reconcileAt(createdAt: number, minutes: number, options: { sesRefuses?: boolean } = {}) {
    const direct = process.env[ENV.sesEndpoint] as string;
    // SES answers as it does a refused message: HTTP 400, MessageRejected.
    const refusing = options.sesRefuses ? await startFaultProxy({ target: direct, mode: 'reject-ses' }) : undefined;
    if (refusing) process.env[ENV.sesEndpoint] = refusing.endpoint;
    pinClock(new Date(createdAt + minutes * 60_000).toISOString());
    resetMailForTests();
    try {
      return await reconcilePendingPayments();
    } finally {
      process.env[ENV.sesEndpoint] = direct;
      pinClock(undefined);
      resetMailForTests();
      await refusing?.stop();
    }
  }

  it('inside the reconciliation job is mailed by its next run, once', async () => {
    const email = 'retry310009@example.ru';
    const { id, paymentUrl, createdAt } = await paidWithoutCallback('310009', email);

    // The run that settles the payment finds SES refusing the receipt.
    expect(await reconcileAt(createdAt, 21, { sesRefuses: true })).toMatchObject({ changed: 1, failed: 0 });
    expect((await guestStatus(id)).json.status).toBe('succeeded');
    expect(await mailsTo(email)).toEqual([]);
    const refused = await storedPayment('310009', id);
    expect(refused).toMatchObject({ receiptEmail: email, receiptTries: 1, gsi1pk: keys.receiptsDue });
    expect(refused?.receiptClaimedAt).toBeUndefined();

    // The next run, SES working again: the receipt goes out.
    const next = await reconcileAt(createdAt, 31);
    expect(next.receipts.mailed).toBeGreaterThanOrEqual(1);
    expect(await mailsTo(email)).toHaveLength(1);
    expect((await mailsTo(email))[0]?.subject).toBe('Квитанция об оплате: лицевой счёт 310009, 200,00\u00a0₽');
    const mailed = await storedPayment('310009', id);
    expect(mailed?.receiptMailedAt).toEqual(expect.any(String));
    expect(mailed?.receiptEmail).toBeUndefined();
    expect(mailed?.gsi1pk).toBeUndefined();

    // Later runs and the bank's late callback: nothing mails it again.
    await reconcileAt(createdAt, 41);
    const late = depositedCallback({ id, paymentUrl });
    expect((await stack.client.request('GET', `/api/webhooks/sber?${late}`)).status).toBe(200);
    expect(await mailsTo(email)).toHaveLength(1);
    expect(await paymentEntries('310009')).toEqual([{ id, total: -20_000 }]);
  });

  it('every time is given up after a bounded number of runs, and the address is not kept', async () => {
    const email = 'refused310010@example.ru';
    const { id, createdAt } = await paidWithoutCallback('310010', email);
    for (let run = 0; run < RECEIPT_TRIES; run++) {
      await reconcileAt(createdAt, 21 + run * 10, { sesRefuses: true });
      expect((await storedPayment('310010', id))?.receiptTries).toBe(run + 1);
    }
    const given = await storedPayment('310010', id);
    expect(given?.receiptGivenUpAt).toEqual(expect.any(String));
    expect(given?.receiptEmail).toBeUndefined();
    expect(given?.gsi1pk).toBeUndefined();
    // SES works again, but the receipt is no longer due: nothing is sent, no try is counted.
    await reconcileAt(createdAt, 21 + RECEIPT_TRIES * 10);
    expect(await mailsTo(email)).toEqual([]);
    expect((await storedPayment('310010', id))?.receiptTries).toBe(RECEIPT_TRIES);
    expect(given?.status).toBe('succeeded');
  });
});

describe('bad input changes nothing', () => {
  it('refuses a bad amount in Russian before taking the challenge', async () => {
    const solved = await captcha(stack.client);
    for (const amount of [0, -100, 12.5, '100', 50_000_001, null]) {
      const res = await stack.client.request('POST', '/api/pay', { body: { account: '310005', amount, ...solved } });
      expect(res.status).toBe(422);
      expect(res.json.error).toMatchObject({ code: 'invalid_amount', message: 'Проверьте сумму оплаты.' });
      expect(res.json.error.fields.amount).toMatch(/^Укажите сумму от 0,01 до 500 000,00/);
    }
    // The challenge was not used up by the typo: the corrected form goes through with it.
    const fixed = await stack.client.request('POST', '/api/pay', {
      body: { account: '310005', amount: 100, ...solved },
    });
    expect(fixed.status).toBe(201);
    expect(await paymentsOf('310005', 10)).toHaveLength(1);
  });

  it('refuses an account that does not exist with 404, and a malformed one with 400, writing no payment', async () => {
    const missing = await guestPay({ account: '399999', amount: 10_000 });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({
      code: 'account_not_found',
      message: 'Лицевой счёт не найден. Проверьте номер по квитанции.',
    });
    expect(await paymentsOf('399999', 10)).toEqual([]);

    const malformed = await guestPay({ account: '12345', amount: 10_000 });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.fields.account).toBe('Номер лицевого счёта — 6 цифр');

    const badEmail = await guestPay({ account: '310006', amount: 10_000, email: 'не почта' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.json.error.fields.email).toMatch(/электронной почты/);
    expect(await paymentsOf('310006', 10)).toEqual([]);
  });

  it('refuses a wrong or missing robot check, writing no payment', async () => {
    const { captchaId } = await captcha(stack.client);
    const wrong = await stack.client.request('POST', '/api/pay', {
      body: { account: '310007', amount: 10_000, captchaId, captchaAnswer: 'не решено' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe('invalid_captcha');
    expect(wrong.json.error.message).toMatch(/Я не робот/);
    const missing = await stack.client.request('POST', '/api/pay', { body: { account: '310007', amount: 10_000 } });
    expect(missing.status).toBe(400);
    expect(missing.json.error.fields).toHaveProperty('captchaId');
    expect(await paymentsOf('310007', 10)).toEqual([]);
  });
});

describe('the result page’s status', () => {
  it('is 404 for an unknown id, a malformed one and a resident’s own payment, saying nothing else', async () => {
    for (const id of ['310001-0000000000000000000', 'nonsense', '999999-abcdefghijklmnopqrs']) {
      const res = await guestStatus(id);
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ error: { code: 'not_found', message: 'Платёж не найден.' } });
    }
    await owes('310008', { maintenance: 5_000 });
    const resident = await residentWithCabinet(stack, '310008');
    const own = await resident.request('POST', '/api/payments', { body: { amount: 5_000 } });
    expect(own.status).toBe(201);
    const res = await guestStatus(own.json.id);
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('not_found');
  });
});
