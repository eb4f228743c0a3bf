import { parsePeriod } from '#shared/time';

/**
 * The payment QR code of the ЕПД, per ГОСТ Р 56042-2014 ("Двумерные символы штрихового кода для
 * осуществления платежей физических лиц"), which Russian banking apps scan to fill in a transfer:
 *
 *   ST0001 · 2 · | · Name=…|PersonalAcc=…|BankName=…|BIC=…|CorrespAcc=… · |additional fields
 *
 * - `ST` is the format, `0001` the version, then one digit for the encoding: 1 windows-1251,
 *   2 UTF-8, 3 KOI8-R. We write UTF-8, so the header is `ST00012`; the character after it, `|`,
 *   is the separator, which therefore must not occur in any value.
 * - The five mandatory fields come first, in this order; the additional ones follow by name:
 *   PayeeINN, KPP, PersAcc (the payer's personal account with the payee), PaymPeriod (`MMYYYY`),
 *   Sum (kopecks, digits only), and the ones the standard recommends for housing and utility
 *   payments, which banks' apps put into the transfer so the payee can match it without a call:
 *   Purpose (the payment's purpose), the payer's LastName, FirstName, MiddleName and PayerAddress,
 *   and TechCode `02` (the standard's technical code of housing and utility services).
 * - The symbol is a QR code in byte mode (the UTF-8 bytes as they are, no ECI header, which some
 *   apps reject) with error correction level M: drawn by shared/epd/qr.ts. The payload is apart so
 *   that what only needs the bill's figures (the cabinet home) does not carry the QR encoder.
 */

export interface QrPayee {
  name: string;
  inn: string;
  kpp: string;
  bankName: string;
  bic: string;
  correspondentAccount: string;
  settlementAccount: string;
}

/** Field lengths of the standard: a longer value is cut, as apps would refuse the whole code. */
const MAX = { Name: 160, BankName: 45, Purpose: 210, PayerAddress: 210, Person: 60 } as const;

/** ГОСТ Р 56042-2014, TechCode: 02 — housing and utility services (ЖКУ). */
export const TECH_CODE_HOUSING = '02';

/** One value: no separator, no line breaks, plain spaces (a no-break space means nothing to an app). */
function clean(value: string, max = 1000): string {
  return value
    .replace(/[|\r\n\t\u00a0\u202f]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, max);
}

/**
 * The payer's name as the standard's three fields: a registry owner "Фамилия Имя Отчество" (or
 * without a patronymic). Anything else (an organisation, a name of one word) yields no name
 * fields: the address identifies the payer then.
 */
export function payerNameFields(owner: string): Array<[string, string]> {
  const parts = clean(owner).split(' ');
  if (parts.length < 2 || parts.length > 3 || !parts.every((p) => /^[\p{L}-]+$/u.test(p))) return [];
  const [last, first, middle] = parts as [string, string, string | undefined];
  return [
    ['LastName', last.slice(0, MAX.Person)],
    ['FirstName', first.slice(0, MAX.Person)],
    ...(middle ? ([['MiddleName', middle.slice(0, MAX.Person)]] as Array<[string, string]>) : []),
  ];
}

export function paymentQrPayload(input: {
  payee: QrPayee;
  account: string;
  period: string;
  sum: number;
  payer?: { owner: string; address: string };
}): string {
  const { payee } = input;
  const { year, month } = parsePeriod(input.period);
  if (!Number.isSafeInteger(input.sum) || input.sum < 0)
    throw new RangeError('Sum is a non-negative number of kopecks');
  const fields: Array<[string, string]> = [
    ['Name', clean(payee.name, MAX.Name)],
    ['PersonalAcc', payee.settlementAccount],
    ['BankName', clean(payee.bankName, MAX.BankName)],
    ['BIC', payee.bic],
    ['CorrespAcc', payee.correspondentAccount],
    ['PayeeINN', payee.inn],
    ['KPP', payee.kpp],
    ['PersAcc', clean(input.account)],
    ['PaymPeriod', `${String(month).padStart(2, '0')}${year}`],
  ];
  // Nothing to pay (an advance): no Sum, so the app asks the resident how much to pay.
  if (input.sum > 0) fields.push(['Sum', String(input.sum)]);
  const mm = `${String(month).padStart(2, '0')}.${year}`;
  fields.push(['Purpose', clean(`Оплата ЖКУ за ${mm}, лицевой счёт ${input.account}`, MAX.Purpose)]);
  if (input.payer) {
    fields.push(...payerNameFields(input.payer.owner));
    fields.push(['PayerAddress', clean(input.payer.address, MAX.PayerAddress)]);
  }
  fields.push(['TechCode', TECH_CODE_HOUSING]);
  return `ST00012|${fields.map(([name, value]) => `${name}=${value}`).join('|')}`;
}
