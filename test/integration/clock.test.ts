import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { invokeGroup } from '#local/lambda';
import { db, tableName } from '#shared/clients/dynamo';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { keys } from '#shared/keys';
import { importRegistry } from '#shared/registry/importRegistry';
import { cachedWindow, resetWindowCacheForTests, WINDOW_CACHE_MS } from '#shared/window/windowStore';
import { type Client, startTestGateway } from '#test/support/http';
import { mailedToken } from '#test/support/mail';
import {
  balanceTotal,
  importAccounts,
  mdOrderOf,
  owes,
  residentWithCabinet,
  startPaymentsStack,
  storedPayment,
} from '#test/support/payments';
import { captcha, PASSWORD, register, registeredResident, resetToken } from '#test/support/residents';

/**
 * Every time limit on both sides, with the domain clock moved (RAC_NOW through shared/time.ts
 * `now()`) instead of waited for; the window cache's age is wall-clock (Date.now), moved by a spy.
 * Each test has its own accounts and sets its own clock.
 */

const RUN = Date.now();
const T0 = Date.parse('2026-11-10T12:00:00+03:00');
const MIN = 60_000;

function clockAt(ms: number): void {
  process.env[ENV.now] = new Date(ms).toISOString();
  resetConfigForTests();
}

let client: Client;

beforeAll(async () => {
  ({ client } = await startTestGateway());
});
afterEach(() => {
  vi.restoreAllMocks();
  clockAt(T0);
});
afterAll(async () => {
  delete process.env[ENV.now];
  resetConfigForTests();
  await client.stop();
});

const passportOf = (account: string) => `14${account.slice(-2)} ${account}`;

describe('the registration link (24 h)', () => {
  it('works a second before 24 hours, and not at 24 hours', async () => {
    await importAccounts(['710001', '710002']);
    const tokens: string[] = [];
    clockAt(T0);
    for (const account of ['710001', '710002']) {
      const email = `reg-${account}-${RUN}@example.ru`;
      expect((await register(client.fork(), account, passportOf(account), email)).status).toBe(202);
      tokens.push(await mailedToken(email, '/confirm'));
    }
    clockAt(T0 + 24 * 60 * MIN - 1000);
    const inTime = await client
      .fork()
      .request('POST', '/api/auth/confirm', { body: { token: tokens[0], password: PASSWORD } });
    expect(inTime.status).toBe(200);
    clockAt(T0 + 24 * 60 * MIN);
    const late = await client
      .fork()
      .request('POST', '/api/auth/confirm', { body: { token: tokens[1], password: PASSWORD } });
    expect(late.status).toBe(400);
    expect(late.json.error.code).toBe('invalid_token');
  });
});

describe('the reset link (1 h)', () => {
  it('works a second before an hour, and not at an hour', async () => {
    await importAccounts(['710011', '710012']);
    clockAt(T0);
    const tokens: string[] = [];
    for (const account of ['710011', '710012']) {
      const email = `reset-${account}-${RUN}@example.ru`;
      await registeredResident(client, account, passportOf(account), email);
      tokens.push(await resetToken(client.fork(), account, email));
    }
    clockAt(T0 + 60 * MIN - 1000);
    const inTime = await client
      .fork()
      .request('POST', '/api/auth/reset', { body: { token: tokens[0], password: 'новый пароль после сброса' } });
    expect(inTime.status).toBe(200);
    clockAt(T0 + 60 * MIN);
    const late = await client
      .fork()
      .request('POST', '/api/auth/reset', { body: { token: tokens[1], password: 'новый пароль после сброса' } });
    expect(late.status).toBe(400);
    expect(late.json.error.code).toBe('invalid_token');
  });
});

describe('the session (idle 30 min, at most 8 h)', () => {
  it('ends after 30 idle minutes, not before', async () => {
    const account = '710021';
    await importAccounts([account]);
    clockAt(T0);
    const resident = await registeredResident(
      client,
      account,
      passportOf(account),
      `idle-${account}-${RUN}@example.ru`,
    );
    clockAt(T0 + 29 * MIN);
    expect((await resident.request('GET', '/api/me')).status).toBe(200);
    // Idle counts from that request on.
    clockAt(T0 + 29 * MIN + 30 * MIN - 1000);
    expect((await resident.request('GET', '/api/me')).status).toBe(200);
    clockAt(T0 + 29 * MIN + 30 * MIN - 1000 + 30 * MIN);
    expect((await resident.request('GET', '/api/me')).status).toBe(401);
  });

  it('ends at 8 hours however active the resident is', async () => {
    const account = '710022';
    await importAccounts([account]);
    clockAt(T0);
    const resident = await registeredResident(
      client,
      account,
      passportOf(account),
      `long-${account}-${RUN}@example.ru`,
    );
    for (let at = 25; at < 8 * 60; at += 25) {
      clockAt(T0 + at * MIN);
      expect((await resident.request('GET', '/api/me')).status, `at ${at} min`).toBe(200);
    }
    clockAt(T0 + 8 * 60 * MIN - 1000);
    expect((await resident.request('GET', '/api/me')).status).toBe(200);
    clockAt(T0 + 8 * 60 * MIN);
    expect((await resident.request('GET', '/api/me')).status).toBe(401);
  });
});

describe('the window cache (30 s per container)', () => {
  it("sees another container's change only once its copy is 30 s old", async () => {
    // A date outside the calendar window: only the stored state opens it.
    clockAt(Date.parse('2026-11-10T12:00:00+03:00'));
    const wall = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(wall);
    resetWindowCacheForTests();
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.windowState(), open: false, changedAt: new Date(T0).toISOString(), source: 'operator' },
      }),
    );
    expect((await cachedWindow()).open).toBe(false);
    // Another container (the operator's CLI elsewhere) opens the window: written, not through this cache.
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.windowState(), open: true, changedAt: new Date(T0 + MIN).toISOString(), source: 'operator' },
      }),
    );
    clock.mockReturnValue(wall + WINDOW_CACHE_MS - 1);
    expect((await cachedWindow()).open).toBe(false);
    clock.mockReturnValue(wall + WINDOW_CACHE_MS);
    expect((await cachedWindow()).open).toBe(true);
  });
  // The operator's state written above would hold over the other tests' windows: back to the calendar.
  afterEach(async () => {
    await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.windowState() }));
    resetWindowCacheForTests();
  });
});

describe('the login lock (10 failures in 15 min lock for 5 min)', () => {
  it('refuses even the right password a second before 5 minutes, and lets it in at 5 minutes', async () => {
    const account = '710031';
    await importAccounts([account]);
    clockAt(T0);
    await registeredResident(client, account, passportOf(account), `lock-${account}-${RUN}@example.ru`);
    const browser = client.fork();
    for (let attempt = 1; attempt <= 10; attempt++) {
      // From the 4th attempt of a window on, a login carries a captcha.
      const proof = attempt > 3 ? await captcha(browser) : {};
      const wrong = await browser.request('POST', '/api/auth/login', {
        body: { account, password: 'не тот пароль', ...proof },
      });
      expect(wrong.status, `attempt ${attempt}`).toBe(401);
    }
    clockAt(T0 + 5 * MIN - 1000);
    const locked = await browser.request('POST', '/api/auth/login', {
      body: { account, password: PASSWORD, ...(await captcha(browser)) },
    });
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe('too_many_attempts');
    expect(locked.headers.get('retry-after')).toBe('1');
    clockAt(T0 + 5 * MIN);
    // The lock is over and a new window begins: the first attempt needs no captcha.
    expect((await browser.request('POST', '/api/auth/login', { body: { account, password: PASSWORD } })).status).toBe(
      200,
    );
  });
});

describe('the failure window (15 min from the first failure)', () => {
  it('counts earlier failures a second before 15 minutes, and starts over at 15 minutes', async () => {
    const account = '710041';
    await importAccounts([account]);
    clockAt(T0);
    await registeredResident(client, account, passportOf(account), `window-${account}-${RUN}@example.ru`);
    const browser = client.fork();
    const login = () => browser.request('POST', '/api/auth/login', { body: { account, password: 'не тот пароль' } });
    for (let attempt = 1; attempt <= 3; attempt++) expect((await login()).status).toBe(401);
    // Still the same window: the 4th attempt needs the captcha (and, refused unevaluated, gives its slot back).
    clockAt(T0 + 15 * MIN - 1000);
    const fourth = await login();
    expect(fourth.status).toBe(428);
    expect(fourth.json.error.code).toBe('captcha_required');
    clockAt(T0 + 15 * MIN);
    const fresh = await login();
    expect(fresh.status).toBe(401);
    expect(fresh.json.error.code).toBe('invalid_credentials');
  });
});

describe('the captcha (5 min)', () => {
  it('is taken a second before 5 minutes, and refused at 5 minutes', async () => {
    const account = '710051';
    await importAccounts([account]);
    clockAt(T0);
    const guest = client.fork();
    const early = await captcha(guest);
    const late = await captcha(guest);
    const start = (proof: { captchaId: string; captchaAnswer: string }) =>
      guest.request('POST', '/api/readings/quick/start', { body: { account, ...proof } });
    clockAt(T0 + 5 * MIN - 1000);
    expect((await start(early)).status).toBe(200);
    clockAt(T0 + 5 * MIN);
    const refused = await start(late);
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('invalid_captcha');
  });
});

describe('the no-login readings pass (20 min)', () => {
  it('submits a second before 20 minutes, and is refused at 20 minutes', async () => {
    const account = '710061';
    await importAccounts([account]);
    const meters = await importRegistry(
      'meters',
      // Installed long before: without the column the import's own date (the clock's) would be taken.
      Buffer.from(
        `account;meter;service;reading;verified_until;installed\n${account};Q-${account};cold_water;10;2030-12-31;2026-01-15`,
      ),
    );
    expect(meters.errors).toEqual([]);
    // Inside November's reading window (25th to the 1st).
    const open = Date.parse('2026-11-26T10:00:00+03:00');
    clockAt(open);
    resetWindowCacheForTests();
    const guest = client.fork();
    const passes: Array<{ ticket: string; meterId: string }> = [];
    for (let i = 0; i < 2; i++) {
      const res = await guest.request('POST', '/api/readings/quick/start', {
        body: { account, ...(await captcha(guest)) },
      });
      expect(res.status).toBe(200);
      expect(Date.parse(res.json.expiresAt)).toBe(open + 20 * MIN);
      passes.push({ ticket: res.json.ticket, meterId: res.json.meters[0].id });
    }
    const submit = (pass: { ticket: string; meterId: string }, value: string) =>
      guest.request('POST', '/api/readings/quick', {
        body: { ticket: pass.ticket, readings: [{ meterId: pass.meterId, value }] },
      });
    clockAt(open + 20 * MIN - 1000);
    const inTime = await submit(passes[0] as (typeof passes)[0], '12');
    expect(inTime.status, inTime.text).toBe(201);
    clockAt(open + 20 * MIN);
    const late = await submit(passes[1] as (typeof passes)[0], '13');
    expect(late.status).toBe(401);
    expect(late.json.error.code).toBe('invalid_ticket');
    resetWindowCacheForTests();
  });
});

describe('reconciliation (a card payment pending 20 min is asked about)', () => {
  it('leaves a payment alone a second before 20 minutes, and settles it from the bank just after', async () => {
    const account = '710071';
    await importAccounts([account]);
    clockAt(T0);
    const stack = await startPaymentsStack();
    try {
      await owes(account, { cold_water: 30_000 });
      const resident = await residentWithCabinet(stack, account);
      const order = await resident.request('POST', '/api/payments', { body: { amount: 30_000 } });
      expect(order.status).toBe(201);
      // Paid at the bank, but the callback is lost: only the reconciliation can learn of it.
      stack.sandbox.complete(mdOrderOf(order.json.paymentUrl), 'pay', { sendCallback: false });

      clockAt(T0 + 20 * MIN - 1000);
      await invokeGroup('payments', { job: 'payments.reconcile' });
      expect((await storedPayment(account, order.json.id))?.status).toBe('pending');
      expect(await balanceTotal(account)).toBe(30_000);

      // The open-payments index orders by creation time to the millisecond: due once strictly older.
      clockAt(T0 + 20 * MIN + 1000);
      await invokeGroup('payments', { job: 'payments.reconcile' });
      expect((await storedPayment(account, order.json.id))?.status).toBe('succeeded');
      expect(await balanceTotal(account)).toBe(0);
    } finally {
      await stack.stop();
    }
  });
});
