import { describe, expect, it } from 'vitest';
import { statementRows } from '#shared/billing/statement';
import { CENTRE } from '#shared/centre';
import { mimeMessage } from '#shared/clients/mail';
import { epdMail } from '#shared/epd/mails';
import { buildEpd, type Epd } from '#shared/epd/model';
import { paymentQrPayload, qrPng } from '#shared/epd/qr';
import {
  isValidCorrespondentAccount,
  isValidKpp,
  isValidOrganisationInn,
  isValidSettlementAccount,
} from '#shared/epd/requisites';
import { epdHtml, money } from '#shared/epd/template';
import { escapeHtml as esc } from '#shared/format';
import { scheduleDefinitions } from '#shared/schedules';
import { FIXTURE_ACCOUNT, FIXTURE_PERIOD, fixtureSource } from '#test/support/epdFixture';
import { decodeQrPng, qrModes } from '#test/support/qr';

/*
 * The ЕПД as data and as a page, without a browser or a database: the QR payload of ГОСТ Р
 * 56042-2014, the numbers against the statement, the escaping of whatever a registry file holds.
 */

const bill = (options?: Parameters<typeof fixtureSource>[0]): Epd => {
  const epd = buildEpd(fixtureSource(options));
  if (!epd) throw new Error('fixture not billed');
  return epd;
};

describe('payment QR code (ГОСТ Р 56042-2014)', () => {
  const payload = paymentQrPayload({ payee: CENTRE.payee, account: '100001', period: '2026-10', sum: 1_076_796 });

  it('is the UTF-8 header, the five mandatory fields in order, then the payer, period and sum in kopecks', () => {
    expect(payload).toBe(
      'ST00012|Name=МБУ «Расчётно-аналитический центр»|PersonalAcc=40702810107010001234' +
        '|BankName=АО «Пример Банк», г. Белгород|BIC=041403999|CorrespAcc=30101810200000000999' +
        '|PayeeINN=3128012340|KPP=312801001|PersAcc=100001|PaymPeriod=102026|Sum=1076796',
    );
  });

  it('reads back from the PNG to the same string, as one byte-mode segment without ECI', async () => {
    const png = await qrPng(payload);
    expect(decodeQrPng(png)).toBe(payload);
    expect(qrModes(png)).toEqual(['byte']);
  });

  it("is the bill's own code: its sum is what the bill asks to pay", () => {
    const epd = bill();
    expect(epd.qrPayload).toBe(
      paymentQrPayload({
        payee: CENTRE.payee,
        account: FIXTURE_ACCOUNT,
        period: FIXTURE_PERIOD,
        sum: epd.summary.toPay,
      }),
    );
    expect(epd.qrPayload.endsWith(`|Sum=${epd.summary.toPay}`)).toBe(true);
  });

  it('leaves the sum out when nothing is owed, so the app asks the resident how much', () => {
    const epd = bill({ paid: 5_000_000 });
    expect(epd.summary.closing).toBeLessThan(0);
    expect(epd.summary.toPay).toBe(0);
    expect(epd.qrPayload).not.toContain('Sum=');
    expect(epd.qrPayload).toContain('|PaymPeriod=102026');
  });

  it('keeps the separator out of the values', () => {
    const hostile = paymentQrPayload({
      payee: { ...CENTRE.payee, name: 'ООО «Вода|Сток»\nфилиал' },
      account: '100001',
      period: '2026-01',
      sum: 1,
    });
    expect(hostile).toContain('|Name=ООО «Вода Сток» филиал|');
    expect(hostile.split('|')).toHaveLength(11);
    expect(hostile).toContain('|PaymPeriod=012026|');
  });
});

describe("the centre's payee requisites (placeholders of the right shape)", () => {
  it('pass the control digits banking apps check', () => {
    const p = CENTRE.payee;
    expect(isValidOrganisationInn(p.inn)).toBe(true);
    expect(isValidKpp(p.kpp)).toBe(true);
    expect(isValidSettlementAccount(p.bic, p.settlementAccount)).toBe(true);
    expect(isValidCorrespondentAccount(p.bic, p.correspondentAccount)).toBe(true);
    expect(p.name.length).toBeLessThanOrEqual(160);
    expect(p.bankName.length).toBeLessThanOrEqual(45);
  });

  it('the checks themselves: real requisites pass, one wrong digit fails', () => {
    // Sberbank's INN and the correspondent account of its Belgorod branch (public).
    expect(isValidOrganisationInn('7707083893')).toBe(true);
    expect(isValidOrganisationInn('7707083894')).toBe(false);
    expect(isValidCorrespondentAccount('041403633', '30101810100000000633')).toBe(true);
    expect(isValidCorrespondentAccount('041403633', '30101810200000000633')).toBe(false);
    expect(isValidSettlementAccount(CENTRE.payee.bic, '40702810107010001235')).toBe(false);
  });
});

describe('the bill’s numbers', () => {
  it('section 2 is the statement row of the period', () => {
    const source = fixtureSource();
    const epd = bill();
    const [row] = statementRows(source.ledger, FIXTURE_PERIOD, FIXTURE_PERIOD);
    expect(row).toBeDefined();
    expect(epd.summary).toMatchObject({
      opening: row?.opening,
      charged: row?.charged,
      paid: row?.paid,
      closing: row?.closing,
      toPay: row?.closing,
      debt: row?.opening,
      advance: 0,
      lastPaymentDate: '2026-10-15',
    });
    expect(epd.summary.closing).toBe(epd.summary.opening + epd.summary.charged - epd.summary.paid);
  });

  it('section 3 adds up to what the statement says was charged, recalculations included', () => {
    const epd = bill();
    const sum = (pick: (r: Epd['charges'][number]) => number) => epd.charges.reduce((s, r) => s + pick(r), 0);
    expect(epd.totals.total).toBe(epd.summary.charged);
    expect(epd.totals.charged).toBe(sum((r) => r.charged));
    expect(epd.totals.recalculation).toBe(sum((r) => r.recalculation));
    expect(epd.totals.recalculation).toBe(epd.recalculations.reduce((s, r) => s + r.amount, 0));
    for (const row of epd.charges) expect(row.total).toBe(row.charged + row.recalculation - row.benefits);
    expect(epd.charges.every((r) => r.benefits === 0 && r.commonVolume === null)).toBe(true);
  });

  it('section 5 explains the recalculation: September cold water, billed by average, revised by the meter', () => {
    const epd = bill();
    const cold = epd.recalculations.find((r) => r.service === 'cold_water');
    expect(cold).toMatchObject({ forPeriod: '2026-09', billedMethod: 'average', method: 'meter' });
    expect(cold?.amount).toBe((cold?.revisedAmount ?? 0) - (cold?.billedAmount ?? 0));
    const html = epdHtml(epd, 'data:image/svg+xml;base64,');
    expect(html).toContain('Сентябрь 2026\u00a0г.: начислено по среднемесячному объёму, пересчитано по показаниям ИПУ');
  });

  it('section 4 has the norms in force and each meter’s readings of the period', () => {
    const epd = bill();
    expect(epd.norms.find((n) => n.service === 'cold_water')).toMatchObject({ norm: '3.8', per: 'resident' });
    expect(epd.norms.find((n) => n.service === 'heating')).toMatchObject({ norm: '0.0186', per: 'area' });
    expect(epd.norms.some((n) => n.service === 'maintenance' || n.service === 'waste')).toBe(false);
    expect(epd.meters.find((m) => m.serial === '21034568')).toMatchObject({
      previous: '307.604',
      current: '314.904',
      consumption: '7.3',
    });
  });

  it('there is no bill for a period without charges', () => {
    expect(buildEpd({ ...fixtureSource(), period: '2026-11' })).toBeUndefined();
    expect(buildEpd({ ...fixtureSource(), period: '2026-06' })).toBeUndefined();
  });
});

describe('the page', () => {
  const hostile = {
    owner: '<script>alert("пароль")</script> Иванова & "Ко"',
    address: "<img src=x onerror=alert(1)> ул. O'Brien, д. 1",
  };

  it('escapes every value from data: a name is text, never markup', () => {
    const html = epdHtml(bill(hostile), 'data:image/svg+xml;base64,AAAA');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;пароль&quot;)&lt;/script&gt; Иванова &amp; &quot;Ко&quot;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; ул. O&#39;Brien, д. 1');
    expect(esc(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });

  it('runs no script and loads nothing from outside, whatever the data', () => {
    const html = epdHtml(bill(hostile), 'data:image/svg+xml;base64,AAAA');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:"`);
    expect(html).not.toMatch(/\b(src|href)="(https?:|\/\/)/);
  });

  it('embeds its Cyrillic font and lays out all five sections and the slip', () => {
    const html = epdHtml(bill(), 'data:image/svg+xml;base64,AAAA');
    expect(html).toMatch(
      /@font-face\{font-family:'PT Sans';font-style:normal;font-weight:400;src:url\(data:font\/woff;base64,/,
    );
    for (let n = 1; n <= 5; n++) expect(html).toContain(`Раздел ${n}.`);
    expect(html).toContain('линия отреза');
    expect(html).toContain(money(bill().summary.toPay));
  });

  it('prints money as roubles with a decimal comma, grouped, with a real minus', () => {
    expect(money(1_076_796)).toBe('10\u00a0767,96');
    expect(money(-5)).toBe('\u22120,05');
    expect(money(0)).toBe('0,00');
  });
});

describe('the mail that carries the bill', () => {
  const epd = bill();
  const pdf = new TextEncoder().encode('%PDF-1.4 test');

  it('says what to pay and where to unsubscribe, with the PDF attached', () => {
    const mail = epdMail(epd, 'ivanova@example.ru', pdf);
    expect(mail.subject).toBe('ЕПД за октябрь 2026 г. — лицевой счёт 100001');
    expect(mail.text).toContain(`К оплате: ${money(epd.summary.toPay)} руб. Оплатить до 10.11.2026.`);
    expect(mail.text).toContain('/profile');
    expect(mail.attachments).toEqual([
      { filename: 'EPD-100001-2026-10.pdf', contentType: 'application/pdf', content: pdf },
    ]);
  });

  it('is a MIME message with an encoded subject and a base64 attachment', () => {
    const raw = mimeMessage(epdMail(epd, 'ivanova@example.ru', pdf), 'noreply@rac-oskol.ru');
    expect(raw).toMatch(/^From: noreply@rac-oskol\.ru\r\nTo: ivanova@example\.ru\r\nSubject: =\?UTF-8\?B\?/);
    expect(raw).toContain('Content-Disposition: attachment; filename="EPD-100001-2026-10.pdf"');
    expect(raw).toContain(Buffer.from(pdf).toString('base64'));
    expect(raw.split('\r\n').every((line) => line.length <= 998)).toBe(true);
  });

  it('refuses a header that would smuggle another header in', () => {
    expect(() => mimeMessage({ ...epdMail(epd, 'a@b.ru\r\nBcc: all@x.ru', pdf) }, 'noreply@rac-oskol.ru')).toThrow();
  });
});

describe('issuance schedule', () => {
  it('runs after billing and again for those missed, both before the 5th (Moscow time)', () => {
    const jobs = scheduleDefinitions({ windowOpenDay: 25, windowCloseDay: 1 });
    const billing = jobs.find((j) => j.job === 'billing.run');
    const issue = jobs.find((j) => j.job === 'epd.issue');
    const missed = jobs.find((j) => j.job === 'epd.issueMissed');
    expect(billing?.cron.dayOfMonth).toBe(1);
    expect(issue).toMatchObject({ group: 'epdIssue', cron: { dayOfMonth: 2, hour: 3, minute: 0 } });
    expect(missed).toMatchObject({ group: 'epdIssue', cron: { dayOfMonth: 4 } });
  });
});
