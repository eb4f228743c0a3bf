import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { epdOf } from '#shared/epd/bill';
import { closeBrowser } from '#shared/epd/render';
import { importRegistry } from '#shared/registry/importRegistry';
import { resetWindowCacheForTests } from '#shared/window/windowStore';
import { runCli } from '#test/support/cli';
import {
  type PaymentsStack,
  signedBankRequest,
  startPaymentsStack,
  submitPaymentPage,
  waitUntil,
} from '#test/support/payments';
import { loggedIn, registeredResident } from '#test/support/residents';

/**
 * Money end to end through the public interfaces only: November's readings arrive three ways
 * (the resident's POST /api/readings, a bank's signed notification carrying readings, the
 * operator's `import readings` file), the operator's `billing run` bills the month, the resident
 * reads the statement and downloads the ЕПД, pays it by card on the sandbox bank's page, and the
 * balance is what an independent oracle says: volumes from the readings sent × the tariffs file's
 * prices, half-up to kopecks, wastewater = cold + hot, the norm × residents (× the increasing
 * coefficient) for a flat without meters. Nothing here reads or writes the table directly, and
 * no expected number comes from the code's own functions.
 */

const RUN = Date.now();
const [WEB, BANK, FILE, NORM, CARD] = ['720001', '720002', '720003', '720004', '720005'];
const ALL = [WEB, BANK, FILE, NORM, CARD];
const PERIOD = '2026-11';
/** The window for November is open (25th to the 1st); the readings come in on the 26th. */
const IN_WINDOW = '2026-11-26T10:00:00+03:00';
/** The run for November, as the schedule starts it: 00:10 Moscow time on the 1st. */
const BILLING = '2026-12-01T00:10:00+03:00';
const PAYING = '2026-12-03T12:00:00+03:00';

/** The tariffs file as the operator imports it; the oracle reads its prices from the same rows. */
const TARIFF_ROWS = {
  cold_water: { unit: 'м³', price: '35,12', norm: '3,8', coefficient: '1,5' },
  hot_water: { unit: 'м³', price: '210,55', norm: '2,9', coefficient: '1,5' },
  wastewater: { unit: 'м³', price: '30,47', norm: '6,7', coefficient: '' },
  electricity: { unit: 'кВт·ч', price: '6,13', norm: '100', coefficient: '' },
  maintenance: { unit: 'м²', price: '25,37', norm: '1', coefficient: '' },
} as const;
type Service = keyof typeof TARIFF_ROWS;
const TARIFFS = [
  'service;unit;price;norm;from;coefficient',
  ...Object.entries(TARIFF_ROWS).map(([s, t]) => `${s};${t.unit};${t.price};${t.norm};2026-01;${t.coefficient}`),
].join('\n');

const AREA = '50,5';
const RESIDENTS = 3;
const SERVICES = 'cold_water hot_water wastewater electricity maintenance';
const ACCOUNTS = [
  'account;owner;passport;address;area;residents;services',
  ...ALL.map(
    (a, i) => `${a};Житель ${i};14${a.slice(-2)} ${a};г. Старый Оскол, д. ${i + 1};${AREA};${RESIDENTS};${SERVICES}`,
  ),
].join('\n');

/** Meters put in service on 2 November with these readings: November is each meter's first month. */
const START = { cold: '100', hot: '50', el: '1000' };
const METERS = [
  'account;meter;service;reading;verified_until;installed',
  ...[WEB, BANK, FILE, CARD].flatMap((a) => [
    `${a};C-${a};cold_water;${START.cold};2030-12-31;2026-11-02`,
    `${a};H-${a};hot_water;${START.hot};2030-12-31;2026-11-02`,
    `${a};E-${a};electricity;${START.el};2030-12-31;2026-11-02`,
  ]),
].join('\n');

/** What each flat's meters show at the end of November (three decimals for water). */
const SENT: Record<string, { cold: string; hot: string; el: string }> = {
  [WEB]: { cold: '112.345', hot: '54.215', el: '1234' },
  [BANK]: { cold: '108.905', hot: '53.333', el: '1187' },
  [FILE]: { cold: '110.5', hot: '52.125', el: '1311' },
  [CARD]: { cold: '104.005', hot: '51.015', el: '1077' },
};

// ---- the oracle: only decimal.js, the tariffs rows above and the readings sent ----

const dec = (s: string) => new Decimal(s.replace(',', '.'));
/** Rubles × volume → kopecks, half-up once per line. */
const kopecks = (volume: Decimal, service: Service, coefficient = false): number => {
  const t = TARIFF_ROWS[service];
  let amount = volume.mul(dec(t.price)).mul(100);
  if (coefficient && t.coefficient) amount = amount.mul(dec(t.coefficient));
  return amount.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
};

function expectedCharges(account: string): Record<Service, number> {
  const maintenance = kopecks(dec(AREA).mul(dec(TARIFF_ROWS.maintenance.norm)), 'maintenance');
  const sent = SENT[account];
  if (!sent) {
    // No meters at all: the norm × residents × the increasing coefficient (ПП РФ № 354 п. 42);
    // wastewater drains the normed cold and hot water, without the coefficient.
    const cold = dec(TARIFF_ROWS.cold_water.norm).mul(RESIDENTS);
    const hot = dec(TARIFF_ROWS.hot_water.norm).mul(RESIDENTS);
    return {
      cold_water: kopecks(cold, 'cold_water', true),
      hot_water: kopecks(hot, 'hot_water', true),
      wastewater: kopecks(cold.add(hot), 'wastewater'),
      electricity: kopecks(dec(TARIFF_ROWS.electricity.norm).mul(RESIDENTS), 'electricity', true),
      maintenance,
    };
  }
  const cold = dec(sent.cold).sub(dec(START.cold));
  const hot = dec(sent.hot).sub(dec(START.hot));
  return {
    cold_water: kopecks(cold, 'cold_water'),
    hot_water: kopecks(hot, 'hot_water'),
    wastewater: kopecks(cold.add(hot), 'wastewater'),
    electricity: kopecks(dec(sent.el).sub(dec(START.el)), 'electricity'),
    maintenance,
  };
}
const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);

/** What the bank took with BANK's readings: a round sum, credited before the bill (an advance). */
const BANK_PAID = 150_000;

function clockAt(iso: string): void {
  process.env[ENV.now] = iso;
  resetConfigForTests();
  resetWindowCacheForTests();
}

let stack: PaymentsStack;
const emailOf = (account: string) => `flow-${account}-${RUN}@example.ru`;

async function submitInCabinet(account: string): Promise<void> {
  const resident = await registeredResident(
    stack.client,
    account,
    `14${account.slice(-2)} ${account}`,
    emailOf(account),
  );
  const meters = await resident.request('GET', '/api/meters');
  expect(meters.status).toBe(200);
  expect(meters.json.window.open).toBe(true);
  const idOf = (serial: string) => meters.json.meters.find((m: { serial: string }) => m.serial === serial)?.id;
  const sent = SENT[account];
  const submitted = await resident.request('POST', '/api/readings', {
    body: {
      readings: [
        { meterId: idOf(`C-${account}`), value: sent?.cold },
        { meterId: idOf(`H-${account}`), value: sent?.hot },
        { meterId: idOf(`E-${account}`), value: sent?.el },
      ],
    },
  });
  expect(submitted.status, submitted.text).toBe(201);
}

beforeAll(async () => {
  clockAt(IN_WINDOW);
  stack = await startPaymentsStack();
  // The operator's registry, as `npm run rac -- import …` loads it.
  for (const [kind, csv] of [
    ['tariffs', TARIFFS],
    ['accounts', ACCOUNTS],
    ['meters', METERS],
  ] as const) {
    expect((await importRegistry(kind, Buffer.from(csv))).errors).toEqual([]);
  }

  // 1. The residents submit in the cabinet.
  for (const account of [WEB, CARD]) await submitInCabinet(account);

  // 2. A bank's app takes a payment and the readings with it, and notifies the centre (signed).
  const bankPath = '/api/banks/sberbank/payments';
  const notice = signedBankRequest(bankPath, {
    transactionId: `FLOW-${RUN}`,
    account: BANK,
    amount: BANK_PAID,
    paidAt: '2026-11-26T09:30:00+03:00',
    readings: [
      { meter: `C-${BANK}`, value: SENT[BANK]?.cold },
      { meter: `H-${BANK}`, value: SENT[BANK]?.hot },
      { meter: `E-${BANK}`, value: SENT[BANK]?.el },
    ],
  });
  const notified = await fetch(`${stack.url}${bankPath}`, {
    method: 'POST',
    headers: notice.headers,
    body: notice.raw,
  });
  const answer = await notified.json();
  expect(notified.status, JSON.stringify(answer)).toBe(200);
  expect(answer).toMatchObject({ status: 'succeeded', duplicate: false, readings: { accepted: true } });

  // 3. The centre's own readings (paper, phone) from a registry file, through the operator's CLI.
  const dir = mkdtempSync(path.join(tmpdir(), 'rac-flow-'));
  const file = path.join(dir, 'readings.csv');
  writeFileSync(
    file,
    [
      'account;meter;period;value;date;source',
      `${FILE};C-${FILE};${PERIOD};${SENT[FILE]?.cold.replace('.', ',')};2026-11-26;paper`,
      `${FILE};H-${FILE};${PERIOD};${SENT[FILE]?.hot.replace('.', ',')};2026-11-26;paper`,
      `${FILE};E-${FILE};${PERIOD};${SENT[FILE]?.el};2026-11-26;phone`,
    ].join('\r\n'),
  );
  const imported = await runCli(['import', 'readings', file]);
  expect(imported.code, imported.output).toBe(0);
  expect(imported.stdout).toContain('загружено: 3');

  for (const account of [BANK, FILE, NORM]) {
    await registeredResident(stack.client, account, `14${account.slice(-2)} ${account}`, emailOf(account));
  }

  // The window closes; the operator's run bills November.
  clockAt(BILLING);
  const billed = await runCli(['billing', 'run', '--period', PERIOD]);
  expect(billed.code, billed.output).toBe(0);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await closeBrowser();
  delete process.env[ENV.now];
  resetConfigForTests();
});

describe.each([
  ['the cabinet', WEB],
  ["a bank's app", BANK],
  ['a registry file', FILE],
  ['no meters (norms)', NORM],
])('readings by %s → the bill', (_how, account) => {
  it("the statement's lines and total are the oracle's", async () => {
    clockAt(PAYING);
    const resident = await loggedIn(stack.client, account);
    const charges = await resident.request('GET', `/api/statement/charges?from=${PERIOD}&to=${PERIOD}`);
    expect(charges.status).toBe(200);
    const [month] = charges.json.periods;
    const expected = expectedCharges(account);
    expect(month.period).toBe(PERIOD);
    expect(
      Object.fromEntries(month.lines.map((l: { service: string; amount: number }) => [l.service, l.amount])),
    ).toEqual(expected);
    expect(month.total).toBe(sum(expected));

    const statement = await resident.request('GET', `/api/statement?from=${PERIOD}&to=${PERIOD}`);
    expect(statement.status).toBe(200);
    const paidBefore = account === BANK ? BANK_PAID : 0;
    expect(statement.json.rows[0]).toMatchObject({ period: PERIOD, charged: sum(expected) });

    const me = await resident.request('GET', '/api/me');
    expect(me.json.balance.total).toBe(sum(expected) - paidBefore);
  });

  it('the ЕПД is a PDF of the month, and its totals and QR sum are the oracle’s', async () => {
    clockAt(PAYING);
    const resident = await loggedIn(stack.client, account);
    const res = await fetch(`${stack.url}/api/epd/${PERIOD}`, {
      headers: { cookie: [...resident.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const expected = expectedCharges(account);
    const epd = await epdOf(account, PERIOD);
    expect(epd?.totals.total).toBe(sum(expected));
    const toPay = sum(expected) - (account === BANK ? BANK_PAID : 0);
    expect(epd?.qrPayload).toContain(`|PersAcc=${account}|PaymPeriod=112026|Sum=${toPay}|`);
  }, 60_000);
});

describe('paying the bill by card', () => {
  it('of readings sent in the cabinet: the sandbox bank calls back, the balance is zero', async () => {
    clockAt(PAYING);
    const resident = await loggedIn(stack.client, CARD);
    const due = sum(expectedCharges(CARD));
    expect((await resident.request('GET', '/api/me')).json.balance.total).toBe(due);
    const order = await resident.request('POST', '/api/payments', { body: { amount: due } });
    expect(order.status, order.text).toBe(201);
    const page = await submitPaymentPage(order.json.paymentUrl, 'pay');
    expect(page.status).toBe(303);
    await waitUntil(
      async () => (await resident.request('GET', `/api/payments/${order.json.id}`)).json.state === 'succeeded',
      'the card payment to succeed',
    );
    await stack.sandbox.idle();
    const me = await resident.request('GET', '/api/me');
    expect(me.json.balance.total).toBe(0);
    expect(me.json.balance.services.every((s: { balance: number }) => s.balance === 0)).toBe(true);
    const history = await resident.request('GET', `/api/statement?from=${PERIOD}&to=2026-12`);
    const paid = history.json.rows.reduce((a: number, r: { paid: number }) => a + r.paid, 0);
    expect(paid).toBe(due);
  });
});
