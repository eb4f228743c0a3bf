import { describe, expect, it } from 'vitest';
import {
  ADVANCE,
  allocatePayment,
  byLedgerOrder,
  type ChargeLine,
  chargeEntry,
  type LedgerEntry,
  offsetEntry,
  openingEntry,
  PENALTY,
  paymentEntry,
  penaltyEntry,
  recalcEntry,
} from '#shared/billing/ledger';
import { chargesHistory } from '#shared/billing/statement';

/**
 * The order the statement and the charges history read a ledger in, and the items the writers
 * make: what the history page and a corrected re-import rely on.
 */

const ACCOUNT = '100001';
const line = (amount: number): ChargeLine => ({
  service: 'heating',
  amount,
  volume: '1',
  method: 'area',
  unit: 'м²',
  price: '1',
  tariffFrom: '2026-01',
});
const at = '2026-11-01T00:10:00.000+03:00';

const opening = openingEntry(ACCOUNT, '2026-10', 'gas', 1, 100, at);
const charge = chargeEntry(ACCOUNT, '2026-10', [line(200)], at);
const recalc = recalcEntry(
  ACCOUNT,
  '2026-10',
  [{ ...line(-30), forPeriod: '2026-09', billedAmount: 230, revisedAmount: 200 }],
  at,
);
const penalty = penaltyEntry(
  ACCOUNT,
  '2026-10',
  { service: PENALTY, amount: 7, accrued: 7, charged: 0, rate: '9.5', bills: [] },
  at,
);
const offset = offsetEntry(ACCOUNT, '2026-10', [{ service: ADVANCE, amount: 0 }], at);
const payA = paymentEntry({
  account: ACCOUNT,
  paymentId: 'a',
  period: '2026-10',
  allocation: [{ service: 'heating', amount: 50 }],
  paidAt: '2026-10-20T10:00:00Z',
  source: 'test',
});
const payB = { ...payA, id: 'b', sk: 'LEDGER#2026-10#payment#b' };
const september = chargeEntry(ACCOUNT, '2026-09', [line(230)], at);

describe('ledger order (statement, charges history)', () => {
  const ordered: LedgerEntry[] = [september, opening, charge, recalc, penalty, offset, payA, payB];

  it('by period, then opening, charge, recalc, пени, offset, payment, then id — however they were read', () => {
    for (const shuffled of [
      [...ordered].reverse(),
      [payB, recalc, september, offset, opening, payA, penalty, charge],
    ]) {
      expect(shuffled.sort(byLedgerOrder).map((e) => e.sk)).toEqual(ordered.map((e) => e.sk));
    }
    // A comparator both ways round: earlier is negative, later positive, the same entry nothing.
    ordered.forEach((a, i) => {
      ordered.forEach((b, j) => {
        expect(Math.sign(byLedgerOrder(a, b))).toBe(Math.sign(i - j));
      });
    });
  });

  it("lists a month's charges, then its recalculations, then its пени", () => {
    const [october] = chargesHistory([penalty, recalc, payA, charge, opening], '2026-10', '2026-10');
    expect(october?.lines.map((l) => [l.kind, l.service, l.amount])).toEqual([
      ['charge', 'heating', 200],
      ['recalc', 'heating', -30],
      ['charge', PENALTY, 7],
    ]);
  });
});

describe('ledger items', () => {
  it('a corrected re-import of a balance is an item of its own, next to the first', () => {
    const first = openingEntry(ACCOUNT, '2026-01', 'cold_water', 1, 4_000, at);
    const second = openingEntry(ACCOUNT, '2026-01', 'cold_water', 2, -1_000, at);
    expect(first).toMatchObject({
      pk: 'ACC#100001',
      sk: 'LEDGER#2026-01#opening#cold_water.1',
      entity: 'ledger',
      kind: 'opening',
      source: 'import',
      total: 4_000,
    });
    expect(second.sk).toBe('LEDGER#2026-01#opening#cold_water.2');
  });
});

describe('allocatePayment (split by balances)', () => {
  it('lists the parts by service, the advance among them; an equal remainder goes to the first service by name', () => {
    expect(
      allocatePayment(1_001, [
        { service: 'gas', balance: 500 },
        { service: 'cold_water', balance: 500 },
        { service: ADVANCE, balance: 300 },
      ]),
    ).toEqual([
      { service: ADVANCE, amount: 1 },
      { service: 'cold_water', amount: 500 },
      { service: 'gas', amount: 500 },
    ]);
    expect(
      allocatePayment(1, [
        { service: 'gas', balance: 500 },
        { service: 'cold_water', balance: 500 },
      ]),
    ).toEqual([{ service: 'cold_water', amount: 1 }]);
  });

  it('gives the leftover kopeck to the largest remainder, not the largest debt', () => {
    // 3 kopecks over debts of 5 and 2: 2.14 and 0.86 → 2 and 1, whichever service comes first by name.
    expect(
      allocatePayment(3, [
        { service: 'waste', balance: 5 },
        { service: 'gas', balance: 2 },
      ]),
    ).toEqual([
      { service: 'gas', amount: 1 },
      { service: 'waste', amount: 2 },
    ]);
    expect(
      allocatePayment(3, [
        { service: 'cold_water', balance: 5 },
        { service: 'waste', balance: 2 },
      ]),
    ).toEqual([
      { service: 'cold_water', amount: 2 },
      { service: 'waste', amount: 1 },
    ]);
    expect(
      allocatePayment(3, [
        { service: 'cold_water', balance: 2 },
        { service: 'waste', balance: 5 },
      ]),
    ).toEqual([
      { service: 'cold_water', amount: 1 },
      { service: 'waste', amount: 2 },
    ]);
  });
});
