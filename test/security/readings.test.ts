import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { db, tableName } from '#shared/clients/dynamo';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { keys } from '#shared/keys';
import { meterIdOf } from '#shared/readings/meterId';
import { MAX_REPLACEMENTS } from '#shared/readings/store';
import { submitReadings } from '#shared/readings/submitReadings';
import { importRegistry } from '#shared/registry/importRegistry';
import { type Client, startTestGateway } from '#test/support/http';
import { mailedToken, mailsTo } from '#test/support/mail';

/**
 * Readings without logging in, as an attacker used them: one captcha bought a 20-minute ticket
 * good for any number of submissions, and 20 replacements used up the resident's monthly
 * corrections, so the inflated value stayed and became next month's basis. Each case has its own
 * account; the clock is pinned inside the November window (period 2026-11).
 */
const RUN = Date.now();
const NOVEMBER = '2026-11-26T19:30:00+03:00';
const PASSWORD = 'показания без входа под замком';
const ACCOUNTS = [
  'account;owner;passport;address;area;residents',
  '410001;Ершова Вера Павловна;1411 100001;г. Старый Оскол, мкр. Юность, д. 1, кв. 1;45,0;2',
  '410002;Ефимов Олег Петрович;1411 100002;г. Старый Оскол, мкр. Юность, д. 1, кв. 2;45,0;2',
  '410003;Жукова Алла Ивановна;1411 100003;г. Старый Оскол, мкр. Юность, д. 1, кв. 3;45,0;2',
  '410004;Зуев Денис Олегович;1411 100004;г. Старый Оскол, мкр. Юность, д. 1, кв. 4;45,0;2',
  '410005;Иванов Илья Ильич;1411 100005;г. Старый Оскол, мкр. Юность, д. 1, кв. 5;45,0;2',
  '410006;Котова Ирина Львовна;1411 100006;г. Старый Оскол, мкр. Юность, д. 1, кв. 6;45,0;2',
].join('\n');
const METERS = [
  'account;meter;service;reading;verified_until',
  '410001;S1-COLD;cold_water;100;2030-01-31',
  '410002;S2-COLD;cold_water;100;2030-01-31',
  '410003;S3-COLD;cold_water;100;2030-01-31',
  '410004;S4-COLD;cold_water;100;2030-01-31',
  '410005;S5-COLD;cold_water;100;2030-01-31',
  '410005;S5-HOT;hot_water;40;2030-01-31',
  '410006;S6-COLD;cold_water;100;2030-01-31',
].join('\n');
const TARIFFS = [
  'service;unit;price;norm;from',
  'cold_water;м³;35,12;3,8;2025-07',
  'hot_water;м³;214,56;3,01;2025-07',
].join('\n');

let client: Client;

async function captcha(c: Client) {
  const res = await c.request('GET', '/api/captcha');
  expect(res.status).toBe(200);
  return { captchaId: res.json.id as string, captchaAnswer: res.json.answer as string };
}

/** The no-login start: account number and captcha → the pass (the API's `ticket`). */
async function pass(account: string): Promise<string> {
  const guest = client.fork();
  const start = await guest.request('POST', '/api/readings/quick/start', {
    body: { account, ...(await captcha(guest)) },
  });
  expect(start.status, start.text).toBe(200);
  return start.json.ticket as string;
}

const quick = (ticket: string, readings: Array<{ meterId: string; value: string; confirm?: boolean }>) =>
  client.fork().request('POST', '/api/readings/quick', { body: { ticket, readings } });

async function resident(account: string, passport: string, email: string): Promise<Client> {
  const browser = client.fork();
  const registered = await browser.request('POST', '/api/auth/register', {
    body: { account, passport, email, consent: true, ...(await captcha(browser)) },
  });
  expect(registered.status).toBe(202);
  const token = await mailedToken(email, '/confirm');
  const confirmed = await browser.request('POST', '/api/auth/confirm', { body: { token, password: PASSWORD } });
  expect(confirmed.status).toBe(200);
  return browser;
}

async function reading(account: string, serial: string) {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.reading(account, serial, '2026-11'), ConsistentRead: true }),
  );
  return out.Item;
}

beforeAll(async () => {
  process.env[ENV.now] = NOVEMBER;
  resetConfigForTests();
  ({ client } = await startTestGateway());
  for (const [kind, csv] of [
    ['accounts', ACCOUNTS],
    ['meters', METERS],
    ['tariffs', TARIFFS],
  ] as const) {
    expect((await importRegistry(kind, Buffer.from(csv))).errors).toEqual([]);
  }
});

afterAll(async () => {
  delete process.env[ENV.now];
  resetConfigForTests();
  await client.stop();
});

describe('a no-login pass carries one submission', () => {
  it('answers a second use with 401 invalid_ticket and writes nothing', async () => {
    const ticket = await pass('410001');
    const first = await quick(ticket, [{ meterId: meterIdOf('S1-COLD'), value: '103' }]);
    expect(first.status).toBe(201);
    const again = await quick(ticket, [{ meterId: meterIdOf('S1-COLD'), value: '150', confirm: true }]);
    expect(again.status).toBe(401);
    expect(again.json.error.code).toBe('invalid_ticket');
    expect(again.json.error.message).toMatch(/уже переданы/);
    // The same values again are no way around it either.
    const same = await quick(ticket, [{ meterId: meterIdOf('S1-COLD'), value: '103' }]);
    expect(same.status).toBe(401);
    expect(await reading('410001', 'S1-COLD')).toMatchObject({ value: '103.000', source: 'quick', replaced: [] });
  });

  it('is not used up by a refused submission: the confirmation question is answered with the same pass', async () => {
    const ticket = await pass('410002');
    const asked = await quick(ticket, [{ meterId: meterIdOf('S2-COLD'), value: '190' }]);
    expect(asked.status).toBe(422);
    expect(asked.json.error.code).toBe('confirmation_required');
    const confirmed = await quick(ticket, [{ meterId: meterIdOf('S2-COLD'), value: '190', confirm: true }]);
    expect(confirmed.status).toBe(201);
    const reuse = await quick(ticket, [{ meterId: meterIdOf('S2-COLD'), value: '191', confirm: true }]);
    expect(reuse.status).toBe(401);
  });

  it('lets exactly one of two parallel uses through', async () => {
    const ticket = await pass('410003');
    const answers = await Promise.all(
      ['104', '105', '106', '107'].map((value) => quick(ticket, [{ meterId: meterIdOf('S3-COLD'), value }])),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 401, 401, 401]);
    const won = answers.find((a) => a.status === 201);
    const stored = await reading('410003', 'S3-COLD');
    expect(stored).toMatchObject({ value: won?.json.items[0].value, replaced: [] });
  });
});

describe('the resident’s own corrections', () => {
  it('are not used up by no-login submissions, and the resident’s value replaces theirs', async () => {
    const email = `zuev-${RUN}@example.ru`;
    const zuev = await resident('410004', '1411 100004', email);
    // Given more no-login replacements than the corrections limit (an attacker with many captchas)…
    for (let i = 0; i <= MAX_REPLACEMENTS + 1; i++) {
      const value = String(500 + i);
      if (i <= MAX_REPLACEMENTS) {
        await submitReadings('410004', [{ meterId: meterIdOf('S4-COLD'), value, confirm: true }], 'quick');
      } else {
        // …beyond which no-login submissions themselves are refused (the item does not grow forever).
        await expect(
          submitReadings('410004', [{ meterId: meterIdOf('S4-COLD'), value, confirm: true }], 'quick'),
        ).rejects.toMatchObject({ code: 'too_many_changes' });
      }
    }
    expect(await reading('410004', 'S4-COLD')).toMatchObject({
      value: `${500 + MAX_REPLACEMENTS}.000`,
      source: 'quick',
    });
    // …the resident still puts the right value back, lower than the inflated one.
    const fixed = await zuev.request('POST', '/api/readings', {
      body: { readings: [{ meterId: meterIdOf('S4-COLD'), value: '104' }] },
    });
    expect(fixed.status).toBe(201);
    const stored = await reading('410004', 'S4-COLD');
    expect(stored).toMatchObject({ value: '104.000', consumption: '4.000', source: 'web' });
    expect(stored?.replaced).toHaveLength(MAX_REPLACEMENTS + 1);
    // The resident's own corrections are all still there: MAX_REPLACEMENTS of them, then the centre.
    for (let i = 1; i <= MAX_REPLACEMENTS; i++) {
      const own = await zuev.request('POST', '/api/readings', {
        body: { readings: [{ meterId: meterIdOf('S4-COLD'), value: String(104 + i), confirm: true }] },
      });
      expect(own.status, `own correction ${i}`).toBe(201);
    }
    const over = await zuev.request('POST', '/api/readings', {
      body: { readings: [{ meterId: meterIdOf('S4-COLD'), value: '130', confirm: true }] },
    });
    expect(over.status).toBe(422);
    expect(over.json.error.code).toBe('too_many_changes');
    expect(await reading('410004', 'S4-COLD')).toMatchObject({ value: `${104 + MAX_REPLACEMENTS}.000`, source: 'web' });
  });
});

describe('the registered resident is told', () => {
  it('mails what was submitted without login, and when', async () => {
    const email = `ivanov-${RUN}@example.ru`;
    await resident('410005', '1411 100005', email);
    const before = (await mailsTo(email)).length;
    const ticket = await pass('410005');
    const sent = await quick(ticket, [
      { meterId: meterIdOf('S5-COLD'), value: '103,5' },
      { meterId: meterIdOf('S5-HOT'), value: '42' },
    ]);
    expect(sent.status).toBe(201);
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(before + 1);
    const notice = mails.at(-1);
    expect(notice?.subject).toBe('Переданы показания счётчиков без входа в личный кабинет');
    const text = notice?.body.text ?? '';
    expect(text).toContain('лицевому счёту №\u00a0410005');
    expect(text).toContain('26.11.2026 в 19:30 (МСК)');
    expect(text).toContain('ноябрь 2026');
    expect(text).toMatch(/Холодное водоснабжение, счётчик №\u00a0S5-COLD: 103,5/);
    expect(text).toMatch(/счётчик №\u00a0S5-HOT: 42/);
    expect(text).toContain('/readings');
  });

  it('mails nobody for an account without a cabinet, and still accepts the readings', async () => {
    const before = (await (await fetch(`${inject('sesEndpoint')}/store`)).json()) as { emails: unknown[] };
    const sent = await quick(await pass('410006'), [{ meterId: meterIdOf('S6-COLD'), value: '102' }]);
    expect(sent.status).toBe(201);
    const after = (await (await fetch(`${inject('sesEndpoint')}/store`)).json()) as { emails: unknown[] };
    expect(after.emails.length).toBe(before.emails.length);
  });
});
