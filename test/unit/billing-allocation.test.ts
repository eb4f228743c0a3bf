import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  advanceOffset,
  allocatePaymentToLedger,
  allocateToDebts,
  type Debt,
  ledgerPosition,
  paidPeriod,
  refundParts,
  splitInProportion,
} from '#shared/billing/allocation';
import {
  ADVANCE,
  type ChargeLine,
  chargeEntry,
  type LedgerEntry,
  offsetEntry,
  openingEntry,
  PENALTY,
  paymentEntry,
  penaltyEntry,
  sumLedger,
} from '#shared/billing/ledger';
import { validatePaymentRequest } from '#shared/payments/model';
import type { ServiceId } from '#shared/registry/services';

/**
 * How money pays debts. The rules quoted:
 * - ПП РФ № 354, п. 118: a payment for a named period pays that period («оплата … за расчетный
 *   период»); what exceeds the debts counts towards future periods — an advance.
 * - ГК РФ ст. 319.1 п. 3: without a named period, «исполненное засчитывается в погашение
 *   обязательства, срок исполнения которого наступил или наступит раньше» — the oldest debt first.
 */

const ACCOUNT = '100001';

const line = (service: ServiceId, amount: number): ChargeLine => ({
  service,
  amount,
  volume: '1',
  method: 'meter',
  unit: 'м³',
  price: '1',
  tariffFrom: '2026-01',
});

/** A month's bill: charged at the run on the 1st of the next month. */
function bill(period: string, lines: Array<[ServiceId, number]>): LedgerEntry {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return chargeEntry(
    ACCOUNT,
    period,
    lines.map(([s, a]) => line(s, a)),
    `${next}-01T00:10:00.000+03:00`,
  );
}

function paid(id: string, paidAt: string, allocation: Array<{ service: string; amount: number; forPeriod?: string }>) {
  return paymentEntry({
    account: ACCOUNT,
    paymentId: id,
    period: paidAt.slice(0, 7),
    allocation: allocation as never,
    paidAt,
    source: 'test',
  });
}

const september = bill('2026-09', [['heating', 20_000]]);
const october = bill('2026-10', [
  ['cold_water', 30_000],
  ['hot_water', 70_000],
]);

describe('a payment that names its bill («оплатить эту квитанцию», PaymPeriod)', () => {
  it("pays that bill's services in proportion to their amounts, the rest older debts, then an advance", () => {
    const ledger = [september, october];
    // 500 ₽ for October: 3 : 7 of it to cold and hot water, nothing to September.
    expect(allocatePaymentToLedger(50_000, ledger, '2026-10')).toEqual([
      { service: 'cold_water', amount: 15_000, forPeriod: '2026-10' },
      { service: 'hot_water', amount: 35_000, forPeriod: '2026-10' },
    ]);
    // 1 300 ₽ for October: October in full, September's heating, 100 ₽ advance.
    expect(allocatePaymentToLedger(130_000, ledger, '2026-10')).toEqual([
      { service: 'cold_water', amount: 30_000, forPeriod: '2026-10' },
      { service: 'hot_water', amount: 70_000, forPeriod: '2026-10' },
      { service: 'heating', amount: 20_000, forPeriod: '2026-09' },
      { service: ADVANCE, amount: 10_000 },
    ]);
  });

  it('without a period pays the oldest debt first (ГК РФ ст. 319.1)', () => {
    expect(allocatePaymentToLedger(50_000, [september, october])).toEqual([
      { service: 'heating', amount: 20_000, forPeriod: '2026-09' },
      { service: 'cold_water', amount: 9_000, forPeriod: '2026-10' },
      { service: 'hot_water', amount: 21_000, forPeriod: '2026-10' },
    ]);
  });

  it('a named period with nothing owed, or not a bill at all, is paid like one without a period', () => {
    expect(allocatePaymentToLedger(20_000, [september, october], '2026-11')).toEqual(
      allocatePaymentToLedger(20_000, [september, october]),
    );
  });

  it('a partly paid bill is paid in proportion to what each service still owes', () => {
    const ledger = [
      october,
      paid('p1', '2026-11-05T10:00:00Z', [{ service: 'hot_water', amount: 60_000, forPeriod: '2026-10' }]),
    ];
    // Owed: cold 300 ₽, hot 100 ₽. 200 ₽ → 150 + 50.
    expect(allocatePaymentToLedger(20_000, ledger, '2026-10')).toEqual([
      { service: 'cold_water', amount: 15_000, forPeriod: '2026-10' },
      { service: 'hot_water', amount: 5_000, forPeriod: '2026-10' },
    ]);
  });

  it("pays the bill's пени after its services, so the debt that bears them goes first", () => {
    const debts: Debt[] = [
      { period: '2026-12', service: 'heating', amount: 10_000 },
      { period: '2026-12', service: PENALTY, amount: 500 },
    ];
    expect(allocateToDebts(10_200, debts)).toEqual([
      { service: 'heating', amount: 10_000, forPeriod: '2026-12' },
      { service: PENALTY, amount: 200, forPeriod: '2026-12' },
    ]);
  });

  it('splits to the kopeck, the remainder to the largest shares (ties: the first service)', () => {
    expect(splitInProportion(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(splitInProportion(10, [3, 7])).toEqual([3, 7]);
    expect(splitInProportion(1, [1, 2])).toEqual([0, 1]);
    expect(() => allocateToDebts(0, [])).toThrow(RangeError);
  });

  it('reads the period as payers write it: 2026-10, 102026 (QR PaymPeriod), 10.2026', () => {
    expect(paidPeriod('2026-10')).toBe('2026-10');
    expect(paidPeriod('102026')).toBe('2026-10');
    expect(paidPeriod('10.2026')).toBe('2026-10');
    // Registries and QR scanners pad fields with spaces.
    expect(paidPeriod(' 102026 ')).toBe('2026-10');
    expect(paidPeriod('132026')).toBeUndefined();
    expect(paidPeriod('')).toBeUndefined();
    expect(paidPeriod(undefined)).toBeUndefined();
  });
});

describe('the ledger replayed', () => {
  it('a line that names no bill (recorded before payments did) pays its service oldest first', () => {
    const ledger = [
      bill('2026-08', [['heating', 5_000]]),
      september,
      paid('old', '2026-10-20T10:00:00Z', [{ service: 'heating', amount: 8_000 }]),
    ];
    expect(ledgerPosition(ledger).debts).toEqual([{ period: '2026-09', service: 'heating', amount: 17_000 }]);
  });

  it('a balance carried from the previous system is a debt of the month before, and no bill of пени', () => {
    const ledger = [openingEntry(ACCOUNT, '2026-09', 'gas', 1, 4_000, '2026-09-03T10:00:00Z'), september];
    expect(ledgerPosition(ledger).debts).toEqual([
      { period: '2026-08', service: 'gas', amount: 4_000, opening: true },
      { period: '2026-09', service: 'heating', amount: 20_000 },
    ]);
  });

  it('a refund takes back the parts it returns, so those bills are owed again', () => {
    const allocation = allocatePaymentToLedger(130_000, [september, october], '2026-10');
    expect(refundParts(130_000, allocation)).toEqual(allocation);
    const half = refundParts(65_000, allocation);
    expect(half.reduce((s, l) => s + l.amount, 0)).toBe(65_000);
    const refund = paymentEntry({
      account: ACCOUNT,
      paymentId: 'p.refund',
      period: '2026-11',
      allocation: allocation.map((l) => ({ ...l, amount: -l.amount })),
      paidAt: '2026-11-20T10:00:00Z',
      source: 'test',
    });
    const ledger = [september, october, paid('p', '2026-11-10T10:00:00Z', allocation), refund];
    expect(ledgerPosition(ledger)).toMatchObject({ advance: 0 });
    expect(ledgerPosition(ledger).debts.reduce((s, d) => s + d.amount, 0)).toBe(120_000);
  });
});

describe('advances at billing (ПП РФ № 354 п. 118)', () => {
  it('an advance pays the new charges at billing: an offset entry that moves money, not the total', () => {
    const advance = paid('a', '2026-10-20T10:00:00Z', [{ service: ADVANCE, amount: 60_000 }]);
    const ledger = [advance, october];
    const lines = advanceOffset(ledger);
    expect(lines).toEqual([
      { service: ADVANCE, amount: 60_000 },
      { service: 'cold_water', amount: -18_000, forPeriod: '2026-10' },
      { service: 'hot_water', amount: -42_000, forPeriod: '2026-10' },
    ]);
    const after = [...ledger, offsetEntry(ACCOUNT, '2026-10', lines, '2026-11-01T00:10:00+03:00')];
    expect(sumLedger(after.flatMap((e) => e.lines))).toEqual({
      total: 40_000,
      services: [
        { service: ADVANCE, balance: 0 },
        { service: 'cold_water', balance: 12_000 },
        { service: 'hot_water', balance: 28_000 },
      ],
    });
    // Applied once: the advance is used up.
    expect(advanceOffset(after)).toEqual([]);
  });

  it('an advance larger than the debts pays them all and the rest stays an advance', () => {
    const ledger = [paid('a', '2026-10-20T10:00:00Z', [{ service: ADVANCE, amount: 150_000 }]), october];
    expect(advanceOffset(ledger)[0]).toEqual({ service: ADVANCE, amount: 100_000 });
  });

  it('nothing to offset without an advance or without a debt', () => {
    expect(advanceOffset([october])).toEqual([]);
    expect(advanceOffset([paid('a', '2026-10-20T10:00:00Z', [{ service: ADVANCE, amount: 1 }])])).toEqual([]);
  });
});

/** Debts as the ledger yields them: distinct (period, service), positive. */
const debtsArb = fc
  .uniqueArray(
    fc.record({
      period: fc.constantFrom('2026-07', '2026-08', '2026-09', '2026-10'),
      service: fc.constantFrom('cold_water', 'hot_water', 'heating', 'waste', PENALTY),
      amount: fc.integer({ min: 1, max: 5_000_000 }),
    }),
    { selector: (d) => `${d.period}|${d.service}`, maxLength: 12 },
  )
  .map((list) => list.sort((a, b) => (a.period + a.service < b.period + b.service ? -1 : 1)));

describe('properties', () => {
  const named = fc.option(fc.constantFrom('2026-07', '2026-08', '2026-09', '2026-10', '2026-11'), { nil: undefined });
  const amountArb = fc.integer({ min: 1, max: 50_000_000 });

  it('the parts sum to the payment exactly, each positive and within its debt; only the advance exceeds', () => {
    fc.assert(
      fc.property(amountArb, debtsArb, named, (amount, debts, period) => {
        const parts = allocateToDebts(amount, debts, { period });
        expect(parts.reduce((s, p) => s + p.amount, 0)).toBe(amount);
        for (const part of parts) {
          expect(part.amount).toBeGreaterThan(0);
          if (part.service === ADVANCE) continue;
          const debt = debts.find((d) => d.period === part.forPeriod && d.service === part.service);
          expect(part.amount).toBeLessThanOrEqual(debt?.amount ?? 0);
        }
        const owed = debts.reduce((s, d) => s + d.amount, 0);
        expect(parts.find((p) => p.service === ADVANCE)?.amount ?? 0).toBe(Math.max(0, amount - owed));
      }),
    );
  });

  it('the same debts always give the same parts (a retried or repeated request credits alike)', () => {
    fc.assert(
      fc.property(amountArb, debtsArb, named, (amount, debts, period) => {
        expect(allocateToDebts(amount, debts, { period })).toEqual(allocateToDebts(amount, [...debts], { period }));
      }),
    );
  });

  it('recorded in the ledger, a payment lowers the debts by exactly its parts', () => {
    fc.assert(
      fc.property(amountArb, debtsArb, named, (amount, debts, period) => {
        const ledger: LedgerEntry[] = debts.map((d) =>
          d.service === PENALTY
            ? penaltyEntry(
                ACCOUNT,
                d.period,
                { service: PENALTY, amount: d.amount, accrued: d.amount, charged: 0, rate: '9.5', bills: [] },
                `${d.period}-28T00:00:00Z`,
              )
            : bill(d.period, [[d.service as ServiceId, d.amount]]),
        );
        const before = ledgerPosition(ledger);
        const parts = allocatePaymentToLedger(amount, ledger, period);
        const after = ledgerPosition([...ledger, paid('x', '2026-11-20T10:00:00Z', parts)]);
        const owed = (p: typeof before) => p.debts.reduce((s, d) => s + d.amount, 0);
        const toDebts = parts.filter((p) => p.service !== ADVANCE).reduce((s, p) => s + p.amount, 0);
        expect(owed(after)).toBe(owed(before) - toDebts);
        expect(after.advance).toBe(amount - toDebts);
        // ПП 354 п. 118: after billing's offset no service owes while an advance remains.
        const settled = [...ledger, paid('x', '2026-11-20T10:00:00Z', parts)];
        const offset = advanceOffset(settled);
        const final = ledgerPosition(
          offset.length ? [...settled, offsetEntry(ACCOUNT, '2026-11', offset, '2026-12-01T00:10:00Z')] : settled,
        );
        expect(final.advance === 0 || final.debts.length === 0).toBe(true);
      }),
    );
  });
});

describe('«оплатить эту квитанцию» on the portal', () => {
  it('POST /api/payments may name the bill: a month not later than the current one', () => {
    expect(validatePaymentRequest({ amount: 100, period: '2026-10' }, '2026-11')).toEqual({
      ok: true,
      amount: 100,
      period: '2026-10',
    });
    for (const period of ['2026-13', '10.2026', 202610, '2026-12']) {
      expect(validatePaymentRequest({ amount: 100, period }, '2026-11')).toMatchObject({
        ok: false,
        code: 'invalid_period',
        fields: { period: expect.stringContaining('ГГГГ-ММ') },
      });
    }
  });
});
