import { describe, expect, it } from 'vitest';
import { CENTRE } from '#shared/centre';
import { payerNameFields, paymentQrPayload, qrPng, qrSvg } from '#shared/epd/qr';
import { decodeQrPng } from '#test/support/qr';

/**
 * The payment QR code as a banking app reads it (ГОСТ Р 56042-2014): the fields by name, the
 * limits of the standard, and the two renderings (SVG on the bill, PNG for the tests) agreeing.
 * Every payload is built inside its test.
 */

/** The fields as an app splits them: header first, then `Name=value` pairs. */
const fieldsOf = (payload: string) => {
  const [header, ...pairs] = payload.split('|');
  return { header, fields: pairs.map((pair) => pair.split('=', 2) as [string, string]) };
};

const PAYER = { owner: 'Иванова Мария Петровна', address: 'г. Старый Оскол, мкр. Жукова, д. 12, кв. 45' };

describe('payment QR payload', () => {
  it('names every field as the standard does, mandatory ones first and TechCode last', () => {
    const { header, fields } = fieldsOf(
      paymentQrPayload({ payee: CENTRE.payee, account: '100001', period: '2026-01', sum: 250_075, payer: PAYER }),
    );
    expect(header).toBe('ST00012');
    expect(fields).toEqual([
      ['Name', CENTRE.payee.name],
      ['PersonalAcc', CENTRE.payee.settlementAccount],
      // The requisites keep a no-break space after «г.»; an app wants a plain one.
      ['BankName', 'АО «Пример Банк», г. Белгород'],
      ['BIC', CENTRE.payee.bic],
      ['CorrespAcc', CENTRE.payee.correspondentAccount],
      ['PayeeINN', CENTRE.payee.inn],
      ['KPP', CENTRE.payee.kpp],
      ['PersAcc', '100001'],
      ['PaymPeriod', '012026'],
      ['Sum', '250075'],
      ['Purpose', 'Оплата ЖКУ за 01.2026, лицевой счёт 100001'],
      ['LastName', 'Иванова'],
      ['FirstName', 'Мария'],
      ['MiddleName', 'Петровна'],
      ['PayerAddress', PAYER.address],
      ['TechCode', '02'],
    ]);
  });

  it('refuses a sum that is not a whole, non-negative number of kopecks', () => {
    const at = (sum: number) => () =>
      paymentQrPayload({ payee: CENTRE.payee, account: '100001', period: '2026-01', sum });
    expect(at(-1)).toThrow(new RangeError('Sum is a non-negative number of kopecks'));
    expect(at(10.5)).toThrow(RangeError);
    expect(at(Number.NaN)).toThrow(RangeError);
    expect(at(2 ** 53)).toThrow(RangeError);
    expect(at(0)).not.toThrow();
    expect(fieldsOf(at(1)()).fields).toContainEqual(['Sum', '1']);
  });

  it('makes every value one line of plain spaces, cut to the length the standard allows', () => {
    const { fields } = fieldsOf(
      paymentQrPayload({
        payee: {
          ...CENTRE.payee,
          name: `  ООО\u00a0«Вода»\t|\r\n Сток${'я'.repeat(200)}  `,
          bankName: `Банк${' '.repeat(3)}${'б'.repeat(60)}`,
        },
        account: ' 100001 ',
        period: '2026-11',
        sum: 1,
        payer: { owner: PAYER.owner, address: `д.\u202f12,\n кв. 45${'а'.repeat(300)}` },
      }),
    );
    const value = (name: string) => fields.find(([n]) => n === name)?.[1];
    expect(value('Name')).toBe(`ООО «Вода» Сток${'я'.repeat(160 - 'ООО «Вода» Сток'.length)}`);
    expect(value('BankName')).toBe(`Банк ${'б'.repeat(40)}`);
    expect(value('PersAcc')).toBe('100001');
    expect(value('PayerAddress')).toBe(`д. 12, кв. 45${'а'.repeat(210 - 'д. 12, кв. 45'.length)}`);
    expect(value('PaymPeriod')).toBe('112026');
  });
});

describe("the payer's name fields", () => {
  it('are two or three words of letters (a hyphen allowed), each cut to 60 characters', () => {
    expect(payerNameFields('Салтыкова-Щедрина Анна')).toEqual([
      ['LastName', 'Салтыкова-Щедрина'],
      ['FirstName', 'Анна'],
    ]);
    const long = 'Ж'.repeat(70);
    expect(payerNameFields(`${long} ${long} ${long}`)).toEqual([
      ['LastName', 'Ж'.repeat(60)],
      ['FirstName', 'Ж'.repeat(60)],
      ['MiddleName', 'Ж'.repeat(60)],
    ]);
  });

  it('are absent for four words, digits or punctuation anywhere in a word', () => {
    expect(payerNameFields('Иванова Мария Петровна Оглы')).toEqual([]);
    expect(payerNameFields('1Иванова Мария')).toEqual([]);
    expect(payerNameFields('Иванова Мария2')).toEqual([]);
    expect(payerNameFields('ИП Иванова М.П.')).toEqual([]);
  });
});

describe('the QR code images', () => {
  const payload = () =>
    paymentQrPayload({ payee: CENTRE.payee, account: '100001', period: '2026-10', sum: 1_076_796, payer: PAYER });

  it('PNG: reads back, with `scale` pixels per module', async () => {
    const [small, large] = [await qrPng(payload(), 3), await qrPng(payload(), 6)];
    expect(decodeQrPng(large)).toBe(payload());
    const width = (png: Buffer) => png.readUInt32BE(16);
    expect(width(large)).toBe(width(small) * 2);
    expect(width(small) % 3).toBe(0);
  });

  it('SVG on the bill: the same symbol with its 4-module quiet zone, inline, labelled for screen readers', async () => {
    const svg = await qrSvg(payload());
    expect(svg).toMatch(
      /^<svg class="qr" role="img" aria-label="QR-код для оплаты" xmlns="http:\/\/www\.w3\.org\/2000\/svg" /,
    );
    // Only modules: nothing of the payload (names, addresses) reaches the markup.
    expect(svg).not.toContain('Иванова');
    expect(svg).toMatch(/^<svg [^<]*>(<path [^<]*\/>)+<\/svg>$/);
    const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
    const png = await qrPng(payload(), 1);
    expect(png.readUInt32BE(16)).toBe(size);
  });
});
