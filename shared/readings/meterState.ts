import Decimal from 'decimal.js';
import { cachedTariffs } from '#shared/billing/store';
import { tariffFor } from '#shared/billing/tariffs';
import { meterIdOf } from '#shared/readings/meterId';
import { monthsBetween } from '#shared/readings/period';
import { averageConsumption, type MeterFacts } from '#shared/readings/rules';
import type { MeterReadings, MeterRecord, ReadingRecord } from '#shared/readings/store';
import { serviceById } from '#shared/registry/services';

/**
 * A meter as the meters page and the submission see it for one period: its newest readings, its
 * usual consumption, and the facts the pure rules (shared/readings/rules.ts) check a value against.
 */
export interface MeterState {
  id: string;
  meter: MeterRecord;
  /** The newest accepted reading up to the period (this period's, if any). */
  latest?: ReadingRecord | undefined;
  current?: ReadingRecord | undefined;
  usual?: Decimal | undefined;
  /** Whether `usual` is the account's own average or the norm (no history yet). */
  usualFrom?: 'average' | 'norm' | undefined;
  facts: MeterFacts;
}

type Household = { residents: number; area: string } | undefined;

/**
 * The usual monthly consumption: the average of up to three recent periods (ПП РФ № 354 bills by
 * that average too); without such history (or when it is zero), the norm per resident — per m²
 * for heating — of the tariff in force, as billing would use it.
 */
async function usualConsumption(
  meter: MeterRecord,
  recent: readonly ReadingRecord[],
  period: string,
  household: () => Promise<Household>,
): Promise<{ value: Decimal; from: 'average' | 'norm' } | undefined> {
  const average = averageConsumption(recent.map((r) => r.consumption));
  if (average?.gt(0)) return { value: average, from: 'average' };
  const norm = tariffFor(await cachedTariffs(), meter.service, period)?.norm;
  if (!norm) return undefined;
  const home = await household();
  if (!home) return undefined;
  const basis = serviceById(meter.service).basis;
  const quantity = basis === 'area' ? new Decimal(home.area) : new Decimal(Math.max(1, home.residents));
  const guess = new Decimal(norm).times(quantity);
  return guess.gt(0) ? { value: guess, from: 'norm' } : undefined;
}

/**
 * Each meter's state for the period, from the account's meters and readings as one query read them
 * (store.ts meterReadingsOf); `meters` narrows it to some of them. Norms come from the cached
 * tariffs: no further request.
 */
export async function meterStates(
  snapshot: MeterReadings,
  period: string,
  meters: readonly MeterRecord[] = snapshot.meters,
): Promise<MeterState[]> {
  const household = async () => snapshot.household;
  return Promise.all(
    meters.map(async (meter) => {
      // Newest first, up to the period: this period's value (if any) and three before it.
      const readings = (snapshot.readings.get(meter.serial) ?? [])
        .filter((r) => r.period <= period)
        .sort((a, b) => b.period.localeCompare(a.period))
        .slice(0, 4);
      const current = readings[0]?.period === period ? readings[0] : undefined;
      const recent = readings.filter((r) => r.period < period).slice(0, 3);
      const found = await usualConsumption(meter, recent, period, household);
      const usual = found?.value;
      const months = recent[0] ? Math.max(1, monthsBetween(recent[0].period, period)) : 1;
      return {
        id: meterIdOf(meter.serial),
        meter,
        latest: readings[0],
        current,
        usual,
        usualFrom: found?.from,
        facts: {
          service: meter.service,
          digits: meter.digits,
          verifiedUntil: meter.verifiedUntil,
          installed: meter.installed,
          basis: recent[0]?.value ?? meter.initialReading,
          current: current?.value,
          expected: usual?.times(months).toFixed(),
          expectedFrom: found?.from,
        },
      };
    }),
  );
}
