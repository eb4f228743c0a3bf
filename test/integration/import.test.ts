import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetCommand, type GetCommandOutput, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { db, tableName } from '#shared/clients/dynamo';
import { config } from '#shared/config';
import { keys } from '#shared/keys';
import { normalisePassport, passportHash } from '#shared/passport';
import { importRegistry } from '#shared/registry/importRegistry';
import { moscowDate, now } from '#shared/time';
import { runCli } from '#test/support/cli';

/**
 * The registry import against DynamoDB Local: the test setup starts it, points
 * RAC_DYNAMODB_ENDPOINT at it and creates a fresh RAC_TABLE for this file.
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (path: string) => readFileSync(join(repoRoot, 'test/fixtures', path));
/** The demo registry the local runtime seeds from. */
const demoFile = (kind: string) => readFileSync(join(repoRoot, 'local/demo', `${kind}.csv`));
const utf8 = (text: string) => Buffer.from(text, 'utf8');
const cp1251 = (text: string) => iconv.encode(text, 'win1251');

const DEMO_PASSPORTS = ['1405 123456', '1407 654321', '1410 246810', '1403 112233', '1412 778899', '1409 445566'];

async function item(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
  const out: GetCommandOutput = await db().send(new GetCommand({ TableName: tableName(), Key: key }));
  return out.Item;
}

/** Every item of this file's table: tests may scan, request paths never do. */
async function everyItem(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db().send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

const profiles = async () => (await everyItem()).filter((i) => i.sk === 'PROFILE');

beforeAll(() => {
  // A connected test must never write to a real table.
  expect(config().dynamoEndpoint).toMatch(/^http:\/\/(localhost|127\.0\.0\.1):\d+$/);
});

/**
 * The demo registry, loaded by every describe that needs it (tests run in random order; a
 * repeated import changes nothing, so loading it twice is harmless).
 */
async function loadDemoRegistry(): Promise<void> {
  for (const kind of ['accounts', 'meters', 'tariffs'] as const) {
    const report = await importRegistry(kind, demoFile(kind));
    expect(report.errors).toEqual([]);
  }
}

describe('importing the demo registry (UTF-8, «;»)', () => {
  beforeAll(loadDemoRegistry);

  it('stores an account with a passport hash and the registry values', async () => {
    expect(await item(keys.account('100001'))).toEqual({
      pk: 'ACC#100001',
      sk: 'PROFILE',
      entity: 'account',
      account: '100001',
      owner: 'Иванова Мария Петровна',
      passportHash: await passportHash('1405 123456'),
      address: 'г. Старый Оскол, мкр. Жукова, д. 12, кв. 45',
      area: '54.3',
      residents: 3,
      owners: 2,
      services: ['cold_water', 'hot_water', 'wastewater', 'electricity', 'gas', 'heating', 'maintenance', 'waste'],
      // The accounts index (keys.accountIndex) the billing run pages through.
      gsi1pk: expect.stringMatching(/^ACCOUNTS#\d+$/),
      gsi1sk: '100001',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('stores meters under their account', async () => {
    expect(await item(keys.meter('100002', '45012388-T2'))).toEqual({
      pk: 'ACC#100002',
      sk: 'METER#45012388-T2',
      entity: 'meter',
      account: '100002',
      serial: '45012388-T2',
      service: 'electricity_night',
      initialReading: '4120.9',
      verifiedUntil: '2033-02-28',
      digits: 6,
      // No `installed` in the file: the date of the import.
      installed: moscowDate(now()),
      // The verification-warning index (keys.meterVerification).
      gsi1pk: 'VERIFY#2033-02',
      gsi1sk: '2033-02-28#100002#45012388-T2',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('stores tariffs by service and first month, the coefficient only where given', async () => {
    expect(await item(keys.tariff('hot_water', '2026-01'))).toEqual({
      pk: 'TARIFF',
      sk: 'hot_water#2026-01',
      entity: 'tariff',
      service: 'hot_water',
      unit: 'м³',
      price: '218.21',
      norm: '3.01',
      from: '2026-01',
      coefficient: '1.5',
      updatedAt: expect.any(String),
    });
    expect(await item(keys.tariff('heating', '2026-01'))).not.toHaveProperty('coefficient');
  });

  it('keeps passports only as hashes: no item holds the plain digits', async () => {
    const stored = JSON.stringify(await everyItem());
    for (const passport of DEMO_PASSPORTS) {
      expect(stored).not.toContain(normalisePassport(passport));
      expect(stored).not.toContain(passport);
      expect(stored).not.toContain(passport.slice(5));
    }
  });
});

describe('importing Windows-1251 files with «,»', () => {
  it('loads all three kinds', async () => {
    const accounts = await importRegistry(
      'accounts',
      cp1251(
        'account,owner,passport,address,area,residents,services\r\n' +
          '300001,Ёлкина Жанна Юрьевна,14 11 000301,"г. Старый Оскол, мкр. Степной, д. 2, кв. 31","41,7",2,cold_water gas\r\n',
      ),
    );
    const meters = await importRegistry(
      'meters',
      cp1251('account,meter,service,reading,verified_until\r\n300001,ВК-301,gas,"12,5",2031-01-31\r\n'),
    );
    const tariffs = await importRegistry(
      'tariffs',
      // Windows-1251 has no «³»: such files write "м3".
      cp1251('service,unit,price,norm,from,coefficient\r\ngas,м3,"9,01","9,8",2026-07,\r\n'),
    );
    for (const report of [accounts, meters, tariffs]) {
      expect(report).toMatchObject({ total: 1, loaded: 1, errors: [], encoding: 'windows-1251', delimiter: ',' });
    }
    expect(await item(keys.account('300001'))).toMatchObject({
      owner: 'Ёлкина Жанна Юрьевна',
      address: 'г. Старый Оскол, мкр. Степной, д. 2, кв. 31',
      area: '41.7',
      services: ['cold_water', 'gas'],
    });
    expect(await item(keys.meter('300001', 'ВК-301'))).toMatchObject({ service: 'gas', initialReading: '12.5' });
    expect(await item(keys.tariff('gas', '2026-07'))).toMatchObject({ unit: 'м³', price: '9.01' });
  });
});

describe('a file with bad rows', () => {
  it('loads the good rows and reports the bad ones by line', async () => {
    const report = await importRegistry('accounts', fixture('registry/accounts-with-errors.csv'));
    expect(report).toMatchObject({ kind: 'accounts', total: 9, loaded: 3 });
    expect(report.errors.map((e) => e.line)).toEqual([3, 4, 7, 8, 10, 11]);
    expect(await item(keys.account('200001'))).toBeDefined();
    expect(await item(keys.account('200004'))).toMatchObject({ address: 'г. Старый Оскол, мкр. Жукова, д. 1, кв. 4' });
    expect(await item(keys.account('200008'))).toBeDefined();
    expect(await item(keys.account('200003'))).toBeUndefined();
    expect(await item(keys.account('200005'))).toBeUndefined();
  });

  it('loads nothing when a required column is missing', async () => {
    const report = await importRegistry('tariffs', utf8('service;unit;price;from\nwaste;чел.;150;2027-01\n'));
    expect(report).toMatchObject({
      total: 1,
      loaded: 0,
      errors: [{ line: 1, reason: expect.stringContaining('norm') }],
    });
    expect(await item(keys.tariff('waste', '2027-01'))).toBeUndefined();
  });
});

describe('meters against the stored accounts', () => {
  beforeAll(loadDemoRegistry);

  it('refuses a meter of an unknown account or of a service the account is not billed for', async () => {
    await importRegistry(
      'accounts',
      utf8('account;owner;passport;address;area;residents;services\n400001;Т;1405 400001;А;30;1;gas\n'),
    );
    const report = await importRegistry(
      'meters',
      utf8(
        'account;meter;service;reading;verified_until\n' +
          '400001;G-1;gas;1;2030-01-01\n' +
          '499999;G-2;gas;1;2030-01-01\n' +
          '400001;W-1;cold_water;1;2030-01-01\n',
      ),
    );
    expect(report).toMatchObject({ total: 3, loaded: 1 });
    expect(report.errors).toEqual([
      { line: 3, reason: 'account — лицевой счёт 499999 не найден: сначала импортируйте accounts' },
      { line: 4, reason: 'service — услуга cold_water не начисляется по счёту 400001 (services: gas)' },
    ]);
    expect(await item(keys.meter('400001', 'G-1'))).toBeDefined();
    expect(await item(keys.meter('499999', 'G-2'))).toBeUndefined();
  });
});

describe('a re-import', () => {
  beforeAll(loadDemoRegistry);
  const header = 'account;owner;passport;address;area;residents;services';
  const first =
    `${header}\n` +
    '500001;Громов Пётр Ильич;1405 500001;г. Старый Оскол, мкр. Парковый, д. 1, кв. 1;50;2;gas waste\n' +
    '500002;Ершова Нина Павловна;1405 500002;г. Старый Оскол, мкр. Парковый, д. 1, кв. 2;60;3;\n' +
    '500003;Фомин Олег Игоревич;1405 500003;г. Старый Оскол, мкр. Парковый, д. 1, кв. 3;70;1;\n';

  it('updates rows in place, keeps other features’ attributes and marks a change of owner', async () => {
    expect((await importRegistry('accounts', utf8(first))).loaded).toBe(3);
    const countBefore = (await profiles()).length;
    const before = await item(keys.account('500001'));
    // A registration (another feature) keeps its own attributes on the profile.
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.account('500001'),
        UpdateExpression: 'SET email = :email',
        ExpressionAttributeValues: { ':email': 'gromov@example.ru' },
      }),
    );

    const second =
      `${header}\n` +
      // Same owner, new area and services removed.
      '500001;Громов Пётр Ильич;14 05 500001;г. Старый Оскол, мкр. Парковый, д. 1, кв. 1;50,5;3;\n' +
      // The flat was sold: new owner and passport.
      '500002;Кириллов Антон Сергеевич;1405 500099;г. Старый Оскол, мкр. Парковый, д. 1, кв. 2;60;1;\n' +
      // Same owner, passport corrected.
      '500003;Фомин Олег Игоревич;1405 500033;г. Старый Оскол, мкр. Парковый, д. 1, кв. 3;70;1;\n';
    expect((await importRegistry('accounts', utf8(second))).loaded).toBe(3);

    expect((await profiles()).length).toBe(countBefore);
    const updated = await item(keys.account('500001'));
    expect(updated).toMatchObject({ area: '50.5', residents: 3, email: 'gromov@example.ru' });
    expect(updated).not.toHaveProperty('services');
    expect(updated).not.toHaveProperty('ownerChangedAt');
    expect(updated?.createdAt).toBe(before?.createdAt);

    const sold = await item(keys.account('500002'));
    expect(sold).toMatchObject({
      owner: 'Кириллов Антон Сергеевич',
      passportHash: await passportHash('1405 500099'),
      ownerChangedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(await item(keys.account('500003'))).toHaveProperty('ownerChangedAt');
  });

  it('of the same file changes nothing but the update time', async () => {
    await importRegistry('tariffs', demoFile('tariffs'));
    const before = (await everyItem()).filter((i) => i.pk === 'TARIFF');
    await importRegistry('tariffs', demoFile('tariffs'));
    const after = (await everyItem()).filter((i) => i.pk === 'TARIFF');
    const withoutTime = (items: Record<string, unknown>[]) =>
      items.map(({ updatedAt: _, ...rest }) => rest).sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    expect(withoutTime(after)).toEqual(withoutTime(before));
  });

  it('replaces a tariff whole, so a removed coefficient disappears', async () => {
    await importRegistry('tariffs', utf8('service;unit;price;norm;from;coefficient\nhot_water;м3;250;3;2027-01;1,5\n'));
    await importRegistry('tariffs', utf8('service;unit;price;norm;from\nhot_water;м3;251,5;3;2027-01\n'));
    const tariff = await item(keys.tariff('hot_water', '2027-01'));
    expect(tariff).toMatchObject({ price: '251.5' });
    expect(tariff).not.toHaveProperty('coefficient');
  });

  it('of meters updates the initial reading and verification date', async () => {
    await importRegistry(
      'meters',
      utf8('account;meter;service;reading;verified_until\n100001;1012345;gas;2400;2036-10-31\n'),
    );
    expect(await item(keys.meter('100001', '1012345'))).toMatchObject({
      initialReading: '2400',
      verifiedUntil: '2036-10-31',
    });
  });
});

describe('the columns billing by ПП РФ № 354 needs', () => {
  const accounts = 'account;owner;passport;address;area;residents;services;owners;no_meter_possible';

  it('stores `owners` (default 1) and `no_meter_possible`, and an emptied act disappears on re-import', async () => {
    const first =
      `${accounts}\n` +
      '600001;Лебедева Ирина Олеговна;1405 600001;г. Старый Оскол, мкр. Лесной, д. 2, кв. 1;40;0;;2;hot_water\n' +
      '600002;Носов Павел Андреевич;1405 600002;г. Старый Оскол, мкр. Лесной, д. 2, кв. 2;41;1;;;\n';
    expect((await importRegistry('accounts', utf8(first))).errors).toEqual([]);
    expect(await item(keys.account('600001'))).toMatchObject({
      residents: 0,
      owners: 2,
      noMeterPossible: ['hot_water'],
    });
    expect(await item(keys.account('600002'))).toMatchObject({ owners: 1 });
    expect(await item(keys.account('600002'))).not.toHaveProperty('noMeterPossible');
    const second = `${accounts}\n600001;Лебедева Ирина Олеговна;1405 600001;г. Старый Оскол, мкр. Лесной, д. 2, кв. 1;40;0;;2;\n`;
    await importRegistry('accounts', utf8(second));
    expect(await item(keys.account('600001'))).not.toHaveProperty('noMeterPossible');
  });

  it('keeps a meter’s installation date: given, or the first import’s, never moved by a re-import without it', async () => {
    const account = `${accounts}\n600003;Орехова Вера Петровна;1405 600003;г. Старый Оскол, мкр. Лесной, д. 2, кв. 3;40;1;;;\n`;
    expect((await importRegistry('accounts', utf8(account))).errors).toEqual([]);
    const meters = 'account;meter;service;reading;verified_until;installed';
    const first = await importRegistry(
      'meters',
      utf8(`${meters}\n600003;N-1;cold_water;0;2032-08-31;2026-08-20\n600003;N-2;gas;5;2032-08-31;\n`),
    );
    expect(first.errors).toEqual([]);
    expect(await item(keys.meter('600003', 'N-1'))).toMatchObject({ installed: '2026-08-20' });
    const importedOn = (await item(keys.meter('600003', 'N-2')))?.installed;
    expect(importedOn).toBe(moscowDate(now()));
    // A later file without the column (a corrected verification date) keeps both dates.
    await importRegistry(
      'meters',
      utf8(
        'account;meter;service;reading;verified_until\n600003;N-1;cold_water;0;2033-08-31\n600003;N-2;gas;5;2033-08-31\n',
      ),
    );
    expect(await item(keys.meter('600003', 'N-1'))).toMatchObject({
      installed: '2026-08-20',
      verifiedUntil: '2033-08-31',
    });
    expect((await item(keys.meter('600003', 'N-2')))?.installed).toBe(importedOn);
  });

  it('stores an empty norm of maintenance and waste as 1, and refuses a coefficient outside water and electricity', async () => {
    const report = await importRegistry(
      'tariffs',
      utf8(
        'service;unit;price;norm;from;coefficient\nmaintenance;м2;30;;2028-01;\nwaste;чел;160;;2028-01;\ngas;м3;9;9,8;2028-01;1,5\n',
      ),
    );
    expect(report.loaded).toBe(2);
    expect(report.errors.map((e) => e.line)).toEqual([4]);
    expect(await item(keys.tariff('waste', '2028-01'))).toMatchObject({ norm: '1', price: '160' });
    expect(await item(keys.tariff('gas', '2028-01'))).toBeUndefined();
  });
});

describe('the operator CLI', () => {
  it('imports, lists the bad rows by line and exits with 1', async () => {
    const { code, stdout } = await runCli([
      'import',
      'accounts',
      join(repoRoot, 'test/fixtures/registry/accounts-with-errors.csv'),
    ]);
    expect(code).toBe(1);
    expect(stdout).toContain('Записей в файле: 9; загружено: 3; отклонено: 6');
    expect(stdout).toMatch(/строка 3: account — ожидается номер лицевого счёта из 6 цифр/);
    expect(stdout).toMatch(/строка 4: passport — /);
    expect(stdout).toContain('строка 11: лицевой счёт уже есть в строке 2 файла');
    expect(stdout).not.toMatch(/00003\b/);
  });

  it('exits with 0 when every row loads, from a Windows-1251 file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rac-import-'));
    const file = join(dir, 'тарифы.csv');
    writeFileSync(file, cp1251('service,unit,price,norm,from\nmaintenance,кв.м,"28,10",1,2027-01\n'));
    const { code, stdout } = await runCli(['import', 'tariffs', file]);
    expect(code).toBe(0);
    expect(stdout).toContain('Windows-1251, разделитель «,»');
    expect(stdout).toContain('загружено: 1; отклонено: 0');
    expect(await item(keys.tariff('maintenance', '2027-01'))).toMatchObject({ unit: 'м²', price: '28.1' });
  });

  it('opens the reading window by hand and reports it in Moscow time', async () => {
    const opened = await runCli(['window', 'open']);
    expect(opened.code).toBe(0);
    expect(opened.stdout).toMatch(/Окно приёма показаний: открыто \(оператором\)/);
    const status = await runCli(['window', 'status']);
    expect(status.stdout).toMatch(/Закроется: \d{2}\.\d{2}\.\d{4} 00:00 МСК/);
    const closed = await runCli(['window', 'close']);
    expect(closed.stdout).toMatch(/Окно приёма показаний: закрыто \(оператором\)/);
  });

  it('explains an unknown command and a missing file with exit code 2', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('неизвестная команда: frobnicate');
    expect(unknown.stderr).toContain('import accounts FILE');
    const missing = await runCli(['import', 'meters', join(repoRoot, 'test/fixtures/no-such-file.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('не найден');
  });

  it('says DynamoDB Local is down, without a stack trace, and exits with 3', async () => {
    const { code, stderr } = await runCli(['window', 'status'], {
      ...process.env,
      RAC_DYNAMODB_ENDPOINT: '',
      DYNAMODB_PORT: '1',
    });
    expect(code).toBe(3);
    expect(stderr.trim()).toBe('DynamoDB Local не отвечает на http://localhost:1 — запустите npm start');
  });
});
