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

export function isValidBic(bic: string): boolean {
  return /^04\d{7}$/.test(bic);
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

/** A settlement account (расчётный счёт) at the bank with this BIC: keyed by the BIC's last 3 digits. */
export function isValidSettlementAccount(bic: string, account: string): boolean {
  return isValidBic(bic) && keyHolds(bic.slice(-3), account);
}

/** The bank's correspondent account: `301…`, keyed by "0" and the BIC's 5th and 6th digits. */
export function isValidCorrespondentAccount(bic: string, account: string): boolean {
  return isValidBic(bic) && account.startsWith('30101') && keyHolds(`0${bic.slice(4, 6)}`, account);
}
