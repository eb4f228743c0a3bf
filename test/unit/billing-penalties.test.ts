import { describe, expect, it } from 'vitest';
import { allocatePaymentToLedger } from '#shared/billing/allocation';
import { parseKeyRates } from '#shared/billing/keyRatesImport';
import {
  type ChargeLine,
  chargeEntry,
  type LedgerEntry,
  openingEntry,
  PENALTY,
  paymentEntry,
  penaltyEntry,
} from '#shared/billing/ledger';
import { Dec } from '#shared/billing/money';
import {
  daysInclusive,
  type KeyRate,
  keyRateOn,
  paymentDueDate,
  penaltyForPeriod,
  penaltyOn,
} from '#shared/billing/penalties';
import { addDays } from '#shared/time';

/**
 * Пени, with worked examples to the kopeck. The law as it reads (current wording):
 *
 * ЖК РФ ст. 155 ч. 14: «…обязаны уплатить кредитору пени в размере одной трехсотой ставки
 * рефинансирования Центрального банка Российской Федерации, действующей на день фактической
 * оплаты, от не выплаченной в срок суммы за каждый день просрочки начиная с тридцать первого дня,
 * следующего за днем наступления установленного срока оплаты, по день фактической оплаты,
 * произведенной в течение девяноста календарных дней со дня наступления установленного срока
 * оплаты, либо до истечения девяноста календарных дней после дня наступления установленного срока
 * оплаты, если в девяностодневный срок оплата не произведена. Начиная с девяносто первого дня,
 * следующего за днем наступления установленного срока оплаты, по день фактической оплаты пени
 * уплачиваются в размере одной стотридцатой ставки рефинансирования…»
 *
 * ПП РФ № 474 of 26.03.2022 (as extended by ПП РФ № 329 of 18.03.2025, in force for relations
 * from 1 January 2025): until 1 January 2027 пени are computed «исходя из минимального значения
 * ключевой ставки Центрального банка Российской Федерации из следующих значений: ключевая ставка
 * …, действующая по состоянию на 27 февраля 2022 г., и ключевая ставка …, действующая на день
 * фактической оплаты» — that is, at most 9.5 %.
 *
 * ЖК РФ ст. 155 ч. 1 (from 1 March 2026): «Плата за жилое помещение и коммунальные услуги
 * вносится ежемесячно до пятнадцатого числа месяца, следующего за истекшим месяцем»; before, до
 * десятого числа.
 */

const ACCOUNT = '100001';
const RATES: KeyRate[] = [
  { from: '2022-02-14', rate: '9.5' },
  { from: '2025-10-27', rate: '16.5' },
  { from: '2026-12-22', rate: '16' },
];

const line = (amount: number): ChargeLine => ({
  service: 'heating',
  amount,
  volume: '1',
  method: 'area',
  unit: 'Гкал',
  price: '1',
  tariffFrom: '2026-01',
});

const roubles10k = 1_000_000;

describe('the day a bill falls due (ЖК РФ ст. 155 ч. 1)', () => {
  it('the 10th of the next month until the 15th-day term took effect on 1 March 2026', () => {
    expect(paymentDueDate('2026-01')).toBe('2026-02-10');
    // February's bill fell due after 1 March 2026: the new term.
    expect(paymentDueDate('2026-02')).toBe('2026-03-15');
    expect(paymentDueDate('2026-10')).toBe('2026-11-15');
    expect(paymentDueDate('2026-12')).toBe('2027-01-15');
  });
});

describe('пени on a sum (ЖК РФ ст. 155 ч. 14, ПП РФ № 474)', () => {
  const due = '2026-03-15';

  it('10 000 ₽ unpaid 100 days at 9.5 %: days 31–90 at 1/300, days 91–100 at 1/130 = 263,08 ₽', () => {
    // 10 000 × 9.5 % × (60 / 300 + 10 / 130) = 190,00 + 73,08 = 263,08 ₽
    const lastDay = addDays(due, 100);
    expect(lastDay).toBe('2026-06-23');
    expect(penaltyOn(roubles10k, due, lastDay, '9.5').toDecimalPlaces(0, Dec.ROUND_HALF_UP).toNumber()).toBe(26_308);
  });

  it('nothing in the first 30 days after the due date; from the 31st, 1/300 a day', () => {
    expect(penaltyOn(roubles10k, due, addDays(due, 30), '9.5').toNumber()).toBe(0);
    // One day: 10 000 × 9.5 % / 300 = 3,1666… ₽
    expect(penaltyOn(roubles10k, due, addDays(due, 31), '9.5').toFixed(2)).toBe('316.67');
    // Day 90 still 1/300: 60 days = 190,00 ₽; day 91 is the first at 1/130.
    expect(penaltyOn(roubles10k, due, addDays(due, 90), '9.5').toFixed(2)).toBe('19000.00');
    expect(penaltyOn(roubles10k, due, addDays(due, 91), '9.5').toFixed(2)).toBe('19730.77');
  });

  it('until 1 January 2027 the rate is the lower of the key rate and 9.5 %', () => {
    const lastDay = addDays(due, 100);
    // A key rate of 16.5 %: 9.5 % applies, the same 263,08 ₽.
    expect(penaltyOn(roubles10k, due, lastDay, '16.5').toDecimalPlaces(0).toNumber()).toBe(26_308);
    // A key rate under 9.5 %: the key rate. 10 000 × 7.5 % × (60/300 + 10/130) = 207,69 ₽
    expect(penaltyOn(roubles10k, due, lastDay, '7.5').toDecimalPlaces(0).toNumber()).toBe(20_769);
  });

  it('from 1 January 2027 the key rate of the day of payment, whole', () => {
    // October 2026's bill, due 15.11.2026, paid on day 100 (23.02.2027) at a key rate of 16 %:
    // days 31–90 are 16.12.2026–13.02.2027 (16 days of 2026 at 9.5 %, 44 days at 16 %), days
    // 91–100 at 16 %: 10 000 × ((16 × 9,5 + 44 × 16) / 100 / 300 + 10 × 16 / 100 / 130)
    // = 285,33 + 123,08 = 408,41 ₽.
    const octoberDue = paymentDueDate('2026-10');
    expect(addDays(octoberDue, 100)).toBe('2027-02-23');
    expect(daysInclusive(addDays(octoberDue, 31), '2026-12-31')).toBe(16);
    expect(penaltyOn(roubles10k, octoberDue, '2027-02-23', '16').toDecimalPlaces(0).toNumber()).toBe(40_841);
  });

  it('the key rate of a day is the last one taking effect on or before it', () => {
    expect(keyRateOn(RATES, '2025-10-26')).toBe('9.5');
    expect(keyRateOn(RATES, '2025-10-27')).toBe('16.5');
    expect(keyRateOn(RATES, '2022-01-01')).toBeUndefined();
  });
});

describe('the пени line of a month', () => {
  // October 2026: 10 000 ₽ of heating, billed on 1 November, due 15 November.
  const october = chargeEntry(ACCOUNT, '2026-10', [line(roubles10k)], '2026-11-01T00:10:00+03:00');

  it('none while the bill is not 30 days overdue', () => {
    expect(penaltyForPeriod([october], RATES, '2026-11')).toEqual({ status: 'none' });
  });

  it('December: 16 days (16–31 December) at 1/300 of 9.5 % = 50,67 ₽', () => {
    const outcome = penaltyForPeriod([october], RATES, '2026-12');
    expect(outcome).toEqual({
      status: 'line',
      line: {
        service: PENALTY,
        amount: 5_067,
        accrued: 5_067,
        charged: 0,
        rate: '9.5',
        bills: [{ forPeriod: '2026-10', dueDate: '2026-11-15', overdue: roubles10k, accrued: 5_067 }],
      },
    });
  });

  it('paying late stops them: paid 20 January 2027, January adds 20 days at the day’s key rate; no пени on пени', () => {
    const december = penaltyForPeriod([october], RATES, '2026-12');
    if (december.status !== 'line') throw new Error('expected пени in December');
    const decemberEntry = penaltyEntry(ACCOUNT, '2026-12', december.line, '2027-01-01T00:10:00+03:00');
    const allocation = allocatePaymentToLedger(roubles10k, [october, decemberEntry], '2026-10');
    expect(allocation).toEqual([{ service: 'heating', amount: roubles10k, forPeriod: '2026-10' }]);
    const payment = paymentEntry({
      account: ACCOUNT,
      paymentId: 'p1',
      period: '2027-01',
      allocation,
      paidAt: '2027-01-20T12:00:00+03:00',
      source: 'test',
    });
    const ledger: LedgerEntry[] = [october, decemberEntry, payment];
    // Through 20.01.2027: 16 days of 2026 at 9.5 %, 20 days of 2027 at the day's 16 %, all 1/300:
    // 10 000 × (16 × 9,5 + 20 × 16) / 100 / 300 = 157,33 ₽ in all; December charged 50,67 ₽.
    const january = penaltyForPeriod(ledger, RATES, '2027-01');
    expect(january).toMatchObject({
      status: 'line',
      line: { amount: 10_666, accrued: 15_733, charged: 5_067, rate: '16' },
    });
    if (january.status !== 'line') throw new Error('expected пени in January');
    const after = [...ledger, penaltyEntry(ACCOUNT, '2027-01', january.line, '2027-02-01T00:10:00+03:00')];
    // A re-run of January finds nothing more; February neither: the bill is paid, and the unpaid
    // пени of December and January bear no пени.
    expect(penaltyForPeriod(after, RATES, '2027-01')).toEqual({ status: 'none' });
    expect(penaltyForPeriod(after, RATES, '2027-03')).toEqual({ status: 'none' });
  });

  it('a sum paid within 30 days of the due date bears nothing', () => {
    const payment = paymentEntry({
      account: ACCOUNT,
      paymentId: 'p1',
      period: '2026-12',
      allocation: [{ service: 'heating', amount: roubles10k, forPeriod: '2026-10' }],
      paidAt: '2026-12-15T12:00:00+03:00',
      source: 'test',
    });
    expect(penaltyForPeriod([october, payment], RATES, '2026-12')).toEqual({ status: 'none' });
  });

  it('balances carried over from the previous system bear none (their due dates are unknown here)', () => {
    const opening = openingEntry(ACCOUNT, '2026-01', 'gas', 1, 500_000, '2026-01-05T10:00:00Z');
    expect(penaltyForPeriod([opening], RATES, '2026-12')).toEqual({ status: 'none' });
  });

  it('without the key rate of the day nothing is computed, and the run says so', () => {
    expect(penaltyForPeriod([october], [{ from: '2027-01-01', rate: '16' }], '2026-12')).toEqual({
      status: 'no_key_rate',
      date: '2026-12-31',
    });
  });

  it('a month billed after a later one leaves the later пени as they are', () => {
    const december = penaltyForPeriod([october], RATES, '2026-12');
    if (december.status !== 'line') throw new Error('expected пени');
    const ledger = [october, penaltyEntry(ACCOUNT, '2026-12', december.line, '2027-01-01T00:10:00+03:00')];
    expect(penaltyForPeriod(ledger, RATES, '2026-11')).toEqual({ status: 'later_month_billed' });
  });
});

describe('import key-rates', () => {
  it('reads `from;rate` with a decimal comma; bad rows by line', () => {
    const file = Buffer.from(
      ['from;rate', '2022-02-14;9,5', '2025-10-27;16.5', '2025-13-01;16', '2026-01-01;', '2022-02-14;9,5'].join('\n'),
    );
    const parsed = parseKeyRates(file);
    expect(parsed.rates.map((r) => r.rate)).toEqual([
      { from: '2022-02-14', rate: '9.5' },
      { from: '2025-10-27', rate: '16.5' },
    ]);
    expect(parsed.errors.map((e) => e.line)).toEqual([4, 5, 6]);
    expect(parsed.errors[0]?.reason).toMatch(/^from — /);
    expect(parsed.errors[1]?.reason).toMatch(/^rate — /);
    expect(parsed.errors[2]?.reason).toContain('строке 2');
  });

  it('refuses a file without the columns', () => {
    expect(parseKeyRates(Buffer.from('date;value\n2022-02-14;9,5')).errors[0]?.reason).toContain('from, rate');
  });
});
