import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateToDebts,
  byServiceTotals,
  ledgerPosition,
  refundParts,
  splitInProportion,
} from '#shared/billing/allocation';
import {
  ADVANCE,
  type ChargeLine,
  chargeEntry,
  type LedgerEntry,
  type LedgerLine,
  offsetEntry,
  openingEntry,
  PENALTY,
  paymentEntry,
  recalcEntry,
} from '#shared/billing/ledger';
import type { ServiceId } from '#shared/registry/services';
import { addMonths } from '#shared/time';

/**
 * How the ledger replay (ledgerPosition) decides which bill a line pays and when: what the ЕПД's
 * «задолженность» per period, the пени (they run per bill from the day money is applied) and the
 * statement rely on. The law is quoted in shared/billing/allocation.ts (ПП РФ № 354 п. 118,
 * ГК РФ ст. 319.1).
 */

const ACCOUNT = '100001';

const charge = (service: ServiceId, amount: number): ChargeLine => ({
  service,
  amount,
  volume: '1',
  method: 'meter',
  unit: 'м³',
  price: '1',
  tariffFrom: '2026-01',
});

const bill = (period: string, lines: Array<[ServiceId, number]>): LedgerEntry =>
  chargeEntry(
    ACCOUNT,
    period,
    lines.map(([s, a]) => charge(s, a)),
    `${addMonths(period, 1)}-01T00:10:00.000+03:00`,
  );

const paid = (id: string, paidAt: string, allocation: LedgerLine[], period = paidAt.slice(0, 7)) =>
  paymentEntry({ account: ACCOUNT, paymentId: id, period, allocation, paidAt, source: 'test' });

const recalc = (period: string, forPeriod: string, service: ServiceId, amount: number) =>
  recalcEntry(
    ACCOUNT,
    period,
    [{ ...charge(service, amount), forPeriod, billedAmount: 10_000, revisedAmount: 10_000 + amount }],
    `${addMonths(period, 1)}-01T00:10:00.000+03:00`,
  );

const september = bill('2026-09', [['heating', 20_000]]);
const october = bill('2026-10', [['heating', 30_000]]);

describe('which bill a line pays', () => {
  it('a payment naming a later bill pays that bill, though an older one is owed', () => {
    const ledger = [
      september,
      october,
      paid('p', '2026-11-05T10:00:00Z', [{ service: 'heating', amount: 10_000, forPeriod: '2026-10' }]),
    ];
    expect(ledgerPosition(ledger).debts).toEqual([
      { period: '2026-09', service: 'heating', amount: 20_000 },
      { period: '2026-10', service: 'heating', amount: 20_000 },
    ]);
  });

  it("an advance applied at billing pays the bills its offset names (as that month's ЕПД shows)", () => {
    const ledger = [
      paid('a', '2026-10-20T10:00:00Z', [{ service: ADVANCE, amount: 10_000 }]),
      september,
      october,
      offsetEntry(
        ACCOUNT,
        '2026-11',
        [
          { service: ADVANCE, amount: 10_000 },
          { service: 'heating', amount: -10_000, forPeriod: '2026-10' },
        ],
        '2026-11-01T00:10:00.000+03:00',
      ),
    ];
    expect(ledgerPosition(ledger)).toMatchObject({
      advance: 0,
      debts: [
        { period: '2026-09', service: 'heating', amount: 20_000 },
        { period: '2026-10', service: 'heating', amount: 20_000 },
      ],
    });
  });

  it("an extra charge from a recalculation is owed on the month of the run that made it (that month's ЕПД)", () => {
    const ledger = [september, recalc('2026-11', '2026-09', 'heating', 5_000)];
    expect(ledgerPosition(ledger).debts).toEqual([
      { period: '2026-09', service: 'heating', amount: 20_000 },
      { period: '2026-11', service: 'heating', amount: 5_000 },
    ]);
  });

  it('a recalculation in the resident’s favour pays the service’s oldest debt, whatever period it corrects', () => {
    const ledger = [september, october, recalc('2026-11', '2026-10', 'heating', -5_000)];
    expect(ledgerPosition(ledger).debts).toEqual([
      { period: '2026-09', service: 'heating', amount: 15_000 },
      { period: '2026-10', service: 'heating', amount: 30_000 },
    ]);
  });

  it('a refund makes the bill it had paid owed again, not the month of the refund', () => {
    const ledger = [
      september,
      october,
      paid('p', '2026-11-05T10:00:00Z', [{ service: 'heating', amount: 20_000, forPeriod: '2026-09' }]),
      paid('p.refund', '2026-12-02T10:00:00Z', [{ service: 'heating', amount: -8_000, forPeriod: '2026-09' }]),
    ];
    expect(ledgerPosition(ledger).debts).toEqual([
      { period: '2026-09', service: 'heating', amount: 8_000 },
      { period: '2026-10', service: 'heating', amount: 30_000 },
    ]);
  });

  it('a refund of a line that named no bill is owed on the month of the refund', () => {
    const ledger = [paid('p.refund', '2026-12-02T10:00:00Z', [{ service: 'heating', amount: -8_000 }])];
    expect(ledgerPosition(ledger).debts).toEqual([{ period: '2026-12', service: 'heating', amount: 8_000 }]);
  });

  it('a zero line changes nothing: no bill, no debt, no credit', () => {
    const ledger = [
      bill('2026-09', [['heating', 0]]),
      paid('p', '2026-10-05T10:00:00Z', [{ service: 'gas', amount: 0 }]),
    ];
    expect(ledgerPosition(ledger)).toEqual({ debts: [], bills: [], advance: 0, credits: [] });
  });
});

describe('when money is applied (пени run per bill until then)', () => {
  it('payments that name no bill pay the oldest debts in the order they were paid, not recorded', () => {
    const august = bill('2026-08', [['heating', 5_000]]);
    // Recorded in this order (by id), paid the other way round: a registry that came in late.
    const ledger = [
      august,
      september,
      paid('a', '2026-10-20T10:00:00Z', [{ service: 'heating', amount: 5_000 }]),
      paid('b', '2026-10-10T10:00:00Z', [{ service: 'heating', amount: 5_000 }]),
    ];
    const { bills } = ledgerPosition(ledger);
    expect(bills.map((b) => [b.period, b.applications.map((a) => a.at)])).toEqual([
      ['2026-08', ['2026-10-10T10:00:00Z']],
      ['2026-09', ['2026-10-20T10:00:00Z']],
    ]);
  });

  it('two payments paid at the same moment apply in the order of their ids', () => {
    const ledger = [
      september,
      paid('b', '2026-10-10T10:00:00Z', [{ service: 'heating', amount: 15_000 }]),
      paid('a', '2026-10-10T10:00:00Z', [{ service: 'heating', amount: 12_000 }]),
    ];
    const [only] = ledgerPosition(ledger).bills;
    expect(only?.applications.map((a) => a.amount)).toEqual([12_000, 8_000]);
    expect(ledgerPosition(ledger).credits).toEqual([{ service: 'heating', amount: 7_000 }]);
  });

  it('a balance overpaid in the previous system pays from the first day of its month', () => {
    const ledger = [openingEntry(ACCOUNT, '2026-10', 'heating', 1, -5_000, '2026-10-20T12:00:00Z'), october];
    const [onlyBill] = ledgerPosition(ledger).bills;
    expect(onlyBill?.applications).toEqual([
      { period: '2026-10', service: 'heating', amount: 5_000, at: '2026-09-30T21:00:00.000Z' },
    ]);
  });

  it("a recalculation's credit applies when the run that made it wrote it", () => {
    const entry = recalc('2026-11', '2026-09', 'heating', -5_000);
    const [first] = ledgerPosition([september, entry]).bills;
    expect(first?.applications).toEqual([
      { period: '2026-09', service: 'heating', amount: 5_000, at: entry.createdAt },
    ]);
  });

  it('money paid ahead for a service pays its next charge, as of the day it was paid', () => {
    const ledger = [
      september,
      paid('p', '2026-10-05T10:00:00Z', [{ service: 'heating', amount: 30_000, forPeriod: '2026-09' }]),
      october,
    ];
    const position = ledgerPosition(ledger);
    expect(position.debts).toEqual([{ period: '2026-10', service: 'heating', amount: 20_000 }]);
    expect(position.credits).toEqual([]);
    expect(position.bills.map((b) => [b.period, b.applications])).toEqual([
      ['2026-09', [{ period: '2026-09', service: 'heating', amount: 20_000, at: '2026-10-05T10:00:00Z' }]],
      ['2026-10', [{ period: '2026-10', service: 'heating', amount: 10_000, at: '2026-10-05T10:00:00Z' }]],
    ]);
  });
});

describe('what the position reports', () => {
  it("money beyond a service's debts stays that service's credit, listed by service; the advance apart", () => {
    const ledger = [
      bill('2026-09', [
        ['heating', 20_000],
        ['gas', 1_000],
      ]),
      paid('p', '2026-10-05T10:00:00Z', [
        { service: 'heating', amount: 25_000, forPeriod: '2026-09' },
        { service: 'gas', amount: 1_500, forPeriod: '2026-09' },
        { service: 'cold_water', amount: 700 },
        { service: ADVANCE, amount: 3_000 },
      ]),
    ];
    expect(ledgerPosition(ledger)).toMatchObject({
      debts: [],
      advance: 3_000,
      credits: [
        { service: 'cold_water', amount: 700 },
        { service: 'gas', amount: 500 },
        { service: 'heating', amount: 5_000 },
      ],
    });
  });

  it('an advance taken back beyond what is left shows as none, not a negative advance', () => {
    const ledger = [
      paid('a', '2026-10-05T10:00:00Z', [{ service: ADVANCE, amount: 3_000 }]),
      paid('a.refund', '2026-10-06T10:00:00Z', [{ service: ADVANCE, amount: -5_000 }]),
    ];
    expect(ledgerPosition(ledger).advance).toBe(0);
  });

  it('debts list bills oldest first, then by service; a carried balance is marked as such', () => {
    const ledger = [
      bill('2026-10', [
        ['heating', 1],
        ['cold_water', 2],
      ]),
      bill('2026-09', [['waste', 3]]),
      openingEntry(ACCOUNT, '2026-09', 'gas', 1, 4, '2026-09-03T10:00:00Z'),
    ];
    expect(ledgerPosition(ledger).debts).toEqual([
      { period: '2026-08', service: 'gas', amount: 4, opening: true },
      { period: '2026-09', service: 'waste', amount: 3 },
      { period: '2026-10', service: 'cold_water', amount: 2 },
      { period: '2026-10', service: 'heating', amount: 1 },
    ]);
    expect(ledgerPosition(ledger).bills.map((b) => b.opening)).toEqual([true, false, false, false]);
  });
});

/** A random ledger: charges, recalculations, openings and payments over a few months and services. */
const SERVICES: ServiceId[] = ['heating', 'gas', 'cold_water'];
const PERIODS = ['2026-07', '2026-08', '2026-09', '2026-10'];
const entryArb = fc.oneof(
  fc
    .record({
      period: fc.constantFrom(...PERIODS),
      service: fc.constantFrom(...SERVICES),
      amount: fc.integer({ min: 1, max: 90_000 }),
    })
    .map(({ period, service, amount }) => bill(period, [[service, amount]])),
  fc
    .record({
      period: fc.constantFrom(...PERIODS),
      service: fc.constantFrom(...SERVICES),
      amount: fc.integer({ min: -30_000, max: 30_000 }),
    })
    .map(({ period, service, amount }) => recalc(period, addMonths(period, -1), service, amount)),
  fc
    .record({
      service: fc.constantFrom(...SERVICES),
      amount: fc.integer({ min: -20_000, max: 90_000 }),
      n: fc.nat(50),
    })
    // Balances are carried over once, into the first month billed here (their debt is the month
    // before, which this system never bills).
    .map(({ service, amount, n }) => openingEntry(ACCOUNT, '2026-07', service, n, amount, '2026-07-03T10:00:00Z')),
  fc
    .record({
      day: fc.integer({ min: 1, max: 28 }),
      period: fc.constantFrom(...PERIODS),
      forPeriod: fc.option(fc.constantFrom(...PERIODS), { nil: undefined }),
      service: fc.constantFrom<ServiceId | typeof ADVANCE>(...SERVICES, ADVANCE),
      amount: fc.integer({ min: -20_000, max: 90_000 }),
      n: fc.nat(50),
    })
    .map(({ day, period, forPeriod, service, amount, n }) =>
      paid(
        `p${n}`,
        `${period}-${String(day).padStart(2, '0')}T10:00:00Z`,
        [{ service, amount, ...(forPeriod && service !== ADVANCE ? { forPeriod } : {}) }],
        period,
      ),
    ),
);

describe('properties of the replay', () => {
  // Entries with the same key are one entry in DynamoDB: keep the first of each.
  const ledgerArb = fc
    .array(entryArb, { maxLength: 25 })
    .map((entries) => [...new Map(entries.map((e) => [e.sk, e])).values()]);

  it('does not depend on the order the entries are read in', () => {
    fc.assert(
      fc.property(
        ledgerArb.chain((entries) =>
          fc.tuple(fc.constant(entries), fc.shuffledSubarray(entries, { minLength: entries.length })),
        ),
        ([entries, shuffled]) => {
          expect(ledgerPosition(shuffled)).toEqual(ledgerPosition(entries));
        },
      ),
    );
  });

  it('per service, what is owed less the credit is the sum of its lines (nothing lost, nothing made)', () => {
    fc.assert(
      fc.property(ledgerArb, (entries) => {
        const position = ledgerPosition(entries);
        for (const service of SERVICES) {
          const lines = entries.flatMap((e) => e.lines as LedgerLine[]).filter((l) => l.service === service);
          const balance = lines.reduce((s, l) => s + l.amount, 0);
          const owed = position.debts.filter((d) => d.service === service).reduce((s, d) => s + d.amount, 0);
          const credit = position.credits.find((c) => c.service === service)?.amount ?? 0;
          // A service is either owed or in credit, never both: money pays every bill of its service.
          expect(owed === 0 || credit === 0).toBe(true);
          expect(owed - credit).toBe(balance);
        }
      }),
    );
  });
});

describe('splitting and refunds', () => {
  it('splits nothing, or over nothing, into zeros', () => {
    expect(splitInProportion(0, [3, 7])).toEqual([0, 0]);
    expect(splitInProportion(100, [0, 0])).toEqual([0, 0]);
  });

  it('gives the leftover kopecks to the largest remainders, whatever their position', () => {
    // 10 over 2 : 2 : 3 is 2.86, 2.86, 4.29 → 3, 3, 4; 5 over 4 : 1 : 1 is 3.33, 0.83, 0.83 → 3, 1, 1.
    expect(splitInProportion(10, [2, 2, 3])).toEqual([3, 3, 4]);
    expect(splitInProportion(7, [1, 1, 4])).toEqual([1, 1, 5]);
    expect(splitInProportion(5, [4, 1, 1])).toEqual([3, 1, 1]);
    expect(splitInProportion(2, [1, 1, 1])).toEqual([1, 1, 0]);
  });

  it('splits to the kopeck sums beyond 2^53 kopecks² exactly', () => {
    expect(splitInProportion(9_007_199_254, [3_000_000_001, 7_000_000_000])).toEqual([2_702_159_777, 6_305_039_477]);
  });

  it('a partial refund takes back every part in proportion and leaves out parts that come to nothing', () => {
    const parts = [
      { service: 'heating' as const, amount: 9_000, forPeriod: '2026-09' },
      { service: 'gas' as const, amount: 1_000, forPeriod: '2026-09' },
      { service: ADVANCE, amount: 1 },
    ];
    expect(refundParts(5_000, parts)).toEqual([
      { service: 'heating', amount: 4_500, forPeriod: '2026-09' },
      { service: 'gas', amount: 500, forPeriod: '2026-09' },
    ]);
    expect(refundParts(20_000, parts)).toEqual(parts);
  });

  it("a payment's parts by service add up what it paid on every bill (the receipt)", () => {
    expect(
      byServiceTotals([
        { service: 'heating', amount: 100, forPeriod: '2026-09' },
        { service: 'gas', amount: 5 },
        { service: 'heating', amount: 50, forPeriod: '2026-10' },
      ]),
    ).toEqual([
      { service: 'heating', amount: 150 },
      { service: 'gas', amount: 5 },
    ]);
  });
});

describe('a payment over several bills', () => {
  it('pays the named bill, then the others oldest first; each bill its services before its пени', () => {
    const debts = [
      { period: '2026-08', service: 'heating', amount: 1_000 },
      { period: '2026-08', service: PENALTY, amount: 100 },
      { period: '2026-09', service: 'gas', amount: 2_000 },
      { period: '2026-10', service: 'heating', amount: 3_000 },
      { period: '2026-10', service: PENALTY, amount: 50 },
    ];
    expect(allocateToDebts(4_070, debts, { period: '2026-10' })).toEqual([
      { service: 'heating', amount: 3_000, forPeriod: '2026-10' },
      { service: PENALTY, amount: 50, forPeriod: '2026-10' },
      { service: 'heating', amount: 1_000, forPeriod: '2026-08' },
      { service: PENALTY, amount: 20, forPeriod: '2026-08' },
    ]);
    // Enough for every bill: nothing is left for an advance, nothing is paid twice.
    expect(allocateToDebts(6_150, debts).reduce((s, p) => s + p.amount, 0)).toBe(6_150);
    expect(allocateToDebts(6_150, debts).some((p) => p.service === ADVANCE)).toBe(false);
  });

  it('pays debts oldest first however the caller lists them (ГК РФ ст. 319.1)', () => {
    const debts = [
      { period: '2026-10', service: 'heating', amount: 3_000 },
      { period: '2026-08', service: 'gas', amount: 1_000 },
    ];
    expect(allocateToDebts(1_500, debts)).toEqual([
      { service: 'gas', amount: 1_000, forPeriod: '2026-08' },
      { service: 'heating', amount: 500, forPeriod: '2026-10' },
    ]);
  });

  it('a kopeck too few to share lists only the service it went to: no zero lines on the receipt', () => {
    const debts = [
      { period: '2026-10', service: 'gas', amount: 1 },
      { period: '2026-10', service: 'heating', amount: 1_000 },
    ];
    expect(allocateToDebts(10, debts)).toEqual([{ service: 'heating', amount: 10, forPeriod: '2026-10' }]);
  });

  it('refuses a payment that is not a whole positive number of kopecks', () => {
    for (const amount of [-1, 0, 1.5, Number.MAX_SAFE_INTEGER + 2, Number.NaN]) {
      expect(() => allocateToDebts(amount, [])).toThrow(RangeError);
    }
    expect(allocateToDebts(1, [])).toEqual([{ service: ADVANCE, amount: 1 }]);
  });
});
