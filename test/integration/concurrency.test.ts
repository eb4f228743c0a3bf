import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BillingMessage, billBatch } from '#shared/billing/run';
import { createRun, getRun } from '#shared/billing/store';
import { db, tableName } from '#shared/clients/dynamo';
import { resetMailForTests } from '#shared/clients/mail';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { type EpdMessage, issueBatch } from '#shared/epd/issue';
import { closeBrowser } from '#shared/epd/render';
import { keys } from '#shared/keys';
import { reconcilePendingPayments } from '#shared/payments/reconcile';
import { importReadings } from '#shared/readings/import';
import { importRegistry } from '#shared/registry/importRegistry';
import { holdWrites } from '#test/support/barrier';
import { startFaultProxy } from '#test/support/faultProxy';
import { imported, METERS_HEADER, putCabinet, readingsRev } from '#test/support/fixtures';
import { mailedToken, mailsTo } from '#test/support/mail';
import {
  depositedCallback,
  importAccounts,
  mdOrderOf,
  owes,
  type PaymentsStack,
  paymentEntries,
  residentWithCabinet,
  startPaymentsStack,
  storedPayment,
} from '#test/support/payments';
import { loggedIn, register, resetToken } from '#test/support/residents';

/**
 * Races that reach the guards: two invocations of the real code released together by a barrier
 * held in front of their conditional write (test/support/barrier.ts), so both have read the table
 * before either writes and the read-first checks cannot decide. Exactly one wins; the other
 * writes nothing. Every test has its own accounts, so none depends on another.
 */

const RUN = Date.now();
const PERIOD = '2026-10';
const NOW = '2026-11-02T03:00:00+03:00';

function pinClock(iso: string): void {
  process.env[ENV.now] = iso;
  resetConfigForTests();
}
pinClock(NOW);

const TARIFFS = [
  'service;unit;price;norm;from;coefficient',
  'cold_water;м³;35,72;3,8;2026-01;1,5',
  'maintenance;м²;27,86;1;2026-01;',
  'waste;чел.;145,05;1;2026-01;',
].join('\n');

let stack: PaymentsStack;

async function importTown(accounts: readonly string[]): Promise<void> {
  const rows = ['account;owner;passport;address;area;residents;services'];
  for (const a of accounts) {
    rows.push(`${a};Гонкин Пётр;14${a.slice(-2)} ${a};г. Старый Оскол, д. ${a};50,5;2;cold_water maintenance waste`);
  }
  const report = await importRegistry('accounts', Buffer.from(rows.join('\n')));
  expect(report.errors).toEqual([]);
}

async function ledgerOf(account: string): Promise<Array<Record<string, any>>> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':p': keys.ledgerPrefix },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

async function billRun(accounts: string[]): Promise<BillingMessage & { type: 'batch' }> {
  const runId = `race-${accounts[0]}-${RUN}`;
  await createRun({ period: PERIOD, runId, shards: 0, startedAt: new Date().toISOString(), source: 'test' });
  return { type: 'batch', period: PERIOD, runId, accounts };
}

async function marker(account: string) {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.epdMail(account, PERIOD), ConsistentRead: true }),
  );
  return out.Item;
}

beforeAll(async () => {
  stack = await startPaymentsStack({ sendCallbacks: false });
  const report = await importRegistry('tariffs', Buffer.from(TARIFFS));
  expect(report.errors).toEqual([]);
});

afterAll(async () => {
  await stack?.stop();
  await closeBrowser();
  delete process.env[ENV.now];
  resetConfigForTests();
});

describe('the billing run', () => {
  it('two workers on the same batch at once: every account billed once, the run counts it once', async () => {
    const accounts = ['510001', '510002', '510003'];
    await importTown(accounts);
    const message = await billRun(accounts);
    // Both workers hold at the bill write until all six writes (3 accounts × 2) are in flight.
    const gate = holdWrites(
      (name, request) => /PutItem|TransactWriteItems/.test(name) && request.includes(`LEDGER#${PERIOD}#charge`),
      accounts.length * 2,
    );
    let results: Awaited<ReturnType<typeof billBatch>>[];
    try {
      results = await Promise.all([billBatch(message), billBatch(message)]);
    } finally {
      gate.remove();
    }
    expect(gate.arrivals, 'both workers reached the conditional write').toBe(accounts.length * 2);
    expect(results.map((r) => r.billed).reduce((a, b) => a + b)).toBe(accounts.length);
    expect(results.map((r) => r.alreadyBilled).reduce((a, b) => a + b)).toBe(accounts.length);

    let charged = 0;
    for (const account of accounts) {
      const charges = (await ledgerOf(account)).filter((e) => e.kind === 'charge');
      expect(charges).toHaveLength(1);
      charged += Number(charges[0]?.total);
    }
    // The operator's `billing status` reads the run record: one bill per account, not two.
    const run = await getRun(PERIOD, message.runId);
    expect(run).toMatchObject({ billed: accounts.length, alreadyBilled: accounts.length, charged });
  });
});

describe('the ЕПД issuance', () => {
  it('two workers on the same batch at once: one mail per resident, one marker', async () => {
    const accounts = ['520001', '520002'];
    const email = (a: string) => `race-${a}-${RUN}@example.ru`;
    await importTown(accounts);
    await billBatch(await billRun(accounts));
    for (const a of accounts) await putCabinet(a, { email: email(a) });
    const message: EpdMessage & { type: 'batch' } = { type: 'batch', period: PERIOD, runId: `epd-${RUN}`, accounts };

    const gate = holdWrites(
      (name, request) => name.startsWith('PutItem') && request.includes(`EPD_MAIL#${PERIOD}`),
      accounts.length * 2,
    );
    let results: Awaited<ReturnType<typeof issueBatch>>[];
    try {
      results = await Promise.all([issueBatch(message), issueBatch(message)]);
    } finally {
      gate.remove();
    }
    expect(gate.arrivals, 'both workers reached the claim').toBe(accounts.length * 2);
    expect(results.map((r) => r.sent).reduce((a, b) => a + b)).toBe(accounts.length);
    expect(results.map((r) => r.alreadySent).reduce((a, b) => a + b)).toBe(accounts.length);
    for (const a of accounts) {
      expect(await mailsTo(email(a))).toHaveLength(1);
      expect(await marker(a)).toMatchObject({ status: 'sent' });
    }
  });

  it('SES refusing the mail releases the claim, and a later run sends it once', async () => {
    const account = '520011';
    const address = `refused-${account}-${RUN}@example.ru`;
    await importTown([account]);
    await billBatch(await billRun([account]));
    await putCabinet(account, { email: address });
    const message: EpdMessage & { type: 'batch' } = {
      type: 'batch',
      period: PERIOD,
      runId: `epd-refused-${RUN}`,
      accounts: [account],
    };

    // SES answers as it does for a rejected message: HTTP 400, MessageRejected.
    const ses = process.env[ENV.sesEndpoint] as string;
    const refusing = await startFaultProxy({ target: ses, mode: 'reject-ses' });
    process.env[ENV.sesEndpoint] = refusing.endpoint;
    resetConfigForTests();
    resetMailForTests();
    try {
      const refused = await issueBatch(message);
      expect(refused).toMatchObject({ sent: 0, failed: 1 });
    } finally {
      process.env[ENV.sesEndpoint] = ses;
      resetConfigForTests();
      resetMailForTests();
      await refusing.stop();
    }
    expect(refusing.requests).toBeGreaterThan(0);
    expect(await marker(account)).toBeUndefined();
    expect(await mailsTo(address)).toEqual([]);

    const later = await issueBatch({ ...message, runId: `epd-later-${RUN}` });
    expect(later).toMatchObject({ sent: 1, failed: 0 });
    expect(await mailsTo(address)).toHaveLength(1);
    expect(await marker(account)).toMatchObject({ status: 'sent' });
  });
});

describe('a card payment', () => {
  it("the acquirer's callback and the reconciliation job at once: one credit to the ledger", async () => {
    const account = '530001';
    await importAccounts([account]);
    await owes(account, { maintenance: 150_000 });
    const resident = await residentWithCabinet(stack, account);
    const started = await resident.request('POST', '/api/payments', { body: { amount: 150_000 } });
    expect(started.status).toBe(201);
    const { id, paymentUrl } = started.json as { id: string; paymentUrl: string };
    stack.sandbox.complete(mdOrderOf(paymentUrl), 'pay', { sendCallback: false });

    // Late enough for the job to take it up (open for more than 20 minutes).
    const created = (await storedPayment(account, id))?.createdAt as string;
    pinClock(new Date(new Date(created).getTime() + 21 * 60_000).toISOString());
    const callback = depositedCallback({ id, paymentUrl });
    const gate = holdWrites(
      (name, request) => name.startsWith('TransactWriteItems') && request.includes(`PAYMENTS#${account}`),
    );
    try {
      const [answer, summary] = await Promise.all([
        stack.client.request('GET', `/api/webhooks/sber?${callback}`),
        reconcilePendingPayments(),
      ]);
      expect(gate.arrivals, 'both reached the status transition').toBe(2);
      expect(answer.status).toBe(200);
      expect(summary.failed).toBe(0);
    } finally {
      gate.remove();
      pinClock(NOW);
    }
    expect(await paymentEntries(account)).toEqual([{ id, total: -150_000 }]);
    expect((await storedPayment(account, id))?.status).toBe('succeeded');
  });
});

describe('readings', () => {
  it('two submissions of one meter at once: one reading, one write of the readings', async () => {
    const account = '540001';
    pinClock('2026-11-26T19:30:00+03:00');
    try {
      await importTown([account]);
      await imported('meters', [METERS_HEADER, `${account};R-COLD;cold_water;100;2030-01-31`]);
      const resident = await residentWithCabinet(stack, account);
      const list = await resident.request('GET', '/api/meters');
      expect(list.status).toBe(200);
      const meterId = (list.json.meters ?? list.json.items ?? list.json)[0]?.id as string;
      expect(meterId).toBeTypeOf('string');

      const gate = holdWrites(
        (name, request) => name.startsWith('TransactWriteItems') && request.includes('READING#R-COLD'),
      );
      let answers: Array<{ status: number }>;
      try {
        answers = await Promise.all(
          [0, 1].map(() =>
            resident.request('POST', '/api/readings', { body: { readings: [{ meterId, value: '105' }] } }),
          ),
        );
      } finally {
        gate.remove();
      }
      expect(gate.arrivals, 'both reached the transaction').toBe(2);
      expect(answers.map((a) => a.status)).toEqual([201, 201]);
      const reading = await db().send(
        new GetCommand({
          TableName: tableName(),
          Key: keys.reading(account, 'R-COLD', '2026-11'),
          ConsistentRead: true,
        }),
      );
      expect(reading.Item).toMatchObject({ value: '105.000', consumption: '5.000' });
      // One write: the loser found the same value there and wrote nothing.
      expect(await readingsRev(account)).toBe(1);
    } finally {
      pinClock(NOW);
    }
  });
});

describe('readings: two tabs, each changing one meter and repeating the other', () => {
  it('never leave a mix: the later tab finds the other meter changed and writes its own value back', async () => {
    const account = '540004';
    pinClock('2026-11-26T19:30:00+03:00');
    try {
      await importTown([account]);
      await imported('meters', [
        METERS_HEADER,
        `${account};T-A;cold_water;100;2030-01-31`,
        `${account};T-B;cold_water;200;2030-01-31`,
      ]);
      const tab1 = await residentWithCabinet(stack, account);
      const tab2 = tab1.fork();
      for (const [k, v] of tab1.cookies) tab2.cookies.set(k, v);
      const list = await tab1.request('GET', '/api/meters');
      const ids = Object.fromEntries(
        (list.json.meters as Array<{ serial: string; id: string }>).map((m) => [m.serial, m.id]),
      );
      const page = (a: string, b: string) => ({
        body: {
          readings: [
            { meterId: ids['T-A'], value: a },
            { meterId: ids['T-B'], value: b },
          ],
        },
      });
      expect((await tab1.request('POST', '/api/readings', page('101', '201'))).status).toBe(201);

      // Tab 1 changes A and repeats B; tab 2 repeats A and changes B. Both have read before either writes.
      const gate = holdWrites(
        (name, request) => name.startsWith('TransactWriteItems') && request.includes(`ACC#${account}`),
      );
      let answers: Array<{ status: number }>;
      try {
        answers = await Promise.all([
          tab1.request('POST', '/api/readings', page('102', '201')),
          tab2.request('POST', '/api/readings', page('101', '202')),
        ]);
      } finally {
        gate.remove();
      }
      expect(gate.arrivals, 'both reached the transaction').toBe(2);
      expect(answers.map((a) => a.status)).toEqual([201, 201]);
      const value = async (serial: string) =>
        (
          await db().send(
            new GetCommand({
              TableName: tableName(),
              Key: keys.reading(account, serial, '2026-11'),
              ConsistentRead: true,
            }),
          )
        ).Item?.value;
      // The page that came last holds whole: never A from one tab and B from the other.
      const final = `${await value('T-A')} ${await value('T-B')}`;
      expect(['102.000 201.000', '101.000 202.000']).toContain(final);
    } finally {
      pinClock(NOW);
    }
  });
});

describe('readings: the operator imports an earlier month while a resident submits', () => {
  /**
   * A resident's November value counts its consumption from the meter's latest earlier reading; an
   * import row for October (a month in between) or a correction of September (that very basis)
   * would change it. Both reach their transaction after both have read; whichever wins, the other
   * is judged again, so every reading's `previous` is the value of the reading before it.
   */
  async function race(account: string, importRow: string) {
    pinClock('2026-11-26T19:30:00+03:00');
    try {
      await importTown([account]);
      await imported('meters', [
        `${METERS_HEADER};installed`,
        `${account};X-COLD;cold_water;100;2030-01-31;2026-01-15`,
      ]);
      const basis = await importReadings(Buffer.from(`account;meter;period;value\n${account};X-COLD;2026-09;110`));
      expect(basis).toMatchObject({ loaded: 1, errors: [] });
      const resident = await residentWithCabinet(stack, account);
      const list = await resident.request('GET', '/api/meters');
      const meterId = (list.json.meters ?? list.json.items ?? list.json)[0]?.id as string;

      const gate = holdWrites(
        (name, request) => name.startsWith('TransactWriteItems') && request.includes('READING#X-COLD'),
      );
      let answer: { status: number };
      let report: Awaited<ReturnType<typeof importReadings>>;
      try {
        [answer, report] = await Promise.all([
          resident.request('POST', '/api/readings', { body: { readings: [{ meterId, value: '130' }] } }),
          importReadings(Buffer.from(`account;meter;period;value\n${account};X-COLD;${importRow}`)),
        ]);
      } finally {
        gate.remove();
      }
      expect(gate.arrivals, 'both reached the transaction').toBe(2);
      expect(answer.status).toBe(201);
      const out = await db().send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':p': `${keys.readingPrefix}X-COLD#` },
          ConsistentRead: true,
        }),
      );
      const chain = (out.Items ?? []) as Array<{
        period: string;
        value: string;
        previous: string;
        consumption: string;
      }>;
      expect(chain.at(-1)).toMatchObject({ period: '2026-11', value: '130.000' });
      for (const [i, r] of chain.entries()) {
        if (i === 0) continue;
        expect(r.previous, `${r.period} counts from the reading before it`).toBe(chain[i - 1]?.value);
        expect(Number(r.consumption)).toBeCloseTo(Number(r.value) - Number(r.previous), 6);
      }
      // Either the row came first and November counts from it, or November came first and the
      // row, judged again, is refused (a month before the meter's latest reading).
      if (report.loaded === 1) expect(report.errors).toEqual([]);
      else {
        expect(report.errors).toEqual([
          { line: 2, reason: expect.stringMatching(/^period — по счётчику уже есть показание за ноябрь 2026/) },
        ]);
      }
      return { chain, report };
    } finally {
      pinClock(NOW);
    }
  }

  it('a row for the month in between (October)', async () => {
    const { chain, report } = await race('540002', '2026-10;120');
    expect(chain.map((r) => r.period)).toEqual(
      report.loaded === 1 ? ['2026-09', '2026-10', '2026-11'] : ['2026-09', '2026-11'],
    );
  });

  it("a correction of the resident's basis (September)", async () => {
    const { chain, report } = await race('540003', '2026-09;112');
    expect(chain.map((r) => [r.period, r.value])).toEqual([
      ['2026-09', report.loaded === 1 ? '112.000' : '110.000'],
      ['2026-11', '130.000'],
    ]);
  });
});

describe('mailed links', () => {
  it('two resets with one token at once: one password set, the other refused', async () => {
    const account = '550001';
    await importAccounts([account]);
    await residentWithCabinet(stack, account);
    const token = await resetToken(stack.client.fork(), account, `r${account}@example.ru`);

    const gate = holdWrites((name, request) => name.startsWith('TransactWriteItems') && request.includes('TOKEN#'));
    let answers: Array<{ status: number; json: any }>;
    try {
      answers = await Promise.all(
        ['первый новый пароль жителя', 'второй новый пароль жителя'].map((password) =>
          stack.client.fork().request('POST', '/api/auth/reset', { body: { token, password } }),
        ),
      );
    } finally {
      gate.remove();
    }
    expect(gate.arrivals, 'both reached the transaction').toBe(2);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    expect(answers.find((a) => a.status === 400)?.json.error.code).toBe('invalid_token');
    const winner = answers[0]?.status === 200 ? 'первый новый пароль жителя' : 'второй новый пароль жителя';
    const loser = answers[0]?.status === 200 ? 'второй новый пароль жителя' : 'первый новый пароль жителя';
    await loggedIn(stack.client, account, winner);
    const refused = await stack.client
      .fork()
      .request('POST', '/api/auth/login', { body: { account, password: loser } });
    expect(refused.status).toBe(401);
    // One generation step: the loser's transaction moved nothing.
    const profile = await db().send(
      new GetCommand({ TableName: tableName(), Key: keys.account(account), ConsistentRead: true }),
    );
    expect(profile.Item?.linkGeneration).toBe(1);
  });

  it('two confirmations with one registration token at once: one cabinet, the other refused', async () => {
    const account = '550002';
    const email = `confirm-${account}-${RUN}@example.ru`;
    await importAccounts([account]);
    const browser = stack.client.fork();
    expect((await register(browser, account, `14${account.slice(-2)} ${account}`, email)).status).toBe(202);
    const token = await mailedToken(email, '/confirm');

    const gate = holdWrites((name, request) => name.startsWith('TransactWriteItems') && request.includes('TOKEN#'));
    let answers: Array<{ status: number; json: any }>;
    const passwords = ['пароль первого окна браузера', 'пароль второго окна браузера'];
    try {
      answers = await Promise.all(
        passwords.map((password) =>
          stack.client.fork().request('POST', '/api/auth/confirm', { body: { token, password } }),
        ),
      );
    } finally {
      gate.remove();
    }
    expect(gate.arrivals, 'both reached the transaction').toBe(2);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    const won = answers.findIndex((a) => a.status === 200);
    await loggedIn(stack.client, account, passwords[won] as string);
    const refused = await stack.client
      .fork()
      .request('POST', '/api/auth/login', { body: { account, password: passwords[1 - won] } });
    expect(refused.status).toBe(401);
  });
});
