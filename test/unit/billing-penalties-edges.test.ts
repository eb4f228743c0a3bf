import { describe, expect, it } from 'vitest';
import { type ChargeLine, chargeEntry, type LedgerEntry, paymentEntry } from '#shared/billing/ledger';
import { type KeyRate, keyRateOn, penaltyForPeriod } from '#shared/billing/penalties';

/**
 * Пени at the edges of their days (ЖК РФ ст. 155 ч. 14): the 31st day after the due date, a payment
 * on the last day of the month or after it, a missing key rate, several bills at once. October
 * 2026 is due on 15 November, so its пени start on 16 December; every ledger is built per test.
 */

const ACCOUNT = '100001';
const RATES: KeyRate[] = [
  { from: '2022-02-14', rate: '9.5' },
  { from: '2025-10-27', rate: '16.5' },
];
const heating = (amount: number): ChargeLine => ({
  service: 'heating',
  amount,
  volume: '1',
  method: 'area',
  unit: 'Гкал',
  price: '1',
  tariffFrom: '2026-01',
});
const TEN_THOUSAND = 1_000_000;
const billed = (period: string, amount = TEN_THOUSAND) =>
  chargeEntry(ACCOUNT, period, [heating(amount)], `${period}-28T00:10:00+03:00`);
const paid = (forPeriod: string, paidAt: string, amount = TEN_THOUSAND): LedgerEntry =>
  paymentEntry({
    account: ACCOUNT,
    paymentId: `p-${paidAt}`,
    period: paidAt.slice(0, 7),
    allocation: [{ service: 'heating', amount, forPeriod }],
    paidAt,
    source: 'test',
  });

describe('пени at the edges', () => {
  it('the key rate of a day does not depend on the order the rates were imported in', () => {
    const reversed = [...RATES].reverse();
    expect(keyRateOn(reversed, '2026-12-16')).toBe('16.5');
    expect(keyRateOn(reversed, '2025-10-26')).toBe('9.5');
  });

  it('a payment on the 30th day after the due date bears nothing; on the 31st, one day at 1/300', () => {
    expect(
      penaltyForPeriod([billed('2026-10'), paid('2026-10', '2026-12-15T12:00:00+03:00')], RATES, '2026-12'),
    ).toEqual({ status: 'none' });
    // 10 000 ₽ × 9,5 % / 300 × 1 day = 3,17 ₽; the bill is settled, so it shows nothing overdue.
    const outcome = penaltyForPeriod(
      [billed('2026-10'), paid('2026-10', '2026-12-16T12:00:00+03:00')],
      RATES,
      '2026-12',
    );
    expect(outcome).toMatchObject({
      status: 'line',
      line: { amount: 317, bills: [{ forPeriod: '2026-10', overdue: 0, accrued: 317 }] },
    });
  });

  it('a payment on the last day of the month settles the bill for that month; one a day later does not', () => {
    const onTheDay = penaltyForPeriod(
      [billed('2026-10'), paid('2026-10', '2026-12-31T12:00:00+03:00')],
      RATES,
      '2026-12',
    );
    expect(onTheDay).toMatchObject({ line: { amount: 5_067, bills: [{ overdue: 0, accrued: 5_067 }] } });
    const dayAfter = penaltyForPeriod(
      [billed('2026-10'), paid('2026-10', '2027-01-01T12:00:00+03:00')],
      RATES,
      '2026-12',
    );
    expect(dayAfter).toMatchObject({ line: { amount: 5_067, bills: [{ overdue: TEN_THOUSAND, accrued: 5_067 }] } });
  });

  it('a late payment on a day without an imported key rate stops the run, naming that day', () => {
    const rates: KeyRate[] = [{ from: '2026-12-20', rate: '16' }];
    const ledger = [billed('2026-10'), paid('2026-10', '2026-12-17T12:00:00+03:00', 400_000)];
    expect(penaltyForPeriod(ledger, rates, '2026-12')).toEqual({ status: 'no_key_rate', date: '2026-12-17' });
  });

  it('a bill paid in time needs no key rate at all', () => {
    expect(penaltyForPeriod([billed('2026-10'), paid('2026-10', '2026-11-10T12:00:00+03:00')], [], '2026-12')).toEqual({
      status: 'none',
    });
  });

  it('lists each overdue bill by period; bills paid in time and bills not yet 30 days overdue are left out', () => {
    const ledger = [
      billed('2026-10'),
      billed('2026-09', 500_000),
      billed('2026-08', 200_000),
      paid('2026-08', '2026-09-10T12:00:00+03:00', 200_000),
      billed('2026-11'),
    ];
    const outcome = penaltyForPeriod(ledger, RATES, '2026-12');
    if (outcome.status !== 'line') throw new Error(`expected пени, got ${outcome.status}`);
    expect(outcome.line.bills.map((b) => [b.forPeriod, b.overdue])).toEqual([
      ['2026-09', 500_000],
      ['2026-10', TEN_THOUSAND],
    ]);
  });

  it('lists a bill overdue by a sum too small to bear a kopeck of пени yet', () => {
    // 1 kopeck of September, days 31–77 after 15 October: 1 × 9,5 % / 300 × 47 = 0,015 kopecks.
    const outcome = penaltyForPeriod([billed('2026-09', 1), billed('2026-10')], RATES, '2026-12');
    if (outcome.status !== 'line') throw new Error(`expected пени, got ${outcome.status}`);
    expect(outcome.line.bills.map((b) => [b.forPeriod, b.overdue, b.accrued])).toEqual([
      ['2026-09', 1, 0],
      ['2026-10', TEN_THOUSAND, 5_067],
    ]);
  });

  it('a later month’s charge (not its пени) does not stop an earlier month’s пени', () => {
    const outcome = penaltyForPeriod([billed('2026-10'), billed('2027-01')], RATES, '2026-12');
    expect(outcome).toMatchObject({ status: 'line', line: { amount: 5_067 } });
  });
});
