import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import Decimal from 'decimal.js';
import { expect } from 'vitest';
import { invokeGroup } from '#local/lambda';
import type { LocalQueues } from '#local/queue';
import { db, tableName } from '#shared/clients/dynamo';
import { resetConfigForTests } from '#shared/config';
import { importRegistry } from '#shared/registry/importRegistry';
import { putItems, readingItem } from '#test/support/fixtures';
import type { Client } from '#test/support/http';
import { mailedToken } from '#test/support/mail';

/**
 * A generated town of 50 accounts with known tariffs, meters and readings (July–October 2026), and
 * the billing rules written out plainly, independent of shared/billing, for the billing integration
 * files (billing-*.test.ts). Each file builds the town in its own table; importing it or billing
 * October again changes nothing, so a file may call these from any `beforeAll`.
 */

export const TOWN = 50;
export const accountOf = (i: number) => String(300000 + i);

/** The clock: the first minutes of November, Moscow time, when October's run fires. */
export const OCTOBER_RUN_CLOCK = '2026-11-01T00:10:00+03:00';
/** A month later: November's run. */
export const NOVEMBER_RUN_CLOCK = '2026-12-01T00:10:00+03:00';

export function pinClock(iso: string): void {
  process.env.RAC_NOW = iso;
  resetConfigForTests();
}

export const TARIFFS = [
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
export const town = Array.from({ length: TOWN }, (_, k) => {
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
export type Home = (typeof town)[number];

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
export function readingItems(h: Home, periods: Array<[period: string, step: number]>) {
  const meters: Array<[string, string, Decimal]> = [
    [`C${h.i}`, 'cold_water', h.cold],
    [`H${h.i}`, 'hot_water', h.hot],
    [`E${h.i}`, 'electricity', h.electricity],
  ];
  return periods.flatMap(([period, step]) =>
    meters.map(([serial, service, base]) =>
      readingItem({
        account: h.account,
        serial,
        service,
        period,
        value: '0',
        consumption: base.plus(new Decimal(step).times('0.1')).toFixed(),
      }),
    ),
  );
}

/** Kept here for the billing files that import the town's helpers together. */
export { putItems };

/** Imports the town's tariffs, accounts and meters and writes its readings of July–October. */
export async function buildTown(): Promise<void> {
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
}

/**
 * October's run as EventBridge Scheduler fires it on 1 November: the billing group's job; the
 * batches follow through the queue. Leaves the clock at the October run's.
 */
export async function runOctober(queues: LocalQueues): Promise<string> {
  pinClock(OCTOBER_RUN_CLOCK);
  const started = (await invokeGroup('billing', { job: 'billing.run' })) as { period: string; runId: string };
  expect(started.period).toBe('2026-10');
  await queues.drain();
  expect(queues.deadLetters).toEqual([]);
  return started.runId;
}

/** The rules, written out plainly here, independent of shared/billing: kopecks, half-up per line. */
export const kop = (volume: Decimal.Value, price: Decimal.Value) =>
  new Decimal(volume).times(price).times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();

export function expectedOctober(h: Home): Record<string, number> {
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
export const totalOf = (lines: Record<string, number>) => Object.values(lines).reduce((a, b) => a + b, 0);

export type Item = Record<string, any>;
export async function everyItem(): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db().send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
export const ledgerItems = async () => (await everyItem()).filter((i) => String(i.sk).startsWith('LEDGER#'));

/** A resident of the town with a cabinet: registered by the mailed link. */
export async function residentOf(client: Client, h: Home): Promise<Client> {
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
