import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCabinet } from '#shared/accounts/store';
import { importRegistry } from '#shared/registry/importRegistry';
import { type Client, startTestGateway } from '#test/support/http';
import { loggedIn, registeredResident } from '#test/support/residents';

/**
 * Several accounts under one login, attacked: a resident who knows a neighbour's account number but
 * not the passport, a session kept after the link ended, passport guesses sent in parallel, and a
 * switched session that tries to change the linked account's own cabinet.
 */

const HEADER = 'account;owner;passport;address;area;residents';
const accountOf = (n: number) => String(740000 + n);
const passportOf = (n: number) => `1408 ${String(400000 + n)}`;
const rowOf = (n: number) =>
  `${accountOf(n)};Житель Номер ${n};${passportOf(n)};г. Старый Оскол, мкр. Лесной, д. ${n}, кв. 2;45,0;1`;

let client: Client;

beforeAll(async () => {
  ({ client } = await startTestGateway());
  const rows = Array.from({ length: 12 }, (_, i) => rowOf(i + 1));
  expect((await importRegistry('accounts', Buffer.from([HEADER, ...rows].join('\n')))).errors).toEqual([]);
});
afterAll(() => client.stop());

const residentOf = (n: number) => registeredResident(client, accountOf(n), passportOf(n), `sec-several${n}@example.ru`);

describe('several accounts under one login, attacked', () => {
  it("a neighbour's account number without the passport cannot be switched to or read", async () => {
    const neighbour = await residentOf(1);
    const attacker = await residentOf(2);
    await neighbour.request('PATCH', '/api/profile', { body: { billByEmail: true } });

    const switched = await attacker.request('POST', '/api/accounts/current', { body: { account: accountOf(1) } });
    expect(switched.status).toBe(404);
    expect(switched.json.error.code).toBe('account_not_linked');
    const guessed = await attacker.request('POST', '/api/accounts', {
      body: { account: accountOf(1), passport: '1408 000000' },
    });
    expect(guessed.status).toBe(422);
    for (const path of ['/api/me', '/api/meters', '/api/statement', '/api/home']) {
      const res = await attacker.request('GET', path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).not.toContain(accountOf(1));
    }
    expect((await attacker.request('GET', '/api/accounts')).json.items).toEqual([
      expect.objectContaining({ account: accountOf(2), home: true }),
    ]);
  });

  it('a session switched to an account it no longer has reads nothing of it after the unlink', async () => {
    const home = await residentOf(3);
    const oldLaptop = await loggedIn(client, accountOf(3));
    expect(
      (await home.request('POST', '/api/accounts', { body: { account: accountOf(4), passport: passportOf(4) } }))
        .status,
    ).toBe(201);
    expect((await oldLaptop.request('POST', '/api/accounts/current', { body: { account: accountOf(4) } })).status).toBe(
      200,
    );
    expect((await oldLaptop.request('GET', '/api/me')).json.account).toBe(accountOf(4));

    expect((await home.request('DELETE', `/api/accounts/${accountOf(4)}`)).status).toBe(204);
    for (const path of ['/api/me', '/api/home', '/api/statement', '/api/statement/payments', '/api/meters']) {
      const res = await oldLaptop.request('GET', path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).not.toContain(accountOf(4));
    }
    const back = await oldLaptop.request('POST', '/api/accounts/current', { body: { account: accountOf(4) } });
    expect(back.status).toBe(404);
    const epd = await oldLaptop.request('GET', '/api/epd/2026-01');
    expect(epd.headers.get('content-disposition') ?? '').not.toContain(accountOf(4));
  });

  it('passport guesses sent in parallel get five evaluations at most, the rest 429', async () => {
    const attacker = await residentOf(5);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        attacker.request('POST', '/api/accounts', {
          body: { account: accountOf(6), passport: `1408 5${String(i).padStart(5, '0')}` },
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 422).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(7);
    expect(statuses.every((s) => s === 422 || s === 429)).toBe(true);
    // Locked now: the right passport too.
    const right = await attacker.request('POST', '/api/accounts', {
      body: { account: accountOf(6), passport: passportOf(6) },
    });
    expect(right.status).toBe(429);
  });

  it("a session switched to a linked account changes only its own cabinet, never the linked account's", async () => {
    const owner = await residentOf(7);
    const relative = await residentOf(8);
    expect(
      (await relative.request('POST', '/api/accounts', { body: { account: accountOf(7), passport: passportOf(7) } }))
        .status,
    ).toBe(201);
    expect((await relative.request('POST', '/api/accounts/current', { body: { account: accountOf(7) } })).status).toBe(
      200,
    );
    const before = await getCabinet(accountOf(7), true);
    const patched = await relative.request('PATCH', '/api/profile', {
      body: { remindersOptIn: false, newsByEmail: true },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.account).toBe(accountOf(8));
    expect(await getCabinet(accountOf(7), true)).toEqual(before);
    expect((await getCabinet(accountOf(8), true))?.remindersOptIn).toBe(false);
    // The owner's own view is untouched.
    expect((await owner.request('GET', '/api/profile')).json).toMatchObject({
      account: accountOf(7),
      email: 'sec-several7@example.ru',
    });
  });
});
