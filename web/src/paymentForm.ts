import { MAX_PAYMENT_KOPECKS } from '#shared/payments/limits';

/**
 * The payment form's arithmetic, pure: what the resident types in roubles («1 234,56», «1234.5»)
 * becomes integer kopecks by string arithmetic (never a binary float), and back.
 */

/** «1 234,56» → 123456; undefined when it is not a sum of money with at most two decimals. */
export function parseRoublesInput(text: string): number | undefined {
  const plain = text
    .replace(/[\s\u00a0\u202f₽]/g, '')
    .replace(/(руб\.?|р\.)$/i, '')
    .replace(',', '.');
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(plain);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** 254300 → «2543,00»: how an amount is put into the field to edit. */
export function kopecksToInput(kopecks: number): string {
  return `${Math.trunc(kopecks / 100)},${String(kopecks % 100).padStart(2, '0')}`;
}

/** The field's message for what was typed, or undefined when it may be paid. */
export function amountError(text: string): string | undefined {
  if (text.trim() === '') return 'Укажите сумму';
  const kopecks = parseRoublesInput(text);
  if (kopecks === undefined) return 'Сумма в рублях, например 1500 или 1500,50';
  if (kopecks <= 0) return 'Сумма должна быть больше нуля';
  if (kopecks > MAX_PAYMENT_KOPECKS) return 'Сумма — не больше 500 000 ₽ за один платёж';
  return undefined;
}

/** The default amount: the debt, or nothing to prefill when the account owes nothing. */
export function prefilledAmount(balanceTotal: number): string {
  return balanceTotal > 0 ? kopecksToInput(Math.min(balanceTotal, MAX_PAYMENT_KOPECKS)) : '';
}

/** The services a split offers: those with a debt, each prefilled with it. */
export function splitRows(services: ReadonlyArray<{ service: string; balance: number }>) {
  return services
    .filter((s) => s.balance > 0 && s.service !== 'advance')
    .map((s) => ({ service: s.service, value: kopecksToInput(s.balance) }));
}

/** Sum of the split's amounts; undefined while any field is not a valid amount. */
export function splitTotal(rows: ReadonlyArray<{ value: string }>): number | undefined {
  let total = 0;
  for (const row of rows) {
    if (row.value.trim() === '') continue;
    const kopecks = parseRoublesInput(row.value);
    if (kopecks === undefined) return undefined;
    total += kopecks;
  }
  return total;
}

/** Final from the resident's point of view: polling stops (review waits for people, not seconds). */
export function isFinalState(state: string): boolean {
  return state !== 'created' && state !== 'pending';
}
