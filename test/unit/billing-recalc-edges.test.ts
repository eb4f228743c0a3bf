import { describe, expect, it } from 'vitest';
import {
  type AccountFacts,
  type BillingFacts,
  billAccount,
  billedServices,
  chargeLine,
  recalculations,
} from '#shared/billing/charges';
import { type LedgerEntry, openingEntry, paymentEntry } from '#shared/billing/ledger';
import { dec, lineAmount } from '#shared/billing/money';
import type { Tariff } from '#shared/billing/tariffs';
import type { MeterFact, ReadingFact } from '#shared/billing/volumes';
import type { ServiceId } from '#shared/registry/services';

/**
 * Edges of the charges and recalculations (ПП РФ № 354 п. 61; docs/billing.md "Recalculations"):
 * the ledger as the store returns it (any order, with payments and openings among the charges),
 * an estimate that proved exact, several months and services revised at once, an empty list of
 * services. billing-charges.test.ts has the main cases.
 */

const TARIFFS: Tariff[] = [
  { service: 'cold_water', unit: 'м³', price: '40', norm: '4', from: '2026-01', coefficient: '1.5' },
  { service: 'hot_water', unit: 'м³', price: '200', norm: '3', from: '2026-01', coefficient: '1.5' },
  { service: 'wastewater', unit: 'м³', price: '30', norm: '7', from: '2026-01' },
  { service: 'maintenance', unit: 'м²', price: '25', norm: '1', from: '2026-01' },
];

function facts(
  services: ServiceId[] | undefined,
  meters: Array<[string, ServiceId]>,
  readings: Array<[serial: string, period: string, consumption: string]>,
): BillingFacts {
  const ms = meters.map(([serial, service]): MeterFact => ({ serial, service }));
  const serviceOf = new Map(ms.map((m) => [m.serial, m.service]));
  const account: AccountFacts = { account: '100001', area: '50', residents: 2, ...(services ? { services } : {}) };
  return {
    account,
    meters: ms,
    readings: readings.map(
      ([serial, period, consumption]): ReadingFact => ({
        serial,
        period,
        consumption,
        service: serviceOf.get(serial) ?? 'cold_water',
      }),
    ),
    tariffs: TARIFFS,
  };
}

/** Bills the periods in turn, as the monthly runs do, appending to the ledger. */
function runMonths(f: BillingFacts, periods: string[], ledger: LedgerEntry[] = []): LedgerEntry[] {
  for (const period of periods) {
    const bill = billAccount(f, ledger, period, `${period}-28T00:00:00Z`);
    if (bill.status === 'already_billed') continue;
    if (bill.charge) ledger.push(bill.charge);
    if (bill.recalc) ledger.push(bill.recalc);
  }
  return ledger;
}

const WATER: ServiceId[] = ['cold_water', 'hot_water', 'wastewater'];
const METERS: Array<[string, ServiceId]> = [
  ['K', 'cold_water'],
  ['H', 'hot_water'],
];
/** June–August read: 3 m³ cold, 2 m³ hot a month; the average then bills September and October. */
const HISTORY: Array<[string, string, string]> = ['2026-06', '2026-07', '2026-08'].flatMap(
  (p): Array<[string, string, string]> => [
    ['K', p, '3'],
    ['H', p, '2'],
  ],
);

describe('recalculations against the ledger as stored', () => {
  it('are the same whatever order the entries come in, and a revised month is never revised again', () => {
    const ledger = runMonths(facts(WATER, METERS, HISTORY), ['2026-09', '2026-10']);
    // September's and October's readings arrive late, in November: both months are revised.
    const late = facts(WATER, METERS, [
      ...HISTORY,
      ['K', '2026-09', '4'],
      ['H', '2026-09', '1.5'],
      ['K', '2026-10', '5'],
      ['H', '2026-10', '2'],
      ['K', '2026-11', '3'],
      ['H', '2026-11', '2'],
    ]);
    runMonths(late, ['2026-11'], ledger);
    const recalc = ledger.find((e) => e.kind === 'recalc');
    // By month, then by service.
    expect(recalc?.lines.map((l) => [l.forPeriod, l.service])).toEqual([
      ['2026-09', 'cold_water'],
      ['2026-09', 'hot_water'],
      ['2026-09', 'wastewater'],
      ['2026-10', 'cold_water'],
      ['2026-10', 'wastewater'],
    ]);
    // December's run, with the ledger read back newest first or shuffled: nothing more to revise.
    const orders = [ledger, [...ledger].reverse(), [ledger[2], ledger[0], ledger[3], ledger[1]]] as LedgerEntry[][];
    for (const order of orders) expect(recalculations(late, order, '2026-12')).toEqual([]);
    // Not even when September's reading is corrected afterwards (an operator's import): a month is
    // recalculated once (docs/billing.md), and the recalculation is what stands for it, in any order.
    const corrected = {
      ...late,
      readings: late.readings.map((r) => (r.serial === 'K' && r.period === '2026-09' ? { ...r, consumption: '6' } : r)),
    };
    for (const order of orders) expect(recalculations(corrected, order, '2026-12')).toEqual([]);
  });

  it('lists the months in order and the services by name within a month, whatever order the lines were billed in', () => {
    // October's charge lists wastewater before cold water; September's the other way round.
    const ledger = runMonths(facts(WATER, METERS, HISTORY), ['2026-09', '2026-10']);
    const october = ledger[1];
    if (october?.kind !== 'charge') throw new Error('no October charge');
    october.lines.reverse();
    const late = facts(WATER, METERS, [
      ...HISTORY,
      ['K', '2026-09', '4'],
      ['H', '2026-09', '2'],
      ['K', '2026-10', '4'],
      ['H', '2026-10', '2'],
    ]);
    const lines = recalculations(late, [...ledger].reverse(), '2026-11');
    expect(lines.map((l) => [l.forPeriod, l.service])).toEqual([
      ['2026-09', 'cold_water'],
      ['2026-09', 'wastewater'],
      ['2026-10', 'cold_water'],
      ['2026-10', 'wastewater'],
    ]);
  });

  it('a payment or an opening balance of the month does not change what it was charged: the difference is from the charge', () => {
    const ledger = runMonths(facts(WATER, METERS, HISTORY), ['2026-09']);
    const charged = ledger[0]?.lines.find((l) => l.service === 'cold_water')?.amount ?? 0;
    expect(charged).toBe(lineAmount(dec(3), '40'));
    ledger.push(
      paymentEntry({
        account: '100001',
        paymentId: 'p-1',
        period: '2026-10',
        allocation: [{ service: 'cold_water', amount: charged, forPeriod: '2026-09' }],
        paidAt: '2026-10-12T09:00:00.000Z',
        source: 'card',
      }),
      openingEntry('100001', '2026-09', 'cold_water', 1, 5_000, '2026-09-01T00:00:00.000Z'),
    );
    const late = facts(WATER, METERS, [...HISTORY, ['K', '2026-09', '5'], ['H', '2026-09', '2']]);
    const [cold] = recalculations(late, ledger, '2026-10');
    expect(cold).toMatchObject({
      forPeriod: '2026-09',
      service: 'cold_water',
      billedAmount: charged,
      revisedAmount: lineAmount(dec(5), '40'),
      amount: lineAmount(dec(5), '40') - charged,
      method: 'meter',
      // The revised line is by meter now, and says which meter: what the statement shows.
      parts: [{ service: 'cold_water', volume: '5', method: 'meter', meters: ['K'] }],
    });
  });

  it('an estimate that proved exact needs no line', () => {
    const ledger = runMonths(facts(WATER, METERS, HISTORY), ['2026-09']);
    // The readings came late but matched the average: cold 3, hot 2, wastewater 5.
    const exact = facts(WATER, METERS, [...HISTORY, ['K', '2026-09', '3'], ['H', '2026-09', '2']]);
    expect(recalculations(exact, ledger, '2026-10')).toEqual([]);
    // Hot water differs: only hot water and the wastewater it drains are revised.
    const hot = facts(WATER, METERS, [...HISTORY, ['K', '2026-09', '3'], ['H', '2026-09', '2.5']]);
    expect(recalculations(hot, ledger, '2026-10').map((l) => l.service)).toEqual(['hot_water', 'wastewater']);
  });

  it('never revises the month being billed, nor a later one', () => {
    const ledger = runMonths(facts(WATER, METERS, HISTORY), ['2026-09']);
    const late = facts(WATER, METERS, [...HISTORY, ['K', '2026-09', '4'], ['H', '2026-09', '2']]);
    expect(recalculations(late, ledger, '2026-09')).toEqual([]);
    expect(recalculations(late, ledger, '2026-08')).toEqual([]);
    expect(recalculations(late, ledger, '2026-10')).toHaveLength(2);
  });
});

describe('the services billed', () => {
  it('an empty list is no list: every service with a tariff', () => {
    expect(billedServices(facts([], [], []), '2026-10')).toEqual(billedServices(facts(undefined, [], []), '2026-10'));
    expect(billedServices(facts([], [], []), '2026-10')).toEqual([
      'cold_water',
      'hot_water',
      'wastewater',
      'maintenance',
    ]);
  });

  it('wastewater of a flat billed for no water is its own norm, standing for no meter', () => {
    const line = chargeLine(facts(['wastewater', 'maintenance'], METERS, HISTORY), 'wastewater', '2026-10');
    expect(line).toMatchObject({ volume: '14', method: 'norm', amount: lineAmount(dec(14), '30') });
    expect(line?.parts).toEqual([{ service: 'wastewater', volume: '14', method: 'norm', meters: [] }]);
  });
});
