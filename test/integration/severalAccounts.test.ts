import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import { importRegistry } from '#shared/registry/importRegistry';
import { setWindow } from '#shared/window/windowStore';
import { type Client, startTestGateway } from '#test/support/http';
import { signedBankRequest } from '#test/support/payments';
import { loggedIn, register, registeredResident } from '#test/support/residents';

/**
 * Several accounts under one login (contract: «Several accounts under one login»): a cabinet links
 * another account after the registry's passport check, lists and switches, and every data page then
 * acts on the account switched to; unlinking and an ownership transfer take it away again. Each
 * test has its own accounts (7300NN), so none depends on another's order.
 */

const HEADER = 'account;owner;passport;address;area;residents';
const accountOf = (n: number) => String(730000 + n);
const passportOf = (n: number) => `1406 ${String(300000 + n)}`;
const rowOf = (n: number, owner = `Житель Номер ${n}`, passport = passportOf(n)) =>
  `${accountOf(n)};${owner};${passport};г. Старый Оскол, мкр. Степной, д. ${n}, кв. 1;40,0;2`;

let client: Client;

beforeAll(async () => {
  ({ client } = await startTestGateway());
  const rows = Array.from({ length: 40 }, (_, i) => rowOf(i + 1));
  expect((await importRegistry('accounts', Buffer.from([HEADER, ...rows].join('\n')))).errors).toEqual([]);
});
afterAll(() => client.stop());

/** A resident of account `n` with a cabinet and a session. */
const residentOf = (n: number) => registeredResident(client, accountOf(n), passportOf(n), `several${n}@example.ru`);

const link = (browser: Client, n: number, passport = passportOf(n)) =>
  browser.request('POST', '/api/accounts', { body: { account: accountOf(n), passport } });

const switchTo = (browser: Client, n: number) =>
  browser.request('POST', '/api/accounts/current', { body: { account: accountOf(n) } });

async function listed(browser: Client): Promise<{ current: string; accounts: string[] }> {
  const res = await browser.request('GET', '/api/accounts');
  expect(res.status, res.text).toBe(200);
  return { current: res.json.current, accounts: res.json.items.map((i: { account: string }) => i.account) };
}

/** What the bank's app reports for an account (signed as the contract's bank API asks). */
async function paidInBank(account: string, amount: number, transactionId: string) {
  const path = '/api/banks/sberbank/payments';
  const signed = signedBankRequest(path, { transactionId, account, amount, paidAt: new Date().toISOString() });
  const res = await client.request('POST', path, { raw: signed.raw, headers: signed.headers });
  expect(res.status, res.text).toBeLessThan(300);
}

describe('linking another account', () => {
  it('links with the right passport (201), lists it, and a switch moves every data page to it', async () => {
    const home = await residentOf(1);
    const meters = await importRegistry(
      'meters',
      Buffer.from(
        [
          'account;meter;service;reading;verified_until',
          `${accountOf(1)};SA-1-COLD;cold_water;10;2035-12-31`,
          `${accountOf(2)};SA-2-GAS;gas;500;2035-12-31`,
        ].join('\n'),
      ),
    );
    expect(meters.errors).toEqual([]);
    await paidInBank(accountOf(2), 12_345, 'several-accounts-1');

    const linked = await link(home, 2);
    expect(linked.status, linked.text).toBe(201);
    expect(linked.json).toMatchObject({ account: accountOf(2), address: expect.stringContaining('д. 2, кв. 1') });
    expect(await listed(home)).toEqual({ current: accountOf(1), accounts: [accountOf(1), accountOf(2)] });

    // Before the switch: the cabinet's own account.
    expect((await home.request('GET', '/api/me')).json.account).toBe(accountOf(1));
    const switched = await switchTo(home, 2);
    expect(switched.status, switched.text).toBe(200);
    expect(switched.json.current).toBe(accountOf(2));

    const me = await home.request('GET', '/api/me');
    expect(me.json).toMatchObject({ account: accountOf(2), owner: 'Житель Номер 2', email: 'several1@example.ru' });
    const ownMeters = await home.request('GET', '/api/meters');
    expect(ownMeters.status).toBe(200);
    expect(ownMeters.json.meters.map((m: { serial: string }) => m.serial)).toEqual(['SA-2-GAS']);
    const gasMeter = ownMeters.json.meters[0].id as string;
    const payments = await home.request('GET', '/api/statement/payments');
    expect(payments.status, payments.text).toBe(200);
    expect(JSON.stringify(payments.json)).toContain('12345');
    const statement = await home.request('GET', '/api/statement');
    expect(statement.status).toBe(200);
    // The profile stays the login's own.
    expect((await home.request('GET', '/api/profile')).json.account).toBe(accountOf(1));

    // A reading submitted now goes to the linked account's meter (window open by hand).
    await setWindow(true, 'operator');
    const submitted = await home.request('POST', '/api/readings', {
      body: { readings: [{ meterId: gasMeter, value: '510' }] },
    });
    expect(submitted.status, submitted.text).toBe(201);
    const after = (await home.request('GET', '/api/meters')).json.meters[0];
    expect(Number(after.lastReading.value)).toBe(510);

    // And back home: the cabinet's own account again.
    expect((await switchTo(home, 1)).status).toBe(200);
    expect((await home.request('GET', '/api/me')).json.account).toBe(accountOf(1));
    expect((await home.request('GET', '/api/meters')).json.meters.map((m: { serial: string }) => m.serial)).toEqual([
      'SA-1-COLD',
    ]);
    expect(JSON.stringify((await home.request('GET', '/api/statement/payments')).json)).not.toContain('12345');
  });

  it('refuses a wrong passport with 422 and links nothing; five refusals lock the account for an hour (429)', async () => {
    const home = await residentOf(3);
    for (let i = 0; i < 5; i++) {
      const wrong = await link(home, 4, `1406 99999${i}`);
      expect(wrong.status, wrong.text).toBe(422);
      expect(wrong.json.error.code).toBe('data_mismatch');
    }
    expect((await listed(home)).accounts).toEqual([accountOf(3)]);
    // Locked: the right passport too, and registration of the same account shares the budget.
    const locked = await link(home, 4);
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe('too_many_attempts');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect((await register(client.fork(), accountOf(4), passportOf(4), 'several4@example.ru')).status).toBe(429);
    expect((await listed(home)).accounts).toEqual([accountOf(3)]);
  });

  it('answers 404 for an account that is not linked, 409 for the home account, 409 for a second link', async () => {
    const home = await residentOf(5);
    const notLinked = await switchTo(home, 6);
    expect(notLinked.status).toBe(404);
    expect(notLinked.json.error.code).toBe('account_not_linked');
    expect((await home.request('DELETE', `/api/accounts/${accountOf(6)}`)).status).toBe(404);
    expect((await home.request('GET', '/api/me')).json.account).toBe(accountOf(5));

    const own = await link(home, 5);
    expect(own.status).toBe(409);
    expect(own.json.error.code).toBe('home_account');
    const removeOwn = await home.request('DELETE', `/api/accounts/${accountOf(5)}`);
    expect(removeOwn.status).toBe(409);
    expect(removeOwn.json.error.code).toBe('home_account');

    expect((await link(home, 6)).status).toBe(201);
    const again = await link(home, 6);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('already_linked');

    const bad = await home.request('DELETE', '/api/accounts/12ab');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_input');
    // Without a session: nothing.
    expect((await client.fork().request('GET', '/api/accounts')).status).toBe(401);
    const stranger = await client.fork().request('POST', '/api/accounts/current', { body: { account: accountOf(6) } });
    expect(stranger.status).toBe(401);
  });

  it('links an account that has its own cabinet; its owner keeps the cabinet', async () => {
    const owner = await residentOf(7);
    const relative = await residentOf(8);
    expect((await link(relative, 7)).status).toBe(201);
    expect((await owner.request('GET', '/api/me')).json).toMatchObject({ account: accountOf(7) });
    expect((await listed(owner)).accounts).toEqual([accountOf(7)]);
  });

  it('two links of the same account at once make one', async () => {
    const home = await residentOf(9);
    const [a, b] = await Promise.all([link(home, 10), link(home, 10)]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect((await listed(home)).accounts).toEqual([accountOf(9), accountOf(10)]);
    const reverse = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.account(accountOf(10)).pk, ':prefix': keys.accountLinkedByPrefix },
        ConsistentRead: true,
      }),
    );
    expect(reverse.Items?.length).toBe(1);
  });
});

describe('unlinking and ownership transfer', () => {
  it('unlinks (204): the list drops it and a session switched to it falls back to the home account', async () => {
    const home = await residentOf(11);
    const laptop = await loggedIn(client, accountOf(11));
    expect((await link(home, 12)).status).toBe(201);
    expect((await switchTo(laptop, 12)).status).toBe(200);
    expect((await laptop.request('GET', '/api/me')).json.account).toBe(accountOf(12));

    const removed = await home.request('DELETE', `/api/accounts/${accountOf(12)}`);
    expect(removed.status).toBe(204);
    expect(await listed(home)).toEqual({ current: accountOf(11), accounts: [accountOf(11)] });
    expect(await listed(laptop)).toEqual({ current: accountOf(11), accounts: [accountOf(11)] });
    expect((await laptop.request('GET', '/api/me')).json.account).toBe(accountOf(11));
    expect((await switchTo(laptop, 12)).status).toBe(404);
  });

  it('a transfer of the linked account removes it from every cabinet and their sessions fall back', async () => {
    const first = await residentOf(13);
    const second = await residentOf(14);
    expect((await link(first, 15)).status).toBe(201);
    expect((await link(second, 15)).status).toBe(201);
    expect((await switchTo(second, 15)).status).toBe(200);

    // Переоформление: the operator imports account 15 with a new owner and passport.
    const transferred = rowOf(15, 'Новый Собственник', '1499 777777');
    expect((await importRegistry('accounts', Buffer.from(`${HEADER}\n${transferred}`))).errors).toEqual([]);

    expect(await listed(first)).toEqual({ current: accountOf(13), accounts: [accountOf(13)] });
    expect(await listed(second)).toEqual({ current: accountOf(14), accounts: [accountOf(14)] });
    expect((await second.request('GET', '/api/me')).json.account).toBe(accountOf(14));
    // The previous owner's passport no longer links it; the new owner's does.
    expect((await link(first, 15)).status).toBe(422);
    expect((await link(first, 15, '1499 777777')).status).toBe(201);
  });

  it("a transfer of the home account ends the cabinet's links: the next cabinet starts with none", async () => {
    const previous = await residentOf(16);
    expect((await link(previous, 17)).status).toBe(201);
    const transferred = rowOf(16, 'Новый Собственник', '1499 161616');
    expect((await importRegistry('accounts', Buffer.from(`${HEADER}\n${transferred}`))).errors).toEqual([]);
    expect((await previous.request('GET', '/api/accounts')).status).toBe(401);

    const next = await registeredResident(client, accountOf(16), '1499 161616', 'several16-new@example.ru');
    expect(await listed(next)).toEqual({ current: accountOf(16), accounts: [accountOf(16)] });
    const reverse = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.account(accountOf(17)).pk, ':prefix': keys.accountLinkedByPrefix },
        ConsistentRead: true,
      }),
    );
    expect(reverse.Items ?? []).toEqual([]);
  });
});
