import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BillingFacts, billAccount } from '#shared/billing/charges';
import {
  ADVANCE,
  allocatePayment,
  chargeEntry,
  type LedgerEntry,
  type LedgerLine,
  openingEntry,
  paymentEntry,
  recalcEntry,
  sumLedger,
} from '#shared/billing/ledger';
import { dec, lineAmount } from '#shared/billing/money';
import {
  balanceOfEntries,
  chargesHistory,
  paymentsHistory,
  STATEMENT_CSV_HEADER,
  statementCsv,
  statementRows,
} from '#shared/billing/statement';
import { meterVolumes } from '#shared/billing/volumes';
import { periodTitle, roublesPlain, typesetRoubles } from '#shared/format';
import { SERVICE_IDS, type ServiceId } from '#shared/registry/services';
import { addMonths } from '#shared/time';

const ACCOUNT = '100001';
const chargeLineOf = (service: ServiceId, amount: number) => ({
  service,
  amount,
  volume: '1',
  method: 'meter' as const,
  unit: 'м³',
  price: '1',
  tariffFrom: '2026-01',
});

/** A random ledger history: any kinds, periods, services and signed amounts, as entries are written. */
const service = fc.constantFrom<ServiceId | typeof ADVANCE>(...SERVICE_IDS, ADVANCE);
const period = fc.integer({ min: 0, max: 23 }).map((i) => addMonths('2025-01', i));
const amount = fc.integer({ min: -5_000_000, max: 5_000_000 });
const lines = fc.array(fc.record({ service, amount }), { minLength: 1, maxLength: 6 });
const entryArb: fc.Arbitrary<LedgerEntry> = fc
  .record({ kind: fc.constantFrom('opening', 'charge', 'recalc', 'payment'), period, lines, n: fc.nat(99) })
  .map(({ kind, period, lines, n }): LedgerEntry => {
    const at = `${period}-15T10:00:00Z`;
    if (kind === 'opening')
      return openingEntry(ACCOUNT, period, lines[0]?.service ?? 'waste', n, lines[0]?.amount ?? 0, at);
    if (kind === 'payment') {
      return paymentEntry({
        account: ACCOUNT,
        paymentId: `p${n}`,
        period,
        allocation: lines.map((l) => ({ ...l, amount: -l.amount })),
        paidAt: at,
        source: 'test',
      });
    }
    const billed = lines.map((l) => chargeLineOf(l.service === ADVANCE ? 'waste' : l.service, l.amount));
    if (kind === 'charge') return chargeEntry(ACCOUNT, period, billed, at);
    return recalcEntry(
      ACCOUNT,
      period,
      billed.map((l) => ({ ...l, forPeriod: addMonths(period, -1), billedAmount: 0, revisedAmount: l.amount })),
      at,
    );
  });
const history = fc.array(entryArb, { maxLength: 40 });

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('balances (property-based, random ledger histories)', () => {
  it('per service and in total always equal the sums of the entries’ lines', () => {
    fc.assert(
      fc.property(history, (entries) => {
        const balance = balanceOfEntries(entries);
        const allLines = entries.flatMap((e) => e.lines as LedgerLine[]);
        expect(balance.total).toBe(sum(allLines.map((l) => l.amount)));
        for (const s of balance.services) {
          expect(s.balance).toBe(sum(allLines.filter((l) => l.service === s.service).map((l) => l.amount)));
        }
        expect(sum(balance.services.map((s) => s.balance))).toBe(balance.total);
        expect(new Set(balance.services.map((s) => s.service)).size).toBe(balance.services.length);
        // Each entry's total is the sum of its lines.
        for (const e of entries) expect(e.total).toBe(sum(e.lines.map((l: LedgerLine) => l.amount)));
      }),
    );
  });

  it('do not depend on the order the entries are read in', () => {
    fc.assert(
      fc.property(history, fc.nat(), (entries, seed) => {
        const shuffled = [...entries].sort((a, b) => ((a.sk + seed).length % 3) - ((b.sk + seed).length % 3));
        expect(balanceOfEntries(shuffled)).toEqual(balanceOfEntries(entries));
      }),
    );
  });

  it('make a statement whose rows chain and end at the balance', () => {
    fc.assert(
      fc.property(history, period, fc.integer({ min: 0, max: 30 }), (entries, from, length) => {
        const to = addMonths(from, length);
        const rows = statementRows(entries, from, to);
        expect(rows).toHaveLength(length + 1);
        rows.forEach((row, i) => {
          expect(row.closing).toBe(row.opening + row.charged - row.paid);
          // A month opens with the last one's closing, plus any balance carried over into it.
          const carried = entries.filter((e) => e.kind === 'opening' && e.period === row.period);
          if (i > 0) expect(row.opening).toBe((rows[i - 1]?.closing ?? 0) + balanceOfEntries(carried).total);
        });
        // Everything up to `to` is in the last closing balance.
        const upTo = entries.filter((e) => e.period <= to);
        expect(rows.at(-1)?.closing).toBe(balanceOfEntries(upTo).total);
        // The first opening is everything before `from` plus the balances carried into it.
        const before = entries.filter((e) => e.period < from || (e.period === from && e.kind === 'opening'));
        expect(rows[0]?.opening).toBe(balanceOfEntries(before).total);
      }),
    );
  });

  it('sumLedger keeps the accounts feature’s contract', () => {
    expect(
      sumLedger([
        { service: 'gas', amount: 12_345 },
        { service: 'gas', amount: -10_000 },
      ]),
    ).toEqual({ total: 2_345, services: [{ service: 'gas', balance: 2_345 }] });
  });
});

describe('payment allocation (for the payments feature)', () => {
  const balances = fc.array(fc.record({ service: fc.constantFrom(...SERVICE_IDS), balance: amount }), {
    maxLength: 10,
  });

  it('sums exactly to the payment, never pays a service beyond its debt, and leaves the rest as an advance', () => {
    fc.assert(
      fc.property(balances, fc.integer({ min: 1, max: 50_000_000 }), (raw, paid) => {
        const merged = sumLedger(raw.map((b) => ({ service: b.service, amount: b.balance }))).services;
        const allocation = allocatePayment(paid, merged);
        expect(sum(allocation.map((l) => l.amount))).toBe(paid);
        expect(allocation.every((l) => l.amount > 0 && Number.isInteger(l.amount))).toBe(true);
        const debt = sum(merged.filter((b) => b.balance > 0).map((b) => b.balance));
        for (const line of allocation) {
          if (line.service === ADVANCE) expect(line.amount).toBe(paid - Math.min(paid, debt));
          else expect(line.amount).toBeLessThanOrEqual(merged.find((b) => b.service === line.service)?.balance ?? 0);
        }
        // Paying it all off: after the payment, no service is owed anything.
        const after = sumLedger([
          ...merged.map((b) => ({ service: b.service, amount: b.balance })),
          ...allocation.map((l) => ({ service: l.service, amount: -l.amount })),
        ]);
        if (paid >= debt) expect(after.services.every((s) => s.balance <= 0)).toBe(true);
      }),
    );
  });

  it('splits in proportion to the debts', () => {
    expect(
      allocatePayment(10_000, [
        { service: 'cold_water', balance: 30_000 },
        { service: 'gas', balance: 10_000 },
        { service: 'waste', balance: -5_000 },
      ]),
    ).toEqual([
      { service: 'cold_water', amount: 7_500 },
      { service: 'gas', amount: 2_500 },
    ]);
    expect(allocatePayment(500, [])).toEqual([{ service: ADVANCE, amount: 500 }]);
    expect(() => allocatePayment(0, [])).toThrow(RangeError);
  });

  it('makes a payment entry the statement and the history read', () => {
    const entry = paymentEntry({
      account: ACCOUNT,
      paymentId: 'pay-1',
      period: '2026-10',
      allocation: [{ service: 'gas', amount: 1_500 }],
      paidAt: '2026-10-12T09:00:00Z',
      source: 'sber',
    });
    expect(entry).toMatchObject({
      sk: 'LEDGER#2026-10#payment#pay-1',
      total: -1_500,
      lines: [{ service: 'gas', amount: -1_500 }],
    });
    expect(paymentsHistory([entry], '2026-10', '2026-10')).toEqual([
      {
        id: 'pay-1',
        period: '2026-10',
        paidAt: '2026-10-12T09:00:00Z',
        amount: 1_500,
        source: 'sber',
        services: [{ service: 'gas', amount: 1_500 }],
      },
    ]);
    expect(statementRows([entry], '2026-10', '2026-10')).toEqual([
      { period: '2026-10', opening: 0, charged: 0, paid: 1_500, closing: -1_500 },
    ]);
  });
});

describe('the statement', () => {
  const entries: LedgerEntry[] = [
    openingEntry(ACCOUNT, '2026-08', 'gas', 1, 50_000, 'x'),
    chargeEntry(ACCOUNT, '2026-08', [chargeLineOf('gas', 10_000), chargeLineOf('waste', 43_515)], 'x'),
    paymentEntry({
      account: ACCOUNT,
      paymentId: 'p1',
      period: '2026-09',
      allocation: [{ service: 'gas', amount: 60_000 }],
      paidAt: '2026-09-05T10:00:00Z',
      source: 'sber',
    }),
    chargeEntry(ACCOUNT, '2026-09', [chargeLineOf('gas', 12_000)], 'x'),
    recalcEntry(
      ACCOUNT,
      '2026-10',
      [{ ...chargeLineOf('gas', -1_000), forPeriod: '2026-09', billedAmount: 12_000, revisedAmount: 11_000 }],
      'x',
    ),
  ];

  it('has a row per month: opening, charged (with recalculations), paid, closing', () => {
    expect(statementRows(entries, '2026-07', '2026-10')).toEqual([
      { period: '2026-07', opening: 0, charged: 0, paid: 0, closing: 0 },
      { period: '2026-08', opening: 50_000, charged: 53_515, paid: 0, closing: 103_515 },
      { period: '2026-09', opening: 103_515, charged: 12_000, paid: 60_000, closing: 55_515 },
      { period: '2026-10', opening: 55_515, charged: -1_000, paid: 0, closing: 54_515 },
    ]);
  });

  it('lists the charges per month with their service lines, recalculations apart', () => {
    const history = chargesHistory(entries, '2026-09', '2026-10');
    expect(history.map((p) => [p.period, p.total])).toEqual([
      ['2026-09', 12_000],
      ['2026-10', -1_000],
    ]);
    expect(history[1]?.lines[0]).toMatchObject({ kind: 'recalc', forPeriod: '2026-09', amount: -1_000 });
  });

  it('downloads as CSV: UTF-8 BOM, «;», CRLF, the screen’s month names and roubles with a comma', () => {
    const csv = statementCsv(statementRows(entries, '2026-08', '2026-09'));
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.slice(1).split('\r\n')).toEqual([
      STATEMENT_CSV_HEADER.join(';'),
      'Август 2026;500,00;535,15;0,00;1035,15;0,00',
      'Сентябрь 2026;1035,15;120,00;600,00;555,15;0,00',
      '',
    ]);
  });
});

describe('formatting', () => {
  it('money as the site shows it', () => {
    expect(typesetRoubles(123_456)).toBe('1\u00a0234,56\u00a0₽');
    expect(typesetRoubles(-5_000)).toBe('\u221250,00\u00a0₽');
    expect(typesetRoubles(0)).toBe('0,00\u00a0₽');
    expect(typesetRoubles(100_000_000)).toBe('1\u00a0000\u00a0000,00\u00a0₽');
    expect(roublesPlain(-1)).toBe('-0,01');
    expect(periodTitle('2026-01')).toBe('Январь 2026');
  });
});

describe('late readings, property-based', () => {
  const PRICE = '35.72';
  const tariffs = [{ service: 'cold_water' as const, unit: 'м³', price: PRICE, norm: '3.8', from: '2020-01' }];

  it('once a reading covers them, every billed month comes to its actual volume at its tariff', () => {
    // Up to twelve months; each month the resident submits a reading (its consumption counted since the
    // previous one, as the readings feature records it) or skips it; the last one is submitted.
    const month = fc.record({ submitted: fc.boolean(), consumption: fc.integer({ min: 0, max: 20_000 }) });
    fc.assert(
      fc.property(fc.array(month, { minLength: 2, maxLength: 12 }), (months) => {
        const periods = months.map((_, i) => addMonths('2026-01', i));
        months[months.length - 1] = { ...(months.at(-1) as (typeof months)[number]), submitted: true };
        const readings = [{ serial: 'K1', service: 'cold_water' as const, period: '2025-12', consumption: '3' }];
        const ledger: LedgerEntry[] = [];
        months.forEach((m, i) => {
          const p = periods[i] as string;
          if (m.submitted) {
            readings.push({
              serial: 'K1',
              service: 'cold_water',
              period: p,
              consumption: (m.consumption / 1000).toFixed(3),
            });
          }
          const facts: BillingFacts = {
            account: { account: ACCOUNT, area: '50', residents: 2, services: ['cold_water'] },
            meters: [{ serial: 'K1', service: 'cold_water' }],
            readings: [...readings],
            tariffs,
          };
          const bill = billAccount(facts, ledger, p, `${p}-28T00:00:00Z`);
          if (bill.status === 'already_billed') throw new Error('billed twice');
          if (bill.charge) ledger.push(bill.charge);
          if (bill.recalc) ledger.push(bill.recalc);
        });
        // The last month's reading covers every month since the previous reading: all are known now.
        const actual = meterVolumes(readings).get('K1');
        const netOf = (p: string) =>
          sum(
            ledger.flatMap((e) =>
              (e.lines as Array<LedgerLine & { forPeriod?: string }>)
                .filter((l) => (l.forPeriod ?? e.period) === p)
                .map((l) => l.amount),
            ),
          );
        for (const p of periods) {
          const volume = actual?.get(p);
          expect(volume).toBeDefined();
          expect(netOf(p)).toBe(lineAmount(volume ?? dec(0), PRICE));
        }
        // And the volumes billed add up to what the meter counted (no month charged twice).
        const counted = sum(months.filter((m) => m.submitted).map((m) => m.consumption));
        const billedVolume = periods.reduce((s, p) => s.plus(actual?.get(p) ?? 0), dec(0));
        expect(billedVolume.times(1000).toNumber()).toBe(counted);
      }),
      { numRuns: 200 },
    );
  });
});
