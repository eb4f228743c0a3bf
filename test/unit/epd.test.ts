import { describe, expect, it } from 'vitest';
import { penaltyEntry } from '#shared/billing/ledger';
import { statementRows } from '#shared/billing/statement';
import { CENTRE } from '#shared/centre';
import { mimeMessage } from '#shared/clients/mail';
import { epdMail } from '#shared/epd/mails';
import { buildEpd, type Epd, PRINTED_LATE_DAYS, payByDate } from '#shared/epd/model';
import { payerNameFields, paymentQrPayload, type QrSvg, qrPng } from '#shared/epd/qr';
import {
  isValidCorrespondentAccount,
  isValidInn,
  isValidKpp,
  isValidOrganisationInn,
  isValidSettlementAccount,
  requisiteProblems,
} from '#shared/epd/requisites';
import { epdHtml, money } from '#shared/epd/template';
import { escapeHtml as esc } from '#shared/format';
import { parseCsv } from '#shared/registry/csv';
import { type Provider, type ProviderDirectory, servicesClaimedTwice } from '#shared/registry/providers';
import { validateRows } from '#shared/registry/schemas';
import { scheduleDefinitions } from '#shared/schedules';
import { FIXTURE_ACCOUNT, FIXTURE_PERIOD, fixtureSource } from '#test/support/epdFixture';
import { decodeQrPng, qrModes } from '#test/support/qr';

/** Pages whose QR code no test here looks at. */
const NO_QR = '<svg class="qr"></svg>' as QrSvg;

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
        '|PayeeINN=3128012340|KPP=312801001|PersAcc=100001|PaymPeriod=102026|Sum=1076796' +
        '|Purpose=Оплата ЖКУ за 10.2026, лицевой счёт 100001|TechCode=02',
    );
  });

  it("carries the recommended fields: purpose, the payer's name and address, TechCode 02 (housing and utilities)", () => {
    const full = paymentQrPayload({
      payee: CENTRE.payee,
      account: '100001',
      period: '2026-10',
      sum: 100,
      payer: { owner: 'Иванова  Мария Петровна', address: 'г. Старый Оскол, мкр. Жукова, д. 12, кв. 45' },
    });
    expect(full).toContain(
      '|Purpose=Оплата ЖКУ за 10.2026, лицевой счёт 100001|LastName=Иванова|FirstName=Мария|MiddleName=Петровна' +
        '|PayerAddress=г. Старый Оскол, мкр. Жукова, д. 12, кв. 45|TechCode=02',
    );
    // An organisation or a one-word name is no person's name: the address alone identifies the payer.
    expect(payerNameFields('ООО «Ромашка»')).toEqual([]);
    expect(payerNameFields('Петров')).toEqual([]);
    expect(payerNameFields('Ким Анна')).toEqual([
      ['LastName', 'Ким'],
      ['FirstName', 'Анна'],
    ]);
  });

  it("the bill's full code still reads back from its PNG", async () => {
    const epd = bill();
    expect(epd.qrPayload).toContain('|LastName=Иванова|FirstName=Мария|MiddleName=Петровна|PayerAddress=');
    expect(decodeQrPng(await qrPng(epd.qrPayload))).toBe(epd.qrPayload);
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
        payer: { owner: 'Иванова Мария Петровна', address: 'г. Старый Оскол, мкр. Жукова, д. 12, кв. 45' },
      }),
    );
    expect(epd.qrPayload).toContain(`|Sum=${epd.summary.toPay}|`);
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
    expect(hostile.split('|')).toHaveLength(13);
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
    const html = epdHtml(epd, NO_QR);
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
    const html = epdHtml(bill(hostile), NO_QR);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;пароль&quot;)&lt;/script&gt; Иванова &amp; &quot;Ко&quot;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; ул. O&#39;Brien, д. 1');
    expect(esc(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });

  it('runs no script and loads nothing from outside, whatever the data', () => {
    const html = epdHtml(bill(hostile), NO_QR);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:"`);
    expect(html).not.toMatch(/\b(src|href)="(https?:|\/\/)/);
  });

  it('embeds its Cyrillic font and lays out all five sections and the slip', () => {
    const html = epdHtml(bill(), NO_QR);
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
    // October 2026's bill falls due on the 15th of November (ЖК РФ ст. 155 ч. 1 as in force from 1 March 2026).
    expect(mail.text).toContain(`К оплате: ${money(epd.summary.toPay)} руб. Оплатить до 15.11.2026.`);
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

describe('treasury requisites (municipal providers keep their accounts with the Federal Treasury)', () => {
  // A fictitious treasury office: BIC 01…, the single treasury account 40102… keyed like a
  // correspondent account, a treasury account 03…643….
  const treasury = {
    inn: '3128002222',
    bic: '011403999',
    correspondentAccount: '40102810845370000099',
    settlementAccount: '03100643000000012600',
  };

  it('accept BIC 01…, ЕКС 40102… and treasury accounts 03…', () => {
    expect(requisiteProblems(treasury)).toEqual({});
    expect(isValidCorrespondentAccount('011403999', '40102810845370000099')).toBe(true);
    expect(isValidSettlementAccount('011403999', '03100643000000012600')).toBe(true);
  });

  it('refuse what does not fit: a wrong ЕКС key, a bank correspondent account at a treasury, a non-rouble account', () => {
    expect(isValidCorrespondentAccount('011403999', '40102810945370000099')).toBe(false);
    expect(isValidCorrespondentAccount('011403999', '30101810200000000999')).toBe(false);
    expect(isValidCorrespondentAccount('041403999', '40102810845370000099')).toBe(false);
    expect(isValidSettlementAccount('011403999', '03100840000000012600')).toBe(false);
    expect(requisiteProblems({ ...treasury, bic: '051403999' })).toHaveProperty('bic');
  });

  it('take a sole proprietor’s 12-digit ИНН too', () => {
    expect(isValidInn('500100732259')).toBe(true);
    expect(isValidInn('500100732258')).toBe(false);
    expect(isValidInn(CENTRE.payee.inn)).toBe(true);
  });
});

const PROVIDERS: Provider[] = [
  {
    provider: 'vodokanal',
    name: 'МУП «Водоканал»',
    inn: '3128002222',
    kpp: '312801001',
    address: 'г. Старый Оскол, ул. Коммунистическая, д. 25',
    phone: '+7 (4725) 40-22-00',
    email: 'vodokanal@example.ru',
    services: ['cold_water', 'wastewater'],
    bank: {
      name: 'АО «Пример Банк», г. Белгород',
      bic: '041403999',
      correspondentAccount: '30101810200000000999',
      settlementAccount: '40702810707010002002',
    },
  },
  {
    provider: 'uk',
    name: 'ООО «УК „Жилой квартал“»',
    inn: '3128001116',
    address: 'г. Старый Оскол, мкр. Жукова, д. 29',
    phone: '+7 (4725) 40-11-00',
    services: ['maintenance'],
  },
];
const DIRECTORY: ProviderDirectory = {
  providers: PROVIDERS,
  byService: { cold_water: 'vodokanal', wastewater: 'vodokanal', maintenance: 'uk' },
};

describe('providers of the services (Приказ № 43/пр, section 1)', () => {
  it('names the provider of each row; services nobody claims stay with the centre', () => {
    const epd = buildEpd({ ...fixtureSource(), providers: DIRECTORY });
    if (!epd) throw new Error('not billed');
    const byService = Object.fromEntries(epd.charges.map((r) => [r.service, r.providerNumber]));
    const numberOf = (code: string | null) => epd.providers.find((p) => p.code === code)?.number;
    expect(byService.cold_water).toBe(numberOf('vodokanal'));
    expect(byService.wastewater).toBe(numberOf('vodokanal'));
    expect(byService.maintenance).toBe(numberOf('uk'));
    expect(byService.gas).toBe(numberOf(null));
    expect(epd.providers.map((p) => p.number)).toEqual([1, 2, 3]);
    expect(epd.providers.find((p) => p.code === null)).toMatchObject({
      name: CENTRE.payee.name,
      inn: CENTRE.payee.inn,
    });
    expect(epd.providers.find((p) => p.code === 'vodokanal')?.services).toEqual([
      'Холодное водоснабжение',
      'Водоотведение',
    ]);
    const html = epdHtml(epd, NO_QR);
    expect(html).toContain('Платёжный агент');
    expect(html).toContain('МУП «Водоканал»');
    expect(html).toContain('ИНН&nbsp;3128002222, КПП&nbsp;312801001');
    // Residents pay the centre (the agent); a provider's own account on the bill would invite paying past it.
    expect(epd.providers.find((p) => p.code === 'vodokanal')?.bank?.settlementAccount).toBe('40702810707010002002');
    expect(html).not.toContain('40702810707010002002');
    expect(html.match(/data-field="provider"/g)).toHaveLength(3);
  });

  it('without a providers file the centre is the provider of everything, as before', () => {
    const epd = bill();
    expect(epd.providers).toHaveLength(1);
    expect(epd.charges.every((r) => r.providerNumber === 1)).toBe(true);
  });

  it('a providers file: requisites all or none and valid; a service has one provider', () => {
    const table = parseCsv(
      [
        'provider;name;inn;kpp;address;phone;email;services;bank;bic;correspondent_account;account',
        'vodokanal;МУП «Водоканал»;3128002222;312801001;ул. Коммунистическая, 25;40-22-00;v@example.ru;cold_water wastewater;Банк;041403999;30101810200000000999;40702810707010002002',
        'teplo;ООО «Тепло»;3128003339;;ул. Ленина, 60;40-33-00;;heating;Банк;041403999;;40702810007010002003',
        'uk;ООО «УК»;3128001117;;мкр. Жукова, 29;40-11-00;;maintenance;;;;',
        'kazna;МКУ «Благоустройство»;3128004445;312801001;ул. Ленина, 1;40-44-00;;waste;УФК по Белгородской области;011403999;40102810845370000099;03100643000000012600',
        'dup;ООО «Другая вода»;3128005551;;ул. Мира, 1;40-55-00;;cold_water;;;;',
      ].join('\n'),
    );
    const { rows, errors } = validateRows('providers', table);
    expect(rows.map((r) => r.row.provider)).toEqual(['vodokanal', 'kazna', 'dup']);
    expect(errors).toEqual([
      {
        line: 3,
        reason: 'bank — реквизиты — все четыре столбца: bank, bic, correspondent_account, account (или ни одного)',
      },
      { line: 4, reason: 'inn — контрольные цифры ИНН не сходятся' },
    ]);
    expect(rows[1]?.row.bank).toEqual({
      name: 'УФК по Белгородской области',
      bic: '011403999',
      correspondentAccount: '40102810845370000099',
      settlementAccount: '03100643000000012600',
    });
    expect(servicesClaimedTwice(rows)).toEqual([
      { line: 6, reason: 'services — cold_water уже у исполнителя vodokanal (строка 2): у услуги один исполнитель' },
    ]);
  });
});

describe('the пени row, the identifiers of ГИС ЖКХ and the pay-by date', () => {
  it('prints пени as a row of their own after the services; section 3 still adds up to the statement', () => {
    const source = fixtureSource();
    const penalty = penaltyEntry(
      FIXTURE_ACCOUNT,
      FIXTURE_PERIOD,
      { service: 'penalty', amount: 1_234, accrued: 1_234, charged: 0, rate: '9.5', bills: [] },
      '2026-11-01T00:10:00+03:00',
    );
    const epd = buildEpd({ ...source, ledger: [...source.ledger, penalty] });
    if (!epd) throw new Error('not billed');
    const last = epd.charges.at(-1);
    expect(last).toMatchObject({
      service: 'penalty',
      title: 'Пени',
      charged: 1_234,
      total: 1_234,
      providerNumber: null,
    });
    expect(epd.charges.filter((r) => r.service === 'penalty')).toHaveLength(1);
    expect(epd.totals.total).toBe(epd.summary.charged);
    expect(epd.norms.some((n) => (n.service as string) === 'penalty')).toBe(false);
    const html = epdHtml(epd, NO_QR);
    expect(html).toContain('data-field="penalty"');
    expect(html).toContain('ЖК РФ, ст. 155, ч. 14');
  });

  it('prints the ЕЛС and the ИЖКУ when the registry has them, and nothing when it does not', () => {
    const source = fixtureSource();
    const epd = buildEpd({ ...source, payer: { ...source.payer, els: '80АВ123456', izhku: '80АВ123456-01' } });
    if (!epd) throw new Error('not billed');
    const html = epdHtml(epd, NO_QR);
    expect(html).toContain('<td data-field="els">80АВ123456</td>');
    expect(html).toContain('<td data-field="izhku">80АВ123456-01</td>');
    expect(epdHtml(bill(), NO_QR)).not.toContain('data-field="els"');
  });

  it('a bill formed after its due date gives days to pay instead of a date already past', () => {
    expect(payByDate('2026-10', '2026-11-02')).toBe('2026-11-15');
    expect(payByDate('2026-10', '2026-11-15')).toBe('2026-11-15');
    expect(payByDate('2026-10', '2026-11-20')).toBe(`2026-11-${20 + PRINTED_LATE_DAYS}`);
    // Before March 2026 the term was the 10th.
    expect(payByDate('2026-01', '2026-02-03')).toBe('2026-02-10');
    const late = buildEpd({ ...fixtureSource(), issuedAt: new Date('2027-01-20T09:00:00Z') });
    if (!late) throw new Error('not billed');
    expect(late.payBy).toBe('2027-01-30');
    expect(late.dueDate).toBe('2026-11-15');
    expect(epdHtml(late, NO_QR)).toContain('квитанция сформирована после срока оплаты 15.11.2026');
  });

  it('prints the QR code at least 35 mm across, as ГОСТ Р 56042-2014 recommends', () => {
    const html = epdHtml(bill(), NO_QR);
    const size = /\.qr \{ width: (\d+(?:\.\d+)?)mm; height: (\d+(?:\.\d+)?)mm;/.exec(html);
    expect(Number(size?.[1])).toBeGreaterThanOrEqual(35);
    expect(Number(size?.[2])).toBeGreaterThanOrEqual(35);
  });
});
