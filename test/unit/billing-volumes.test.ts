import { describe, expect, it } from 'vitest';
import { dec } from '#shared/billing/money';
import {
  averageBasis,
  estimateFor,
  type MeterFact,
  type MeterVolumes,
  meteredVolume,
  metersInService,
  meterVolumes,
  type ReadingFact,
  workingFrom,
} from '#shared/billing/volumes';

/**
 * The volume rules of ПП РФ № 354 (пп. 42, 59, 60; docs/billing.md) at their edges, on the functions
 * of shared/billing/volumes.ts directly: the order readings arrive in, meters without an
 * installation date, readings taken before the date an operator entered, the months around a
 * verification lapse. The charge-level cases are in billing-charges.test.ts.
 */

const cold = (serial: string, period: string, consumption: string): ReadingFact => ({
  serial,
  service: 'cold_water',
  period,
  consumption,
});
const meter = (serial: string, more: Partial<MeterFact> = {}): MeterFact => ({
  serial,
  service: 'cold_water',
  ...more,
});
/** A map's entries as plain [period, volume] pairs, sorted by period. */
const entries = (volumes: MeterVolumes, serial: string) =>
  [...(volumes.get(serial) ?? new Map())].map(([p, v]) => [p, v.toString()]).sort();

describe('meter volumes from readings', () => {
  // July 10, August 11, October 24 (covering September too), November 13, December 14, January 15.
  const READINGS = [
    cold('W', '2026-07', '10'),
    cold('W', '2026-08', '11'),
    cold('W', '2026-10', '24'),
    cold('W', '2026-11', '13'),
    cold('W', '2026-12', '14'),
    cold('W', '2027-01', '15'),
  ];
  const EXPECTED = [
    ['2026-07', '10'],
    ['2026-08', '11'],
    ['2026-09', '12'],
    ['2026-10', '12'],
    ['2026-11', '13'],
    ['2026-12', '14'],
    ['2027-01', '15'],
  ];

  it('are the same whatever order the readings come in (a query by key returns them in any order of meters)', () => {
    const orders = [
      READINGS,
      [...READINGS].reverse(),
      [READINGS[3], READINGS[0], READINGS[5], READINGS[2], READINGS[1], READINGS[4]],
      [READINGS[2], READINGS[5], READINGS[4], READINGS[0], READINGS[3], READINGS[1]],
    ] as ReadingFact[][];
    for (const order of orders) {
      expect(entries(meterVolumes(order), 'W'), order.map((r) => r.period).join(' ')).toEqual(EXPECTED);
    }
  });

  it('interleaved meters are kept apart', () => {
    const mixed = [cold('B', '2026-10', '4'), ...READINGS.slice(0, 3).reverse(), cold('B', '2026-08', '2')];
    const volumes = meterVolumes(mixed);
    expect(entries(volumes, 'W')).toEqual(EXPECTED.slice(0, 4));
    expect(entries(volumes, 'B')).toEqual([
      ['2026-08', '2'],
      ['2026-09', '2'],
      ['2026-10', '2'],
    ]);
  });

  it('a first reading without an installation date covers its own month only', () => {
    expect(entries(meterVolumes([cold('W', '2026-10', '7.5')]), 'W')).toEqual([['2026-10', '7.5']]);
    expect(entries(meterVolumes([cold('W', '2026-10', '7.5')], [meter('W')]), 'W')).toEqual([['2026-10', '7.5']]);
  });

  it('a first reading of the month of installation covers that month; one later, the months since', () => {
    expect(entries(meterVolumes([cold('W', '2026-10', '3')], [meter('W', { installed: '2026-10-20' })]), 'W')).toEqual([
      ['2026-10', '3'],
    ]);
    expect(entries(meterVolumes([cold('W', '2026-10', '3')], [meter('W', { installed: '2026-08-20' })]), 'W')).toEqual([
      ['2026-08', '1'],
      ['2026-09', '1'],
      ['2026-10', '1'],
    ]);
  });

  it('a history loaded from before the installation date entered: the first reading covers its own month, and the meter works from it', () => {
    const installedLater = meter('W', { installed: '2026-11-15' });
    const volumes = meterVolumes([cold('W', '2026-09', '6'), cold('W', '2026-10', '5')], [installedLater]);
    expect(entries(volumes, 'W')).toEqual([
      ['2026-09', '6'],
      ['2026-10', '5'],
    ]);
    expect(workingFrom(installedLater, volumes)).toBe('2026-09');
    expect(metersInService([installedLater], 'cold_water', '2026-09', volumes)).toEqual([installedLater]);
  });
});

describe('the meters in service for a month', () => {
  const none: MeterVolumes = new Map();

  it('a meter works from its installation month; with neither a date nor a reading, from nowhere', () => {
    expect(workingFrom(meter('W', { installed: '2026-10-31' }), none)).toBe('2026-10');
    expect(workingFrom(meter('W'), none)).toBeUndefined();
  });

  it('a meter installed later does not count yet: the flat is billed as without a meter (п. 42)', () => {
    const later = meter('W', { installed: '2026-11-01' });
    expect(metersInService([later], 'cold_water', '2026-10', none)).toEqual([]);
    expect(metersInService([later], 'cold_water', '2026-11', none)).toEqual([later]);
    const part = meteredVolume({
      service: 'cold_water',
      meters: [later],
      volumes: none,
      period: '2026-10',
      norm: '4',
      basis: 2,
    });
    expect(part).toEqual({
      part: { service: 'cold_water', volume: '8', method: 'norm', meters: [] },
      withoutWorkingMeter: true,
    });
  });

  it('a meter installed but not yet read is billed by the plain norm: there is a working meter', () => {
    const unread = meter('W', { installed: '2026-10-02' });
    expect(
      meteredVolume({ service: 'cold_water', meters: [unread], volumes: none, period: '2026-10', norm: '4', basis: 2 }),
    ).toEqual({
      part: { service: 'cold_water', volume: '8', method: 'norm', meters: ['W'] },
      withoutWorkingMeter: false,
    });
  });

  it('lists the meters by serial whatever order the registry gives them in', () => {
    const meters = ['W-4', 'W-3', 'W-2', 'W-1'].map((s) => meter(s));
    expect(metersInService(meters, 'cold_water', '2026-10', none).map((m) => m.serial)).toEqual([
      'W-1',
      'W-2',
      'W-3',
      'W-4',
    ]);
    const volumes = meterVolumes(['W-3', 'W-1', 'W-4', 'W-2'].map((s, i) => cold(s, '2026-10', String(i + 1))));
    const part = meteredVolume({ service: 'cold_water', meters, volumes, period: '2026-10', norm: '4', basis: 1 });
    expect(part.part).toEqual({
      service: 'cold_water',
      volume: '10',
      method: 'meter',
      meters: ['W-1', 'W-2', 'W-3', 'W-4'],
    });
  });

  it('a meter whose verification lapsed is replaced by one installed from the day of the lapse, not by one installed before it (a second riser)', () => {
    const old = meter('OLD', { verifiedUntil: '2026-10-14', installed: '2020-01-10' });
    const sameDay = meter('NEW', { installed: '2026-10-14' });
    const dayAfter = meter('NEW', { installed: '2026-10-15' });
    expect(metersInService([old, sameDay], 'cold_water', '2026-10', none).map((m) => m.serial)).toEqual(['NEW', 'OLD']);
    expect(metersInService([old, dayAfter], 'cold_water', '2026-10', none).map((m) => m.serial)).toEqual(['NEW']);
  });
});

describe('the average (п. 59)', () => {
  it('is not there for a meter with no reading at all', () => {
    expect(averageBasis(meter('W'), new Map(), '2026-10')).toBeUndefined();
    expect(averageBasis(meter('W', { installed: '2026-01-10' }), new Map(), '2026-10')).toBeUndefined();
  });

  it('is over the 6 months before the silence, half-up to 3 places', () => {
    const volumes = meterVolumes(
      ['1', '2', '2', '2', '2', '2', '2'].map((v, i) => cold('W', `2026-0${i + 2}`, v)), // Feb 1, Mar–Aug 2
    );
    expect(averageBasis(meter('W'), volumes, '2026-09')?.toString()).toBe('2');
    expect(averageBasis(meter('W'), volumes, '2026-08')?.toString()).toBe('1.833');
  });
});

describe('the estimate for a month without a reading (пп. 59, 60)', () => {
  const history = (serial: string, from: number, to: number) =>
    meterVolumes(
      Array.from({ length: to - from + 1 }, (_, k) => cold(serial, `2026-${String(from + k).padStart(2, '0')}`, '3')),
    );

  it('a meter that lapses during the month is expired for it: the norm carries the coefficient (п. 60)', () => {
    const lapsing = meter('W', { verifiedUntil: '2026-10-14' });
    expect(estimateFor(lapsing, new Map(), '2026-10')).toEqual({ kind: 'norm', expired: true });
    expect(estimateFor(lapsing, new Map(), '2026-09')).toEqual({ kind: 'norm', expired: false });
    // Verified to the last day of September: lapsed from 1 October.
    expect(estimateFor(meter('W', { verifiedUntil: '2026-09-30' }), new Map(), '2026-10')).toEqual({
      kind: 'norm',
      expired: true,
    });
    expect(estimateFor(meter('W', { verifiedUntil: '2026-10-31' }), new Map(), '2026-10')).toEqual({
      kind: 'norm',
      expired: false,
    });
  });

  it('a meter without a verification date, or verified for years, is never expired: the plain norm', () => {
    expect(estimateFor(meter('W'), new Map(), '2026-10')).toEqual({ kind: 'norm', expired: false });
    expect(estimateFor(meter('W', { verifiedUntil: '2031-01-31' }), new Map(), '2026-10')).toEqual({
      kind: 'norm',
      expired: false,
    });
  });

  it('a lapse in the month of the last reading: the 3 months of average count from the lapse (п. 59 а)', () => {
    // Read every month January–September; verified until 14 September, so silent from October.
    const w = meter('W', { verifiedUntil: '2026-09-14' });
    const volumes = history('W', 1, 9);
    expect(estimateFor(w, volumes, '2026-10')).toEqual({ kind: 'average', volume: dec(3) });
    expect(estimateFor(w, volumes, '2026-11')).toEqual({ kind: 'average', volume: dec(3) });
    // September, October, November: the three periods are over.
    expect(estimateFor(w, volumes, '2026-12')).toEqual({ kind: 'norm', expired: true });
  });

  it('a lapse after the readings stopped: the 3 months count from the first month without a reading (п. 59 б)', () => {
    // Read January–July; silent from August; the verification lapses in September.
    const w = meter('W', { verifiedUntil: '2026-09-14' });
    const volumes = history('W', 1, 7);
    expect(estimateFor(w, volumes, '2026-10')).toEqual({ kind: 'average', volume: dec(3) });
    expect(estimateFor(w, volumes, '2026-11')).toEqual({ kind: 'norm', expired: true });
  });

  it('a month before the meter’s first reading is billed by the norm, even when later readings are known', () => {
    const volumes = history('W', 7, 12);
    expect(estimateFor(meter('W'), volumes, '2026-05')).toEqual({ kind: 'norm', expired: false });
  });

  it('the silence starts after the latest reading before the month, whatever order the months were stored in', () => {
    // Built by hand: January–June at 3, stored newest first.
    const known = new Map([...(history('W', 1, 6).get('W') ?? [])].reverse());
    const volumes: MeterVolumes = new Map([['W', known]]);
    expect(estimateFor(meter('W'), volumes, '2026-09')).toEqual({ kind: 'average', volume: dec(3) });
    expect(estimateFor(meter('W'), volumes, '2026-10')).toEqual({ kind: 'norm', expired: false });
  });
});
