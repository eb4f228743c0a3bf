import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeGroup } from '#local/lambda';
import { startLocalQueues } from '#local/queue';
import { db, tableName } from '#shared/clients/dynamo';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { keys } from '#shared/keys';
import { meterIdOf } from '#shared/readings/meterId';
import { remindShard } from '#shared/readings/reminders';
import { lastReadingOf, meterReadingsOf } from '#shared/readings/store';
import { submitReadings } from '#shared/readings/submitReadings';
import { importRegistry } from '#shared/registry/importRegistry';
import { setWindow } from '#shared/window/windowStore';
import { type Client, startTestGateway } from '#test/support/http';
import { mailedToken, mailsTo } from '#test/support/mail';
import { readingsCommand } from '../../cli/readingsCommand';

/**
 * Meter readings through the real handlers and the local gateway, against DynamoDB Local and the
 * SES emulator. The clock is pinned (RAC_NOW) to the last week of November 2026: the calendar
 * window (25th–1st) is open and its period is 2026-11. Each test imports the homes it uses
 * (`orlova()`, `zaitsev()`, `lebedeva()`: new accounts with the same meters each time), so its
 * readings are its own and the tests run in any order.
 */
const RUN = Date.now();
/** Three kinds of home; `{a}` is the new account's number. */
const HOMES = {
  // Cold water with three earlier windows at 10 m³ a month, an electricity meter about to roll
  // over, and a gas meter whose verification ended on 20 November.
  orlova: {
    owner: 'Орлова Татьяна Сергеевна;{p};г. Старый Оскол, мкр. Жукова, д. 1, кв. 1;50,0;3',
    meters: [
      '{a};A-COLD;cold_water;100;2030-01-31;2025-01-15',
      '{a};A-HOT;hot_water;50;2030-01-31;2025-01-15',
      '{a};A-EL;electricity;999990;2030-01-31;2025-01-15',
      '{a};A-GAS;gas;10;2026-11-20;2025-01-15',
    ],
  },
  // A hot water meter whose verification ends on 15 December.
  zaitsev: {
    owner: 'Зайцев Павел Андреевич;{p};г. Старый Оскол, мкр. Жукова, д. 2, кв. 2;40,0;2',
    meters: ['{a};B-COLD;cold_water;200;2030-01-31;2025-01-15', '{a};B-HOT;hot_water;10;2026-12-15;2025-01-15'],
  },
  lebedeva: {
    owner: 'Лебедева Нина Ивановна;{p};г. Старый Оскол, мкр. Жукова, д. 3, кв. 3;30,0;1',
    meters: ['{a};C-COLD;cold_water;5;2030-01-31;2025-01-15'],
  },
} as const;
let homes = 0;
const TARIFFS = [
  'service;unit;price;norm;from',
  'cold_water;м³;35,12;3,8;2025-07',
  'hot_water;м³;214,56;3,01;2025-07',
  'electricity;кВт·ч;6,61;88;2025-07',
  'gas;м³;8,9;10;2025-07',
].join('\n');
const PASSWORD = 'счётчик воды на кухне';

const id = meterIdOf;
const NOVEMBER = '2026-11-26T19:30:00+03:00';

function clockAt(iso: string): void {
  process.env[ENV.now] = iso;
  resetConfigForTests();
}

let client: Client;

interface Home {
  account: string;
  email: string;
  /** The resident's browser, logged in (when registered). */
  browser: Client;
}

/** Imports a new home of the kind; registers its resident unless `register` is false. */
async function home(kind: keyof typeof HOMES, options: { register?: boolean } = {}): Promise<Home> {
  homes += 1;
  const account = String(300000 + homes);
  const passport = `14${String(homes).padStart(2, '0')} ${String(111000 + homes)}`;
  const fill = (line: string) => line.replaceAll('{a}', account).replaceAll('{p}', passport);
  const accounts = `account;owner;passport;address;area;residents\n${account};${fill(HOMES[kind].owner)}`;
  const meters = ['account;meter;service;reading;verified_until;installed', ...HOMES[kind].meters.map(fill)];
  expect((await importRegistry('accounts', Buffer.from(accounts))).errors).toEqual([]);
  expect((await importRegistry('meters', Buffer.from(meters.join('\n')))).errors).toEqual([]);
  if (kind === 'orlova') {
    // Three earlier windows of cold water at 10 m³ a month (through the domain, at their dates).
    try {
      for (const [month, value] of [
        ['08', '110'],
        ['09', '120'],
        ['10', '130'],
      ] as const) {
        clockAt(`2026-${month}-27T10:00:00+03:00`);
        await submitReadings(account, [{ meterId: id('A-COLD'), value }], 'web');
      }
    } finally {
      clockAt(NOVEMBER);
    }
  }
  const email = `${kind}-${account}-${RUN}@example.ru`;
  const browser = options.register === false ? client.fork() : await registeredResident(account, passport, email);
  return { account, email, browser };
}

async function captcha(c: Client = client) {
  const res = await c.request('GET', '/api/captcha');
  return { captchaId: res.json.id as string, captchaAnswer: res.json.answer as string };
}

/** Registers through the mailed link: a browser with the resident's session. */
async function registeredResident(account: string, passport: string, email: string): Promise<Client> {
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

const submit = (c: Client, readings: Array<{ meterId: string; value: string; confirm?: boolean }>) =>
  c.request('POST', '/api/readings', { body: { readings } });

async function reading(account: string, serial: string, period = '2026-11') {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.reading(account, serial, period), ConsistentRead: true }),
  );
  return out.Item;
}

async function meterItem(account: string, serial: string) {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.meter(account, serial), ConsistentRead: true }),
  );
  return out.Item;
}

/** The meter's last reading, as the meters page and the banks' check show it: its newest reading item. */
async function lastReading(account: string, serial: string) {
  return lastReadingOf((await meterReadingsOf(account, { consistent: true })).readings.get(serial));
}

async function allReadings(account: string) {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': `ACC#${account}`, ':p': keys.readingPrefix },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

beforeAll(async () => {
  ({ client } = await startTestGateway());
  expect((await importRegistry('tariffs', Buffer.from(TARIFFS))).errors).toEqual([]);
  clockAt(NOVEMBER);
});

afterAll(async () => {
  delete process.env[ENV.now];
  resetConfigForTests();
  await client.stop();
});

describe('the meters page', () => {
  it('needs a session', async () => {
    expect((await client.request('GET', '/api/meters')).status).toBe(401);
    expect((await submit(client, [{ meterId: id('A-COLD'), value: '1' }])).status).toBe(401);
  });

  it('shows the window, the period and every meter with what the page checks as one types', async () => {
    const orlova = (await home('orlova')).browser;
    const res = await orlova.request('GET', '/api/meters');
    expect(res.status).toBe(200);
    expect(res.json.window).toMatchObject({ open: true, period: '2026-11' });
    expect(res.json.window.closesAt).toBe('2026-11-30T21:00:00.000Z');
    const bySerial = Object.fromEntries(res.json.meters.map((m: { serial: string }) => [m.serial, m]));
    expect(Object.keys(bySerial).sort()).toEqual(['A-COLD', 'A-EL', 'A-GAS', 'A-HOT']);
    expect(bySerial['A-COLD']).toMatchObject({
      id: id('A-COLD'),
      service: 'cold_water',
      unit: 'м³',
      decimals: 3,
      digits: 5,
      expired: false,
      lastReading: { value: '130.000', period: '2026-10' },
      basis: '130.000',
      submitted: null,
      usualConsumption: '10',
      expectedConsumption: '10',
    });
    // Without history: the norm (3.8 m³ per resident) times 3 residents.
    expect(bySerial['A-HOT']).toMatchObject({ lastReading: null, basis: '50', usualConsumption: '9.03' });
    expect(bySerial['A-GAS']).toMatchObject({ expired: true, verifiedUntil: '2026-11-20' });
    expect(bySerial['A-EL']).toMatchObject({ decimals: 1, digits: 6 });
  });
});

describe('submitting readings', () => {
  it('accepts "12,5"-style values, stores value and consumption and says so as the seed does', async () => {
    const { account, browser: orlova } = await home('orlova');
    const res = await submit(orlova, [
      { meterId: id('A-COLD'), value: '138,5' },
      { meterId: id('A-HOT'), value: '55.25' },
    ]);
    expect(res.status).toBe(201);
    expect(res.json.message).toBe('Показания успешно переданы');
    expect(res.json.items).toEqual([
      { meterId: id('A-COLD'), period: '2026-11', value: '138.500', consumption: '8.500' },
      { meterId: id('A-HOT'), period: '2026-11', value: '55.250', consumption: '5.250' },
    ]);
    expect(await reading(account, 'A-COLD')).toMatchObject({
      entity: 'reading',
      account,
      serial: 'A-COLD',
      service: 'cold_water',
      period: '2026-11',
      value: '138.500',
      consumption: '8.500',
      previous: '130.000',
      source: 'web',
      replaced: [],
      gsi1pk: keys.readingsOfPeriod('2026-11', account, 'A-COLD').gsi1pk,
    });
    expect(await lastReading(account, 'A-COLD')).toMatchObject({ value: '138.500', period: '2026-11' });
  });

  it('replaces the value on a resubmission in the same window and keeps the replaced one', async () => {
    const { account, browser: orlova } = await home('orlova');
    expect((await submit(orlova, [{ meterId: id('A-COLD'), value: '138,5' }])).status).toBe(201);
    const res = await submit(orlova, [{ meterId: id('A-COLD'), value: '139' }]);
    expect(res.status).toBe(201);
    const item = await reading(account, 'A-COLD');
    expect(item).toMatchObject({ value: '139.000', consumption: '9.000', previous: '130.000' });
    expect(item?.replaced).toEqual([
      { value: '138.500', consumption: '8.500', submittedAt: expect.any(String), source: 'web' },
    ]);
    // A lower correction is fine too: it is compared with the previous period, not the replaced value.
    expect((await submit(orlova, [{ meterId: id('A-COLD'), value: '138,9' }])).status).toBe(201);
    const history = await orlova.request('GET', '/api/readings?from=2026-08&to=2026-11');
    expect(history.status).toBe(200);
    const cold = history.json.items.filter((i: { serial: string }) => i.serial === 'A-COLD');
    expect(cold.map((i: { period: string; value: string }) => [i.period, i.value])).toEqual([
      ['2026-11', '138.900'],
      ['2026-10', '130.000'],
      ['2026-09', '120.000'],
      ['2026-08', '110.000'],
    ]);
    expect(cold[0].replaced.map((r: { value: string }) => r.value)).toEqual(['138.500', '139.000']);
  });

  it('answers the same values again with the same result and no new history', async () => {
    const { account, browser: orlova } = await home('orlova');
    expect((await submit(orlova, [{ meterId: id('A-COLD'), value: '138,9' }])).status).toBe(201);
    const before = await reading(account, 'A-COLD');
    const res = await submit(orlova, [{ meterId: id('A-COLD'), value: '138.900' }]);
    expect(res.status).toBe(201);
    expect(res.json.items[0]).toMatchObject({ value: '138.900', consumption: '8.900' });
    expect(await reading(account, 'A-COLD')).toEqual(before);
    expect(before?.replaced).toEqual([]);
  });

  it('refuses a value below the last accepted one, and changes nothing', async () => {
    const { account, browser: orlova } = await home('orlova');
    const before = await allReadings(account);
    const res = await submit(orlova, [
      { meterId: id('A-HOT'), value: '56' },
      { meterId: id('A-COLD'), value: '125' },
    ]);
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe('reading_decreased');
    expect(res.json.error.message).toMatch(/меньше предыдущего/);
    expect(res.json.error.fields).toEqual({ [id('A-COLD')]: expect.stringContaining('130') });
    expect(await allReadings(account)).toEqual(before);
  });

  it('refuses an expired meter with advice, and the other meters of the page are not written either', async () => {
    const { account, browser: orlova } = await home('orlova');
    const before = await allReadings(account);
    const res = await submit(orlova, [
      { meterId: id('A-HOT'), value: '57' },
      { meterId: id('A-GAS'), value: '20' },
    ]);
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe('verification_expired');
    expect(res.json.error.message).toMatch(/поверк/);
    expect(res.json.error.message).toMatch(/РАЦ/);
    expect(await allReadings(account)).toEqual(before);
  });

  it('answers bad values with Russian reasons per meter: "-3", "1e9", NaN, too many decimals', async () => {
    const { account, browser: orlova } = await home('orlova');
    expect((await submit(orlova, [{ meterId: id('A-COLD'), value: '138,9' }])).status).toBe(201);
    for (const value of ['-3', '1e9', 'NaN', '140,1234']) {
      const res = await submit(orlova, [{ meterId: id('A-COLD'), value }]);
      expect(res.status, value).toBe(400);
      expect(res.json.error.code).toBe('invalid_input');
      expect(res.json.error.fields[id('A-COLD')]).toMatch(/[А-Яа-я]/);
    }
    // A JSON number is read like the same text (contract): a bad one is refused for the same reasons.
    for (const value of [-3, 1e21, 140.1234]) {
      const numeric = await submit(orlova, [{ meterId: id('A-COLD'), value: value as unknown as string }]);
      expect(numeric.status, String(value)).toBe(400);
      expect(numeric.json.error.fields[id('A-COLD')]).toMatch(/[А-Яа-я]/);
    }
    const twice = await submit(orlova, [
      { meterId: id('A-COLD'), value: '140' },
      { meterId: id('A-COLD'), value: '141' },
    ]);
    expect(twice.status).toBe(400);
    expect(await reading(account, 'A-COLD')).toMatchObject({ value: '138.900', replaced: [] });
  });

  it('asks to confirm a roll-over past the counter’s capacity, then accepts it', async () => {
    const { account, browser: orlova } = await home('orlova');
    const asked = await submit(orlova, [{ meterId: id('A-EL'), value: '25' }]);
    expect(asked.status).toBe(422);
    expect(asked.json.error.code).toBe('confirmation_required');
    expect(asked.json.error.fields[id('A-EL')]).toMatch(/через 999\u00a0999/);
    expect(await reading(account, 'A-EL')).toBeUndefined();
    const confirmed = await submit(orlova, [{ meterId: id('A-EL'), value: '25', confirm: true }]);
    expect(confirmed.status).toBe(201);
    expect(await reading(account, 'A-EL')).toMatchObject({ value: '25.0', consumption: '35.0', rollover: true });
  });

  it('asks to confirm a value implying more than three times the usual consumption', async () => {
    const { account, browser: orlova } = await home('orlova');
    const asked = await submit(orlova, [{ meterId: id('A-COLD'), value: '1389' }]);
    expect(asked.status).toBe(422);
    expect(asked.json.error.code).toBe('confirmation_required');
    expect(asked.json.error.message).toMatch(/ — в\u00a0\d+\u00a0раза? больше обычного \(около /);
    expect(await reading(account, 'A-COLD')).toBeUndefined();
  });

  it('refuses everything while the window is closed and says when it opens', async () => {
    const { account, browser: orlova } = await home('orlova');
    expect((await submit(orlova, [{ meterId: id('A-HOT'), value: '55,25' }])).status).toBe(201);
    await setWindow(false, 'operator');
    try {
      const res = await submit(orlova, [{ meterId: id('A-HOT'), value: '60' }]);
      expect(res.status).toBe(409);
      expect(res.json.error.code).toBe('window_closed');
      expect(res.json.error.message).toMatch(/откроется 25\.12\.2026/);
      const page = await orlova.request('GET', '/api/meters');
      expect(page.json.window).toMatchObject({ open: false, period: '2026-12' });
      expect((await reading(account, 'A-HOT'))?.value).toBe('55.250');
    } finally {
      await setWindow(true, 'operator');
    }
  });
});

describe('concurrency', () => {
  it('a double submission (the same request five times at once) leaves one value and one history entry', async () => {
    const { account, browser: orlova } = await home('orlova');
    expect((await submit(orlova, [{ meterId: id('A-HOT'), value: '55,25' }])).status).toBe(201);
    const request = () => submit(orlova, [{ meterId: id('A-HOT'), value: '58,5' }]);
    const answers = await Promise.all([request(), request(), request(), request(), request()]);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    const item = await reading(account, 'A-HOT');
    expect(item).toMatchObject({ value: '58.500', consumption: '8.500' });
    expect(item?.replaced.map((r: { value: string }) => r.value)).toEqual(['55.250']);
    expect((await lastReading(account, 'A-HOT'))?.value).toBe('58.500');
  });

  it('two tabs with different values: the last one wins, the other is kept in the history', async () => {
    const { account, browser: zaitsev } = await home('zaitsev');
    const tab2 = zaitsev.fork();
    tab2.cookies.clear();
    for (const [k, v] of zaitsev.cookies) tab2.cookies.set(k, v);
    const [a, b] = await Promise.all([
      submit(zaitsev, [{ meterId: id('B-COLD'), value: '203' }]),
      submit(tab2, [{ meterId: id('B-COLD'), value: '204' }]),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const item = await reading(account, 'B-COLD');
    const values = [...(item?.replaced ?? []).map((r: { value: string }) => r.value), item?.value].sort();
    expect(values).toEqual(['203.000', '204.000']);
    expect((await lastReading(account, 'B-COLD'))?.value).toBe(item?.value);
  });
});

describe('meter ids of another account', () => {
  it('are not found, and nothing is written for either account', async () => {
    const orlova = await home('orlova');
    const zaitsev = await home('zaitsev', { register: false });
    const before = [await allReadings(orlova.account), await allReadings(zaitsev.account)];
    const foreign = await submit(orlova.browser, [
      { meterId: id('A-HOT'), value: '59' },
      { meterId: id('B-COLD'), value: '300' },
    ]);
    expect(foreign.status).toBe(422);
    expect(foreign.json.error.code).toBe('meter_not_found');
    expect(foreign.json.error.message).toMatch(/не найден/);
    expect(Object.keys(foreign.json.error.fields)).toEqual([id('B-COLD')]);
    const garbage = await submit(orlova.browser, [{ meterId: `../../ACC#${zaitsev.account}`, value: '1' }]);
    expect(garbage.status).toBe(422);
    expect([await allReadings(orlova.account), await allReadings(zaitsev.account)]).toEqual(before);
  });
});

describe('submission without logging in', () => {
  it('needs the captcha, shows meters without personal data, and submits by the ticket', async () => {
    const { account } = await home('lebedeva', { register: false });
    const other = await home('zaitsev', { register: false });
    const guest = client.fork();
    const wrong = await guest.request('POST', '/api/readings/quick/start', {
      body: { account, captchaId: (await captcha(guest)).captchaId, captchaAnswer: '00000' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe('invalid_captcha');

    const unknown = await guest.request('POST', '/api/readings/quick/start', {
      body: { account: '399999', ...(await captcha(guest)) },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('account_not_found');

    const start = await guest.request('POST', '/api/readings/quick/start', {
      body: { account, ...(await captcha(guest)) },
    });
    expect(start.status).toBe(200);
    expect(start.json.meters.map((m: { serial: string }) => m.serial)).toEqual(['C-COLD']);
    expect(start.text).not.toContain('Лебедева');
    expect(start.text).not.toContain('Жукова');
    expect(start.json.window).toMatchObject({ open: true, period: '2026-11' });

    const ok = await guest.request('POST', '/api/readings/quick', {
      body: { ticket: start.json.ticket, readings: [{ meterId: id('C-COLD'), value: '8,5' }] },
    });
    expect(ok.status).toBe(201);
    expect(ok.json.message).toBe('Показания успешно переданы');
    expect(await reading(account, 'C-COLD')).toMatchObject({ value: '8.500', consumption: '3.500', source: 'quick' });

    // The ticket carried its one submission.
    const again = await guest.request('POST', '/api/readings/quick', {
      body: { ticket: start.json.ticket, readings: [{ meterId: id('C-COLD'), value: '9' }] },
    });
    expect(again.status).toBe(401);
    expect(again.json.error.code).toBe('invalid_ticket');

    // A ticket is bound to its account: another account's meter is not found.
    const next = await guest.request('POST', '/api/readings/quick/start', {
      body: { account, ...(await captcha(guest)) },
    });
    expect(next.status).toBe(200);
    const foreign = await guest.request('POST', '/api/readings/quick', {
      body: { ticket: next.json.ticket, readings: [{ meterId: id('B-COLD'), value: '900' }] },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.json.error.code).toBe('meter_not_found');

    // A forged ticket, or one that has expired, is refused.
    const [head, payload, signature] = String(start.json.ticket).split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), sub: other.account }),
    ).toString('base64url');
    const forged = await guest.request('POST', '/api/readings/quick', {
      body: { ticket: `${head}.${forgedPayload}.${signature}`, readings: [{ meterId: id('B-COLD'), value: '900' }] },
    });
    expect(forged.status).toBe(401);
    expect(forged.json.error.code).toBe('invalid_ticket');
    clockAt('2026-11-26T19:51:00+03:00');
    try {
      // Unused (the refused foreign submission did not use it), but expired.
      const late = await guest.request('POST', '/api/readings/quick', {
        body: { ticket: next.json.ticket, readings: [{ meterId: id('C-COLD'), value: '9' }] },
      });
      expect(late.status).toBe(401);
    } finally {
      clockAt(NOVEMBER);
    }
    expect(await allReadings(other.account)).toEqual([]);
    expect((await reading(account, 'C-COLD'))?.value).toBe('8.500');
  });
});

describe('scheduled mail', () => {
  it('reminds opted-in residents once per window, not those who opted out, one queue message per shard', async () => {
    const orlova = await home('orlova');
    const zaitsev = await home('zaitsev');
    const optOut = await zaitsev.browser.request('PATCH', '/api/profile', { body: { remindersOptIn: false } });
    expect(optOut.status).toBe(200);
    const queues = startLocalQueues({ concurrency: 2, log: () => undefined });
    try {
      const first = await invokeGroup('readingMail', { job: 'readings.remind' });
      expect(first).toEqual({ period: '2026-11', shards: keys.reminderShards().length });
      await queues.drain();
      await invokeGroup('readingMail', { job: 'readings.remind' });
      await queues.drain();
      expect(queues.deadLetters).toEqual([]);
      expect(queues.delivered()).toBe(2 * keys.reminderShards().length);
    } finally {
      queues.stop();
    }
    const mails = await mailsTo(orlova.email);
    const reminders = mails.filter((m) => m.subject === 'Открыт приём показаний счётчиков');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.body.text).toContain('ноябрь 2026');
    expect(reminders[0]?.body.text).toContain(orlova.account);
    expect(reminders[0]?.body.text).toContain('30.11.2026');
    expect(reminders[0]?.body.text).toContain('/readings');
    const zaitsevMails = await mailsTo(zaitsev.email);
    expect(zaitsevMails.filter((m) => m.subject.includes('приём показаний'))).toEqual([]);
  });

  it('continues a shard in a new queue message when its invocation runs out of time', async () => {
    const queues = startLocalQueues({ concurrency: 1, log: () => undefined });
    try {
      const shard = keys.reminderShards()[0] as string;
      const message = { type: 'remindShard' as const, shard, period: '2026-11', closesAt: '2026-11-30T21:00:00.000Z' };
      const run = await remindShard(message, { deadline: 0 });
      expect(run).toMatchObject({ sent: 0, unfinished: true });
      await queues.drain();
      expect(queues.delivered()).toBe(1);
      expect(queues.deadLetters).toEqual([]);
    } finally {
      queues.stop();
    }
  });

  it('warns a month before a meter’s verification ends, once per meter and date', async () => {
    const orlova = await home('orlova', { register: false });
    const zaitsev = await home('zaitsev');
    await invokeGroup('readingMail', { job: 'readings.verificationWarnings' });
    await invokeGroup('readingMail', { job: 'readings.verificationWarnings' });
    const warnings = (await mailsTo(zaitsev.email)).filter((m) => m.subject.includes('поверки'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.body.text).toContain('B-HOT');
    expect(warnings[0]?.body.text).toContain('15.12.2026');
    expect((await meterItem(zaitsev.account, 'B-HOT'))?.verificationWarnedFor).toBe('2026-12-15');
    // A meter already expired, or far from its date, is not warned about.
    expect((await meterItem(orlova.account, 'A-GAS'))?.verificationWarnedFor).toBeUndefined();
    expect((await meterItem(zaitsev.account, 'B-COLD'))?.verificationWarnedFor).toBeUndefined();
  });
});

describe('export for the centre', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rac-export-'));
  /** The rows of the export file that belong to the given accounts (other tests' homes share the table). */
  const rowsOf = (file: string, accounts: string[]) =>
    readFileSync(file)
      .toString('utf8')
      .slice(1)
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(';'))
      .filter((r) => accounts.includes(r[0] as string));

  it('writes the period’s accepted readings as CSV (UTF-8 with BOM, «;», decimal commas)', async () => {
    const orlova = await home('orlova');
    const lebedeva = await home('lebedeva', { register: false });
    expect((await submit(orlova.browser, [{ meterId: id('A-COLD'), value: '138,5' }])).status).toBe(201);
    const page = [
      { meterId: id('A-COLD'), value: '138,9' },
      { meterId: id('A-HOT'), value: '58,5' },
      { meterId: id('A-EL'), value: '25', confirm: true },
    ];
    expect((await submit(orlova.browser, page)).status).toBe(201);
    await submitReadings(lebedeva.account, [{ meterId: id('C-COLD'), value: '8,5' }], 'quick');

    const file = path.join(dir, `readings-2026-11-${orlova.account}.csv`);
    const run = await readingsCommand(['export', '--period', '2026-11', file]);
    const result = await run();
    expect(result.exitCode).toBe(0);
    expect(result.lines[0]).toContain('ноябрь 2026');
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8').slice(1).split('\r\n')[0]).toBe(
      'account;meter;service;period;value;consumption;submitted_at;source',
    );
    const rows = rowsOf(file, [orlova.account, lebedeva.account]);
    // One row per meter: the accepted value only, replaced ones are history.
    expect(rows.map((r) => `${r[0]}/${r[1]}`)).toEqual([
      `${orlova.account}/A-COLD`,
      `${orlova.account}/A-EL`,
      `${orlova.account}/A-HOT`,
      `${lebedeva.account}/C-COLD`,
    ]);
    expect(rows[0]).toEqual([
      orlova.account,
      'A-COLD',
      'cold_water',
      '2026-11',
      '138,900',
      '8,900',
      expect.stringMatching(/^2026-11-26T19:30:00\+03:00$/),
      'web',
    ]);
    expect(rows[1]?.slice(4, 6)).toEqual(['25,0', '35,0']);
    expect(rows[3]?.[7]).toBe('quick');
    // Earlier periods are not in November's file, and November's are not in October's.
    const october = path.join(dir, `readings-2026-10-${orlova.account}.csv`);
    await (await readingsCommand(['export', '--period', '2026-10', october]))();
    expect(rowsOf(october, [orlova.account, lebedeva.account]).map((r) => r.slice(0, 5))).toEqual([
      [orlova.account, 'A-COLD', 'cold_water', '2026-10', '130,000'],
    ]);
  });

  it('writes Windows-1251 on request, and refuses a wrong command line before touching anything', async () => {
    const { browser } = await home('orlova');
    expect((await submit(browser, [{ meterId: id('A-COLD'), value: '138,9' }])).status).toBe(201);
    const utf8 = path.join(dir, 'utf8.csv');
    const file = path.join(dir, 'cp1251.csv');
    await (await readingsCommand(['export', '--period', '2026-11', utf8]))();
    await (await readingsCommand(['export', '--period', '2026-11', '--encoding', 'cp1251', file]))();
    const bytes = readFileSync(file);
    expect(bytes[0]).toBe(0x61); // "a" of "account": no BOM
    // The same rows as the UTF-8 file, in the other encoding.
    expect(iconv.decode(bytes, 'win1251')).toBe(readFileSync(utf8, 'utf8').slice(1));
    expect(iconv.decode(bytes, 'win1251')).toContain(';A-COLD;cold_water;2026-11;138,900;');
    const written = readFileSync(file);
    await expect(readingsCommand(['export', file])).rejects.toThrow(/--period/);
    await expect(readingsCommand(['export', '--period', '2026-13', file])).rejects.toThrow(/--period/);
    await expect(readingsCommand(['export', '--period', '2026-11', '--encoding', 'koi8', file])).rejects.toThrow(
      /cp1251/,
    );
    expect(readFileSync(file)).toEqual(written);
  });
});
