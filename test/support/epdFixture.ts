import { billAccount } from '#shared/billing/charges';
import { allocatePayment, type LedgerEntry, openingEntry, paymentEntry, sumLedger } from '#shared/billing/ledger';
import type { Tariff } from '#shared/billing/tariffs';
import type { MeterFact, ReadingFact } from '#shared/billing/volumes';
import type { EpdReadingSource, EpdSource } from '#shared/epd/model';
import type { ServiceId } from '#shared/registry/services';
import { addMonths } from '#shared/time';

/**
 * A believable account for ЕПД tests and the benchmark, billed by billing's own functions (not
 * hand-made entries): four months of charges, a carried-over debt, a payment, and a cold-water
 * reading skipped in September (billed by average) that October's reading makes known, so
 * October's run recalculates September.
 */

export const FIXTURE_PERIOD = '2026-10';
export const FIXTURE_ACCOUNT = '100001';

export const FIXTURE_TARIFFS: Tariff[] = [
  { service: 'cold_water', unit: 'м³', price: '35.72', norm: '3.8', from: '2026-01', coefficient: '1.5' },
  { service: 'hot_water', unit: 'м³', price: '218.21', norm: '3.01', from: '2026-01', coefficient: '1.5' },
  { service: 'wastewater', unit: 'м³', price: '31.00', norm: '6.81', from: '2026-01' },
  { service: 'electricity', unit: 'кВт·ч', price: '6.72', norm: '88', from: '2026-01' },
  { service: 'gas', unit: 'м³', price: '8.61', norm: '9.8', from: '2026-01' },
  { service: 'heating', unit: 'Гкал', price: '2636.9345', norm: '0.0186', from: '2026-01' },
  { service: 'maintenance', unit: 'м²', price: '27.86', norm: '1', from: '2026-01' },
  { service: 'waste', unit: 'чел.', price: '145.05', norm: '1', from: '2026-01' },
];

export const FIXTURE_METERS: Array<MeterFact & { initialReading: string; verifiedUntil: string }> = [
  // Read since June (402.375 + 10): September's average (ПП РФ № 354, п. 59) needs 3 months of readings.
  { serial: '21034567', service: 'cold_water', initialReading: '402.375', verifiedUntil: '2029-03-31' },
  { serial: '21034568', service: 'hot_water', initialReading: '287.104', verifiedUntil: '2029-03-31' },
  { serial: '43567812', service: 'electricity', initialReading: '15234.6', verifiedUntil: '2032-06-30' },
  { serial: '1012345', service: 'gas', initialReading: '2345.678', verifiedUntil: '2030-10-31' },
];

/** Monthly consumption per meter; a missing entry is a month without a reading. */
const CONSUMPTION: Record<string, Record<string, string>> = {
  '21034567': { '2026-06': '10', '2026-07': '10.2', '2026-08': '9.8', '2026-10': '21.4' },
  '21034568': { '2026-07': '6.9', '2026-08': '7.1', '2026-09': '6.5', '2026-10': '7.3' },
  '43567812': { '2026-07': '231.4', '2026-08': '240.2', '2026-09': '255.9', '2026-10': '268.3' },
  '1012345': { '2026-07': '24.7', '2026-08': '25.3', '2026-09': '27.8', '2026-10': '29.1' },
};

const FIRST_PERIOD = '2026-07';
/** Readings start a month before the first bill: the month before the centre billed the account. */
const READINGS_FROM = '2026-06';

export interface FixtureReading extends ReadingFact, EpdReadingSource {}

/** Every reading of the fixture, with the values a meter shows (initial + running consumption). */
export function fixtureReadings(): FixtureReading[] {
  const out: FixtureReading[] = [];
  for (const meter of FIXTURE_METERS) {
    let value = Number(meter.initialReading);
    const places = meter.initialReading.split('.')[1]?.length ?? 0;
    for (let p = READINGS_FROM; p <= FIXTURE_PERIOD; p = addMonths(p, 1)) {
      const consumption = CONSUMPTION[meter.serial]?.[p];
      if (!consumption) continue;
      const previous = value.toFixed(places);
      value += Number(consumption);
      out.push({
        serial: meter.serial,
        service: meter.service as ServiceId,
        period: p,
        value: value.toFixed(places),
        previous,
        consumption,
      });
    }
  }
  return out;
}

export interface FixtureOptions {
  owner?: string;
  address?: string;
  /** Kopecks paid on the 15th of each month (default: the previous month's bill in full). */
  paid?: number;
}

/** The account's ledger as the billing runs of July–October and the payments feature leave it. */
export function fixtureLedger(options: FixtureOptions = {}): LedgerEntry[] {
  const readings = fixtureReadings();
  const account = { account: FIXTURE_ACCOUNT, area: '54.3', residents: 3 };
  const ledger: LedgerEntry[] = [
    openingEntry(FIXTURE_ACCOUNT, FIRST_PERIOD, 'maintenance', 1, 152_340, '2026-07-01T00:00:00Z'),
  ];
  for (let p = FIRST_PERIOD; p <= FIXTURE_PERIOD; p = addMonths(p, 1)) {
    // A run sees the readings of its period and before, as the billing run on the 1st does.
    const known = readings.filter((r) => r.period <= p);
    const bill = billAccount(
      { account, meters: FIXTURE_METERS, readings: known, tariffs: FIXTURE_TARIFFS },
      ledger,
      p,
      `${addMonths(p, 1)}-01T00:10:00+03:00`,
    );
    if (bill.status !== 'billed') throw new Error(`fixture: ${p} not billed (${bill.status})`);
    if (bill.charge) ledger.push(bill.charge);
    if (bill.recalc) ledger.push(bill.recalc);
    // Each month the resident pays on the 15th of the next; October's payment is the one shown.
    if (p < FIXTURE_PERIOD) {
      const paidIn = addMonths(p, 1);
      const billed = ledger.filter((e) => e.period === p && (e.kind === 'charge' || e.kind === 'recalc'));
      const amount = options.paid ?? billed.reduce((sum, e) => sum + e.total, 0);
      ledger.push(
        paymentEntry({
          account: FIXTURE_ACCOUNT,
          paymentId: `pay-${paidIn}`,
          period: paidIn,
          allocation: allocatePayment(amount, sumLedger(ledger.flatMap((e) => e.lines)).services),
          paidAt: `${paidIn}-15T09:30:00.000Z`,
          source: 'sber',
        }),
      );
    }
  }
  return ledger;
}

export function fixtureSource(options: FixtureOptions = {}): EpdSource {
  const readings = new Map<string, EpdReadingSource[]>();
  for (const r of fixtureReadings()) {
    const list = readings.get(r.serial) ?? [];
    list.unshift({
      serial: r.serial,
      period: r.period,
      value: r.value,
      previous: r.previous,
      consumption: r.consumption,
    });
    readings.set(r.serial, list);
  }
  return {
    account: FIXTURE_ACCOUNT,
    period: FIXTURE_PERIOD,
    payer: {
      owner: options.owner ?? 'Иванова Мария Петровна',
      address: options.address ?? 'г. Старый Оскол, мкр. Жукова, д. 12, кв. 45',
      area: '54.3',
      residents: 3,
    },
    ledger: fixtureLedger(options),
    tariffs: FIXTURE_TARIFFS,
    meters: FIXTURE_METERS,
    readings,
    issuedAt: new Date('2026-11-02T00:00:00Z'),
    publicUrl: 'https://lk.rac-oskol.ru',
  };
}
