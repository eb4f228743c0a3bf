import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeGroup } from '#local/lambda';
import { type LocalQueues, startLocalQueues } from '#local/queue';
import { balanceOf } from '#shared/billing/balance';
import { importOpeningBalances } from '#shared/billing/openingBalances';
import { startBillingRun } from '#shared/billing/run';
import { getRun, runsOf } from '#shared/billing/store';
import { db, tableName } from '#shared/clients/dynamo';
import { resetConfigForTests } from '#shared/config';
import { keys } from '#shared/keys';
import { importRegistry } from '#shared/registry/importRegistry';
import { runCli } from '#test/support/cli';
import { type Client, startTestGateway } from '#test/support/http';
import { mailedToken } from '#test/support/mail';

/**
 * A generated town of 50 accounts with known tariffs, meters and readings, billed for October 2026
 * through the real path (the schedule's job, the billing queue, the batch handler, DynamoDB Local),
 * checked against totals computed here independently; then November through the operator's CLI,
 * with a late reading that recalculates October.
 */

const TOWN = 50;
const accountOf = (i: number) => String(300000 + i);

// The clock: the first minutes of November, Moscow time, when October's run fires.
function pinClock(iso: string): void {
  process.env.RAC_NOW = iso;
  resetConfigForTests();
}
pinClock('2026-11-01T00:10:00+03:00');

const TARIFFS = [
  'service;unit;price;norm;from;coefficient',
  'cold_water;м3;40,00;4;2026-01;1,5',
  'hot_water;м3;200,00;3;2026-01;',
  'wastewater;м3;30,00;7;2026-01;',
  'electricity;кВт·ч;6,00;100;2026-01;',
  'heating;Гкал;2500,00;0,02;2026-01;',
  'maintenance;м2;25,00;1;2026-01;',
  'waste;чел.;150,00;1;2026-01;',
  'cold_water;м3;99,00;4;2027-01;1,5',
].join('\n');
const SERVICES = 'cold_water hot_water wastewater electricity heating maintenance waste';

/** Account i: area 40 + i + 0.5 m², 1–4 residents; every fifth has no meters at all. */
const town = Array.from({ length: TOWN }, (_, k) => {
  const i = k + 1;
  const metered = i % 5 !== 0;
  return {
    i,
    account: accountOf(i),
    area: new Decimal(40 + i).plus('0.5'),
    residents: 1 + (i % 4),
    metered,
    // One in five metered accounts skipped October's reading: billed by the average of Jul–Sep.
    readOctober: metered && i % 5 !== 1,
    cold: new Decimal(i % 7).plus('2.125'),
    hot: new Decimal(i % 3).plus('1.5'),
    electricity: new Decimal(100 + i),
  };
});
type Home = (typeof town)[number];

const accountsCsv = [
  'account;owner;passport;address;area;residents;services',
  ...town.map(
    (h) =>
      `${h.account};Житель ${h.i};14${String(h.i).padStart(2, '0')} ${String(300000 + h.i)};г. Старый Оскол, д. ${h.i};` +
      `${h.area.toFixed().replace('.', ',')};${h.residents};${SERVICES}`,
  ),
].join('\n');
const metersCsv = [
  'account;meter;service;reading;verified_until',
  ...town
    .filter((h) => h.metered)
    .flatMap((h) => [
      `${h.account};C${h.i};cold_water;100;2031-01-31`,
      `${h.account};H${h.i};hot_water;50;2031-01-31`,
      `${h.account};E${h.i};electricity;1000;2031-01-31`,
    ]),
].join('\n');

/** July–September: base, base + 0.1, base + 0.2, so the average is base + 0.1 exactly. */
function readingItems(h: Home, periods: Array<[period: string, step: number]>) {
  const meters: Array<[string, string, Decimal]> = [
    [`C${h.i}`, 'cold_water', h.cold],
    [`H${h.i}`, 'hot_water', h.hot],
    [`E${h.i}`, 'electricity', h.electricity],
  ];
  return periods.flatMap(([period, step]) =>
    meters.map(([serial, service, base]) => ({
      ...keys.reading(h.account, serial, period),
      entity: 'reading',
      account: h.account,
      serial,
      service,
      period,
      value: '0',
      consumption: base.plus(new Decimal(step).times('0.1')).toFixed(),
      source: 'seed',
      submittedAt: `${period}-26T16:30:00.000Z`,
    })),
  );
}

async function putItems(items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    await db().send(
      new BatchWriteCommand({
        RequestItems: { [tableName()]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}

/** The rules, written out plainly here, independent of shared/billing: kopecks, half-up per line. */
const kop = (volume: Decimal.Value, price: Decimal.Value) =>
  new Decimal(volume).times(price).times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();

function expectedOctober(h: Home): Record<string, number> {
  const n = h.residents;
  let cold: Decimal;
  let hot: Decimal;
  let electricity: Decimal;
  let coldCharged: Decimal;
  if (!h.metered) {
    cold = new Decimal(4).times(n);
    hot = new Decimal(3).times(n);
    electricity = new Decimal(100).times(n);
    coldCharged = cold.times('1.5'); // no meter: the increasing coefficient
  } else if (!h.readOctober) {
    cold = h.cold.plus('0.1');
    hot = h.hot.plus('0.1');
    electricity = h.electricity.plus('0.1');
    coldCharged = cold;
  } else {
    cold = h.cold;
    hot = h.hot;
    electricity = h.electricity;
    coldCharged = cold;
  }
  return {
    cold_water: kop(coldCharged, 40),
    hot_water: kop(hot, 200),
    wastewater: kop(cold.plus(hot), 30),
    electricity: kop(electricity, 6),
    heating: kop(h.area.times('0.02'), 2500),
    maintenance: kop(h.area, 25),
    waste: kop(n, 150),
  };
}
const totalOf = (lines: Record<string, number>) => Object.values(lines).reduce((a, b) => a + b, 0);

type Item = Record<string, any>;
async function everyItem(): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db().send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
const ledgerItems = async () => (await everyItem()).filter((i) => String(i.sk).startsWith('LEDGER#'));

let client: Client;
let queues: LocalQueues;

/** A resident with a cabinet: registered by the mailed link. */
async function residentOf(h: Home): Promise<Client> {
  const browser = client.fork();
  const captcha = (await browser.request('GET', '/api/captcha')).json;
  const email = `resident${h.i}@example.ru`;
  const registered = await browser.request('POST', '/api/auth/register', {
    body: {
      account: h.account,
      passport: `14${String(h.i).padStart(2, '0')} ${300000 + h.i}`,
      email,
      consent: true,
      captchaId: captcha.id,
      captchaAnswer: captcha.answer,
    },
  });
  expect(registered.status).toBe(202);
  const token = await mailedToken(email, '/confirm');
  const confirmed = await browser.request('POST', '/api/auth/confirm', {
    body: { token, password: 'длинный пароль жителя города' },
  });
  expect(confirmed.status).toBe(200);
  return browser;
}

beforeAll(async () => {
  ({ client } = await startTestGateway());
  queues = startLocalQueues({ concurrency: 3, log: () => undefined });
  for (const [kind, csv] of [
    ['tariffs', TARIFFS],
    ['accounts', accountsCsv],
    ['meters', metersCsv],
  ] as const) {
    const report = await importRegistry(kind, Buffer.from(csv));
    expect(report.errors).toEqual([]);
  }
  const history: Array<[string, number]> = [
    ['2026-07', 0],
    ['2026-08', 1],
    ['2026-09', 2],
  ];
  await putItems(
    town
      .filter((h) => h.metered)
      .flatMap((h) => readingItems(h, h.readOctober ? [...history, ['2026-10', 0]] : history)),
  );
}, 120_000);

afterAll(async () => {
  queues.stop();
  await client.stop();
});

// TODO(issue 17): still in order. The opening balances must load before October's run (the run
// applies 300002's advance), the statement expects November unbilled, and the November CLI run counts
// exactly the town (the rules block adds accounts 700001–700004): these blocks need accounts or
// tables of their own (split into files) before vitest may shuffle them.
describe('billing a town, step by step', { shuffle: false }, () => {
  describe('opening balances from the previous system', () => {
    it('load per account and service; a repeated import changes nothing; a corrected one adds the difference', async () => {
      const file = Buffer.from(
        [
          'account;service;balance;period',
          '300002;cold_water;1 000,50;2026-10',
          '300002;advance;-200,00;2026-10',
          '399999;gas;5,00;2026-10',
        ].join('\n'),
      );
      const first = await importOpeningBalances(file);
      expect(first).toMatchObject({ total: 3, loaded: 2, unchanged: 0 });
      expect(first.errors).toEqual([{ line: 4, reason: expect.stringContaining('399999 не найден') }]);
      expect(await balanceOf('300002')).toEqual({
        total: 80_050,
        services: [
          { service: 'advance', balance: -20_000 },
          { service: 'cold_water', balance: 100_050 },
        ],
      });

      const again = await importOpeningBalances(file);
      expect(again).toMatchObject({ loaded: 2, unchanged: 2 });
      const corrected = await importOpeningBalances(
        Buffer.from('account;service;balance;period\n300002;cold_water;900,50;2026-10\n300002;waste;10;2026-09\n'),
      );
      expect(corrected).toMatchObject({ loaded: 1, unchanged: 0 });
      expect(corrected.errors).toEqual([{ line: 3, reason: expect.stringContaining('уже загружено за 2026-10') }]);
      const openings = (await ledgerItems()).filter((i) => i.pk === 'ACC#300002' && i.kind === 'opening');
      expect(openings.map((i) => [i.sk, i.total]).sort()).toEqual([
        ['LEDGER#2026-10#opening#advance.1', -20_000],
        ['LEDGER#2026-10#opening#cold_water.1', 100_050],
        ['LEDGER#2026-10#opening#cold_water.2', -10_000],
      ]);
    });
  });

  describe('the October run of a town of 50 accounts', () => {
    let runId: string;

    beforeAll(async () => {
      // As EventBridge Scheduler fires it: the billing group's job; the batches follow through the queue.
      const started = (await invokeGroup('billing', { job: 'billing.run' })) as { period: string; runId: string };
      expect(started.period).toBe('2026-10');
      runId = started.runId;
      await queues.drain();
    }, 120_000);

    it('charges every account the totals computed independently, and counts them in the run', async () => {
      const charges = (await ledgerItems()).filter((i) => i.kind === 'charge');
      expect(charges).toHaveLength(TOWN);
      let grand = 0;
      for (const h of town) {
        const entry = charges.find((c) => c.account === h.account);
        const expected = expectedOctober(h);
        const byService = Object.fromEntries((entry?.lines ?? []).map((l: Item) => [l.service, l.amount]));
        expect(byService, `account ${h.account}`).toEqual(expected);
        expect(entry?.total).toBe(totalOf(expected));
        grand += totalOf(expected);
      }
      const run = await getRun('2026-10', runId);
      expect(run).toMatchObject({
        accounts: TOWN,
        billed: TOWN,
        alreadyBilled: 0,
        failed: 0,
        charged: grand,
        shardsDone: run?.shards,
        batchesDone: run?.batchesPlanned,
      });
      expect(queues.deadLetters).toEqual([]);
    });

    it('keeps how each volume was determined', async () => {
      const charges = (await ledgerItems()).filter((i) => i.kind === 'charge');
      const method = (account: string, service: string) =>
        charges.find((c) => c.account === account)?.lines.find((l: Item) => l.service === service)?.method;
      expect(method(accountOf(2), 'cold_water')).toBe('meter');
      expect(method(accountOf(1), 'cold_water')).toBe('average');
      expect(method(accountOf(5), 'cold_water')).toBe('norm');
      expect(method(accountOf(5), 'heating')).toBe('area');
      expect(method(accountOf(5), 'waste')).toBe('residents');
      const unmetered = charges
        .find((c) => c.account === accountOf(5))
        ?.lines.find((l: Item) => l.service === 'cold_water');
      expect(unmetered).toMatchObject({ coefficient: '1.5', volume: String(4 * 2 * 1.5), price: '40' });
    });

    it('changes nothing when run again', async () => {
      const before = await ledgerItems();
      // A retry of the scheduled job joins its run (test/integration/jobs.test.ts); an operator's
      // run is a new one, and finds every account billed.
      const again = await startBillingRun({ period: '2026-10', source: 'operator' });
      await queues.drain();
      expect(await ledgerItems()).toEqual(before);
      expect(await getRun('2026-10', again.runId)).toMatchObject({
        accounts: TOWN,
        billed: 0,
        alreadyBilled: TOWN,
        charged: 0,
      });
      expect(await runsOf('2026-10')).toHaveLength(2);
    });

    it('leaves every balance equal to the sum of its ledger lines', async () => {
      const ledger = await ledgerItems();
      for (const h of town) {
        const lines = ledger.filter((e) => e.account === h.account).flatMap((e) => e.lines as Item[]);
        const balance = await balanceOf(h.account);
        expect(balance.total).toBe(lines.reduce((s, l) => s + l.amount, 0));
        for (const s of balance.services) {
          expect(s.balance).toBe(lines.filter((l) => l.service === s.service).reduce((sum, l) => sum + l.amount, 0));
        }
      }
    });
  });

  describe('the resident’s statement', () => {
    let resident: Client;
    const home = town[1] as Home; // 300002: metered, read in October, with opening balances

    beforeAll(async () => {
      resident = await residentOf(home);
    });

    it('shows opening, charged, paid and closing per month, and /api/me the same balance', async () => {
      const res = await resident.request('GET', '/api/statement?from=2026-09&to=2026-11');
      expect(res.status).toBe(200);
      const charged = totalOf(expectedOctober(home));
      expect(res.json).toEqual({
        from: '2026-09',
        to: '2026-11',
        rows: [
          { period: '2026-09', opening: 0, charged: 0, paid: 0, closing: 0 },
          { period: '2026-10', opening: 70_050, charged, paid: 0, closing: 70_050 + charged },
          { period: '2026-11', opening: 70_050 + charged, charged: 0, paid: 0, closing: 70_050 + charged },
        ],
      });
      const me = await resident.request('GET', '/api/me');
      expect(me.json.balance.total).toBe(70_050 + charged);
      // ПП РФ № 354 п. 118: the October run applied the 200 ₽ advance to the oldest debt, the cold
      // water carried over from the previous system; the total is the same.
      expect(me.json.balance.services).toContainEqual({ service: 'advance', balance: 0 });
      expect(me.json.balance.services).toContainEqual({
        service: 'cold_water',
        balance: 90_050 - 20_000 + (expectedOctober(home).cold_water ?? 0),
      });
    });

    it('downloads the same rows as CSV: UTF-8 with BOM, «;», as an attachment', async () => {
      const json = (await resident.request('GET', '/api/statement?from=2026-09&to=2026-10')).json;
      const res = await fetch(`${client.url}/api/statement/csv?from=2026-09&to=2026-10`, {
        headers: { cookie: [...resident.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(
        /^attachment; filename="statement-300002-2026-09-2026-10\.csv"$/,
      );
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder().decode(bytes).replace(/^\uFEFF/, '');
      const [header, ...rows] = text.trimEnd().split('\r\n');
      expect(header).toBe('Период;Входящее сальдо;Начислено;Оплачено;Исходящее сальдо;В т.ч. пени');
      const roubles = (k: number) =>
        `${k < 0 ? '-' : ''}${Math.floor(Math.abs(k) / 100)},${String(Math.abs(k) % 100).padStart(2, '0')}`;
      expect(rows).toEqual(
        json.rows.map(
          (r: Item) =>
            `${r.period === '2026-09' ? 'Сентябрь 2026' : 'Октябрь 2026'};${roubles(r.opening)};${roubles(r.charged)};${roubles(r.paid)};${roubles(r.closing)};0,00`,
        ),
      );
    });

    it('breaks each month down by service, with volume, method, tariff and amount', async () => {
      const res = await resident.request('GET', '/api/statement/charges?from=2026-10&to=2026-10');
      expect(res.status).toBe(200);
      const [october] = res.json.periods;
      expect(october.period).toBe('2026-10');
      expect(october.total).toBe(totalOf(expectedOctober(home)));
      expect(october.lines).toContainEqual({
        kind: 'charge',
        service: 'cold_water',
        title: 'Холодное водоснабжение',
        volume: home.cold.toFixed(),
        unit: 'м³',
        method: 'meter',
        price: '40',
        amount: expectedOctober(home).cold_water,
      });
      const payments = await resident.request('GET', '/api/statement/payments');
      expect(payments.status).toBe(200);
      expect(payments.json.items).toEqual([]);
    });

    it('answers bad filters with a Russian 400 and strangers with 401, never a 5xx', async () => {
      for (const query of ['from=2026-13', 'from=2026-10&to=2026-01', 'to=октябрь', 'from=2000-01&to=2026-10']) {
        const res = await resident.request('GET', `/api/statement?${query}`);
        expect(res.status, query).toBe(400);
        expect(res.json.error.code).toBe('invalid_input');
        expect(Object.values(res.json.error.fields ?? {}).join(' ')).toMatch(/[А-Яа-я]/);
      }
      const csv = await resident.request('GET', '/api/statement/csv?from=2026-10&to=2026-01');
      expect(csv.status).toBe(400);
      for (const path of [
        '/api/statement',
        '/api/statement/csv',
        '/api/statement/charges',
        '/api/statement/payments',
      ]) {
        const res = await client.fork().request('GET', path);
        expect(res.status, path).toBe(401);
        expect(res.json.error.code).toBe('unauthorized');
      }
    });

    it('publishes the tariffs in force without a login', async () => {
      const res = await client.fork().request('GET', '/api/tariffs');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=300');
      expect(res.json.period).toBe('2026-11');
      expect(res.json.current).toContainEqual({
        service: 'cold_water',
        title: 'Холодное водоснабжение',
        basis: 'metered',
        unit: 'м³',
        price: '40',
        norm: '4',
        coefficient: '1.5',
        from: '2026-01',
        until: '2026-12',
      });
      expect(res.json.upcoming).toEqual([
        expect.objectContaining({ service: 'cold_water', price: '99', from: '2027-01' }),
      ]);
    });
  });

  describe('the November run by the operator’s CLI, with a late reading', () => {
    const late = town[0] as Home; // 300001 skipped October's reading: billed by average

    beforeAll(async () => {
      // November's readings: 300001's consumption counts from September's value, covering October too.
      const november = readingItems(late, [['2026-11', 0]]).map((item) => ({
        ...item,
        consumption: new Decimal(item.consumption).times(2).toFixed(),
      }));
      await putItems(november);
      pinClock('2026-12-01T00:10:00+03:00');
    });

    afterAll(() => pinClock('2026-11-01T00:10:00+03:00'));

    it('refuses a month that has not ended, and a malformed one, before touching anything', async () => {
      const open = await runCli(['billing', 'run', '--period', '2026-12']);
      expect(open.code).toBe(2);
      expect(open.stderr).toContain('ещё не закончился');
      const bad = await runCli(['billing', 'run', '--period', '2026-1']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('ГГГГ-ММ');
    });

    it('bills November, recalculates October for the late reading, and a second run changes nothing', async () => {
      const first = await runCli(['billing', 'run']);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('Начисления за Ноябрь 2026 (2026-11)');
      expect(first.stdout).toContain(`Лицевых счетов: ${TOWN}; начислено: ${TOWN}; уже были начислены: 0`);
      expect(first.stdout).toContain('Перерасчёты: по 1 сч.');

      const ledger = await ledgerItems();
      const recalc = ledger.find((i) => i.sk === 'LEDGER#2026-11#recalc#billing');
      expect(recalc?.account).toBe(late.account);
      const october = expectedOctober(late);
      // October's real volumes are half of November's reading: the base values.
      const actual = {
        cold_water: kop(late.cold, 40),
        hot_water: kop(late.hot, 200),
        electricity: kop(late.electricity, 6),
      };
      const byService = Object.fromEntries(recalc?.lines.map((l: Item) => [l.service, l]) ?? []);
      for (const [service, amount] of Object.entries(actual)) {
        expect(byService[service]).toMatchObject({
          forPeriod: '2026-10',
          method: 'meter',
          billedAmount: october[service],
          revisedAmount: amount,
          amount: amount - (october[service] ?? 0),
        });
      }
      expect(byService.wastewater).toMatchObject({
        forPeriod: '2026-10',
        amount: kop(late.cold.plus(late.hot), 30) - (october.wastewater ?? 0),
      });
      const novemberCharge = ledger.find((i) => i.sk === 'LEDGER#2026-11#charge#billing' && i.account === late.account);
      expect(novemberCharge?.lines.find((l: Item) => l.service === 'cold_water')).toMatchObject({
        method: 'meter',
        volume: late.cold.toFixed(),
      });

      const second = await runCli(['billing', 'run', '--period', '2026-11']);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain(`начислено: 0; уже были начислены: ${TOWN}`);
      expect(await ledgerItems()).toEqual(ledger);

      const status = await runCli(['billing', 'status', '--period', '2026-11']);
      expect(status.code).toBe(0);
      expect(status.stdout.match(/Начисления за Ноябрь 2026/g)).toHaveLength(2);
    });

    it('imports opening balances through the CLI, reporting bad rows by line with exit code 1', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rac-balances-'));
      const file = join(dir, 'balances.csv');
      writeFileSync(file, 'account;service;balance;period\n300003;gas;15,00;2026-10\n300003;gas;x;2026-10\n');
      const out = await runCli(['import', 'balances', file]);
      expect(out.code).toBe(1);
      expect(out.stdout).toContain('Записей в файле: 2; загружено: 1');
      expect(out.stdout).toContain('строка 3: balance — ожидается сумма в рублях');
    });
  });

  describe('the rules of ПП РФ № 354 through the real import and run', () => {
    // Accounts of their own, billed one by one through the run's account path (one query, one
    // conditional write), so the town's counts above stay the town's.
    const accounts = [
      'account;owner;passport;address;area;residents;services;owners;no_meter_possible',
      '700001;Без Горячей Воды;1407 700001;г. Старый Оскол, д. 70, кв. 1;40;2;cold_water wastewater;1;',
      '700002;Никто Не Живёт;1407 700002;г. Старый Оскол, д. 70, кв. 2;40;0;cold_water waste;3;',
      '700003;Счётчик Нельзя;1407 700003;г. Старый Оскол, д. 70, кв. 3;40;2;cold_water;1;cold_water',
      '700004;Новый Счётчик;1407 700004;г. Старый Оскол, д. 70, кв. 4;40;1;cold_water;1;',
    ].join('\n');
    const reading = (account: string, serial: string, period: string, consumption: string) => ({
      ...keys.reading(account, serial, period),
      entity: 'reading',
      account,
      serial,
      service: 'cold_water',
      period,
      value: '0',
      consumption,
      source: 'seed',
      submittedAt: `${period}-26T16:30:00.000Z`,
    });
    const lineOf = async (account: string, sk: string) =>
      (await ledgerItems()).find((i) => i.account === account && i.sk === sk)?.lines as Item[] | undefined;
    let billOne: (account: string, period: string) => Promise<unknown>;

    beforeAll(async () => {
      pinClock('2026-12-01T00:10:00+03:00');
      const { billOneAccount } = await import('#shared/billing/run');
      const { loadTariffs } = await import('#shared/billing/store');
      const tariffs = await loadTariffs();
      billOne = (account, period) => billOneAccount(account, period, tariffs);
      expect((await importRegistry('accounts', Buffer.from(accounts))).errors).toEqual([]);
      const meters =
        'account;meter;service;reading;verified_until;installed\n700001;W-1;cold_water;0;2031-01-31;2026-10-01\n';
      expect((await importRegistry('meters', Buffer.from(meters))).errors).toEqual([]);
      await putItems([reading('700001', 'W-1', '2026-10', '7')]);
      for (const account of ['700001', '700002', '700003', '700004']) await billOne(account, '2026-10');
    }, 60_000);

    afterAll(() => pinClock('2026-11-01T00:10:00+03:00'));

    it('a flat without hot water pays wastewater for its cold water only', async () => {
      const lines = await lineOf('700001', 'LEDGER#2026-10#charge#billing');
      // The case: 7 m³ on the cold water meter is 7 m³ of wastewater, not 7 + the hot water norm.
      expect(lines?.find((l) => l.service === 'wastewater')).toMatchObject({
        volume: '7',
        method: 'meter',
        amount: kop(7, 30),
      });
    });

    it('a flat nobody lives in pays the norm and the waste by its owners (п. 56(2))', async () => {
      const lines = await lineOf('700002', 'LEDGER#2026-10#charge#billing');
      expect(lines?.find((l) => l.service === 'cold_water')).toMatchObject({
        volume: '18',
        coefficient: '1.5',
        amount: kop(18, 40),
      });
      expect(lines?.find((l) => l.service === 'waste')).toMatchObject({ volume: '3', amount: kop(3, 150) });
    });

    it('a flat where no meter can be installed pays the norm without the increasing coefficient', async () => {
      const lines = await lineOf('700003', 'LEDGER#2026-10#charge#billing');
      expect(lines?.[0]).toMatchObject({ service: 'cold_water', volume: '8', method: 'norm', amount: kop(8, 40) });
      expect(lines?.[0]).not.toHaveProperty('coefficient');
    });

    it('a new meter’s first reading recalculates the months billed by the norm since its installation, once', async () => {
      // October was billed without a meter: 4 × 1 × 1.5. The operator then registers the meter,
      // installed on 15 October, and November's first reading counts 9 m³ since then.
      expect((await lineOf('700004', 'LEDGER#2026-10#charge#billing'))?.[0]).toMatchObject({
        volume: '6',
        amount: kop(6, 40),
      });
      const meters =
        'account;meter;service;reading;verified_until;installed\n700004;N-4;cold_water;0;2032-10-31;2026-10-15\n';
      expect((await importRegistry('meters', Buffer.from(meters))).errors).toEqual([]);
      await putItems([reading('700004', 'N-4', '2026-11', '9')]);
      await billOne('700004', '2026-11');
      expect((await lineOf('700004', 'LEDGER#2026-11#charge#billing'))?.[0]).toMatchObject({
        method: 'meter',
        volume: '4.5',
      });
      expect(await lineOf('700004', 'LEDGER#2026-11#recalc#billing')).toEqual([
        expect.objectContaining({
          forPeriod: '2026-10',
          method: 'meter',
          volume: '4.5',
          billedAmount: kop(6, 40),
          revisedAmount: kop('4.5', 40),
          amount: kop('4.5', 40) - kop(6, 40),
        }),
      ]);
      const before = await ledgerItems();
      await billOne('700004', '2026-11');
      expect(await ledgerItems()).toEqual(before);
    });
  });
});
