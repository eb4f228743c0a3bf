import { type Bill, ledgerPosition } from '#shared/billing/allocation';
import { type LedgerEntry, PENALTY, type PenaltyBill, type PenaltyLine } from '#shared/billing/ledger';
import { Dec } from '#shared/billing/money';
import { addDays, addMonths, moscowDate, parsePeriod } from '#shared/time';

/**
 * Пени for late payment of housing and utility bills. Pure functions of the ledger and the key
 * rates; the billing run of a month adds what accrued in it as a `penalty` entry.
 *
 * ЖК РФ ст. 155 ч. 14: «Лица, несвоевременно и (или) не полностью внесшие плату за жилое помещение
 * и коммунальные услуги, обязаны уплатить кредитору пени в размере одной трехсотой ставки
 * рефинансирования Центрального банка Российской Федерации, действующей на день фактической
 * оплаты, от не выплаченной в срок суммы за каждый день просрочки начиная с тридцать первого дня,
 * следующего за днем наступления установленного срока оплаты, по день фактической оплаты,
 * произведенной в течение девяноста календарных дней со дня наступления установленного срока
 * оплаты, либо до истечения девяноста календарных дней после дня наступления установленного срока
 * оплаты, если в девяностодневный срок оплата не произведена. Начиная с девяносто первого дня,
 * следующего за днем наступления установленного срока оплаты, по день фактической оплаты пени
 * уплачиваются в размере одной стотридцатой ставки рефинансирования…». The refinancing rate
 * equals the key rate since 1 January 2016 (Указание Банка России № 3894-У).
 *
 * ПП РФ № 474 of 26.03.2022 as extended by ПП РФ № 329 of 18.03.2025: until 1 January 2027 пени
 * are computed «исходя из минимального значения ключевой ставки Центрального банка Российской
 * Федерации из следующих значений: ключевая ставка …, действующая по состоянию на 27 февраля
 * 2022 г., и ключевая ставка …, действующая на день фактической оплаты» — 9.5 % at most. Applied
 * here per day of delay: days before 2027-01-01 at the lower of the two, later days at the key rate.
 *
 * Choices the law leaves to the centre, made in the resident's favour where it is silent:
 * - the day of payment counts as a day of delay (Пленум ВС РФ № 7 of 24.03.2016, п. 65);
 * - a sum still unpaid at the end of a month bears пени at the rate of that month's last day (the
 *   day of calculation); once paid, its whole delay is re-rated at the rate of the day of payment,
 *   and the next month's line carries the difference (the line is what has accrued in all, less
 *   what earlier months charged);
 * - no пени on пени, nor on balances carried from the previous system (their due dates are not
 *   known here; that system's пени may be imported as an opening balance of `penalty`).
 */

/**
 * ЖК РФ ст. 155 ч. 1: «Плата за жилое помещение и коммунальные услуги вносится ежемесячно до
 * десятого числа месяца, следующего за истекшим месяцем, если иной срок не установлен договором
 * управления…». From 1 March 2026 (the amendment of 2025) the term is «до пятнадцатого числа
 * месяца, следующего за истекшим месяцем», and no contract may set another. A bill whose old term
 * fell on or after 1 March 2026 (February 2026's, due 10 March) takes the new one: the law in
 * force on the day the payment falls due sets it, and it is the reading kinder to the resident.
 */
export const DUE_DAY_BEFORE_2026_03 = 10;
export const DUE_DAY = 15;
/** The first period whose bill falls due under the 15th-day term. */
export const DUE_DAY_15_FROM_PERIOD = '2026-02';

/** The day a period's bill falls due (the last day it may be paid without delay), `YYYY-MM-DD`. */
export function paymentDueDate(period: string): string {
  const next = addMonths(period, 1);
  const day = period >= DUE_DAY_15_FROM_PERIOD ? DUE_DAY : DUE_DAY_BEFORE_2026_03;
  return `${next}-${String(day).padStart(2, '0')}`;
}

/** The Bank of Russia key rate from a day on (`import key-rates`). */
export interface KeyRate {
  /** `YYYY-MM-DD`. */
  from: string;
  /** Percent a year, decimal string ("16.5"). */
  rate: string;
}

/** The key rate in force on 27 February 2022, the ceiling of ПП РФ № 474. */
export const PENALTY_RATE_CEILING = '9.5';
/** ПП РФ № 474 (as extended by № 329): the ceiling holds for days before this one. */
export const PENALTY_CEILING_UNTIL = '2027-01-01';

export function keyRateOn(rates: readonly KeyRate[], date: string): string | undefined {
  let found: KeyRate | undefined;
  for (const r of rates) if (r.from <= date && (!found || r.from > found.from)) found = r;
  return found?.rate;
}

const earlier = (a: string, b: string) => (a < b ? a : b);
const later = (a: string, b: string) => (a > b ? a : b);

/** Days from `from` to `to`, both `YYYY-MM-DD`, counted inclusively (0 when `to` is before `from`). */
export function daysInclusive(from: string, to: string): number {
  if (to < from) return 0;
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/**
 * Пени on `amount` kopecks (unrounded, kopecks) that fell due on `dueDate` and stayed unpaid
 * through `lastDay` (the day of payment, or the day of calculation), at `keyRate` (percent, the
 * key rate of `lastDay`).
 */
export function penaltyOn(amount: number, dueDate: string, lastDay: string, keyRate: string): InstanceType<typeof Dec> {
  let total = new Dec(0);
  const capped = Dec.min(keyRate, PENALTY_RATE_CEILING);
  const bands: Array<[from: string, to: string, divisor: number]> = [
    [addDays(dueDate, 31), addDays(dueDate, 90), 300],
    [addDays(dueDate, 91), lastDay, 130],
  ];
  for (const [bandFrom, bandTo, divisor] of bands) {
    const to = earlier(bandTo, lastDay);
    const cappedDays = daysInclusive(bandFrom, earlier(to, addDays(PENALTY_CEILING_UNTIL, -1)));
    const freeDays = daysInclusive(later(bandFrom, PENALTY_CEILING_UNTIL), to);
    const rateDays = capped.times(cappedDays).plus(new Dec(keyRate).times(freeDays));
    total = total.plus(new Dec(amount).times(rateDays).div(100).div(divisor));
  }
  return total;
}

/** The last day of a period, `YYYY-MM-DD`. */
export function lastDayOf(period: string): string {
  const { year, month } = parsePeriod(period);
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

export type PenaltyOutcome =
  | { status: 'line'; line: PenaltyLine }
  /** Nothing accrued, or nothing more than earlier months charged. */
  | { status: 'none' }
  /** A day's key rate is not imported: nothing can be computed (the operator imports it). */
  | { status: 'no_key_rate'; date: string }
  /** Пени of a later month are charged already (months billed out of order): left as they are. */
  | { status: 'later_month_billed' };

function penaltyBill(
  bill: { period: string; charged: number; applications: Bill['applications'] },
  asOf: string,
  rates: readonly KeyRate[],
): { accrued: InstanceType<typeof Dec>; overdue: number; dueDate: string } | { missing: string } {
  const dueDate = paymentDueDate(bill.period);
  let accrued = new Dec(0);
  let paid = 0;
  for (const application of bill.applications) {
    const day = moscowDate(new Date(application.at));
    if (day > asOf) continue;
    paid += application.amount;
    if (day < addDays(dueDate, 31)) continue;
    const rate = keyRateOn(rates, day);
    if (rate === undefined) return { missing: day };
    accrued = accrued.plus(penaltyOn(application.amount, dueDate, day, rate));
  }
  const overdue = bill.charged - paid;
  if (overdue > 0) {
    const rate = keyRateOn(rates, asOf);
    if (rate === undefined) return { missing: asOf };
    accrued = accrued.plus(penaltyOn(overdue, dueDate, asOf, rate));
  }
  return { accrued, overdue: Math.max(0, overdue), dueDate };
}

/**
 * The пени line of `period`'s billing run: everything accrued on the account's bills through the
 * period's last day, less the пени earlier months charged. A bill's services are one sum (пени are
 * on the bill's unpaid sum, not per service); its own пени never bear пени.
 */
export function penaltyForPeriod(
  entries: readonly LedgerEntry[],
  rates: readonly KeyRate[],
  period: string,
): PenaltyOutcome {
  if (entries.some((e) => e.kind === 'penalty' && e.period > period)) return { status: 'later_month_billed' };
  const asOf = lastDayOf(period);
  const byPeriod = new Map<string, { period: string; charged: number; applications: Bill['applications'] }>();
  for (const bill of ledgerPosition(entries).bills) {
    if (bill.opening || bill.service === PENALTY) continue;
    if (addDays(paymentDueDate(bill.period), 31) > asOf) continue;
    const sum = byPeriod.get(bill.period) ?? { period: bill.period, charged: 0, applications: [] };
    sum.charged += bill.charged;
    sum.applications.push(...bill.applications);
    byPeriod.set(bill.period, sum);
  }
  let exact = new Dec(0);
  const bills: PenaltyBill[] = [];
  for (const bill of byPeriod.values()) {
    const result = penaltyBill(bill, asOf, rates);
    if ('missing' in result) return { status: 'no_key_rate', date: result.missing };
    exact = exact.plus(result.accrued);
    const accrued = result.accrued.toDecimalPlaces(0, Dec.ROUND_HALF_UP).toNumber();
    if (accrued > 0 || result.overdue > 0) {
      bills.push({ forPeriod: bill.period, dueDate: result.dueDate, overdue: result.overdue, accrued });
    }
  }
  const accrued = exact.toDecimalPlaces(0, Dec.ROUND_HALF_UP).toNumber();
  const charged = entries
    .filter((e) => e.kind === 'penalty')
    .reduce((sum, e) => sum + e.lines.reduce((s, l) => s + l.amount, 0), 0);
  if (accrued === charged) return { status: 'none' };
  const keyRate = keyRateOn(rates, asOf);
  const rate =
    keyRate === undefined
      ? PENALTY_RATE_CEILING
      : asOf < PENALTY_CEILING_UNTIL
        ? Dec.min(keyRate, PENALTY_RATE_CEILING).toString()
        : keyRate;
  return {
    status: 'line',
    line: {
      service: PENALTY,
      amount: accrued - charged,
      accrued,
      charged,
      rate,
      bills: bills.sort((a, b) => (a.forPeriod < b.forPeriod ? -1 : 1)),
    },
  };
}
