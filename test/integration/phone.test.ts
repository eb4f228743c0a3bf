import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '#local/gateway';
import { freePort } from '#local/ports';
import { createSmsSandbox } from '#local/sandboxSms';
import { closeCabinet } from '#shared/accounts/closing';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { SMS_CODE } from '#shared/limits/policy';
import { importRegistry } from '#shared/registry/importRegistry';
import { type Client, makeClient } from '#test/support/http';
import { mailsTo } from '#test/support/mail';
import { importAccounts } from '#test/support/payments';
import { PASSWORD, registeredResident, resetToken } from '#test/support/residents';

/**
 * Phone confirmation and login by SMS code through the real handlers, the local gateway and its SMS
 * sandbox (`/sandbox-sms/messages`, as `npm start` serves it): codes are read where a resident's
 * phone would show them. Each test registers its own account and uses its own numbers, so the
 * per-account and per-phone limits of one test never reach another, in any order.
 */

const RUN = Date.now() % 100_000;
let serial = 0;
let gateway: Gateway;
let client: Client;

beforeAll(async () => {
  gateway = await startGateway({ port: await freePort(), siteDir: 'web/dist', mounts: [createSmsSandbox()] });
  client = makeClient(gateway.url.replace('localhost', '127.0.0.1'), () => gateway.stop());
});
afterEach(() => {
  delete process.env[ENV.now];
  resetConfigForTests();
});
afterAll(async () => {
  await client.stop();
});

/** A new resident with a cabinet, logged in (password PASSWORD). */
async function newResident(): Promise<{ account: string; email: string; browser: Client }> {
  serial += 1;
  const account = String(750000 + ((RUN * 37 + serial) % 10000));
  await importAccounts([account]);
  const email = `phone-${account}-${RUN}-${serial}@example.ru`;
  const browser = await registeredResident(client, account, `14${account.slice(-2)} ${account}`, email);
  return { account, email, browser };
}

/** A new mobile number, as `+79…` (the sandbox's `to`) and as a resident might type it. */
function newPhone(): { e164: string; typed: string } {
  serial += 1;
  const digits = String(RUN * 100 + serial)
    .padStart(9, '0')
    .slice(-9);
  const e164 = `+79${digits}`;
  return { e164, typed: `8 (9${digits.slice(0, 2)}) ${digits.slice(2, 5)}-${digits.slice(5, 7)}-${digits.slice(7)}` };
}

async function texts(to: string): Promise<Array<{ to: string; text: string; sentAt: string }>> {
  const res = await fetch(`${client.url}/sandbox-sms/messages`);
  expect(res.status).toBe(200);
  const { messages } = (await res.json()) as { messages: Array<{ to: string; text: string; sentAt: string }> };
  return messages.filter((m) => m.to === to);
}

/** The code in the newest text to the number. */
async function lastCode(to: string): Promise<string> {
  const sent = await texts(to);
  const code = /\b(\d{6})\b/.exec(sent.at(-1)?.text ?? '')?.[1];
  if (!code) throw new Error(`No code texted to ${to}`);
  return code;
}

const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

function clockAt(iso: string): void {
  process.env[ENV.now] = iso;
  resetConfigForTests();
}

/** A resident whose phone is confirmed. */
async function withConfirmedPhone() {
  const resident = await newResident();
  const phone = newPhone();
  expect((await resident.browser.request('POST', '/api/profile/phone', { body: { phone: phone.typed } })).status).toBe(
    202,
  );
  const confirmed = await resident.browser.request('POST', '/api/profile/phone/confirm', {
    body: { code: await lastCode(phone.e164) },
  });
  expect(confirmed.status).toBe(200);
  return { ...resident, phone };
}

describe('phone confirmation', () => {
  it('texts a 6-digit code to the normalised number; the code confirms the phone, and the resident is mailed', async () => {
    const { browser, email } = await newResident();
    const phone = newPhone();
    const asked = await browser.request('POST', '/api/profile/phone', { body: { phone: phone.typed } });
    expect(asked.status).toBe(202);
    const sent = await texts(phone.e164);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toMatch(/^\d{6} — код/);
    let me = await browser.request('GET', '/api/me');
    expect(me.json).toMatchObject({ phoneConfirmed: false });

    const wrong = await browser.request('POST', '/api/profile/phone/confirm', {
      body: { code: wrongCode(await lastCode(phone.e164)) },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe('invalid_code');

    const ok = await browser.request('POST', '/api/profile/phone/confirm', {
      body: { code: await lastCode(phone.e164) },
    });
    expect(ok.status).toBe(200);
    me = await browser.request('GET', '/api/me');
    expect(me.json).toMatchObject({ phone: phone.e164, phoneConfirmed: true });
    expect((await mailsTo(email)).some((m) => m.subject === 'Телефон личного кабинета подтверждён')).toBe(true);
    // A code confirms once.
    const again = await browser.request('POST', '/api/profile/phone/confirm', {
      body: { code: await lastCode(phone.e164) },
    });
    expect(again.status).toBe(400);
  });

  it('refuses a landline or a malformed number in Russian, texting nothing', async () => {
    const { browser } = await newResident();
    for (const phone of ['+7 (4725) 12-34-56', '12345', 'позвоните мне', '+1 212 555 0100']) {
      const res = await browser.request('POST', '/api/profile/phone', { body: { phone } });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_input');
      expect(res.json.error.fields.phone).toMatch(/[а-я]/);
    }
    expect((await texts('+747251234')).length).toBe(0);
  });

  it(`voids the code after ${SMS_CODE.tries} wrong tries, even for the right one`, async () => {
    const { browser } = await newResident();
    const phone = newPhone();
    await browser.request('POST', '/api/profile/phone', { body: { phone: phone.e164 } });
    const code = await lastCode(phone.e164);
    for (let i = 0; i < SMS_CODE.tries; i++) {
      const res = await browser.request('POST', '/api/profile/phone/confirm', { body: { code: wrongCode(code) } });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_code');
    }
    const right = await browser.request('POST', '/api/profile/phone/confirm', { body: { code } });
    expect(right.status).toBe(400);
    expect(right.json.error.code).toBe('invalid_code');
    expect((await browser.request('GET', '/api/me')).json.phoneConfirmed).toBe(false);
  });

  it('lets parallel guesses compare no more than the tries', async () => {
    const { browser } = await newResident();
    const phone = newPhone();
    await browser.request('POST', '/api/profile/phone', { body: { phone: phone.e164 } });
    const code = await lastCode(phone.e164);
    // Twelve wrong guesses at once, then the right code: the tries were all spent.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        browser.request('POST', '/api/profile/phone/confirm', {
          body: { code: String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0') },
        }),
      ),
    );
    expect((await browser.request('POST', '/api/profile/phone/confirm', { body: { code } })).status).toBe(400);
  });

  it('expires the code after 10 minutes', async () => {
    const { browser } = await newResident();
    const phone = newPhone();
    clockAt('2026-11-10T12:00:00+03:00');
    await browser.request('POST', '/api/profile/phone', { body: { phone: phone.e164 } });
    const code = await lastCode(phone.e164);
    clockAt('2026-11-10T12:10:00+03:00');
    const late = await browser.request('POST', '/api/profile/phone/confirm', { body: { code } });
    expect(late.status).toBe(400);
    expect(late.json.error.code).toBe('invalid_code');
    expect(late.json.error.message).toMatch(/Запросите новый код/);
  });

  it('limits codes per number (3 in 15 minutes) with Retry-After, from any cabinet', async () => {
    const phone = newPhone();
    const residents = [await newResident(), await newResident()];
    for (let i = 0; i < 3; i++) {
      const browser = residents[i % 2]?.browser as Client;
      expect((await browser.request('POST', '/api/profile/phone', { body: { phone: phone.e164 } })).status).toBe(202);
    }
    const fourth = await residents[1]?.browser.request('POST', '/api/profile/phone', { body: { phone: phone.e164 } });
    expect(fourth?.status).toBe(429);
    expect(fourth?.json.error.code).toBe('too_many_attempts');
    expect(Number(fourth?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await texts(phone.e164)).toHaveLength(3);
  });

  it('limits codes per account (10 a day)', async () => {
    const { browser } = await newResident();
    const answers: number[] = [];
    for (let i = 0; i < 11; i++) {
      answers.push((await browser.request('POST', '/api/profile/phone', { body: { phone: newPhone().e164 } })).status);
    }
    expect(answers.slice(0, 10).every((s) => s === 202)).toBe(true);
    expect(answers[10]).toBe(429);
  });

  it('changes a confirmed phone only with the current password, keeping the old one until the new is confirmed', async () => {
    const { browser, phone, email } = await withConfirmedPhone();
    const next = newPhone();
    const without = await browser.request('POST', '/api/profile/phone', { body: { phone: next.e164 } });
    expect(without.status).toBe(401);
    expect(without.json.error).toMatchObject({
      code: 'invalid_credentials',
      message: 'Текущий пароль введён неверно.',
    });
    const wrong = await browser.request('POST', '/api/profile/phone', {
      body: { phone: next.e164, currentPassword: 'не тот пароль' },
    });
    expect(wrong.status).toBe(401);
    expect(await texts(next.e164)).toHaveLength(0);
    // Nor through the profile's contact field.
    const patched = await browser.request('PATCH', '/api/profile', { body: { phone: next.e164 } });
    expect(patched.status).toBe(409);
    expect(patched.json.error.code).toBe('phone_confirmed');

    const asked = await browser.request('POST', '/api/profile/phone', {
      body: { phone: next.e164, currentPassword: PASSWORD },
    });
    expect(asked.status).toBe(202);
    expect((await browser.request('GET', '/api/me')).json.phone).toBe(phone.e164);
    const ok = await browser.request('POST', '/api/profile/phone/confirm', {
      body: { code: await lastCode(next.e164) },
    });
    expect(ok.status).toBe(200);
    expect((await browser.request('GET', '/api/me')).json).toMatchObject({ phone: next.e164, phoneConfirmed: true });
    expect((await mailsTo(email)).some((m) => m.subject === 'Телефон личного кабинета изменён')).toBe(true);
  });
});

describe('removing the phone', () => {
  it('removes a confirmed phone with the current password: the login by SMS code ends, the address is told', async () => {
    const { account, browser, phone, email } = await withConfirmedPhone();
    expect((await browser.request('PATCH', '/api/profile', { body: { loginCodeBySms: true } })).status).toBe(200);
    // A new number asked for and not yet confirmed: its code must not bring a phone back.
    const next = newPhone();
    const asked = await browser.request('POST', '/api/profile/phone', {
      body: { phone: next.e164, currentPassword: PASSWORD },
    });
    expect(asked.status).toBe(202);

    const removed = await browser.request('DELETE', '/api/profile/phone', { body: { currentPassword: PASSWORD } });
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expect((await browser.request('GET', '/api/profile')).json).toMatchObject({
      phone: null,
      phoneConfirmed: false,
      loginCodeBySms: false,
    });
    const notice = (await mailsTo(email)).find((m) => m.subject === 'Телефон удалён из личного кабинета');
    expect(notice?.body.text).toContain(`удалён мобильный телефон +7 ${phone.e164.slice(2, 5)} `);
    expect(notice?.body.text).toContain('Вход по коду из SMS отключён');
    // The password alone logs in again.
    const login = await client.fork().request('POST', '/api/auth/login', { body: { account, password: PASSWORD } });
    expect(login.status).toBe(200);
    const late = await browser.request('POST', '/api/profile/phone/confirm', {
      body: { code: await lastCode(next.e164) },
    });
    expect(late.status).toBe(400);
    expect(late.json.error.code).toBe('invalid_code');
    expect((await browser.request('GET', '/api/me')).json).toMatchObject({ phone: null, phoneConfirmed: false });
  });

  it('removes an unconfirmed contact phone without a notice', async () => {
    const { browser, email } = await newResident();
    expect((await browser.request('PATCH', '/api/profile', { body: { phone: '+7 (4725) 12-34-56' } })).status).toBe(
      200,
    );
    const removed = await browser.request('DELETE', '/api/profile/phone', { body: { currentPassword: PASSWORD } });
    expect(removed.status).toBe(204);
    expect((await browser.request('GET', '/api/profile')).json.phone).toBeNull();
    expect((await mailsTo(email)).some((m) => m.subject === 'Телефон удалён из личного кабинета')).toBe(false);
  });

  it('refuses without the current password or with a wrong one, in Russian, changing nothing', async () => {
    const { browser, phone, email } = await withConfirmedPhone();
    for (const body of [{}, { currentPassword: 'не тот пароль' }]) {
      const res = await browser.request('DELETE', '/api/profile/phone', { body });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('invalid_credentials');
      expect(res.json.error.fields.currentPassword).toBe('Чтобы удалить телефон, введите текущий пароль');
    }
    expect((await browser.request('GET', '/api/me')).json).toMatchObject({ phone: phone.e164, phoneConfirmed: true });
    expect((await mailsTo(email)).some((m) => m.subject === 'Телефон удалён из личного кабинета')).toBe(false);
  });
});

describe('login by SMS code', () => {
  it('is switched on only with a confirmed phone', async () => {
    const { browser } = await newResident();
    const res = await browser.request('PATCH', '/api/profile', { body: { loginCodeBySms: true } });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('phone_not_confirmed');
  });

  it('answers the right password with 202 and no cookie; the texted code opens the session; the challenge opens one', async () => {
    const { account, browser, phone, email } = await withConfirmedPhone();
    const on = await browser.request('PATCH', '/api/profile', { body: { loginCodeBySms: true } });
    expect(on.status).toBe(200);
    expect(on.json.loginCodeBySms).toBe(true);
    expect((await mailsTo(email)).some((m) => m.subject === 'Вход по коду из SMS включён')).toBe(true);

    const laptop = client.fork();
    const first = await laptop.request('POST', '/api/auth/login', { body: { account, password: PASSWORD } });
    expect(first.status).toBe(202);
    expect(first.headers.getSetCookie()).toEqual([]);
    expect(first.json.challenge).toBeTypeOf('string');
    expect(first.json.phone).toMatch(/^\+7 ••• •••-\d\d-\d\d$/);
    expect((await laptop.request('GET', '/api/me')).status).toBe(401);
    const code = await lastCode(phone.e164);
    expect((await texts(phone.e164)).at(-1)?.text).toMatch(/код входа/);

    const wrong = await laptop.request('POST', '/api/auth/login/code', {
      body: { challenge: first.json.challenge, code: wrongCode(code) },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe('invalid_code');
    expect(wrong.headers.getSetCookie()).toEqual([]);

    const ok = await laptop.request('POST', '/api/auth/login/code', {
      body: { challenge: first.json.challenge, code },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.getSetCookie().some((c) => c.startsWith('__Host-rac_session='))).toBe(true);
    expect((await laptop.request('GET', '/api/me')).json.account).toBe(account);

    // The same challenge and code again, from another browser: refused.
    const replay = await client
      .fork()
      .request('POST', '/api/auth/login/code', { body: { challenge: first.json.challenge, code } });
    expect(replay.status).toBe(400);
    expect(replay.json.error.code).toBe('invalid_code');
  });

  it('gives one session when the same code is sent twice at once', async () => {
    const { account, browser, phone } = await withConfirmedPhone();
    await browser.request('PATCH', '/api/profile', { body: { loginCodeBySms: true } });
    const first = await client.fork().request('POST', '/api/auth/login', { body: { account, password: PASSWORD } });
    const code = await lastCode(phone.e164);
    const answers = await Promise.all(
      [client.fork(), client.fork()].map((b) =>
        b.request('POST', '/api/auth/login/code', { body: { challenge: first.json.challenge, code } }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
  });

  it('refuses a wrong password before any code is texted', async () => {
    const { account, browser, phone } = await withConfirmedPhone();
    await browser.request('PATCH', '/api/profile', { body: { loginCodeBySms: true } });
    const before = (await texts(phone.e164)).length;
    const res = await client.fork().request('POST', '/api/auth/login', { body: { account, password: 'угадай' } });
    expect(res.status).toBe(401);
    expect(await texts(phone.e164)).toHaveLength(before);
  });

  it('expires the challenge after 10 minutes', async () => {
    const { account, browser, phone } = await withConfirmedPhone();
    await browser.request('PATCH', '/api/profile', { body: { loginCodeBySms: true } });
    clockAt('2026-11-10T12:00:00+03:00');
    const first = await client.fork().request('POST', '/api/auth/login', { body: { account, password: PASSWORD } });
    expect(first.status).toBe(202);
    const code = await lastCode(phone.e164);
    clockAt('2026-11-10T12:10:00+03:00');
    const late = await client
      .fork()
      .request('POST', '/api/auth/login/code', { body: { challenge: first.json.challenge, code } });
    expect(late.status).toBe(400);
    expect(late.json.error.code).toBe('invalid_code');
  });

  it('is switched off by a password reset through the mailed link, and only then', async () => {
    const { account, browser, email } = await withConfirmedPhone();
    await browser.request('PATCH', '/api/profile', { body: { loginCodeBySms: true } });
    const token = await resetToken(client.fork(), account, email);
    // Asking for the link changes nothing yet.
    expect(
      (await client.fork().request('POST', '/api/auth/login', { body: { account, password: PASSWORD } })).status,
    ).toBe(202);
    const newPassword = 'новый пароль после сброса';
    const reset = await client.fork().request('POST', '/api/auth/reset', { body: { token, password: newPassword } });
    expect(reset.status).toBe(200);
    const laptop = client.fork();
    const login = await laptop.request('POST', '/api/auth/login', { body: { account, password: newPassword } });
    expect(login.status).toBe(200);
    const profile = await laptop.request('GET', '/api/profile');
    expect(profile.json).toMatchObject({ loginCodeBySms: false, phoneConfirmed: true });
    expect((await mailsTo(email)).some((m) => m.subject === 'Вход по коду из SMS отключён')).toBe(true);
  });
});

describe('a pending login challenge', () => {
  /** A resident with login by SMS code on, and a challenge from the right password (its code texted). */
  async function pendingChallenge() {
    const resident = await withConfirmedPhone();
    const on = await resident.browser.request('PATCH', '/api/profile', { body: { loginCodeBySms: true } });
    expect(on.status).toBe(200);
    const laptop = client.fork();
    const first = await laptop.request('POST', '/api/auth/login', {
      body: { account: resident.account, password: PASSWORD },
    });
    expect(first.status).toBe(202);
    return {
      ...resident,
      laptop,
      challenge: first.json.challenge as string,
      code: await lastCode(resident.phone.e164),
    };
  }

  /** The right code of a challenge that ended: refused in Russian, no session, and it stays refused. */
  async function expectEnded(pending: Awaited<ReturnType<typeof pendingChallenge>>) {
    for (let i = 0; i < 2; i++) {
      const res = await pending.laptop.request('POST', '/api/auth/login/code', {
        body: { challenge: pending.challenge, code: pending.code },
      });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('login_challenge_ended');
      expect(res.json.error.message).toMatch(/^Код больше не действует: .*Войдите заново/);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect((await pending.laptop.request('GET', '/api/me')).status).toBe(401);
  }

  it('ends with a password change in the profile; a challenge from the new password works', async () => {
    const pending = await pendingChallenge();
    const newPassword = 'новый пароль из профиля';
    const changed = await pending.browser.request('POST', '/api/profile/password', {
      body: { oldPassword: PASSWORD, newPassword },
    });
    expect(changed.status).toBe(200);
    await expectEnded(pending);
    // Nothing else changed: the browser that changed the password is still in, the login by SMS
    // code is still on, and a challenge of the new password opens a session.
    expect((await pending.browser.request('GET', '/api/profile')).json).toMatchObject({ loginCodeBySms: true });
    const next = await client.fork().request('POST', '/api/auth/login', {
      body: { account: pending.account, password: newPassword },
    });
    expect(next.status).toBe(202);
    const ok = await pending.laptop.request('POST', '/api/auth/login/code', {
      body: { challenge: next.json.challenge, code: await lastCode(pending.phone.e164) },
    });
    expect(ok.status).toBe(200);
    expect((await pending.laptop.request('GET', '/api/me')).json.account).toBe(pending.account);
  });

  it('ends with a password reset through the mailed link', async () => {
    const pending = await pendingChallenge();
    const token = await resetToken(client.fork(), pending.account, pending.email);
    const reset = await client.fork().request('POST', '/api/auth/reset', {
      body: { token, password: 'пароль после сброса по ссылке' },
    });
    expect(reset.status).toBe(200);
    await expectEnded(pending);
  });

  it('ends when the cabinet is closed', async () => {
    const pending = await pendingChallenge();
    expect(await closeCabinet(pending.account)).toEqual({ email: pending.email });
    await expectEnded(pending);
  });

  it('ends with an ownership transfer', async () => {
    const pending = await pendingChallenge();
    const row = `${pending.account};Новый Владелец;4520 ${pending.account};г. Старый Оскол, д. ${pending.account};50;2`;
    const report = await importRegistry(
      'accounts',
      Buffer.from(`account;owner;passport;address;area;residents\n${row}`),
    );
    expect(report.errors).toEqual([]);
    await expectEnded(pending);
  });
});
