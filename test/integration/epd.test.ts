import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { invokeGroup } from '#local/lambda';
import { type LocalQueues, startLocalQueues } from '#local/queue';
import { openSession } from '#shared/accounts/sessions';
import { startBillingRun } from '#shared/billing/run';
import { db, tableName } from '#shared/clients/dynamo';
import { resetConfigForTests } from '#shared/config';
import { epdOf, epdPage, renderEpd } from '#shared/epd/bill';
import { buildEpd } from '#shared/epd/model';
import { closeBrowser, htmlToPdf, PDF_OPTIONS, RENDER_CONCURRENCY, sharedBrowser } from '#shared/epd/render';
import type { IssueRun } from '#shared/epd/store';
import { keys } from '#shared/keys';
import { importRegistry } from '#shared/registry/importRegistry';
import { resetProviderCacheForTests } from '#shared/registry/providers';
import { runCli } from '#test/support/cli';
import { fixtureSource } from '#test/support/epdFixture';
import { putCabinet, putItems, readingItem } from '#test/support/fixtures';
import { type Client, startTestGateway } from '#test/support/http';
import { decodeQrPng } from '#test/support/qr';

/**
 * The ЕПД end to end against DynamoDB Local and the SES emulator: October 2026 billed by the real
 * billing run (its queue, its batches), then the bill downloaded through the gateway, its QR code
 * read back from the rendered page, and the monthly issuance mailing it, once.
 */

function pinClock(iso: string): void {
  process.env.RAC_NOW = iso;
  resetConfigForTests();
}
// The night of 2 November, Moscow time: October is billed and its bills go out.
pinClock('2026-11-02T03:00:00+03:00');

const TARIFFS = [
  'service;unit;price;norm;from;coefficient',
  'cold_water;м³;35,72;3,8;2026-01;1,5',
  'hot_water;м³;218,21;3,01;2026-01;1,5',
  'wastewater;м³;31,00;6,81;2026-01;',
  'electricity;кВт·ч;6,72;88;2026-01;',
  'heating;Гкал;2636,9345;0,0186;2026-01;',
  'maintenance;м²;27,86;1;2026-01;',
  'waste;чел.;145,05;1;2026-01;',
].join('\n');
const HOSTILE_OWNER = '<script>alert(1)</script> Орлова & «Ко»';
const ACCOUNTS = [
  'account;owner;passport;address;area;residents',
  `400001;${HOSTILE_OWNER};1401 400001;г. Старый Оскол, мкр. Жукова, д. 1, кв. 1;54,3;3`,
  '400002;Зайцев Павел Андреевич;1402 400002;г. Старый Оскол, мкр. Жукова, д. 2, кв. 2;40,0;2',
  '400003;Лебедева Нина Ивановна;1403 400003;г. Старый Оскол, мкр. Жукова, д. 3, кв. 3;30,0;1',
].join('\n');
const METERS = [
  'account;meter;service;reading;verified_until',
  '400001;E-COLD;cold_water;100;2030-01-31',
  '400001;E-HOT;hot_water;50;2030-01-31',
  '400001;E-EL;electricity;1000;2030-01-31',
  '400002;Z-COLD;cold_water;200;2030-01-31',
].join('\n');

const EMAIL = {
  '400001': 'orlova.epd@example.ru',
  '400002': 'zaitsev.epd@example.ru',
  '400003': 'lebedeva.epd@example.ru',
  '400004': 'late.epd@example.ru',
} as const;

interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
  attachments: Array<{ filename?: string; contentType: string; content: string; size: number }>;
}

async function mailsTo(address: string): Promise<StoredMail[]> {
  const store = (await (await fetch(`${inject('sesEndpoint')}/store`)).json()) as { emails: StoredMail[] };
  return store.emails.filter((e) => e.destination.to.includes(address));
}

function reading(account: string, serial: string, service: string, period: string, value: number, previous: number) {
  return readingItem({
    account,
    serial,
    service,
    period,
    value: value.toFixed(3),
    previous: previous.toFixed(3),
    consumption: (value - previous).toFixed(3),
  });
}

/** A resident's cabinet as registration leaves it (shared/accounts/store.ts, `Cabinet`). */
async function cabinet(account: keyof typeof EMAIL, billByEmail: boolean): Promise<void> {
  await putCabinet(account, { email: EMAIL[account], billByEmail });
}

let client: Client;
let queues: LocalQueues;
let orlova: Client;

async function residentClient(account: string): Promise<Client> {
  const browser = client.fork();
  const { cookie } = await openSession(account);
  const [pair = ''] = cookie.split(';');
  const eq = pair.indexOf('=');
  browser.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
  return browser;
}

/** GET with the resident's cookie, keeping the body's bytes (the client reads text). */
async function download(c: Client, path: string) {
  const res = await fetch(c.url + path, {
    headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

async function issueRuns(period: string): Promise<IssueRun[]> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.epdRun(period, '').pk },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []) as IssueRun[];
}

beforeAll(async () => {
  ({ client } = await startTestGateway());
  queues = startLocalQueues({ concurrency: 2, log: () => undefined });
  for (const [kind, csv] of [
    ['tariffs', TARIFFS],
    ['accounts', ACCOUNTS],
    ['meters', METERS],
  ] as const) {
    const report = await importRegistry(kind, Buffer.from(csv));
    expect(report.errors).toEqual([]);
  }
  const items = [
    reading('400001', 'E-COLD', 'cold_water', '2026-09', 110.5, 100),
    reading('400001', 'E-COLD', 'cold_water', '2026-10', 121.25, 110.5),
    reading('400001', 'E-HOT', 'hot_water', '2026-09', 57, 50),
    reading('400001', 'E-HOT', 'hot_water', '2026-10', 64.5, 57),
    reading('400001', 'E-EL', 'electricity', '2026-09', 1240, 1000),
    reading('400001', 'E-EL', 'electricity', '2026-10', 1500, 1240),
    reading('400002', 'Z-COLD', 'cold_water', '2026-10', 208, 200),
  ];
  await putItems(items);
  await cabinet('400001', true);
  await cabinet('400002', true);
  await cabinet('400003', false);

  // October's billing run, through the billing queue as the schedule would start it.
  await startBillingRun({ period: '2026-10', source: 'test' });
  await queues.drain();

  // Registered after the run: subscribed, but with no bill for October.
  const late = await importRegistry(
    'accounts',
    Buffer.from(
      'account;owner;passport;address;area;residents\n400004;Новосёлов Иван;1404 400004;г. Старый Оскол;30;1',
    ),
  );
  expect(late.errors).toEqual([]);
  await cabinet('400004', true);
  orlova = await residentClient('400001');
}, 120_000);

afterAll(async () => {
  queues?.stop();
  await client?.stop();
  await closeBrowser();
});

describe('GET /api/epd/{period}', () => {
  it("answers the billed month's bill as a PDF download", async () => {
    const res = await download(orlova, '/api/epd/2026-10');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="EPD-400001-2026-10.pdf"');
    expect(Buffer.from(res.bytes.slice(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(res.bytes.byteLength).toBeGreaterThan(20_000);
    expect(res.bytes.byteLength).toBeLessThan(1_000_000);
  });

  it('says in Russian that a month without charges has no bill', async () => {
    const res = await orlova.request('GET', '/api/epd/2026-09');
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('no_bill');
    expect(res.json.error.message).toMatch(/^За этот период квитанция не сформирована/);
  });

  it('refuses a malformed month with a 400, and a stranger with a 401', async () => {
    const bad = await orlova.request('GET', '/api/epd/2026-13');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_input');
    expect(bad.json.error.fields.period).toMatch(/ГГГГ-ММ/);
    const stranger = await client.fork().request('GET', '/api/epd/2026-10');
    expect(stranger.status).toBe(401);
  });

  it('a resident gets only their own bill: the account comes from the session', async () => {
    const zaitsev = await residentClient('400002');
    const res = await download(zaitsev, '/api/epd/2026-10');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('EPD-400002-2026-10.pdf');
  });
});

describe('the rendered bill', () => {
  it("carries the statement's numbers, and its printed QR code reads back to the payment payload", async () => {
    const epd = await epdOf('400001', '2026-10');
    if (!epd) throw new Error('October was not billed');
    const statement = await orlova.request('GET', '/api/statement?from=2026-10&to=2026-10');
    expect(statement.status).toBe(200);
    const [row] = statement.json.rows;
    expect(epd.summary).toMatchObject({
      opening: row.opening,
      charged: row.charged,
      paid: row.paid,
      closing: row.closing,
    });
    expect(epd.totals.total).toBe(row.charged);
    expect(epd.qrPayload).toMatch(
      /^ST00012\|Name=.+\|PersAcc=400001\|PaymPeriod=102026\|Sum=\d+\|Purpose=Оплата ЖКУ за 10\.2026, лицевой счёт 400001\|(?:.*\|)?PayerAddress=[^|]+\|TechCode=02$/,
    );
    expect(epd.qrPayload).toContain(`|Sum=${row.closing}|`);

    // The page exactly as it is printed, photographed: the QR code a phone would see.
    const html = await epdPage(epd);
    const browser = await sharedBrowser();
    const page = await browser.newPage();
    try {
      // A dense code (the payer's name and address ride along): a phone camera's worth of pixels.
      await page.setViewport({ width: 794, height: 1123, deviceScaleFactor: 6 });
      await page.setContent(html, { waitUntil: 'load' });
      const qr = await page.$('svg.qr');
      const shot = await qr?.screenshot({ type: 'png' });
      if (!shot) throw new Error('no QR image on the page');
      expect(decodeQrPng(shot)).toBe(epd.qrPayload);
      // A hostile name from the registry file is printed as text.
      expect(await page.$eval('[data-field=owner]', (el) => el.textContent)).toBe(HOSTILE_OWNER);
      expect(await page.$('script')).toBeNull();
    } finally {
      await page.close();
    }
    expect(Buffer.from((await htmlToPdf(html)).slice(0, 4)).toString('latin1')).toBe('%PDF');
  });
});

/** A PDF's streams (page contents, fonts, images), inflated: what it prints, without its metadata. */
function printedStreams(pdf: Uint8Array): string[] {
  const bytes = Buffer.from(pdf);
  const streams: string[] = [];
  let at = 0;
  for (;;) {
    const start = bytes.indexOf('stream\n', at);
    if (start === -1) break;
    const end = bytes.indexOf('\nendstream', start);
    if (end === -1) throw new Error('A PDF stream without its end');
    const raw = bytes.subarray(start + 'stream\n'.length, end);
    try {
      streams.push(inflateSync(raw).toString('latin1'));
    } catch {
      streams.push(raw.toString('latin1'));
    }
    at = end + '\nendstream'.length;
  }
  return streams;
}

describe('the printed bill', () => {
  it('is what Chromium prints of the whole page, though the renderer only swaps bodies on a page hidden from the screen', async () => {
    const [orlovaBill, zaitsevBill] = [await epdOf('400001', '2026-10'), await epdOf('400002', '2026-10')];
    if (!orlovaBill || !zaitsevBill) throw new Error('October was not billed');
    // Another bill printed in between on the renderer's kept pages: nothing of it may stay behind.
    await renderEpd(orlovaBill);
    await renderEpd(zaitsevBill);
    const ours = await renderEpd(orlovaBill);

    const browser = await sharedBrowser();
    const page = await browser.newPage();
    try {
      await page.setContent(await epdPage(orlovaBill), { waitUntil: 'load' });
      const plain = await page.pdf({ ...PDF_OPTIONS, waitForFonts: true });
      const streams = printedStreams(ours);
      expect(streams.length).toBeGreaterThan(4);
      // Page contents (text, the QR code's path, rules), embedded font subsets, byte for byte.
      expect(streams).toEqual(printedStreams(plain));
    } finally {
      await page.close();
    }
  });
});

describe('the bill on paper', () => {
  it('fits one A4 sheet, the tear-off slip included, even a full one: nine services, four meters, two recalculations', async () => {
    const epd = buildEpd(fixtureSource());
    if (!epd) throw new Error('the fixture is billed');
    expect(epd.recalculations.length).toBeGreaterThanOrEqual(2);
    const pdf = Buffer.from(await renderEpd(epd)).toString('latin1');
    // Page objects of the page tree (`/Type /Pages` is the tree itself).
    expect(pdf.match(/\/Type\s*\/Page(?!s)/g)).toHaveLength(1);
    expect(pdf).toMatch(/\/MediaBox\s*\[0 0 594\.9\d* 841\.9\d*\]/);
  });
});

describe('providers and ГИС ЖКХ identifiers from the registry', () => {
  it('names each service’s provider and prints the ЕЛС and ИЖКУ once the operator imports them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rac-providers-'));
    const providers = path.join(dir, 'providers.csv');
    writeFileSync(
      providers,
      [
        'provider;name;inn;kpp;address;phone;email;services;bank;bic;correspondent_account;account',
        'vodokanal;МУП «Водоканал»;3128002222;312801001;ул. Коммунистическая, д. 25;+7 (4725) 40-22-00;v@example.ru;cold_water wastewater;АО «Пример Банк»;041403999;30101810200000000999;40702810707010002002',
        'kazna;МКУ «Благоустройство»;3128004445;312801001;ул. Ленина, д. 1;+7 (4725) 40-44-00;;waste;УФК по Белгородской области;011403999;40102810845370000099;03100643000000012600',
        'broken;ООО «Без ключа»;3128005551;;ул. Мира, д. 1;40-55-00;;gas;Банк;041403999;30101810200000000999;40702810607010002004',
      ].join('\n'),
    );
    const run = await runCli(['import', 'providers', providers]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Записей в файле: 3; загружено: 2; отклонено: 1');
    expect(run.stdout).toContain('строка 4: account — расчётный счёт: 20 цифр, контрольный ключ не сходится с БИК');

    const accounts = await importRegistry(
      'accounts',
      Buffer.from(
        'account;owner;passport;address;area;residents;els;izhku\n' +
          '400003;Лебедева Нина Ивановна;1403 400003;г. Старый Оскол, мкр. Жукова, д. 3, кв. 3;30,0;1;80ав123456;80АВ123456-01',
      ),
    );
    expect(accounts.errors).toEqual([]);

    resetProviderCacheForTests();
    const epd = await epdOf('400003', '2026-10');
    if (!epd) throw new Error('October was not billed');
    expect(epd.payer).toMatchObject({ els: '80АВ123456', izhku: '80АВ123456-01' });
    const vodokanal = epd.providers.find((p) => p.code === 'vodokanal');
    const kazna = epd.providers.find((p) => p.code === 'kazna');
    expect(kazna?.bank).toMatchObject({ bic: '011403999', settlementAccount: '03100643000000012600' });
    const row = (service: string) => epd.charges.find((r) => r.service === service);
    expect(row('cold_water')?.providerNumber).toBe(vodokanal?.number);
    expect(row('waste')?.providerNumber).toBe(kazna?.number);
    // Heating has no provider in the file: the centre renders it, as before providers existed.
    expect(epd.providers.find((p) => p.number === row('heating')?.providerNumber)?.code).toBeNull();
    // The payee stays the centre: it collects for the providers as their payment agent.
    expect(epd.qrPayload).toContain('|PayeeINN=3128012340|');
    const html = await epdPage(epd);
    expect(html).toContain('<td data-field="els">80АВ123456</td>');
    expect(html).toContain('МКУ «Благоустройство»');
  });
});

describe('the browser', () => {
  it('is launched once per container, and again only when it has died', async () => {
    const first = await sharedBrowser();
    expect(await sharedBrowser()).toBe(first);
    await first.close();
    const pdf = await htmlToPdf('<!doctype html><meta charset="utf-8"><p>Проверка</p>');
    expect(Buffer.from(pdf.slice(0, 4)).toString('latin1')).toBe('%PDF');
    const second = await sharedBrowser();
    expect(second).not.toBe(first);
    expect(second.connected).toBe(true);
    // No page is left behind but the one each render slot keeps for the next bill.
    expect((await second.pages()).length).toBeLessThanOrEqual(1 + RENDER_CONCURRENCY);
  });
});

describe('monthly issuance by mail', () => {
  // October's issuance as the schedule fires it, once for these tests; each test reads it, and
  // the tests that issue again (the catch-up, November) look at their own months.
  const OCTOBER = 'ЕПД за октябрь 2026 г.';
  const octoberMails = async (account: keyof typeof EMAIL) =>
    (await mailsTo(EMAIL[account])).filter((m) => m.subject.startsWith(OCTOBER));
  beforeAll(async () => {
    await invokeGroup('epdIssue', { job: 'epd.issue' });
    await queues.drain();
    expect(queues.deadLetters).toEqual([]);
  }, 120_000);

  it('mails the PDF to subscribed residents with a bill, and to nobody else', async () => {
    for (const account of ['400001', '400002'] as const) {
      const mails = await octoberMails(account);
      expect(mails).toHaveLength(1);
      const [mail] = mails;
      expect(mail?.subject).toBe(`ЕПД за октябрь 2026 г. — лицевой счёт ${account}`);
      expect(mail?.body.text).toContain('/profile');
      expect(mail?.attachments).toHaveLength(1);
      const [pdf] = mail?.attachments ?? [];
      expect(pdf?.filename).toBe(`EPD-${account}-2026-10.pdf`);
      expect(pdf?.contentType).toBe('application/pdf');
      expect(
        Buffer.from(pdf?.content ?? '', 'base64')
          .subarray(0, 5)
          .toString('latin1'),
      ).toBe('%PDF-');
    }
    expect(await mailsTo(EMAIL['400003'])).toEqual([]); // not subscribed
    expect(await octoberMails('400004')).toEqual([]); // no bill for October (November's test bills it)

    const first = (await issueRuns('2026-10')).find((r) => !r.source.includes('catch-up'));
    expect(first).toMatchObject({ accounts: 4, notSubscribed: 1, noBill: 1, sent: 2, failed: 0, unconfirmed: 0 });
    const marker = await db().send(
      new GetCommand({ TableName: tableName(), Key: keys.epdMail('400001', '2026-10'), ConsistentRead: true }),
    );
    expect(marker.Item).toMatchObject({ status: 'sent', messageId: expect.any(String) });
  });

  it('a second run (the catch-up, or a retry) mails nobody twice', async () => {
    await invokeGroup('epdIssue', { job: 'epd.issueMissed' });
    await queues.drain();
    expect(await octoberMails('400001')).toHaveLength(1);
    expect(await octoberMails('400002')).toHaveLength(1);
    const runs = await issueRuns('2026-10');
    expect(runs).toHaveLength(2);
    const second = runs.find((r) => r.source.includes('catch-up'));
    expect(second).toMatchObject({ sent: 0, alreadySent: 2, noBill: 1 });
  });

  it('a send that may or may not have happened (claimed, never confirmed) is reported, not repeated', async () => {
    // As a crash between SES and the confirmation leaves it: the claim, no confirmation.
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.epdMail('400002', '2026-11'),
          entity: 'epdMail',
          account: '400002',
          period: '2026-11',
          status: 'sending',
          runId: 'crashed',
          claimedAt: '2026-12-02T00:03:00.000Z',
        },
      }),
    );
    pinClock('2026-12-02T03:00:00+03:00');
    try {
      await startBillingRun({ period: '2026-11', source: 'test' });
      await queues.drain();
      await invokeGroup('epdIssue', { job: 'epd.issue' });
      await queues.drain();
    } finally {
      pinClock('2026-11-02T03:00:00+03:00');
    }
    const zaitsev = await mailsTo(EMAIL['400002']);
    expect(zaitsev.map((m) => m.subject)).toEqual(['ЕПД за октябрь 2026 г. — лицевой счёт 400002']);
    expect((await mailsTo(EMAIL['400001'])).map((m) => m.subject)).toContain(
      'ЕПД за ноябрь 2026 г. — лицевой счёт 400001',
    );
    const [run] = await issueRuns('2026-11');
    expect(run).toMatchObject({ unconfirmed: 1, sent: 2, attentionAccounts: ['400002'] });
  });
});
