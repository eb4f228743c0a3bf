import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { endCabinetAccess } from '#shared/accounts/store';
import { db, tableName } from '#shared/clients/dynamo';
import { sandboxOutbox } from '#shared/clients/sms';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { importRegistry } from '#shared/registry/importRegistry';
import { type Client, startTestGateway } from '#test/support/http';
import { mailedToken, mailsTo } from '#test/support/mail';
import {
  captcha,
  loggedIn,
  PASSWORD,
  register,
  registeredResident,
  resetToken,
  tokenMailedBy,
} from '#test/support/residents';

/**
 * Account takeover attempts from issue 11, replayed against the real handlers: links that outlive
 * an ownership transfer or a password change, a previous owner's tickets, an e-mail change by
 * whoever holds a session, sessions left open. Each case has its own accounts, so the cases do not
 * depend on each other's order.
 */

const HEADER = 'account;owner;passport;address;area;residents';
const owner = (n: number) => ({
  account: String(310000 + n),
  passport: `1405 ${String(100000 + n)}`,
  row: `${310000 + n};Прежний Владелец ${n};1405 ${100000 + n};г. Старый Оскол, мкр. Жукова, д. ${n}, кв. 1;50,0;1`,
});
const CASES = 16;

let client: Client;

/** Переоформление: the operator imports the account with a new owner and passport. */
async function transfer(n: number) {
  const { account } = owner(n);
  const row = `${account};Новый Владелец ${n};1415 ${200000 + n};г. Старый Оскол, мкр. Жукова, д. ${n}, кв. 1;50,0;1`;
  const report = await importRegistry('accounts', Buffer.from(`${HEADER}\n${row}`));
  expect(report.errors).toEqual([]);
  return { account, passport: `1415 ${200000 + n}` };
}

async function emailOf(browser: Client): Promise<string> {
  const profile = await browser.request('GET', '/api/profile');
  expect(profile.status).toBe(200);
  return profile.json.email as string;
}

beforeAll(async () => {
  ({ client } = await startTestGateway());
  const rows = Array.from({ length: CASES }, (_, i) => owner(i + 1).row);
  expect((await importRegistry('accounts', Buffer.from([HEADER, ...rows].join('\n')))).errors).toEqual([]);
});
afterAll(() => client.stop());

describe('links issued before an ownership transfer', () => {
  it('an e-mail change link of the previous owner does not take the new owner’s cabinet', async () => {
    const previous = owner(1);
    const old = await registeredResident(client, previous.account, previous.passport, 'sec-prev1@example.ru');
    // The previous owner asks to move the cabinet to an address they keep after selling the flat.
    const token = await tokenMailedBy('sec-keep1@example.ru', '/email-confirm', async () => {
      const res = await old.request('POST', '/api/profile/email', {
        body: { email: 'sec-keep1@example.ru', currentPassword: PASSWORD },
      });
      expect(res.status).toBe(202);
    });

    const next = await transfer(1);
    const newOwner = await registeredResident(client, next.account, next.passport, 'sec-new1@example.ru');

    const confirm = await client.request('POST', '/api/profile/email/confirm', { body: { token } });
    expect(confirm.status).toBe(400);
    expect(confirm.json.error.code).toBe('invalid_token');
    expect(await emailOf(newOwner)).toBe('sec-new1@example.ru');
    // …so recovery to the kept address mails nothing: the cabinet is not theirs.
    const recover = await client.request('POST', '/api/auth/recover', {
      body: { account: next.account, email: 'sec-keep1@example.ru', ...(await captcha(client)) },
    });
    expect(recover.status).toBe(202);
    expect((await mailsTo('sec-keep1@example.ru')).some((m) => /\/reset\?token=/.test(m.body.text ?? ''))).toBe(false);
  });

  it('a reset link of the previous owner does not set the new owner’s password', async () => {
    const previous = owner(2);
    await registeredResident(client, previous.account, previous.passport, 'sec-prev2@example.ru');
    const token = await resetToken(client, previous.account, 'sec-prev2@example.ru');

    const next = await transfer(2);
    await registeredResident(client, next.account, next.passport, 'sec-new2@example.ru', 'пароль нового владельца');

    const reset = await client.fork().request('POST', '/api/auth/reset', {
      body: { token, password: 'пароль прежнего владельца' },
    });
    expect(reset.status).toBe(400);
    expect(reset.json.error.code).toBe('invalid_token');
    const stolen = await client.fork().request('POST', '/api/auth/login', {
      body: { account: next.account, password: 'пароль прежнего владельца' },
    });
    expect(stolen.status).toBe(401);
    await loggedIn(client, next.account, 'пароль нового владельца');
  });

  it('a registration link of the previous owner does not open a cabinet after the transfer', async () => {
    const previous = owner(3);
    expect((await register(client, previous.account, previous.passport, 'sec-prev3@example.ru')).status).toBe(202);
    const token = await mailedToken('sec-prev3@example.ru', '/confirm');
    // The owner changes but the row keeps the passport (the operator has not updated it yet): the
    // passport check alone would let the link through; the transfer itself must end it.
    const row = `${previous.account};Другой Владелец 3;${previous.passport};г. Старый Оскол, мкр. Жукова, д. 3, кв. 1;50,0;1`;
    expect((await importRegistry('accounts', Buffer.from(`${HEADER}\n${row}`))).errors).toEqual([]);

    const confirm = await client.fork().request('POST', '/api/auth/confirm', { body: { token, password: PASSWORD } });
    expect(confirm.status).toBe(400);
    expect(confirm.json.error.code).toBe('invalid_token');
  });

  it('the new owner does not see the previous owner’s tickets, which stay stored for the centre', async () => {
    const previous = owner(4);
    const old = await registeredResident(client, previous.account, previous.passport, 'sec-prev4@example.ru');
    const ticket = await old.request('POST', '/api/support', {
      body: {
        name: 'Прежний Владелец 4',
        email: 'sec-prev4@example.ru',
        phone: '+7 900 123-45-67',
        message: 'Прошу сделать перерасчёт: в квартире живёт один человек, паспорт 1405 100004.',
      },
    });
    expect(ticket.status).toBe(201);
    expect((await old.request('GET', '/api/support')).json.items).toHaveLength(1);

    const next = await transfer(4);
    const newOwner = await registeredResident(client, next.account, next.passport, 'sec-new4@example.ru');
    const list = await newOwner.request('GET', '/api/support');
    expect(list.status).toBe(200);
    expect(list.json.items).toEqual([]);
    expect(list.text).not.toContain('перерасчёт');

    const own = await newOwner.request('POST', '/api/support', {
      body: { name: 'Новый Владелец 4', email: 'sec-new4@example.ru', message: 'Вопрос нового владельца.' },
    });
    expect(own.status).toBe(201);
    const after = await newOwner.request('GET', '/api/support');
    expect(after.json.items.map((t: { id: string }) => t.id)).toEqual([own.json.id]);

    const stored = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `ACC#${previous.account}`, ':prefix': 'TICKET#' },
      }),
    );
    expect(stored.Items?.map((t) => t.id).sort()).toEqual([ticket.json.id, own.json.id].sort());
  });
});

describe('links after a password change, a reset or a closed cabinet', () => {
  it('an older reset link does not work after a newer reset', async () => {
    const { account, passport } = owner(5);
    await registeredResident(client, account, passport, 'sec-5@example.ru');
    const older = await resetToken(client, account, 'sec-5@example.ru');
    const newer = await resetToken(client, account, 'sec-5@example.ru');
    expect(newer).not.toBe(older);

    const first = await client
      .fork()
      .request('POST', '/api/auth/reset', { body: { token: newer, password: 'новый пароль пять' } });
    expect(first.status).toBe(200);
    const second = await client.fork().request('POST', '/api/auth/reset', {
      body: { token: older, password: 'пароль захватчика пять' },
    });
    expect(second.status).toBe(400);
    expect(second.json.error.code).toBe('invalid_token');
    await loggedIn(client, account, 'новый пароль пять');
  });

  it('a password change ends outstanding reset and e-mail change links', async () => {
    const { account, passport } = owner(6);
    const browser = await registeredResident(client, account, passport, 'sec-6@example.ru');
    const reset = await resetToken(client, account, 'sec-6@example.ru');
    const emailLink = await tokenMailedBy('sec-6-new@example.ru', '/email-confirm', () =>
      browser.request('POST', '/api/profile/email', {
        body: { email: 'sec-6-new@example.ru', currentPassword: PASSWORD },
      }),
    );

    const changed = await browser.request('POST', '/api/profile/password', {
      body: { oldPassword: PASSWORD, newPassword: 'сменённый пароль шесть' },
    });
    expect(changed.status).toBe(200);

    const resetAfter = await client.fork().request('POST', '/api/auth/reset', {
      body: { token: reset, password: 'пароль захватчика шесть' },
    });
    expect(resetAfter.json.error.code).toBe('invalid_token');
    const confirmAfter = await client.request('POST', '/api/profile/email/confirm', { body: { token: emailLink } });
    expect(confirmAfter.json.error.code).toBe('invalid_token');
    expect((await browser.request('GET', '/api/profile')).json).toMatchObject({
      email: 'sec-6@example.ru',
      pendingEmail: null,
    });
  });

  it('closing the cabinet ends its outstanding links, also against the next cabinet', async () => {
    const { account, passport } = owner(7);
    await registeredResident(client, account, passport, 'sec-7@example.ru');
    const reset = await resetToken(client, account, 'sec-7@example.ru');
    await endCabinetAccess(account);
    // The account is registered again (the same person, later): the old link must not set its password.
    await registeredResident(client, account, passport, 'sec-7-again@example.ru', 'пароль нового кабинета');
    const res = await client.fork().request('POST', '/api/auth/reset', {
      body: { token: reset, password: 'пароль после закрытия' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_token');
    await loggedIn(client, account, 'пароль нового кабинета');
  });
});

describe('e-mail change', () => {
  it('is refused without the current password or with a wrong one, and changes nothing', async () => {
    const { account, passport } = owner(8);
    const browser = await registeredResident(client, account, passport, 'sec-8@example.ru');
    for (const body of [
      { email: 'sec-8-thief@example.ru' },
      { email: 'sec-8-thief@example.ru', currentPassword: '' },
      { email: 'sec-8-thief@example.ru', currentPassword: 'угаданный пароль' },
    ]) {
      const res = await browser.request('POST', '/api/profile/email', { body });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('invalid_credentials');
    }
    // The session survives a wrong password: it is the e-mail change that is refused.
    expect((await browser.request('GET', '/api/profile')).json).toMatchObject({
      email: 'sec-8@example.ru',
      pendingEmail: null,
    });
    expect(await mailsTo('sec-8-thief@example.ru')).toEqual([]);
    expect((await mailsTo('sec-8@example.ru')).map((m) => m.subject)).not.toContain(
      'Смена адреса электронной почты личного кабинета',
    );
  });

  it('tells the old address at once; its undo link restores the address and ends every session', async () => {
    const { account, passport } = owner(9);
    const resident = await registeredResident(client, account, passport, 'sec-9@example.ru');
    const thief = await loggedIn(client, account);
    let confirm = '';
    const undo = await tokenMailedBy('sec-9@example.ru', '/email-undo', async () => {
      confirm = await tokenMailedBy('sec-9-thief@example.ru', '/email-confirm', async () => {
        const res = await thief.request('POST', '/api/profile/email', {
          body: { email: 'sec-9-thief@example.ru', currentPassword: PASSWORD },
        });
        expect(res.status).toBe(202);
      });
    });
    const notice = (await mailsTo('sec-9@example.ru')).at(-1);
    expect(notice?.subject).toBe('Смена адреса электронной почты личного кабинета');
    expect(notice?.body.text).toContain('sec-9-thief@example.ru');

    // The thief confirms the new address, and asks for a reset link there.
    expect((await client.request('POST', '/api/profile/email/confirm', { body: { token: confirm } })).status).toBe(200);
    const thiefReset = await resetToken(client, account, 'sec-9-thief@example.ru');

    // The resident follows the undo link from the notice.
    const undone = await client.fork().request('POST', '/api/profile/email/undo', { body: { token: undo } });
    expect(undone.status).toBe(200);
    expect((await thief.request('GET', '/api/me')).status).toBe(401);
    expect((await resident.request('GET', '/api/me')).status).toBe(401);
    const back = await loggedIn(client, account);
    expect(await emailOf(back)).toBe('sec-9@example.ru');
    const reset = await client.fork().request('POST', '/api/auth/reset', {
      body: { token: thiefReset, password: 'пароль захватчика девять' },
    });
    expect(reset.json.error.code).toBe('invalid_token');
    // Single use.
    const again = await client.request('POST', '/api/profile/email/undo', { body: { token: undo } });
    expect(again.json.error.code).toBe('invalid_token');
  });

  it('a superseded e-mail change link applies nothing', async () => {
    const { account, passport } = owner(10);
    const browser = await registeredResident(client, account, passport, 'sec-10@example.ru');
    const first = await tokenMailedBy('sec-10-a@example.ru', '/email-confirm', () =>
      browser.request('POST', '/api/profile/email', {
        body: { email: 'sec-10-a@example.ru', currentPassword: PASSWORD },
      }),
    );
    await tokenMailedBy('sec-10-b@example.ru', '/email-confirm', () =>
      browser.request('POST', '/api/profile/email', {
        body: { email: 'sec-10-b@example.ru', currentPassword: PASSWORD },
      }),
    );
    const stale = await client.request('POST', '/api/profile/email/confirm', { body: { token: first } });
    expect(stale.json.error.code).toBe('invalid_token');
    expect((await browser.request('GET', '/api/profile')).json).toMatchObject({
      email: 'sec-10@example.ru',
      pendingEmail: 'sec-10-b@example.ru',
    });
  });
});

describe('removing the confirmed phone (DELETE /api/profile/phone)', () => {
  const REMOVED = 'Телефон удалён из личного кабинета';
  const RUN = Date.now() % 10_000_000;

  /** A resident of owner(n) with a confirmed phone and the login by SMS code on; codes read from the sandbox. */
  async function withSecondFactor(n: number) {
    const { account, passport } = owner(n);
    const email = `sec-${n}@example.ru`;
    const browser = await registeredResident(client, account, passport, email);
    const phone = `+79${String(RUN * 100 + n)
      .padStart(9, '0')
      .slice(-9)}`;
    expect((await browser.request('POST', '/api/profile/phone', { body: { phone } })).status).toBe(202);
    const code = /\b(\d{6})\b/.exec(
      sandboxOutbox()
        .filter((m) => m.to === phone)
        .at(-1)?.text ?? '',
    )?.[1];
    expect((await browser.request('POST', '/api/profile/phone/confirm', { body: { code } })).status).toBe(200);
    expect((await browser.request('PATCH', '/api/profile', { body: { loginCodeBySms: true } })).status).toBe(200);
    return { account, passport, email, browser, phone };
  }

  async function secondFactorOf(browser: Client) {
    const profile = await browser.request('GET', '/api/profile');
    expect(profile.status).toBe(200);
    const { phone, phoneConfirmed, loginCodeBySms } = profile.json;
    return { phone, phoneConfirmed, loginCodeBySms };
  }

  it('is refused with a wrong or missing password, without a session, with a forged cookie or without the CSRF header', async () => {
    const a = await withSecondFactor(13);
    const intact = { phone: a.phone, phoneConfirmed: true, loginCodeBySms: true };
    for (const body of [{ currentPassword: 'угаданный пароль' }, {}, { currentPassword: '' }]) {
      const res = await a.browser.request('DELETE', '/api/profile/phone', { body });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('invalid_credentials');
      expect(res.json.error.fields.currentPassword).toMatch(/введите текущий пароль/);
    }
    const anonymous = await client
      .fork()
      .request('DELETE', '/api/profile/phone', { body: { currentPassword: PASSWORD } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error.code).toBe('unauthorized');
    const forged = client.fork();
    forged.cookies.set('__Host-rac_session', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIzMTAwMTMifQ.');
    expect((await forged.request('DELETE', '/api/profile/phone', { body: { currentPassword: PASSWORD } })).status).toBe(
      401,
    );
    const noCsrf = await a.browser.request('DELETE', '/api/profile/phone', {
      body: { currentPassword: PASSWORD },
      headers: { 'x-requested-with': '' },
    });
    expect(noCsrf.status).toBe(403);
    expect(await secondFactorOf(a.browser)).toEqual(intact);
    expect((await mailsTo(a.email)).some((m) => m.subject === REMOVED)).toBe(false);
    // Wrong passwords count against the session-password limit: after the fifth, even the right
    // one is refused for a while.
    for (const guess of ['ещё одна догадка', 'и ещё одна']) {
      expect(
        (await a.browser.request('DELETE', '/api/profile/phone', { body: { currentPassword: guess } })).status,
      ).toBe(401);
    }
    const more = await a.browser.request('DELETE', '/api/profile/phone', { body: { currentPassword: PASSWORD } });
    expect(more.status).toBe(429);
    expect(more.json.error.code).toBe('too_many_attempts');
    expect(await secondFactorOf(a.browser)).toEqual(intact);
  });

  it('another resident’s session removes only its own phone, even switched to the other’s account', async () => {
    const a = await withSecondFactor(14);
    const { account: bAccount, passport: bPassport } = owner(15);
    const b = await registeredResident(client, bAccount, bPassport, 'sec-15@example.ru');
    // B knows A's account and passport (a relative): links it and switches to it.
    expect(
      (await b.request('POST', '/api/accounts', { body: { account: a.account, passport: a.passport } })).status,
    ).toBe(201);
    expect((await b.request('POST', '/api/accounts/current', { body: { account: a.account } })).status).toBe(200);
    // A's password from B's session: checked against B's cabinet, refused.
    const withAs = await b.request('DELETE', '/api/profile/phone', { body: { currentPassword: 'пароль жителя А' } });
    expect(withAs.status).toBe(401);
    // B's own password: B's cabinet (no phone) is the one acted on; A's second factor stays.
    expect((await b.request('DELETE', '/api/profile/phone', { body: { currentPassword: PASSWORD } })).status).toBe(204);
    expect(await secondFactorOf(a.browser)).toEqual({ phone: a.phone, phoneConfirmed: true, loginCodeBySms: true });
    expect((await mailsTo(a.email)).some((m) => m.subject === REMOVED)).toBe(false);
    const login = await client
      .fork()
      .request('POST', '/api/auth/login', { body: { account: a.account, password: PASSWORD } });
    expect(login.status).toBe(202);
  });

  it('a repeated or parallel request removes once and mails once', async () => {
    const a = await withSecondFactor(16);
    const answers = await Promise.all(
      [a.browser, a.browser].map((b) =>
        b.request('DELETE', '/api/profile/phone', { body: { currentPassword: PASSWORD } }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual([204, 204]);
    const again = await a.browser.request('DELETE', '/api/profile/phone', { body: { currentPassword: PASSWORD } });
    expect(again.status).toBe(204);
    expect(await secondFactorOf(a.browser)).toEqual({ phone: null, phoneConfirmed: false, loginCodeBySms: false });
    expect((await mailsTo(a.email)).filter((m) => m.subject === REMOVED)).toHaveLength(1);
  });
});

describe('sessions', () => {
  const at = (base: number, minutes: number) => new Date(base + minutes * 60_000).toISOString();
  function setClock(iso: string | undefined) {
    if (iso === undefined) delete process.env[ENV.now];
    else process.env[ENV.now] = iso;
    resetConfigForTests();
  }
  afterEach(() => setClock(undefined));

  it('end after 30 minutes without a request, stay alive while used, and end after 8 hours anyway', async () => {
    const { account, passport } = owner(11);
    await registeredResident(client, account, passport, 'sec-11@example.ru');
    const base = Date.now();
    setClock(at(base, 0));
    const browser = await loggedIn(client, account);

    // Used every 25 minutes: alive, up to the 8-hour limit.
    for (let minutes = 25; minutes < 8 * 60; minutes += 25) {
      setClock(at(base, minutes));
      expect((await browser.request('GET', '/api/me')).status, `after ${minutes} min`).toBe(200);
    }
    setClock(at(base, 8 * 60 + 1));
    expect((await browser.request('GET', '/api/me')).status).toBe(401);

    // A fresh session left alone for 30 minutes has ended, cookie or not.
    setClock(at(base, 0));
    const idle = await loggedIn(client, account);
    setClock(at(base, 29));
    expect((await idle.request('GET', '/api/me')).status).toBe(200);
    setClock(at(base, 29 + 30));
    const expired = await idle.request('GET', '/api/me');
    expect(expired.status).toBe(401);
    expect(expired.json.error.code).toBe('unauthorized');
  });

  it('a password change gives a new session id; the old cookie stops working', async () => {
    const { account, passport } = owner(12);
    const browser = await registeredResident(client, account, passport, 'sec-12@example.ru');
    const before = browser.cookies.get('__Host-rac_session');
    const copy = client.fork();
    copy.cookies.set('__Host-rac_session', before ?? '');

    const changed = await browser.request('POST', '/api/profile/password', {
      body: { oldPassword: PASSWORD, newPassword: 'сменённый пароль двенадцать' },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.getSetCookie()[0]).toMatch(
      /^__Host-rac_session=.+; Path=\/; HttpOnly; Secure; SameSite=Strict/,
    );
    const after = browser.cookies.get('__Host-rac_session');
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    expect((await browser.request('GET', '/api/me')).status).toBe(200);
    expect((await copy.request('GET', '/api/me')).status).toBe(401);
  });
});
