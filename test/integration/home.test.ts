import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { billOneAccount } from '#shared/billing/run';
import { loadTariffs } from '#shared/billing/store';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { importRegistry } from '#shared/registry/importRegistry';
import type { Client } from '#test/support/http';
import {
  importAccounts,
  PASSWORD,
  type PaymentsStack,
  residentWithCabinet,
  startPaymentsStack,
  submitPaymentPage,
  waitUntil,
} from '#test/support/payments';

/**
 * The cabinet's first screen (GET /api/home) against the real handlers: what a resident owes and by
 * when, the reading window's days left, the last payment and the bills there are, with the domain
 * clock pinned (RAC_NOW) where each fact changes. A session lives 30 idle minutes, so each clock
 * move logs in anew. Each test has its own account.
 */

let stack: PaymentsStack;

/** Maintenance only: 50 m² × 25,50 ₽ = 1 275,00 ₽ a month, exact, whatever else billing does. */
const MONTHLY = 127_500;

function clockAt(iso: string): void {
  process.env[ENV.now] = iso;
  resetConfigForTests();
}

async function loggedIn(account: string): Promise<Client> {
  const browser = stack.client.fork();
  const res = await browser.request('POST', '/api/auth/login', { body: { account, password: PASSWORD } });
  expect(res.status, res.text).toBe(200);
  return browser;
}

async function homeOf(browser: Client) {
  const res = await browser.request('GET', '/api/home');
  expect(res.status, res.text).toBe(200);
  return res.json;
}

/** October 2026 billed by the run of 1 November, as the scheduled job would. */
async function billOctober(account: string): Promise<void> {
  clockAt('2026-11-01T00:10:00+03:00');
  const outcome = await billOneAccount(account, '2026-10', await loadTariffs());
  expect(outcome.status).toBe('billed');
}

beforeAll(async () => {
  stack = await startPaymentsStack();
  await importAccounts(['810001', '810002', '810003']);
  const tariffs = ['service;unit;price;norm;from', 'maintenance;м²;25,50;;2025-07'];
  expect((await importRegistry('tariffs', Buffer.from(tariffs.join('\n')))).errors).toEqual([]);
});

afterEach(() => {
  delete process.env[ENV.now];
  resetConfigForTests();
});

afterAll(async () => {
  await stack.stop();
});

describe('GET /api/home', () => {
  it('a fresh account: nothing billed, owes nothing, says when the first bill comes and when readings open', async () => {
    clockAt('2026-11-10T12:00:00+03:00');
    const browser = await residentWithCabinet(stack, '810001');
    const home = await homeOf(browser);
    expect(home.bills).toEqual([]);
    expect(home.toPay).toBe(0);
    expect(home.advance).toBe(0);
    expect(home.payBy).toBeNull();
    expect(home.lastPayment).toBeNull();
    // October's run (1 November) is past: November's bill is the next, formed on 1 December.
    expect(home.nextBill).toEqual({ period: '2026-11', on: '2026-12-01' });
    expect(home.window).toMatchObject({ open: false, period: '2026-11', days: 15 });
    expect(new Date(home.window.opensAt).toISOString()).toBe('2026-11-24T21:00:00.000Z');
  });

  it('a billed account: the amount and pay-by date, the latest bill, then a payment and the window’s last days', async () => {
    const account = '810002';
    await billOctober(account);
    clockAt('2026-11-12T10:00:00+03:00');
    const browser = await residentWithCabinet(stack, account);

    const billed = await homeOf(browser);
    expect(billed.toPay).toBe(MONTHLY);
    expect(billed.overdue).toBe(0);
    // ЖК РФ ст. 155 ч. 1 as amended: the 15th of the month after the billed one.
    expect(billed.payBy).toBe('2026-11-15');
    expect(billed.bills).toEqual([{ period: '2026-10', charged: MONTHLY, closing: MONTHLY, dueDate: '2026-11-15' }]);
    expect(billed.nextBill).toEqual({ period: '2026-11', on: '2026-12-01' });
    expect(billed.window).toMatchObject({ open: false, days: 13 });
    expect(billed.lastPayment).toBeNull();

    const created = await browser.request('POST', '/api/payments', { body: { amount: 40_000 } });
    expect(created.status, created.text).toBe(201);
    expect((await submitPaymentPage(created.json.paymentUrl, 'pay')).status).toBeLessThan(400);
    await waitUntil(
      async () => (await browser.request('GET', `/api/payments/${created.json.id}`)).json.status === 'succeeded',
      'the sandbox bank’s callback',
    );
    const paid = await homeOf(browser);
    expect(paid.lastPayment).toMatchObject({ id: created.json.id, amount: 40_000 });
    expect(paid.toPay).toBe(MONTHLY - 40_000);
    expect(paid.balance.total).toBe(MONTHLY - 40_000);

    // 29 November: the window is open, two days left (the 29th and the 30th); the rest is overdue,
    // and the bill asked for now gives ten days from today, as its ЕПД prints.
    clockAt('2026-11-29T10:00:00+03:00');
    const late = await homeOf(await loggedIn(account));
    expect(late.window).toMatchObject({ open: true, period: '2026-11', days: 2 });
    expect(late.overdue).toBe(MONTHLY - 40_000);
    expect(late.payBy).toBe('2026-12-09');

    clockAt('2026-11-30T23:30:00+03:00');
    expect((await homeOf(await loggedIn(account))).window).toMatchObject({ open: true, days: 1 });
  });

  it('an advance, and the closed month’s bill still to come on the run’s day', async () => {
    const account = '810003';
    await billOctober(account);
    clockAt('2026-11-05T10:00:00+03:00');
    const browser = await residentWithCabinet(stack, account);
    const created = await browser.request('POST', '/api/payments', { body: { amount: MONTHLY + 10_000 } });
    expect(created.status, created.text).toBe(201);
    expect((await submitPaymentPage(created.json.paymentUrl, 'pay')).status).toBeLessThan(400);
    await waitUntil(
      async () => (await browser.request('GET', `/api/payments/${created.json.id}`)).json.status === 'succeeded',
      'the sandbox bank’s callback',
    );
    clockAt('2026-12-01T00:05:00+03:00');
    const home = await homeOf(await loggedIn(account));
    expect(home).toMatchObject({ toPay: 0, advance: 10_000, overdue: 0, payBy: null });
    // November is closed but its run (00:10) has not written the bill yet.
    expect(home.nextBill).toEqual({ period: '2026-11', on: '2026-12-01' });
    expect(home.bills.map((b: { period: string }) => b.period)).toEqual(['2026-10']);
  });

  it('answers 401 without a session', async () => {
    const res = await stack.client.fork().request('GET', '/api/home');
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('unauthorized');
  });
});
