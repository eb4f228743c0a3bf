import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { invokeGroup } from '#local/lambda';
import { type LocalQueues, startLocalQueues } from '#local/queue';
import { openSession } from '#shared/accounts/sessions';
import { importOpeningBalances } from '#shared/billing/openingBalances';
import { startBillingRun } from '#shared/billing/run';
import { db } from '#shared/clients/dynamo';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { epdOf, epdStateHash, onEpdPrinted } from '#shared/epd/bill';
import { LocalEpdFiles } from '#shared/epd/files';
import { buildEpd, type Epd } from '#shared/epd/model';
import { closeBrowser } from '#shared/epd/render';
import { recordBankPayment } from '#shared/payments/banks';
import { importRegistry } from '#shared/registry/importRegistry';
import { fixtureSource } from '#test/support/epdFixture';
import { putCabinet } from '#test/support/fixtures';
import { type Client, startTestGateway } from '#test/support/http';

/**
 * Each ЕПД printed once: October 2026 billed by the real billing run, the bills downloaded through
 * the gateway and issued by the epdIssue function, and the prints counted at the renderer. A bill
 * is printed for an account, a month and a state of what it prints; the same state is served from
 * the data folder (RAC_DATA_DIR/epd), and a ledger change for the month prints it anew.
 */

process.env.RAC_NOW = '2026-11-02T03:00:00+03:00';
resetConfigForTests();

const PERIOD = '2026-10';
const TARIFFS = [
  'service;unit;price;norm;from',
  'cold_water;м³;35,72;3,8;2026-01',
  'maintenance;м²;27,86;1;2026-01',
  'waste;чел.;145,05;1;2026-01',
].join('\n');
const ACCOUNTS = [
  'account;owner;passport;address;area;residents',
  '410001;Громова Вера Ильинична;1401 410001;г. Старый Оскол, мкр. Конева, д. 1, кв. 1;44,0;2',
  '410002;Дроздов Олег Петрович;1402 410002;г. Старый Оскол, мкр. Конева, д. 2, кв. 2;51,5;3',
  '410003;Ершова Алла Сергеевна;1403 410003;г. Старый Оскол, мкр. Конева, д. 3, кв. 3;38,2;1',
  '410004;Жуков Лев Андреевич;1404 410004;г. Старый Оскол, мкр. Конева, д. 4, кв. 4;60,0;4',
].join('\n');
const SUBSCRIBER = { account: '410002', email: 'drozdov.epd@example.ru' };

let client: Client;
let queues: LocalQueues;
const printed: string[] = [];
let stopCounting: () => void;

const printsOf = (account: string) => printed.filter((a) => a === account).length;

async function residentClient(account: string): Promise<Client> {
  const browser = client.fork();
  const { cookie } = await openSession(account);
  const [pair = ''] = cookie.split(';');
  const eq = pair.indexOf('=');
  browser.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
  return browser;
}

/** GET with the resident's cookie, keeping the body's bytes. */
async function download(c: Client, period = PERIOD) {
  const res = await fetch(`${c.url}/api/epd/${period}`, {
    headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The stored bills of an account for the month, as the data folder holds them. */
function storedFiles(account: string): string[] {
  const dir = path.join(process.env[ENV.dataDir] as string, 'epd', PERIOD);
  try {
    return readdirSync(dir).filter((name) => name.startsWith(`${account}-`));
  } catch {
    return [];
  }
}

beforeAll(async () => {
  ({ client } = await startTestGateway());
  queues = startLocalQueues({ concurrency: 2, log: () => undefined });
  for (const [kind, csv] of [
    ['tariffs', TARIFFS],
    ['accounts', ACCOUNTS],
  ] as const) {
    const report = await importRegistry(kind, Buffer.from(csv));
    expect(report.errors).toEqual([]);
  }
  await putCabinet(SUBSCRIBER.account, { email: SUBSCRIBER.email });
  await startBillingRun({ period: PERIOD, source: 'test' });
  await queues.drain();
  stopCounting = onEpdPrinted((epd) => printed.push(epd.account));
}, 120_000);

afterAll(async () => {
  stopCounting?.();
  queues?.stop();
  await client?.stop();
  await closeBrowser();
});

describe('a downloaded bill', () => {
  it('is printed once: the second download answers the stored file without printing', async () => {
    const resident = await residentClient('410001');
    const first = await download(resident);
    expect(first.status).toBe(200);
    expect(first.type).toBe('application/pdf');
    expect(printsOf('410001')).toBe(1);

    // The session, then one query of the account's partition for everything the bill shows (to
    // know which stored file is current); the PDF itself comes from storage, not DynamoDB.
    const sent: string[] = [];
    db().middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'epdRoundTrips' },
    );
    const second = await download(resident).finally(() => db().middlewareStack.remove('epdRoundTrips'));
    expect(second.status).toBe(200);
    expect(printsOf('410001')).toBe(1);
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(sent).toEqual(['GetItemCommand', 'QueryCommand']);

    // Where it is kept: <data>/epd/<period>/<account>-<state>.pdf, byte for byte what was sent.
    const files = storedFiles('410001');
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^410001-[A-Za-z0-9_-]{22}\.pdf$/);
    const file = path.join(process.env[ENV.dataDir] as string, 'epd', PERIOD, files[0] as string);
    expect(readFileSync(file).equals(first.bytes)).toBe(true);
  });

  it('is printed anew after a ledger change for the month: a late bank registry payment, an opening balance', async () => {
    const resident = await residentClient('410003');
    const before = await download(resident);
    expect(before.status).toBe(200);
    expect(printsOf('410003')).toBe(1);

    // A payment made in October that reaches us with the bank's registry in November.
    await recordBankPayment({
      bank: 'sberbank',
      transactionId: 'late-registry-410003',
      account: '410003',
      amount: 50_000,
      paidAt: '2026-10-28T12:00:00.000Z',
      via: 'registry',
    });
    expect((await epdOf('410003', PERIOD))?.summary.paid).toBe(50_000);
    const afterPayment = await download(resident);
    expect(afterPayment.status).toBe(200);
    expect(printsOf('410003')).toBe(2);
    expect(afterPayment.bytes.equals(before.bytes)).toBe(false);
    // The new state is stored in turn: downloading it again prints nothing.
    expect((await download(resident)).bytes.equals(afterPayment.bytes)).toBe(true);
    expect(printsOf('410003')).toBe(2);

    // The previous system's balance for October, imported late.
    const report = await importOpeningBalances(
      Buffer.from(`account;service;balance;period\n410003;maintenance;1200,00;${PERIOD}`),
    );
    expect(report.errors).toEqual([]);
    expect((await epdOf('410003', PERIOD))?.summary.opening).toBe(120_000);
    const afterOpening = await download(resident);
    expect(printsOf('410003')).toBe(3);
    expect(afterOpening.bytes.equals(afterPayment.bytes)).toBe(false);
    expect(storedFiles('410003')).toHaveLength(3);
  });

  it('asked for twice at once, is printed once and both answers carry the same bytes', async () => {
    const [a, b] = await Promise.all([residentClient('410004'), residentClient('410004')]);
    const [one, two] = await Promise.all([download(a), download(b)]);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(one.bytes.equals(two.bytes)).toBe(true);
    expect(printsOf('410004')).toBe(1);
    expect(storedFiles('410004')).toHaveLength(1);
  });
});

describe('the issuance', () => {
  it('prints the bill it mails, and the resident then downloads that very file without a print', async () => {
    await invokeGroup('epdIssue', { job: 'epd.issue' });
    await queues.drain();
    expect(queues.deadLetters).toEqual([]);
    expect(printsOf(SUBSCRIBER.account)).toBe(1);

    const store = (await (await fetch(`${inject('sesEndpoint')}/store`)).json()) as {
      emails: Array<{ destination: { to: string[] }; attachments: Array<{ content: string }> }>;
    };
    const [mail] = store.emails.filter((e) => e.destination.to.includes(SUBSCRIBER.email));
    const mailed = Buffer.from(mail?.attachments[0]?.content ?? '', 'base64');
    expect(mailed.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const downloaded = await download(await residentClient(SUBSCRIBER.account));
    expect(downloaded.status).toBe(200);
    expect(printsOf(SUBSCRIBER.account)).toBe(1);
    expect(downloaded.bytes.equals(mailed)).toBe(true);
  });
});

describe('the data folder', () => {
  it('keeps the first of two writers of one bill and answers both its bytes; no half file is left', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'rac-epd-files-'));
    try {
      const files = new LocalEpdFiles(root);
      const key = `${PERIOD}/410009-AAAAAAAAAAAAAAAAAAAAAA.pdf`;
      const mine = Buffer.from('%PDF-1.7 printed by the first container');
      const theirs = Buffer.from('%PDF-1.7 printed by the second container, a moment later');
      const answers = await Promise.all([files.create(key, mine), files.create(key, theirs)]);
      const stored = await files.read(key);
      expect(stored).toBeDefined();
      for (const answer of answers) expect(Buffer.from(answer).equals(Buffer.from(stored as Uint8Array))).toBe(true);
      expect(readdirSync(path.join(root, PERIOD))).toEqual(['410009-AAAAAAAAAAAAAAAAAAAAAA.pdf']);
      expect(await files.read(`${PERIOD}/410010-AAAAAAAAAAAAAAAAAAAAAA.pdf`)).toBeUndefined();
      // A name that is not a bill's (a path out of the folder) is refused before any file is touched.
      await expect(files.read('../../etc/passwd')).rejects.toThrow(RangeError);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the state a bill is stored under', () => {
  const billOn = (iso: string, options: Parameters<typeof fixtureSource>[0] = {}): Epd => {
    const epd = buildEpd({ ...fixtureSource(options), issuedAt: new Date(iso) });
    if (!epd) throw new Error('fixture not billed');
    return epd;
  };

  it('leaves out the day it is formed: the bill of the 2nd is the bill of the 9th', () => {
    expect(epdStateHash(billOn('2026-11-09T12:00:00+03:00'))).toBe(epdStateHash(billOn('2026-11-02T03:00:00+03:00')));
  });

  it('keeps what it prints: the payer, the amounts, and a pay-by date counted from a late day', () => {
    const base = epdStateHash(billOn('2026-11-02T03:00:00+03:00'));
    expect(epdStateHash(billOn('2026-11-02T03:00:00+03:00', { owner: 'Иванова Мария Павловна' }))).not.toBe(base);
    expect(epdStateHash(billOn('2026-11-02T03:00:00+03:00', { paid: 100 }))).not.toBe(base);
    // After the due date the bill gives days to pay from the day it is formed: one state a day.
    const late = billOn('2026-12-20T12:00:00+03:00');
    expect(late.payBy).not.toBe(billOn('2026-11-02T03:00:00+03:00').payBy);
    expect(epdStateHash(late)).not.toBe(base);
    expect(epdStateHash(billOn('2026-12-21T12:00:00+03:00'))).not.toBe(epdStateHash(late));
  });
});
