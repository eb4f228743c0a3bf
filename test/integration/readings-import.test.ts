import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db, tableName } from '#shared/clients/dynamo';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { keys } from '#shared/keys';
import { importReadings } from '#shared/readings/import';
import { meterIdOf } from '#shared/readings/meterId';
import { importRegistry } from '#shared/registry/importRegistry';
import { resetWindowCacheForTests } from '#shared/window/windowStore';
import { runCli } from '#test/support/cli';
import { readingsRev } from '#test/support/fixtures';
import { type Client, startTestGateway } from '#test/support/http';
import { mailedToken } from '#test/support/mail';

/**
 * `npm run rac -- import readings FILE` against DynamoDB Local: the previous system's history and
 * the centre's own readings (paper, phone, controllers) through the portal's rules, with the
 * window closed; and `POST /api/readings` taking the value as a JSON number. The clock is pinned
 * per test (RAC_NOW); each test has its own accounts, so none depends on another's data.
 */
const RUN = Date.now();
const ACCOUNTS = [
  'account;owner;passport;address;area;residents',
  '400001;Орлова Татьяна Сергеевна;1401 411111;г. Старый Оскол, мкр. Жукова, д. 1, кв. 1;50,0;3',
  '400002;Зайцев Павел Андреевич;1402 422222;г. Старый Оскол, мкр. Жукова, д. 2, кв. 2;40,0;2',
  '400003;Лебедева Нина Ивановна;1403 433333;г. Старый Оскол, мкр. Жукова, д. 3, кв. 3;30,0;1',
  '400004;Гусев Олег Петрович;1404 444444;г. Старый Оскол, мкр. Жукова, д. 4, кв. 4;44,0;2',
  '400005;Титова Вера Павловна;1405 455555;г. Старый Оскол, мкр. Жукова, д. 5, кв. 5;55,0;2',
].join('\n');
const METERS = [
  'account;meter;service;reading;verified_until;installed',
  '400001;H-COLD;cold_water;100;2030-12-31;2025-01-15',
  '400001;H-EL;electricity;999990;2030-12-31;2025-01-15',
  '400002;B-COLD;cold_water;50;2030-12-31;2025-01-15',
  '400002;B-GAS;gas;10;2026-08-31;2025-01-15',
  '400003;P-COLD;cold_water;10;2030-12-31;2025-01-15',
  '400004;I-COLD;cold_water;0;2030-12-31;2026-09-15',
  '400005;W-COLD;cold_water;20;2030-12-31;2025-01-15',
].join('\n');
const TARIFFS = ['service;unit;price;norm;from', 'cold_water;м³;35,12;3,8;2025-07', 'gas;м³;8,9;10;2025-07'].join('\n');

/** Mid-November: the reading window (25th–1st) is closed; imports do not need it. */
const CLOSED_WINDOW = '2026-11-10T12:00:00+03:00';

function clockAt(iso: string): void {
  process.env[ENV.now] = iso;
  resetConfigForTests();
  resetWindowCacheForTests();
}

const csv = (...lines: string[]) => Buffer.from(`\ufeff${lines.join('\r\n')}\r\n`, 'utf8');

async function readingsOf(account: string, serial: string) {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': `ACC#${account}`, ':p': `${keys.readingPrefix}${serial}#` },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

let client: Client;

beforeAll(async () => {
  ({ client } = await startTestGateway());
  for (const [kind, text] of [
    ['accounts', ACCOUNTS],
    ['meters', METERS],
    ['tariffs', TARIFFS],
  ] as const) {
    const report = await importRegistry(kind, Buffer.from(text));
    expect(report.errors).toEqual([]);
  }
});

afterAll(async () => {
  delete process.env[ENV.now];
  resetConfigForTests();
  await client.stop();
});

describe('import readings', () => {
  it('loads a history from the previous system (Windows-1251) with the window closed, in month order, once', async () => {
    clockAt(CLOSED_WINDOW);
    // Rows out of order on purpose: each meter's months are taken oldest first.
    const file = iconv.encode(
      [
        'account;meter;period;value;date;source',
        '400001;H-COLD;2026-08;121,5;2026-08-26;прежняя система',
        '400001;H-COLD;2026-06;110;2026-06-25;',
        '400001;H-COLD;2026-07;115,25;;legacy',
        '400001;H-EL;2026-10;25;2026-10-28;controller',
      ].join('\r\n'),
      'win1251',
    );
    const report = await importReadings(file);
    expect(report).toMatchObject({ total: 4, loaded: 4, unchanged: 0, errors: [], encoding: 'windows-1251' });
    // A roll-over is taken (the centre saw the counter) and named for a second look.
    expect(report.warnings).toEqual([{ line: 5, reason: expect.stringContaining('перешёл через ноль') }]);

    const cold = await readingsOf('400001', 'H-COLD');
    expect(cold.map((r) => [r.period, r.value, r.previous, r.consumption, r.source])).toEqual([
      ['2026-06', '110.000', '100', '10.000', 'legacy'],
      ['2026-07', '115.250', '110.000', '5.250', 'legacy'],
      ['2026-08', '121.500', '115.250', '6.250', 'legacy'],
    ]);
    // The reading's date, noon Moscow time; without a date, the month's last day has passed: the import's time.
    expect(cold[0]?.submittedAt).toBe('2026-06-25T09:00:00.000Z');
    expect(cold[0]?.gsi1pk).toBe(keys.readingsOfPeriod('2026-06', '400001', 'H-COLD').gsi1pk);
    const electricity = await readingsOf('400001', 'H-EL');
    expect(electricity[0]).toMatchObject({ value: '25.0', consumption: '35.0', rollover: true, source: 'controller' });
    expect(cold.at(-1)).toMatchObject({ value: '121.500', period: '2026-08' });
    const rev = await readingsRev('400001');
    expect(rev).toBe(4);

    // The same file again: every row is already there, nothing is written.
    const again = await importReadings(file);
    expect(again).toMatchObject({ total: 4, loaded: 0, unchanged: 4, errors: [], warnings: [] });
    expect(await readingsOf('400001', 'H-COLD')).toEqual(cold);
    expect(await readingsRev('400001')).toBe(rev);
  });

  it('names every bad row by line and reason, loads the good ones, and the CLI exits 1', async () => {
    clockAt(CLOSED_WINDOW);
    const dir = mkdtempSync(path.join(tmpdir(), 'rac-readings-'));
    const file = path.join(dir, 'readings.csv');
    writeFileSync(
      file,
      csv(
        'account;meter;period;value;date',
        '400002;B-COLD;2026-09;60;2026-09-25', // 2: good
        '400002;B-COLD;2026-10;55;2026-10-25', // 3: below 60 and no roll-over
        '400002;B-COLD;2026-08;58;2026-08-25', // 4: good: an earlier month of the file is taken first
        '400002;B-COLD;2026-12;70;', // 5: a month to come
        '400002;B-GAS;2026-09;12;2026-09-20', // 6: verification ended 2026-08-31
        '400002;B-GAS;2026-08;11,5;2026-08-20', // 7: good (before the verification ended)
        '400002;NO-SUCH;2026-09;1;', // 8: not a meter of this account
        '499999;X;2026-09;1;', // 9: no such account
        '400002;B-COLD;2026-11;-3;', // 10: a sign
        '400002;B-GAS;2026-10;12;2026-07-01', // 11: a date outside the month
        '400002;B-COLD;2026-09;61;', // 12: the same meter-month again
        '400002;B-COLD;2026-13;1;', // 13: not a month
      ),
    );
    const run = await runCli(['import', 'readings', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Записей в файле: 12; загружено: 3; без изменений: 0; отклонено: 9');
    const reasons = Object.fromEntries(
      [...run.stdout.matchAll(/строка (\d+): (.+)/g)].map((m) => [Number(m[1]), m[2] as string]),
    );
    expect(Object.keys(reasons).map(Number)).toEqual([3, 5, 6, 8, 9, 10, 11, 12, 13]);
    expect(reasons[3]).toMatch(/^value — Показание меньше предыдущего \(60,000 м³\)/);
    expect(reasons[5]).toMatch(/^period — декабрь 2026 ещё не наступил/);
    expect(reasons[6]).toMatch(/^meter — Срок поверки счётчика истёк 31\.08\.2026/);
    expect(reasons[8]).toBe('meter — счётчика NO-SUCH нет в лицевом счёте 400002');
    expect(reasons[9]).toBe('account — лицевой счёт 499999 не найден');
    expect(reasons[10]).toBe('value — Показание не может быть отрицательным.');
    expect(reasons[11]).toMatch(/^date — показание за октябрь 2026 снимают в этом месяце или в начале следующего/);
    expect(reasons[12]).toBe('показание этого счётчика за этот месяц уже есть в строке 2 файла');
    expect(reasons[13]).toMatch(/^period — ожидается месяц ГГГГ-ММ/);

    expect((await readingsOf('400002', 'B-COLD')).map((r) => [r.period, r.value])).toEqual([
      ['2026-08', '58.000'],
      ['2026-09', '60.000'],
    ]);
    expect((await readingsOf('400002', 'B-GAS')).map((r) => [r.period, r.value])).toEqual([['2026-08', '11.500']]);
  });

  it("replaces the meter's latest month with the centre's correction and keeps the replaced value", async () => {
    clockAt(CLOSED_WINDOW);
    const first = await importReadings(csv('account;meter;period;value;source', '400003;P-COLD;2026-10;18;phone'));
    expect(first).toMatchObject({ loaded: 1, errors: [] });
    const corrected = await importReadings(
      csv('account;meter;period;value;date;source', '400003;P-COLD;2026-10;16,5;2026-11-02;paper'),
    );
    expect(corrected).toMatchObject({ loaded: 1, unchanged: 0, errors: [] });
    const [item] = await readingsOf('400003', 'P-COLD');
    expect(item).toMatchObject({
      value: '16.500',
      consumption: '6.500',
      previous: '10',
      source: 'paper',
      replaced: [{ value: '18.000', consumption: '8.000', source: 'phone' }],
    });
    // A month before the stored latest one would break the chain of consumptions: refused, unless it repeats.
    const earlier = await importReadings(csv('account;meter;period;value', '400003;P-COLD;2026-09;12'));
    expect(earlier.errors).toEqual([
      { line: 2, reason: expect.stringMatching(/^period — по счётчику уже есть показание за октябрь 2026/) },
    ]);
    const repeated = await importReadings(csv('account;meter;period;value', '400003;P-COLD;2026-10;16,500'));
    expect(repeated).toMatchObject({ loaded: 0, unchanged: 1, errors: [] });
  });

  it("refuses a reading taken before the meter's installation date (the meters import's `installed`)", async () => {
    clockAt(CLOSED_WINDOW);
    const report = await importReadings(
      csv(
        'account;meter;period;value;date',
        '400004;I-COLD;2026-08;3;', // dated by its month's end, 31.08: before installation
        '400004;I-COLD;2026-09;4;2026-09-10',
        '400004;I-COLD;2026-10;6;2026-10-25',
      ),
    );
    expect(report.loaded).toBe(1);
    const refused = 'Счётчик введён в эксплуатацию 15.09.2026: показания, снятые до этой даты, не принимаются.';
    expect(report.errors).toEqual([
      { line: 2, reason: `period — ${refused}` },
      { line: 3, reason: `date — ${refused}` },
    ]);
    expect((await readingsOf('400004', 'I-COLD')).map((r) => r.period)).toEqual(['2026-10']);
  });

  it('refuses a file without the required columns as a whole', async () => {
    clockAt(CLOSED_WINDOW);
    const report = await importReadings(csv('account;meter;value', '400005;W-COLD;25'));
    expect(report.loaded).toBe(0);
    expect(report.errors).toEqual([
      { line: 1, reason: 'нет столбца period; нужны: account, meter, period, value (необязательные: date, source)' },
    ]);
  });
});

describe('POST /api/readings', () => {
  it('takes the value as a JSON number as well as a string', async () => {
    clockAt('2026-11-26T10:00:00+03:00');
    const email = `titova-${RUN}@example.ru`;
    const browser = client.fork();
    const captcha = (await browser.request('GET', '/api/captcha')).json;
    const registered = await browser.request('POST', '/api/auth/register', {
      body: {
        account: '400005',
        passport: '1405 455555',
        email,
        consent: true,
        captchaId: captcha.id,
        captchaAnswer: captcha.answer,
      },
    });
    expect(registered.status).toBe(202);
    const token = await mailedToken(email, '/confirm');
    expect(
      (await browser.request('POST', '/api/auth/confirm', { body: { token, password: 'вода холодная и горячая' } }))
        .status,
    ).toBe(200);

    const meterId = meterIdOf('W-COLD');
    const asNumber = await browser.request('POST', '/api/readings', { body: { readings: [{ meterId, value: 25.5 }] } });
    expect(asNumber.status).toBe(201);
    expect(asNumber.json.items).toEqual([{ meterId, period: '2026-11', value: '25.500', consumption: '5.500' }]);
    // The same value as a string with a comma: unchanged, still 201.
    const asString = await browser.request('POST', '/api/readings', {
      body: { readings: [{ meterId, value: '25,5' }] },
    });
    expect(asString.status).toBe(201);
    // A negative number gets the same reason as a typed "-3"; a boolean is not a reading at all.
    const negative = await browser.request('POST', '/api/readings', { body: { readings: [{ meterId, value: -3 }] } });
    expect(negative.status).toBe(400);
    expect(negative.json.error.fields[meterId]).toBe('Показание не может быть отрицательным.');
    const wrongType = await browser.request('POST', '/api/readings', {
      body: { readings: [{ meterId, value: true }] },
    });
    expect(wrongType.status).toBe(400);
    expect(JSON.stringify(wrongType.json.error)).toContain('Введите показание числом или строкой');
    expect((await readingsOf('400005', 'W-COLD')).map((r) => r.value)).toEqual(['25.500']);
  });
});
