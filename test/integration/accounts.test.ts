import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db, tableName } from '#shared/clients/dynamo';
import { importRegistry } from '#shared/registry/importRegistry';
import { type Client, startTestGateway } from '#test/support/http';
import { mailedToken, mailsTo } from '#test/support/mail';
import {
  captcha as captchaFor,
  PASSWORD,
  registeredResident as registeredWith,
  register as registerWith,
  tokenMailedBy,
} from '#test/support/residents';

/**
 * Registration, sessions, recovery, profile and ownership transfer through the real handlers. Each
 * test imports the accounts it uses (`newAccount`), so no test leans on another's leftovers — a
 * cabinet, a lock, a changed password — and any order of the tests works.
 */
const HEADER = 'account;owner;passport;address;area;residents';
const OWNERS = [
  'Иванова Мария Петровна',
  'Петров Сергей Николаевич',
  'Сидоренко Анна Викторовна',
  'Кузнецов Алексей Дмитриевич',
];
let imported = 0;

interface Account {
  account: string;
  owner: string;
  /** As printed in the passport: `1405 123456`. */
  passport: string;
  email: string;
  /** The registry row, for a later re-import. */
  row: string;
}

/** A new account in the registry (no cabinet yet): 54,3 m², 3 residents. */
async function newAccount(): Promise<Account> {
  imported += 1;
  const account = String(200000 + imported);
  const owner = OWNERS[imported % OWNERS.length] as string;
  const passport = `14${String(imported).padStart(2, '0')} ${String(123000 + imported)}`;
  const row = `${account};${owner};${passport};г. Старый Оскол, мкр. Жукова, д. 12, кв. ${imported};54,3;3`;
  const report = await importRegistry('accounts', Buffer.from(`${HEADER}\n${row}`));
  expect(report.errors).toEqual([]);
  return { account, owner, passport, email: `resident-${account}@example.ru`, row };
}

/** A new account with a cabinet: registered by the mailed link, password PASSWORD. */
async function newResident(): Promise<Account & { browser: Client }> {
  const a = await newAccount();
  return { ...a, browser: await registeredResident(a.account, a.passport, a.email) };
}

let client: Client;

const captcha = (c: Client = client) => captchaFor(c);
const register = (account: string, passport: string, email: string, c: Client = client) =>
  registerWith(c, account, passport, email);
const registeredResident = (account: string, passport: string, email: string) =>
  registeredWith(client, account, passport, email);

/**
 * Guesses the account's password until it locks: three plain failures, then the captcha is asked
 * for, seven more with it, and the eleventh attempt is refused with the lock. Returns that answer.
 */
async function lockOut(account: string) {
  const attacker = client.fork();
  const answers: number[] = [];
  for (let i = 0; i < 3; i++) {
    answers.push(
      (await attacker.request('POST', '/api/auth/login', { body: { account, password: `guess ${i}` } })).status,
    );
  }
  expect(answers).toEqual([401, 401, 401]);
  const needCaptcha = await attacker.request('POST', '/api/auth/login', { body: { account, password: 'guess' } });
  expect(needCaptcha.status).toBe(428);
  expect(needCaptcha.json.error.code).toBe('captcha_required');
  for (let i = 3; i < 10; i++) {
    const res = await attacker.request('POST', '/api/auth/login', {
      body: { account, password: `guess ${i}`, ...(await captcha(attacker)) },
    });
    expect(res.status).toBe(401);
  }
  const locked = await attacker.request('POST', '/api/auth/login', {
    body: { account, password: 'guess', ...(await captcha(attacker)) },
  });
  expect(locked.status).toBe(429);
  expect(locked.json.error.code).toBe('too_many_attempts');
  return locked;
}

beforeAll(async () => {
  ({ client } = await startTestGateway());
});
afterAll(() => client.stop());

describe('registration', () => {
  it('mails a single-use link; the link sets the password and opens a session', async () => {
    const { account, owner, passport, email } = await newAccount();
    // Typed with other spacing than the registry's: the same passport.
    const res = await register(account, `${passport.slice(0, 2)} ${passport.slice(2)}`, email);
    expect(res.status).toBe(202);
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain('Регистрация');
    expect(mails[0]?.body.text).not.toMatch(/пароль:\s*\S/i);

    const token = await mailedToken(email, '/confirm');
    const browser = client.fork();
    const confirmed = await browser.request('POST', '/api/auth/confirm', { body: { token, password: PASSWORD } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toEqual({ account, owner });
    const cookie = confirmed.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(/^__Host-rac_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);

    const me = await browser.request('GET', '/api/me');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({
      account,
      owner,
      email,
      area: '54.3',
      residents: 3,
      balance: { total: 0, services: [] },
    });

    // The link works once.
    const again = await client.request('POST', '/api/auth/confirm', { body: { token, password: PASSWORD } });
    expect(again.status).toBe(400);
    expect(again.json.error.code).toBe('invalid_token');

    // The consent is stored with its version and time.
    const profile = await browser.request('GET', '/api/profile');
    expect(profile.json.consent.version).toBe('2026-11');
    expect(Date.parse(profile.json.consent.acceptedAt)).not.toBeNaN();
  });

  it('answers a second registration with the seed wording and changes nothing', async () => {
    const { account, passport } = await newResident();
    const res = await register(account, passport.replace(' ', ''), 'someone-else@example.ru');
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('already_registered');
    expect(res.json.error.message).toContain('Учётная запись с такими данными уже существует');
    expect(res.json.error.message).toContain('паспорт');
    expect(await mailsTo('someone-else@example.ru')).toEqual([]);
  });

  it('does not say which field was wrong', async () => {
    const { account, passport } = await newAccount();
    const wrongPassport = await register(account, `${passport.slice(0, 4)} 000000`, 'x1@example.ru');
    const unknownAccount = await register('299999', passport, 'x2@example.ru');
    for (const res of [wrongPassport, unknownAccount]) {
      expect(res.status).toBe(422);
      expect(res.json.error.code).toBe('data_mismatch');
    }
    expect(wrongPassport.json.error.message).toBe(unknownAccount.json.error.message);
    expect(await mailsTo('x1@example.ru')).toEqual([]);
  });

  it('refuses a wrong or reused captcha with no side effect', async () => {
    const { account, passport } = await newAccount();
    const { captchaId, captchaAnswer } = await captcha();
    const wrong = await client.request('POST', '/api/auth/register', {
      body: {
        account,
        passport,
        email: 'cap@example.ru',
        consent: true,
        captchaId,
        captchaAnswer: '00000',
      },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe('invalid_captcha');
    // Single-use: the right answer no longer works for that captcha.
    const reused = await client.request('POST', '/api/auth/register', {
      body: {
        account,
        passport,
        email: 'cap@example.ru',
        consent: true,
        captchaId,
        captchaAnswer,
      },
    });
    expect(reused.json.error.code).toBe('invalid_captcha');
    expect(await mailsTo('cap@example.ru')).toEqual([]);
  });

  it('answers bad input with Russian messages per field', async () => {
    const res = await client.request('POST', '/api/auth/register', {
      body: {
        account: '12345',
        passport: '',
        email: 'not-an-email',
        consent: false,
        captchaId: 'x',
        captchaAnswer: '',
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('invalid_input');
    expect(Object.keys(res.json.error.fields)).toEqual(
      expect.arrayContaining(['account', 'passport', 'email', 'consent', 'captchaId', 'captchaAnswer']),
    );
    expect(res.json.error.fields.consent).toMatch(/согласие/);
  });

  it('refuses a common or account-based password and keeps the link usable', async () => {
    const { account, passport, email } = await newAccount();
    expect((await register(account, passport, email)).status).toBe(202);
    const token = await mailedToken(email, '/confirm');
    for (const password of ['password123', 'qwertyuiop', `мой${account}пароль`]) {
      const res = await client.request('POST', '/api/auth/confirm', { body: { token, password } });
      expect(res.status).toBe(422);
      expect(res.json.error.code).toBe('weak_password');
    }
    const short = await client.request('POST', '/api/auth/confirm', { body: { token, password: 'short' } });
    expect(short.status).toBe(400);
    const ok = await client.fork().request('POST', '/api/auth/confirm', { body: { token, password: PASSWORD } });
    expect(ok.status).toBe(200);
  });

  it('stores the passport and password only as hashes', async () => {
    const { account, passport } = await newResident();
    const [profile, credentials] = await Promise.all([
      db().send(new GetCommand({ TableName: tableName(), Key: { pk: `ACC#${account}`, sk: 'PROFILE' } })),
      db().send(new GetCommand({ TableName: tableName(), Key: { pk: `ACC#${account}`, sk: 'CREDENTIALS' } })),
    ]);
    expect(credentials.Item).toBeDefined();
    const stored = JSON.stringify([profile.Item, credentials.Item]);
    expect(stored).not.toContain(passport.slice(5));
    expect(stored).not.toContain(PASSWORD);
    expect(credentials.Item?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});

describe('sessions', () => {
  it('login, logout and a dead cookie afterwards', async () => {
    const { account } = await newResident();
    const browser = client.fork();
    const bad = await browser.request('POST', '/api/auth/login', {
      body: { account, password: 'wrong password' },
    });
    expect(bad.status).toBe(401);
    expect(bad.json.error.code).toBe('invalid_credentials');
    const ok = await browser.request('POST', '/api/auth/login', { body: { account, password: PASSWORD } });
    expect(ok.status).toBe(200);
    const stolen = new Map(browser.cookies);
    expect((await browser.request('GET', '/api/me')).status).toBe(200);
    const out = await browser.request('POST', '/api/auth/logout');
    expect(out.status).toBe(204);
    expect(browser.cookies.size).toBe(0);
    // Replaying the old cookie after logout: the server-side session has ended.
    const replay = client.fork();
    for (const [k, v] of stolen) replay.cookies.set(k, v);
    const me = await replay.request('GET', '/api/me');
    expect(me.status).toBe(401);
    expect(me.json.error.code).toBe('unauthorized');
  });

  it('refuses forged, tampered and foreign-algorithm cookies', async () => {
    const { browser } = await newResident();
    const other = await newAccount();
    const jwt = browser.cookies.get('__Host-rac_session') ?? '';
    const [header, payload, signature] = jwt.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: other.account })).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${forgedPayload}.`;
    for (const cookie of [`${header}.${forgedPayload}.${signature}`, none, 'garbage', `${jwt}x`]) {
      const forged = client.fork();
      forged.cookies.set('__Host-rac_session', cookie);
      expect((await forged.request('GET', '/api/me')).status).toBe(401);
    }
    // The genuine cookie still works: the refusals above are the forgeries'.
    expect((await browser.request('GET', '/api/me')).status).toBe(200);
  });

  it('refuses cookie-authenticated writes without X-Requested-With', async () => {
    const { browser } = await newResident();
    const res = await browser.request('PATCH', '/api/profile', {
      body: { phone: '+7 900 000-00-00' },
      headers: { 'x-requested-with': '' },
    });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('csrf');
    expect((await browser.request('GET', '/api/profile')).json.phone).toBeNull();
  });

  it('asks for a captcha after failures, locks briefly after many, and never enumerates', async () => {
    const { account } = await newResident();
    const locked = await lockOut(account);
    expect(locked.json.error.message).toMatch(/мин/);
    // Locked means locked: the right password is refused too until the lock ends.
    const owner = await client.fork().request('POST', '/api/auth/login', {
      body: { account, password: PASSWORD, ...(await captcha()) },
    });
    expect(owner.status).toBe(429);

    // An account that does not exist and one without a cabinet answer exactly like a wrong password.
    const unknown = await client
      .fork()
      .request('POST', '/api/auth/login', { body: { account: '299998', password: 'x' } });
    const unregistered = await client
      .fork()
      .request('POST', '/api/auth/login', { body: { account: (await newAccount()).account, password: 'x' } });
    expect(unknown.status).toBe(401);
    expect(unknown.json).toEqual(unregistered.json);
    expect(unknown.json).toEqual({
      error: { code: 'invalid_credentials', message: 'Неверный номер лицевого счёта или пароль.' },
    });
  });
});

describe('password recovery and change', () => {
  it('recovery answers alike; the mailed link resets the password and ends other sessions', async () => {
    const { account, email, browser: first } = await newResident();
    // Someone guessed the password until the account locked; recovery does not depend on it.
    await lockOut(account);
    const wrongEmail = await client.request('POST', '/api/auth/recover', {
      body: { account, email: 'other@example.ru', ...(await captcha()) },
    });
    const unknown = await client.request('POST', '/api/auth/recover', {
      body: { account: '299997', email, ...(await captcha()) },
    });
    const right = await client.request('POST', '/api/auth/recover', {
      body: { account, email, ...(await captcha()) },
    });
    expect([wrongEmail.status, unknown.status, right.status]).toEqual([202, 202, 202]);
    expect(wrongEmail.json).toEqual(right.json);
    expect(unknown.json).toEqual(right.json);
    expect(await mailsTo('other@example.ru')).toEqual([]);

    const token = await mailedToken(email, '/reset');
    const second = client.fork();
    const reset = await second.request('POST', '/api/auth/reset', {
      body: { token, password: 'новый пароль для Сидоренко' },
    });
    expect(reset.status).toBe(200);
    expect((await first.request('GET', '/api/me')).status).toBe(401);
    expect((await second.request('GET', '/api/me')).status).toBe(200);
    const reused = await client.request('POST', '/api/auth/reset', {
      body: { token, password: 'ещё один новый пароль' },
    });
    expect(reused.json.error.code).toBe('invalid_token');
    // The lock from the guessing is lifted by the reset.
    const login = await client.fork().request('POST', '/api/auth/login', {
      body: { account, password: 'новый пароль для Сидоренко' },
    });
    expect(login.status).toBe(200);
  });

  it('changing the password needs the old one (no robot check) and ends the other sessions', async () => {
    const { account, email, browser: tab } = await newResident();
    const phone = client.fork();
    expect((await phone.request('POST', '/api/auth/login', { body: { account, password: PASSWORD } })).status).toBe(
      200,
    );
    const wrong = await tab.request('POST', '/api/profile/password', {
      body: { oldPassword: 'not it', newPassword: 'совсем другой пароль' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.code).toBe('wrong_password');
    const before = tab.cookies.get('__Host-rac_session');
    const ok = await tab.request('POST', '/api/profile/password', {
      body: { oldPassword: PASSWORD, newPassword: 'совсем другой пароль' },
    });
    expect(ok.status).toBe(200);
    // The tab continues in a new session; its old session id is gone with the others.
    expect(tab.cookies.get('__Host-rac_session')).not.toBe(before);
    expect((await tab.request('GET', '/api/me')).status).toBe(200);
    expect((await phone.request('GET', '/api/me')).status).toBe(401);
    expect((await mailsTo(email)).map((m) => m.subject)).toContain('Пароль личного кабинета изменён');
  });
});

describe('profile and support', () => {
  it('changes the e-mail with the current password, tells the old address, and only after the new one confirms', async () => {
    const { account, email, browser } = await newResident();
    const newEmail = `Maria.Ivanova.${account}@Example.ru`;
    const noPassword = await browser.request('POST', '/api/profile/email', {
      body: { email: newEmail },
    });
    expect(noPassword.status).toBe(401);
    expect(noPassword.json.error).toMatchObject({
      code: 'invalid_credentials',
      // A logged-in resident typed no account number: the form's top line speaks of the password.
      message: 'Текущий пароль введён неверно.',
      fields: { currentPassword: 'Текущий пароль введён неверно' },
    });
    const undo = await tokenMailedBy(email, '/email-undo', async () => {
      const req = await browser.request('POST', '/api/profile/email', {
        body: { email: newEmail, currentPassword: PASSWORD },
      });
      expect(req.status).toBe(202);
    });
    expect(undo).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const notice = (await mailsTo(email)).at(-1);
    expect(notice?.subject).toBe('Смена адреса электронной почты личного кабинета');
    expect(notice?.body.text).toContain(`на ${newEmail.toLowerCase()}`);
    expect(notice?.body.text).toMatch(/Ссылка действует 7 дней/);
    expect((await browser.request('GET', '/api/profile')).json).toMatchObject({
      email,
      pendingEmail: newEmail.toLowerCase(),
    });
    const token = await mailedToken(newEmail.toLowerCase(), '/email-confirm');
    expect((await client.request('POST', '/api/profile/email/confirm', { body: { token } })).status).toBe(200);
    expect((await browser.request('GET', '/api/profile')).json).toMatchObject({
      email: newEmail.toLowerCase(),
      pendingEmail: null,
    });
    const patched = await browser.request('PATCH', '/api/profile', {
      body: { phone: '+7 (4725) 12-34-56', remindersOptIn: false, billByEmail: true },
    });
    expect(patched.json).toMatchObject({ phone: '+7 (4725) 12-34-56', remindersOptIn: false, billByEmail: true });
    const badPhone = await browser.request('PATCH', '/api/profile', { body: { phone: 'call me' } });
    expect(badPhone.status).toBe(400);
    expect(badPhone.json.error.fields.phone).toMatch(/телефон/i);
  });

  it('files tickets, mails them to the centre and lists only the resident’s own', async () => {
    const { account, browser } = await newResident();
    const created = await browser.request('POST', '/api/support', {
      body: {
        name: 'Иванова Мария Петровна',
        email: 'maria.ivanova@example.ru',
        topic: 'close_cabinet',
        message: 'Прошу закрыть личный кабинет: переезжаю.',
      },
    });
    expect(created.status).toBe(201);
    const centre = await mailsTo('support@rac-oskol.ru');
    const mail = centre.find((m) => m.subject.includes(created.json.id));
    expect(mail?.subject).toContain('Закрытие личного кабинета');
    expect(mail?.body.text).toContain(`${account} (житель вошёл в личный кабинет)`);

    const guest = client.fork();
    const noCaptcha = await guest.request('POST', '/api/support', {
      body: { account, name: 'Кто-то', email: 'guest@example.ru', message: 'Вопрос без капчи' },
    });
    expect(noCaptcha.status).toBe(400);
    expect(noCaptcha.json.error.code).toBe('invalid_captcha');
    const guestTicket = await guest.request('POST', '/api/support', {
      body: {
        account,
        name: 'Кто-то',
        email: 'guest@example.ru',
        message: 'Вопрос гостя',
        ...(await captcha()),
      },
    });
    expect(guestTicket.status).toBe(201);

    const mine = await browser.request('GET', '/api/support');
    expect(mine.json.items.map((t: { id: string }) => t.id)).toEqual([created.json.id]);
    expect(mine.json.items[0]).toMatchObject({ topic: 'close_cabinet', status: 'open' });
    expect((await guest.request('GET', '/api/support')).status).toBe(401);
  });
});

describe('ownership transfer (переоформление ЛС)', () => {
  it('ends the previous owner’s access and lets the new owner register', async () => {
    const { account, owner, passport, row, browser: previous } = await newResident();
    const transfer = `${HEADER}\n${row.replace(`${owner};${passport}`, 'Новикова Елена Андреевна;1415 999888')}`;
    expect(transfer).toContain('Новикова');
    expect((await importRegistry('accounts', Buffer.from(transfer))).errors).toEqual([]);

    expect((await previous.request('GET', '/api/me')).status).toBe(401);
    const oldLogin = await client.fork().request('POST', '/api/auth/login', { body: { account, password: PASSWORD } });
    expect(oldLogin.status).toBe(401);
    const sessions = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':pk': `ACC#${account}`, ':s': 'SESSION#' },
      }),
    );
    expect(sessions.Items).toEqual([]);

    const newOwner = await registeredResident(account, '1415 999888', `novikova-${account}@example.ru`);
    expect((await newOwner.request('GET', '/api/me')).json.owner).toBe('Новикова Елена Андреевна');
  });
});
