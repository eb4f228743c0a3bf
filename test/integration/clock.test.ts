import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { db, tableName } from '#shared/clients/dynamo';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { keys } from '#shared/keys';
import { cachedWindow, resetWindowCacheForTests, WINDOW_CACHE_MS } from '#shared/window/windowStore';
import { type Client, startTestGateway } from '#test/support/http';
import { mailedToken } from '#test/support/mail';
import { importAccounts } from '#test/support/payments';
import { PASSWORD, register, registeredResident, resetToken } from '#test/support/residents';

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
    resetWindowCacheForTests();
  });
});
