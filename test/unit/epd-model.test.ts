import { describe, expect, it } from 'vitest';
import { billAccount } from '#shared/billing/charges';
import { type ChargeEntry, type LedgerEntry, paymentEntry, penaltyEntry } from '#shared/billing/ledger';
import { buildEpd, type Epd, type EpdSource, hasBill } from '#shared/epd/model';
import {
  FIXTURE_ACCOUNT,
  FIXTURE_METERS,
  FIXTURE_TARIFFS,
  fixtureReadings,
  fixtureSource,
} from '#test/support/epdFixture';

/**
 * The ЕПД model (shared/epd/model.ts) on the edges a month other than the fixture's own brings
 * out: the meters table of a month with a skipped reading, what "this month's" payments, пени and
 * recalculations are, the rows of a service recalculated but no longer charged, the row order.
 * Expected values come from the fixture's readings and entries, not from the model.
 */

const built = (source: EpdSource): Epd => {
  const epd = buildEpd(source);
  if (!epd) throw new Error('not billed');
  return epd;
};
const READINGS = fixtureReadings();
const readingOf = (serial: string, period: string) => READINGS.find((r) => r.serial === serial && r.period === period);

describe('the meters table', () => {
  it('shows the month’s reading, or for a meter not read that month the last value and no reading; ordered by service, then serial', () => {
    // September: cold water was not read (billed by average); a second cold water meter was never read.
    const never = {
      serial: '21034560',
      service: 'cold_water' as const,
      initialReading: '12.000',
      verifiedUntil: '2031-01-31',
    };
    const source = { ...fixtureSource(), period: '2026-09', meters: [...FIXTURE_METERS].reverse().concat(never) };
    const rows = built(source).meters.map((m) => [m.serial, m.previous, m.current, m.consumption]);
    const read = (serial: string) => {
      const r = readingOf(serial, '2026-09');
      return [serial, r?.previous, r?.value, r?.consumption];
    };
    expect(rows).toEqual([
      ['21034560', '12.000', null, null],
      ['21034567', readingOf('21034567', '2026-08')?.value, null, null],
      read('21034568'),
      read('43567812'),
      read('1012345'),
    ]);
    // October's readings, already in the source, are not September's.
    expect(rows.flat()).not.toContain(readingOf('21034568', '2026-10')?.value);
  });
});

describe('the month’s own entries', () => {
  const source = fixtureSource();

  it('a bill exists once the month is charged', () => {
    expect(hasBill(source.ledger, '2026-10')).toBe(true);
    expect(hasBill(source.ledger, '2026-09')).toBe(true);
    expect(hasBill(source.ledger, '2026-11')).toBe(false);
    expect(
      hasBill(
        source.ledger.filter((e) => e.kind !== 'charge'),
        '2026-10',
      ),
    ).toBe(false);
  });

  it('the last payment is the latest of the month, not of the ledger, nor the last stored', () => {
    // The fixture pays on the 15th of each month; September gets a second, earlier payment stored after it.
    const early = paymentEntry({
      account: FIXTURE_ACCOUNT,
      paymentId: 'pay-early',
      period: '2026-09',
      allocation: [{ service: 'maintenance', amount: 100 }],
      paidAt: '2026-09-03T08:00:00.000Z',
      source: 'card',
    });
    const september = built({ ...source, period: '2026-09', ledger: [...source.ledger, early] });
    expect(september.summary.lastPaymentDate).toBe('2026-09-15');
    expect(built(source).summary.lastPaymentDate).toBe('2026-10-15');
  });

  it('September’s bill shows none of October’s recalculation nor its пени', () => {
    const penalty = penaltyEntry(
      FIXTURE_ACCOUNT,
      '2026-10',
      { service: 'penalty', amount: 1_234, accrued: 1_234, charged: 0, rate: '9.5', bills: [] },
      '2026-11-01T00:10:00+03:00',
    );
    const ledger = [...source.ledger, penalty];
    const september = built({ ...source, period: '2026-09', ledger });
    expect(september.recalculations).toEqual([]);
    expect(september.charges.map((r) => r.service)).not.toContain('penalty');
    expect(september.charges.every((r) => r.recalculation === 0)).toBe(true);
    const october = built({ ...source, ledger });
    expect(october.charges.at(-1)).toMatchObject({ service: 'penalty', unit: 'руб.', charged: 1_234, total: 1_234 });
    expect(october.recalculations.map((r) => [r.service, r.forPeriod])).toContainEqual(['cold_water', '2026-09']);
  });
});

describe('the charge rows', () => {
  const source = fixtureSource();
  const october = source.ledger.find((e): e is ChargeEntry => e.kind === 'charge' && e.period === '2026-10');
  if (!october) throw new Error('no October charge');

  it('are in the services’ order whatever order the lines were stored in', () => {
    const shuffled: LedgerEntry[] = source.ledger.map((e) =>
      e === october ? { ...e, lines: [...e.lines].reverse() } : e,
    );
    expect(built({ ...source, ledger: shuffled }).charges.map((r) => r.service)).toEqual(
      built(source).charges.map((r) => r.service),
    );
    expect(built(source).charges.map((r) => r.service)).toEqual([
      'cold_water',
      'hot_water',
      'wastewater',
      'electricity',
      'gas',
      'heating',
      'maintenance',
      'waste',
    ]);
  });

  it('a service recalculated but no longer charged this month still has its row: the recalculation alone', () => {
    const recalc = source.ledger.find((e) => e.kind === 'recalc' && e.period === '2026-10');
    const coldRecalc = recalc?.lines.find((l) => l.service === 'cold_water')?.amount;
    expect(coldRecalc).toBeTypeOf('number');
    const withoutCold: LedgerEntry[] = source.ledger.map((e) =>
      e === october ? { ...e, lines: e.lines.filter((l) => l.service !== 'cold_water') } : e,
    );
    const row = built({ ...source, ledger: withoutCold }).charges.find((r) => r.service === 'cold_water');
    expect(row).toMatchObject({ volume: null, price: null, charged: 0, recalculation: coldRecalc, total: coldRecalc });
  });

  it('carries the increasing coefficient of a service billed by the norm without a meter', () => {
    const facts = {
      account: {
        account: FIXTURE_ACCOUNT,
        area: '54.3',
        residents: 3,
        services: ['cold_water', 'maintenance'] as const,
      },
      meters: [],
      readings: [],
      tariffs: FIXTURE_TARIFFS,
    };
    const bill = billAccount(
      { ...facts, account: { ...facts.account, services: [...facts.account.services] } },
      [],
      '2026-10',
      '2026-11-01T00:10:00+03:00',
    );
    if (bill.status !== 'billed' || !bill.charge) throw new Error('not billed');
    const epd = built({ ...source, ledger: [bill.charge], meters: [], readings: new Map() });
    expect(epd.charges.find((r) => r.service === 'cold_water')).toMatchObject({ method: 'norm', coefficient: '1.5' });
    expect(epd.charges.find((r) => r.service === 'maintenance')).toMatchObject({ coefficient: null });
  });
});
