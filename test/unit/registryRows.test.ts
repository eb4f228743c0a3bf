import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { meterAccountProblem, parseRegistry } from '#shared/registry/importRegistry';
import { formatRowError } from '#shared/registry/report';
import type { MeterRow } from '#shared/registry/schemas';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url));
/** The demo registry the local runtime seeds from. */
const demoFile = (kind: string) => readFileSync(new URL(`../../local/demo/${kind}.csv`, import.meta.url));
const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('accounts file', () => {
  const parsed = parseRegistry('accounts', fixture('registry/accounts-with-errors.csv'));
  const reasonAt = (line: number) => parsed.errors.find((e) => e.line === line)?.reason;

  it('keeps the good rows, normalised, with the line each starts on', () => {
    expect(parsed.total).toBe(9);
    expect(parsed.rows).toEqual([
      {
        line: 2,
        row: {
          account: '200001',
          owner: 'Орлова Елена Сергеевна',
          passport: '1405000001',
          address: 'г. Старый Оскол, мкр. Жукова, д. 1, кв. 1',
          area: '54.3',
          residents: 3,
          services: undefined,
        },
      },
      {
        line: 5,
        row: {
          account: '200004',
          owner: 'Новиков Артём Олегович',
          passport: '1405000004',
          // The line break inside the quoted address becomes a space.
          address: 'г. Старый Оскол, мкр. Жукова, д. 1, кв. 4',
          area: '61.25',
          residents: 4,
          services: ['cold_water', 'hot_water'],
        },
      },
      {
        line: 12,
        row: expect.objectContaining({ account: '200008', area: '52', residents: 2 }),
      },
    ]);
  });

  it('reports each bad row by its line, naming the column', () => {
    expect(parsed.errors.map((e) => e.line)).toEqual([3, 4, 7, 8, 10, 11]);
    expect(reasonAt(3)).toMatch(/^account — ожидается номер лицевого счёта из 6 цифр/);
    expect(reasonAt(4)).toMatch(/^passport — ожидаются серия и номер паспорта: 10 цифр/);
    expect(reasonAt(7)).toBe('area — не может быть отрицательным');
    expect(reasonAt(8)).toMatch(
      /^residents — ожидается целое число от 0 до 99, а не «два»; services — неизвестные услуги «gaz»/,
    );
    expect(reasonAt(10)).toMatch(/^services — electricity .* нельзя сочетать/);
    expect(reasonAt(11)).toBe('лицевой счёт уже есть в строке 2 файла');
    expect(formatRowError({ line: 7, reason: reasonAt(7) as string })).toBe(
      'строка 7: area — не может быть отрицательным',
    );
  });

  it('never quotes a passport back in a reason', () => {
    expect(parsed.errors.map((e) => e.reason).join('\n')).not.toMatch(/00003|000003/);
  });

  it('reads the same rows from Windows-1251 with commas', () => {
    const text =
      'account,owner,passport,address,area,residents\n' +
      '100001,Иванова Мария Петровна,14 05 123456,"г. Старый Оскол, мкр. Жукова, д. 12, кв. 45","54,3",3\n';
    const cp1251 = parseRegistry('accounts', iconv.encode(text, 'win1251'));
    expect(cp1251).toMatchObject({ encoding: 'windows-1251', delimiter: ',', total: 1, errors: [] });
    expect(cp1251.rows[0]?.row).toEqual({
      account: '100001',
      owner: 'Иванова Мария Петровна',
      passport: '1405123456',
      address: 'г. Старый Оскол, мкр. Жукова, д. 12, кв. 45',
      area: '54.3',
      residents: 3,
      services: undefined,
    });
  });

  it('refuses a file without a required column, at the header line', () => {
    const noPassport = parseRegistry('accounts', utf8('account;owner;address;area;residents\n100001;И;А;1;1\n'));
    expect(noPassport.rows).toEqual([]);
    expect(noPassport.fatal).toEqual({
      line: 1,
      reason: 'нет столбца passport; нужны: account, owner, passport, address, area, residents',
    });
  });

  it('hints at the delimiter when the header reads as a single column', () => {
    const tabs = parseRegistry('accounts', utf8('account\towner\tpassport\n'));
    expect(tabs.fatal?.reason).toMatch(/разделитель/);
  });

  it('accepts the areas a Russian spreadsheet writes', () => {
    const rows = ['54,3', '54.30', '1 054,5', '0,5'].map((area, i) => `10000${i};О;1405 123456;А;${area};1`);
    const ok = parseRegistry('accounts', utf8(`account;owner;passport;address;area;residents\n${rows.join('\n')}\n`));
    expect(ok.errors).toEqual([]);
    expect(ok.rows.map((r) => r.row.area)).toEqual(['54.3', '54.3', '1054.5', '0.5']);
  });

  it.each([
    ['0', 'area — должно быть больше 0'],
    ['54,333', 'area — не более 2 знаков после запятой: «54,333»'],
    ['54,3 м²', 'area — ожидается число, например 54,3, а не «54,3 м²»'],
    ['', 'area — не заполнено'],
  ])('refuses the area %j', (area, reason) => {
    const bad = parseRegistry(
      'accounts',
      utf8(`account;owner;passport;address;area;residents\n100001;О;1405 123456;А;${area};1\n`),
    );
    expect(bad.errors).toEqual([{ line: 2, reason }]);
  });
});

describe('meters file', () => {
  const header = 'account;meter;service;reading;verified_until';

  it('reads a meter with its default digit capacity and normalised values', () => {
    const parsed = parseRegistry('meters', utf8(`${header}\n100001;21034567;cold_water;412,3750;2029-03-31\n`));
    expect(parsed.rows).toEqual([
      {
        line: 2,
        row: {
          account: '100001',
          meter: '21034567',
          service: 'cold_water',
          reading: '412.375',
          verifiedUntil: '2029-03-31',
          digits: 5,
        },
      },
    ]);
  });

  it('takes digits from an optional column and dates in DD.MM.YYYY', () => {
    const parsed = parseRegistry('meters', utf8(`${header};digits\n100001;E-1;electricity;99999,5;30.06.2032;6\n`));
    expect(parsed.rows[0]?.row).toMatchObject({ reading: '99999.5', verifiedUntil: '2032-06-30', digits: 6 });
  });

  it.each([
    ['100001;M1;wastewater;1;2030-01-01', 'service — у услуги wastewater не бывает индивидуального прибора учёта'],
    ['100001;M1;water;1;2030-01-01', 'service — неизвестная услуга «water»'],
    ['100001;M1;gas;100000;2030-01-01', 'reading — больше, чем помещается в 5 разрядов счётного механизма'],
    ['100001;M1;gas;-1;2030-01-01', 'reading — не может быть отрицательным'],
    [
      '100001;M1;gas;1;2030-02-30',
      'verified_until — ожидается дата ГГГГ-ММ-ДД, например 2031-06-30, а не «2030-02-30»',
    ],
    ['100001;M#1;gas;1;2030-01-01', 'meter — заводской номер из букв, цифр, пробелов и знаков . _ / -, а не «M#1»'],
  ])('refuses %j', (row, reason) => {
    const parsed = parseRegistry('meters', utf8(`${header}\n${row}\n`));
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]?.reason.startsWith(reason)).toBe(true);
  });

  it('refuses the same meter of an account twice, but not the same serial on two accounts', () => {
    const parsed = parseRegistry(
      'meters',
      utf8(`${header}\n100001;M1;gas;1;2030-01-01\n100002;M1;gas;1;2030-01-01\n100001;M1;gas;2;2030-01-01\n`),
    );
    expect(parsed.rows.map((r) => r.line)).toEqual([2, 3]);
    expect(parsed.errors).toEqual([{ line: 4, reason: 'прибор учёта этого счёта уже есть в строке 2 файла' }]);
  });

  describe('against the stored account', () => {
    const row: MeterRow = {
      account: '100001',
      meter: 'M1',
      service: 'gas',
      reading: '1',
      verifiedUntil: '2030-01-01',
      digits: 5,
    };

    it('needs the account to exist', () => {
      expect(meterAccountProblem(row, undefined)).toBe(
        'account — лицевой счёт 100001 не найден: сначала импортируйте accounts',
      );
    });

    it('needs the service among the account’s services when it lists them', () => {
      expect(meterAccountProblem(row, {})).toBeUndefined();
      expect(meterAccountProblem(row, { services: ['gas', 'heating'] })).toBeUndefined();
      expect(meterAccountProblem(row, { services: ['electricity'] })).toMatch(/^service — услуга gas не начисляется/);
    });
  });
});

describe('tariffs file', () => {
  const header = 'service;unit;price;norm;from;coefficient';

  it('keeps prices in roubles with fractions of a kopeck, and the coefficient only when given', () => {
    const parsed = parseRegistry(
      'tariffs',
      utf8(`${header}\ncold_water;м³;35,12;3,8;2026-01;1,5\nheating;Гкал;2636,9345;0,0186;2026-01;\n`),
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((r) => r.row)).toEqual([
      { service: 'cold_water', unit: 'м³', price: '35.12', norm: '3.8', from: '2026-01', coefficient: '1.5' },
      { service: 'heating', unit: 'Гкал', price: '2636.9345', norm: '0.0186', from: '2026-01', coefficient: undefined },
    ]);
  });

  it('reads a file without the optional coefficient column', () => {
    const parsed = parseRegistry('tariffs', utf8('service;unit;price;norm;from\ngas;м³;8,61;9,8;2026-01\n'));
    expect(parsed.rows[0]?.row).toEqual({ service: 'gas', unit: 'м³', price: '8.61', norm: '9.8', from: '2026-01' });
  });

  it.each([
    ['gas;м³;0;9,8;2026-01;', 'price — должно быть больше 0'],
    ['gas;м³;8,61;;2026-01;', 'norm — не заполнено'],
    ['gas;м³;8,61;9,8;2026-13;', 'from — ожидается месяц ГГГГ-ММ'],
    ['gas;м³;8,61;9,8;01.2026;', 'from — ожидается месяц ГГГГ-ММ'],
    ['gas;м³;8,61;9,8;2026-01;0,9', 'coefficient — должно быть не меньше 1'],
    ['gas;;8,61;9,8;2026-01;', 'unit — не заполнено'],
  ])('refuses %j', (row, reason) => {
    const parsed = parseRegistry('tariffs', utf8(`${header}\n${row}\n`));
    expect(parsed.errors[0]?.reason.startsWith(reason)).toBe(true);
  });

  it.each([
    ['м3', 'м³'],
    ['куб.м', 'м³'],
    ['М3', 'м³'],
    ['кв. м', 'м²'],
    ['кВт*ч', 'кВт·ч'],
    ['кВтч', 'кВт·ч'],
    ['Гкал', 'Гкал'],
    ['чел', 'чел.'],
    ['руб./мес', 'руб./мес'],
  ])('writes the unit %j as %j', (written, stored) => {
    const parsed = parseRegistry('tariffs', utf8(`service;unit;price;norm;from\ngas;${written};8,61;9,8;2026-01\n`));
    expect(parsed.rows[0]?.row.unit).toBe(stored);
  });

  it('refuses a second tariff for the same service and month', () => {
    const parsed = parseRegistry('tariffs', utf8(`${header}\ngas;м³;8,61;9,8;2026-01;\nGAS;м³;8,70;9,8;2026-01;\n`));
    expect(parsed.errors).toEqual([
      { line: 3, reason: 'тариф на эту услугу с этого месяца уже есть в строке 2 файла' },
    ]);
  });
});

describe('the demo files', () => {
  it.each(['accounts', 'meters', 'tariffs'] as const)('%s parse without errors', (kind) => {
    const parsed = parseRegistry(kind, demoFile(kind));
    expect(parsed.fatal).toBeUndefined();
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.length).toBe(parsed.total);
  });

  it('tariffs cover every service in both periods', async () => {
    const { SERVICE_IDS } = await import('#shared/registry/services');
    const parsed = parseRegistry('tariffs', demoFile('tariffs'));
    for (const from of ['2025-07', '2026-01']) {
      expect(
        parsed.rows
          .filter((r) => r.row.from === from)
          .map((r) => r.row.service)
          .sort(),
      ).toEqual([...SERVICE_IDS].sort());
    }
  });
});

describe('the columns billing by ПП РФ № 354 needs', () => {
  const accounts = 'account;owner;passport;address;area;residents';

  it('accounts: `owners` (≥ 1, default 1) and `no_meter_possible` (services with a meter)', () => {
    const parsed = parseRegistry(
      'accounts',
      utf8(
        `${accounts};owners;no_meter_possible\n` +
          '100001;Иванова;1405 123456;адрес;54,3;0;2;hot_water electricity\n' +
          '100002;Петров;1407 654321;адрес;60;2;;\n' +
          '100003;Сидоренко;1410 246810;адрес;38;1;0;maintenance\n',
      ),
    );
    expect(parsed.rows.map((r) => [r.row.owners, r.row.no_meter_possible])).toEqual([
      [2, ['hot_water', 'electricity']],
      [1, undefined],
    ]);
    expect(parsed.errors).toEqual([
      {
        line: 4,
        reason:
          'owners — ожидается целое число от 1 до 99, а не «0»; ' +
          'no_meter_possible — у услуг maintenance не бывает индивидуального прибора учёта',
      },
    ]);
    // Files without the columns keep loading: one owner, no act.
    const plain = parseRegistry('accounts', utf8(`${accounts}\n100001;Иванова;1405 123456;адрес;54,3;3\n`));
    expect(plain.rows[0]?.row.owners).toBeUndefined();
  });

  it('meters: `installed` as a date, empty meaning the date of the import', () => {
    const parsed = parseRegistry(
      'meters',
      utf8(
        'account;meter;service;reading;verified_until;installed\n' +
          '100001;M1;cold_water;0;2032-08-31;2026-08-20\n' +
          '100001;M2;hot_water;0;2032-08-31;20.08.2026\n' +
          '100001;M3;gas;0;2032-08-31;\n' +
          '100001;M4;gas;0;2032-08-31;вчера\n',
      ),
    );
    expect(parsed.rows.map((r) => r.row.installed)).toEqual(['2026-08-20', '2026-08-20', undefined]);
    expect(parsed.errors[0]?.reason).toMatch(/^installed — ожидается дата ГГГГ-ММ-ДД/);
  });

  it('tariffs: an empty norm for maintenance and waste (1 per m² or person), not for the others', () => {
    const parsed = parseRegistry(
      'tariffs',
      utf8(
        'service;unit;price;norm;from;coefficient\n' +
          'maintenance;м2;27,86;;2026-01;\n' +
          'waste;чел;145,05;;2026-01;\n' +
          'cold_water;м3;35,72;;2026-01;\n',
      ),
    );
    expect(parsed.rows.map((r) => [r.row.service, r.row.norm])).toEqual([
      ['maintenance', '1'],
      ['waste', '1'],
    ]);
    expect(parsed.errors).toEqual([
      { line: 4, reason: 'norm — не заполнено; без норматива можно только maintenance и waste' },
    ]);
  });

  /* ПП РФ № 354, п. 42: the increasing coefficient multiplies the norm of cold water, hot water and
   * electricity («…холодной воды, горячей воды, электрической энергии…»), nothing else. */
  it('tariffs: the increasing coefficient only for cold water, hot water and electricity', () => {
    const parsed = parseRegistry(
      'tariffs',
      utf8(
        'service;unit;price;norm;from;coefficient\n' +
          'cold_water;м3;35,72;3,8;2026-01;1,5\n' +
          'hot_water;м3;218,21;3,01;2026-01;1,5\n' +
          'electricity_day;кВтч;7,56;62;2026-01;1,5\n' +
          'gas;м3;8,61;9,8;2026-01;1,5\n' +
          'wastewater;м3;31;6,81;2026-01;1,5\n' +
          'heating;Гкал;2636,9345;0,0186;2026-01;1,5\n',
      ),
    );
    expect(parsed.rows.map((r) => r.row.service)).toEqual(['cold_water', 'hot_water', 'electricity_day']);
    expect(parsed.errors.map((e) => [e.line, e.reason.split(' (')[0]])).toEqual([
      [5, 'coefficient — повышающий коэффициент применяется только к холодной и горячей воде и электроэнергии'],
      [6, 'coefficient — повышающий коэффициент применяется только к холодной и горячей воде и электроэнергии'],
      [7, 'coefficient — повышающий коэффициент применяется только к холодной и горячей воде и электроэнергии'],
    ]);
  });
});
