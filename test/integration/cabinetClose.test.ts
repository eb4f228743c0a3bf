import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCabinet } from '#shared/accounts/store';
import { importRegistry } from '#shared/registry/importRegistry';
import { findTicket } from '#shared/support/operator';
import { runCli } from '#test/support/cli';
import { type Client, startTestGateway } from '#test/support/http';
import { mailsTo } from '#test/support/mail';
import { loggedIn, PASSWORD, registeredResident, resetToken } from '#test/support/residents';

/**
 * `npm run rac -- cabinet close ACCOUNT`: a resident's request to close the cabinet, carried out by
 * the operator. Everything that opened the cabinet ends; the account stays and can register anew.
 */

const ACCOUNTS = [
  'account;owner;passport;address;area;residents',
  '400001;Иванова Мария Петровна;1405 400001;г. Старый Оскол, мкр. Жукова, д. 12, кв. 45;54,3;3',
  '400002;Петров Сергей Николаевич;1407 400002;г. Старый Оскол, мкр. Олимпийский, д. 6, кв. 112;67,8;4',
  '400003;Сидоренко Анна Викторовна;1410 400003;г. Старый Оскол, мкр. Макаренко, д. 3, кв. 7;38,1;1',
].join('\n');

let client: Client;

beforeAll(async () => {
  ({ client } = await startTestGateway());
  const report = await importRegistry('accounts', Buffer.from(ACCOUNTS));
  expect(report.errors).toEqual([]);
});
afterAll(() => client.stop());

async function closingRequest(resident: Client, email: string): Promise<string> {
  const res = await resident.request('POST', '/api/support', {
    body: { name: 'Житель', email, topic: 'close_cabinet', message: 'Прошу закрыть личный кабинет: переезжаю.' },
  });
  expect(res.status).toBe(201);
  return res.json.id as string;
}

describe('cabinet close', () => {
  it('ends sessions, the password and mailed links, mails a notice, closes the request; the account registers again', async () => {
    const email = 'close1@example.ru';
    const phone = await registeredResident(client, '400001', '1405 400001', email);
    const laptop = await loggedIn(client, '400001');
    const ticket = await closingRequest(phone, email);
    const oldLink = await resetToken(client, '400001', email);

    const run = await runCli(['cabinet', 'close', '400001', '--ticket', ticket]);
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toContain(`Личный кабинет лицевого счёта 400001 закрыт`);
    expect(run.stdout).toContain(`Обращение № ${ticket} закрыто`);

    for (const browser of [phone, laptop]) {
      const me = await browser.request('GET', '/api/me');
      expect(me.status).toBe(401);
      expect(me.json.error.code).toBe('unauthorized');
    }
    const login = await client
      .fork()
      .request('POST', '/api/auth/login', { body: { account: '400001', password: PASSWORD } });
    expect(login.status).toBe(401);
    expect(login.json.error.code).toBe('invalid_credentials');
    const reset = await client.fork().request('POST', '/api/auth/reset', {
      body: { token: oldLink, password: 'новый пароль после закрытия' },
    });
    expect(reset.status).toBe(400);
    expect(reset.json.error.code).toBe('invalid_token');

    const notice = (await mailsTo(email)).find((m) => m.subject === 'Личный кабинет закрыт');
    expect(notice?.body.text).toContain('лицевого счёта №\u00a0400001 закрыт');
    expect(notice?.body.text).toContain('/register');
    expect((await findTicket(ticket)).status).toBe('closed');
    expect(await getCabinet('400001')).toBeUndefined();

    // The account itself stays: it registers again, as a new cabinet without the old threads.
    const again = await registeredResident(client, '400001', '1405 400001', 'close1-new@example.ru');
    expect((await again.request('GET', '/api/me')).json).toMatchObject({
      account: '400001',
      email: 'close1-new@example.ru',
    });
    expect((await again.request('GET', '/api/support')).json.items).toEqual([]);
  }, 90_000);

  it('closes nothing for an account without a cabinet, or with a ticket of another account', async () => {
    const none = await runCli(['cabinet', 'close', '400003']);
    expect(none.code).toBe(4);
    expect(none.stdout).toContain('нет личного кабинета');

    const email = 'close2@example.ru';
    const resident = await registeredResident(client, '400002', '1407 400002', email);
    const other = await registeredResident(client, '400003', '1410 400003', 'close3@example.ru');
    const foreign = await closingRequest(other, 'close3@example.ru');
    const wrong = await runCli(['cabinet', 'close', '400002', '--ticket', foreign]);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('не относится к лицевому счёту 400002');
    expect((await resident.request('GET', '/api/me')).status).toBe(200);
    expect((await findTicket(foreign)).status).toBe('open');

    expect((await runCli(['cabinet', 'close', '4000'])).code).toBe(2);
  }, 90_000);
});
