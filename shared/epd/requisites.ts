/**
 * Checks of Russian payment requisites, as banking apps run them on a scanned QR code before they
 * let a resident pay: a requisite that fails its control digit makes the app refuse the payment.
 * Pure, used by the tests that keep the centre's placeholders (shared/centre.ts) in the right shape.
 */

const digits = (value: string) => [...value].map(Number);

/** ИНН of an organisation: 10 digits, the last a control digit (weights of the Federal Tax Service). */
export function isValidOrganisationInn(inn: string): boolean {
  if (!/^\d{10}$/.test(inn)) return false;
  const d = digits(inn);
  const weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
  const sum = weights.reduce((acc, w, i) => acc + w * (d[i] as number), 0);
  return (sum % 11) % 10 === d[9];
}

/** КПП: 4 digits of the tax office, 2 of the reason (digits or capitals), 3 digits. */
export function isValidKpp(kpp: string): boolean {
  return /^\d{4}[\dA-Z]{2}\d{3}$/.test(kpp);
}

/** ИНН of a person or sole proprietor (ИП): 12 digits, the last two control digits. */
export function isValidPersonInn(inn: string): boolean {
  if (!/^\d{12}$/.test(inn)) return false;
  const d = digits(inn);
  const check = (weights: number[]) => (weights.reduce((acc, w, i) => acc + w * (d[i] as number), 0) % 11) % 10;
  return check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[10] && check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[11];
}

/** An organisation's (10 digits) or a sole proprietor's (12 digits) ИНН. */
export function isValidInn(inn: string): boolean {
  return isValidOrganisationInn(inn) || isValidPersonInn(inn);
}

/**
 * A treasury BIC (БИК ТОФК): since 2021 the Federal Treasury's regional offices hold the accounts
 * of municipal bodies and their institutions (a municipal centre or water utility may well be one)
 * under BICs that begin with 01 (or 00 in Moscow and its region), not the banks' 04.
 */
export function isTreasuryBic(bic: string): boolean {
  return /^0[01]\d{7}$/.test(bic);
}

export function isValidBic(bic: string): boolean {
  return /^04\d{7}$/.test(bic) || isTreasuryBic(bic);
}

/**
 * The control key of a 20-digit bank account (Bank of Russia rules): three digits from the BIC
 * before the account, weights 7-1-3 repeated, the sum of the products' last digits ends in 0.
 */
function keyHolds(prefix: string, account: string): boolean {
  if (!/^\d{20}$/.test(account)) return false;
  const weights = [7, 1, 3];
  const all = digits(prefix + account);
  const sum = all.reduce((acc, d, i) => acc + ((d * (weights[i % 3] as number)) % 10), 0);
  return sum % 10 === 0;
}

/**
 * The payee's account at the bank (or treasury office) with this BIC. At a bank: a settlement
 * account keyed by the BIC's last 3 digits. At a treasury office: a treasury account
 * (казначейский счёт) `03…` in roubles (digits 6-8 `643`); only its shape is checked here.
 */
export function isValidSettlementAccount(bic: string, account: string): boolean {
  if (isTreasuryBic(bic)) return /^03\d{3}643\d{12}$/.test(account);
  return isValidBic(bic) && keyHolds(bic.slice(-3), account);
}

/**
 * The correspondent account: a bank's `30101…`, or a treasury office's single treasury account
 * (ЕКС) `40102…`; both keyed by "0" and the BIC's 5th and 6th digits.
 */
export function isValidCorrespondentAccount(bic: string, account: string): boolean {
  if (!isValidBic(bic)) return false;
  const prefix = isTreasuryBic(bic) ? '40102' : '30101';
  return account.startsWith(prefix) && keyHolds(`0${bic.slice(4, 6)}`, account);
}

/** A payee's requisites as banking apps check them; the problems in Russian, none when valid. */
export function requisiteProblems(payee: {
  inn: string;
  kpp?: string | undefined;
  bic: string;
  correspondentAccount: string;
  settlementAccount: string;
}): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!isValidInn(payee.inn)) problems.inn = 'ИНН: 10 цифр (организация) или 12 (ИП), контрольные цифры не сходятся';
  if (payee.kpp && !isValidKpp(payee.kpp)) problems.kpp = 'КПП: 9 знаков, например 312801001';
  if (!isValidBic(payee.bic)) problems.bic = 'БИК: 9 цифр, банка — 04…, казначейства — 01… (00… в Москве)';
  else {
    if (!isValidSettlementAccount(payee.bic, payee.settlementAccount)) {
      problems.account = isTreasuryBic(payee.bic)
        ? 'казначейский счёт: 20 цифр, 03…643…'
        : 'расчётный счёт: 20 цифр, контрольный ключ не сходится с БИК';
    }
    if (!isValidCorrespondentAccount(payee.bic, payee.correspondentAccount)) {
      problems.correspondent_account = isTreasuryBic(payee.bic)
        ? 'единый казначейский счёт: 20 цифр, 40102…, ключ не сходится с БИК'
        : 'корреспондентский счёт: 20 цифр, 30101…, ключ не сходится с БИК';
    }
  }
  return problems;
}
