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

const ACCOUNTS = [
  'account;owner;passport;address;area;residents',
  '200001;Иванова Мария Петровна;1405 123456;г. Старый Оскол, мкр. Жукова, д. 12, кв. 45;54,3;3',
  '200002;Петров Сергей Николаевич;1407 654321;г. Старый Оскол, мкр. Олимпийский, д. 6, кв. 112;67,8;4',
  '200003;Сидоренко Анна Викторовна;1410 246810;г. Старый Оскол, мкр. Макаренко, д. 3, кв. 7;38,1;1',
  '200004;Кузнецов Алексей Дмитриевич;1403 112233;г. Старый Оскол, ул. Ленина, д. 41, кв. 3;45,0;2',
].join('\n');

let client: Client;

const captcha = (c: Client = client) => captchaFor(c);
const register = (account: string, passport: string, email: string, c: Client = client) =>
  registerWith(c, account, passport, email);
const registeredResident = (account: string, passport: string, email: string) =>
  registeredWith(client, account, passport, email);

beforeAll(async () => {
  ({ client } = await startTestGateway());
  const report = await importRegistry('accounts', Buffer.from(ACCOUNTS));
  expect(report.errors).toEqual([]);
});
afterAll(() => client.stop());

describe('registration', () => {
  it('mails a single-use link; the link sets the password and opens a session', async () => {
    const email = 'ivanova@example.ru';
    const res = await register('200001', '14 05 123456', email);
    expect(res.status).toBe(202);
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain('Регистрация');
    expect(mails[0]?.body.text).not.toMatch(/пароль:\s*\S/i);

    const token = await mailedToken(email, '/confirm');
    const browser = client.fork();
    const confirmed = await browser.request('POST', '/api/auth/confirm', { body: { token, password: PASSWORD } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toEqual({ account: '200001', owner: 'Иванова Мария Петровна' });
    const cookie = confirmed.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(/^__Host-rac_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);

    const me = await browser.request('GET', '/api/me');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({
      account: '200001',
      owner: 'Иванова Мария Петровна',
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
    const res = await register('200001', '1405123456', 'someone-else@example.ru');
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('already_registered');
    expect(res.json.error.message).toContain('Учётная запись с такими данными уже существует');
    expect(res.json.error.message).toContain('паспорт');
    expect(await mailsTo('someone-else@example.ru')).toEqual([]);
  });

  it('does not say which field was wrong', async () => {
    const wrongPassport = await register('200002', '1407 000000', 'x1@example.ru');
    const unknownAccount = await register('299999', '1407 654321', 'x2@example.ru');
    for (const res of [wrongPassport, unknownAccount]) {
      expect(res.status).toBe(422);
      expect(res.json.error.code).toBe('data_mismatch');
    }
    expect(wrongPassport.json.error.message).toBe(unknownAccount.json.error.message);
    expect(await mailsTo('x1@example.ru')).toEqual([]);
  });

  it('refuses a wrong or reused captcha with no side effect', async () => {
    const { captchaId, captchaAnswer } = await captcha();
    const wrong = await client.request('POST', '/api/auth/register', {
      body: {
        account: '200002',
        passport: '1407 654321',
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
        account: '200002',
        passport: '1407 654321',
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
    const email = 'petrov@example.ru';
    expect((await register('200002', '1407 654321', email)).status).toBe(202);
    const token = await mailedToken(email, '/confirm');
    for (const password of ['password123', 'qwertyuiop', 'мой200002пароль']) {
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
    const [profile, credentials] = await Promise.all([
      db().send(new GetCommand({ TableName: tableName(), Key: { pk: 'ACC#200001', sk: 'PROFILE' } })),
      db().send(new GetCommand({ TableName: tableName(), Key: { pk: 'ACC#200001', sk: 'CREDENTIALS' } })),
    ]);
    const stored = JSON.stringify([profile.Item, credentials.Item]);
    expect(stored).not.toContain('123456');
    expect(stored).not.toContain(PASSWORD);
    expect(credentials.Item?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});

describe('sessions', () => {
  it('login, logout and a dead cookie afterwards', async () => {
    const browser = client.fork();
    const bad = await browser.request('POST', '/api/auth/login', {
      body: { account: '200001', password: 'wrong password' },
    });
    expect(bad.status).toBe(401);
    expect(bad.json.error.code).toBe('invalid_credentials');
    const ok = await browser.request('POST', '/api/auth/login', { body: { account: '200001', password: PASSWORD } });
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
    const browser = client.fork();
    await browser.request('POST', '/api/auth/login', { body: { account: '200001', password: PASSWORD } });
    const jwt = browser.cookies.get('__Host-rac_session') ?? '';
    const [header, payload, signature] = jwt.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: '200002' })).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${forgedPayload}.`;
    for (const cookie of [`${header}.${forgedPayload}.${signature}`, none, 'garbage', `${jwt}x`]) {
      const forged = client.fork();
      forged.cookies.set('__Host-rac_session', cookie);
      expect((await forged.request('GET', '/api/me')).status).toBe(401);
    }
  });

  it('refuses cookie-authenticated writes without X-Requested-With', async () => {
    const browser = client.fork();
    await browser.request('POST', '/api/auth/login', { body: { account: '200001', password: PASSWORD } });
    const res = await browser.request('PATCH', '/api/profile', {
      body: { phone: '+7 900 000-00-00' },
      headers: { 'x-requested-with': '' },
    });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('csrf');
    expect((await browser.request('GET', '/api/profile')).json.phone).toBeNull();
  });

  it('asks for a captcha after failures, locks briefly after many, and never enumerates', async () => {
    const attacker = client.fork();
    const answers: number[] = [];
    for (let i = 0; i < 3; i++) {
      answers.push(
        (await attacker.request('POST', '/api/auth/login', { body: { account: '200003', password: `guess ${i}` } }))
          .status,
      );
    }
    expect(answers).toEqual([401, 401, 401]);
    const needCaptcha = await attacker.request('POST', '/api/auth/login', {
      body: { account: '200003', password: 'guess' },
    });
    expect(needCaptcha.status).toBe(428);
    expect(needCaptcha.json.error.code).toBe('captcha_required');
    for (let i = 3; i < 10; i++) {
      const res = await attacker.request('POST', '/api/auth/login', {
        body: { account: '200003', password: `guess ${i}`, ...(await captcha(attacker)) },
      });
      expect(res.status).toBe(401);
    }
    const locked = await attacker.request('POST', '/api/auth/login', {
      body: { account: '200003', password: 'guess', ...(await captcha(attacker)) },
    });
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe('too_many_attempts');
    expect(locked.json.error.message).toMatch(/мин/);

    // An account that does not exist and one without a cabinet answer exactly like a wrong password.
    const unknown = await client
      .fork()
      .request('POST', '/api/auth/login', { body: { account: '299998', password: 'x' } });
    const unregistered = await client
      .fork()
      .request('POST', '/api/auth/login', { body: { account: '200004', password: 'x' } });
    expect(unknown.status).toBe(401);
    expect(unknown.json).toEqual(unregistered.json);
    expect(unknown.json).toEqual({
      error: { code: 'invalid_credentials', message: 'Неверный номер лицевого счёта или пароль.' },
    });
  });
});

describe('password recovery and change', () => {
  it('recovery answers alike; the mailed link resets the password and ends other sessions', async () => {
    const email = 'sidorenko@example.ru';
    const first = await registeredResident('200003', '1410 246810', email);
    // 200003 was locked by the previous test's attacker; recovery does not depend on it.
    const wrongEmail = await client.request('POST', '/api/auth/recover', {
      body: { account: '200003', email: 'other@example.ru', ...(await captcha()) },
    });
    const unknown = await client.request('POST', '/api/auth/recover', {
      body: { account: '299997', email, ...(await captcha()) },
    });
    const right = await client.request('POST', '/api/auth/recover', {
      body: { account: '200003', email, ...(await captcha()) },
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
      body: { account: '200003', password: 'новый пароль для Сидоренко' },
    });
    expect(login.status).toBe(200);
  });

  it('changing the password needs the old one and ends the other sessions', async () => {
    const email = 'kuznetsov@example.ru';
    const tab = await registeredResident('200004', '1403 112233', email);
    const phone = client.fork();
    await phone.request('POST', '/api/auth/login', { body: { account: '200004', password: PASSWORD } });
    const wrong = await tab.request('POST', '/api/profile/password', {
      body: { oldPassword: 'not it', newPassword: 'совсем другой пароль', ...(await captcha()) },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.code).toBe('wrong_password');
    const before = tab.cookies.get('__Host-rac_session');
    const ok = await tab.request('POST', '/api/profile/password', {
      body: { oldPassword: PASSWORD, newPassword: 'совсем другой пароль', ...(await captcha()) },
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
    const browser = client.fork();
    await browser.request('POST', '/api/auth/login', { body: { account: '200001', password: PASSWORD } });
    const noPassword = await browser.request('POST', '/api/profile/email', {
      body: { email: 'Maria.Ivanova@Example.ru' },
    });
    expect(noPassword.status).toBe(401);
    expect(noPassword.json.error).toMatchObject({
      code: 'invalid_credentials',
      fields: { currentPassword: 'Текущий пароль введён неверно' },
    });
    const undo = await tokenMailedBy('ivanova@example.ru', '/email-undo', async () => {
      const req = await browser.request('POST', '/api/profile/email', {
        body: { email: 'Maria.Ivanova@Example.ru', currentPassword: PASSWORD },
      });
      expect(req.status).toBe(202);
    });
    expect(undo).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const notice = (await mailsTo('ivanova@example.ru')).at(-1);
    expect(notice?.subject).toBe('Смена адреса электронной почты личного кабинета');
    expect(notice?.body.text).toContain('на maria.ivanova@example.ru');
    expect(notice?.body.text).toMatch(/Ссылка действует 7 дней/);
    expect((await browser.request('GET', '/api/profile')).json).toMatchObject({
      email: 'ivanova@example.ru',
      pendingEmail: 'maria.ivanova@example.ru',
    });
    const token = await mailedToken('maria.ivanova@example.ru', '/email-confirm');
    expect((await client.request('POST', '/api/profile/email/confirm', { body: { token } })).status).toBe(200);
    expect((await browser.request('GET', '/api/profile')).json).toMatchObject({
      email: 'maria.ivanova@example.ru',
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
    const browser = client.fork();
    await browser.request('POST', '/api/auth/login', { body: { account: '200001', password: PASSWORD } });
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
    expect(mail?.body.text).toContain('200001 (житель вошёл в личный кабинет)');

    const guest = client.fork();
    const noCaptcha = await guest.request('POST', '/api/support', {
      body: { account: '200001', name: 'Кто-то', email: 'guest@example.ru', message: 'Вопрос без капчи' },
    });
    expect(noCaptcha.status).toBe(400);
    expect(noCaptcha.json.error.code).toBe('invalid_captcha');
    const guestTicket = await guest.request('POST', '/api/support', {
      body: {
        account: '200001',
        name: 'Кто-то',
        email: 'guest@example.ru',
        message: 'Вопрос гостя',
        ...(await captcha()),
      },
    });
    expect(guestTicket.status).toBe(201);

    const mine = await browser.request('GET', '/api/support');
    expect(mine.json.items.map((t: { id: string }) => t.id)).toEqual([created.json.id]);
    expect(mine.json.items[0]).toMatchObject({ topic: 'close_cabinet', status: 'new' });
    expect((await guest.request('GET', '/api/support')).status).toBe(401);
  });
});

describe('ownership transfer (переоформление ЛС)', () => {
  it('ends the previous owner’s access and lets the new owner register', async () => {
    const previous = client.fork();
    const login = await previous.request('POST', '/api/auth/login', {
      body: { account: '200002', password: PASSWORD },
    });
    expect(login.status).toBe(200);
    const transfer = ACCOUNTS.split('\n')
      .filter((l, i) => i === 0 || l.startsWith('200002'))
      .join('\n')
      .replace('Петров Сергей Николаевич;1407 654321', 'Новикова Елена Андреевна;1415 999888');
    expect((await importRegistry('accounts', Buffer.from(transfer))).errors).toEqual([]);

    expect((await previous.request('GET', '/api/me')).status).toBe(401);
    const oldLogin = await client
      .fork()
      .request('POST', '/api/auth/login', { body: { account: '200002', password: PASSWORD } });
    expect(oldLogin.status).toBe(401);
    const sessions = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':pk': 'ACC#200002', ':s': 'SESSION#' },
      }),
    );
    expect(sessions.Items).toEqual([]);

    const newOwner = await registeredResident('200002', '1415 999888', 'novikova@example.ru');
    expect((await newOwner.request('GET', '/api/me')).json.owner).toBe('Новикова Елена Андреевна');
  });
});
