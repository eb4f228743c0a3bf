import type { VolumePart } from '#shared/billing/ledger';
import { Dec, dec, roundVolume, volumeText } from '#shared/billing/money';
import type { ServiceId } from '#shared/registry/services';
import { addMonths } from '#shared/time';

/**
 * Volumes of metered services (ПП РФ № 354, пп. 42, 59, 60):
 * - a meter's volume for a period is the consumption of its accepted reading;
 * - without one, the average of the meter's volumes over the last up to 3 periods;
 * - without any in those 3 periods, the norm × residents for the whole service.
 *
 * A reading's consumption runs from the meter's previous reading (the readings feature computes it
 * as the difference of the values). When a resident skipped months, the consumption of the reading
 * that follows covers the skipped months too, so it is spread evenly over them (3 decimal places,
 * the remainder on the reading's own month). That makes the skipped months, billed by average
 * when they closed, known afterwards: the next billing run recalculates them.
 */

/** One accepted reading as billing needs it. */
export interface ReadingFact {
  serial: string;
  service: ServiceId;
  period: string;
  /** Decimal string. */
  consumption: string;
}

export interface MeterFact {
  serial: string;
  service: ServiceId;
}

/** Per meter: the actual volume of each period its readings cover. */
export type MeterVolumes = Map<string, Map<string, Dec>>;

const AVERAGE_PERIODS = 3;

/** Periods after `from` up to and including `to`. */
function periodsAfter(from: string, to: string): string[] {
  const out: string[] = [];
  for (let p = addMonths(from, 1); p <= to; p = addMonths(p, 1)) out.push(p);
  return out;
}

/**
 * The actual volume per meter and period, from the readings. A meter's first reading covers its
 * own period only: its consumption since installation has no known start.
 */
export function meterVolumes(readings: readonly ReadingFact[]): MeterVolumes {
  const bySerial = new Map<string, ReadingFact[]>();
  for (const r of readings) {
    const list = bySerial.get(r.serial) ?? [];
    list.push(r);
    bySerial.set(r.serial, list);
  }
  const volumes: MeterVolumes = new Map();
  for (const [serial, list] of bySerial) {
    list.sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
    const periods = new Map<string, Dec>();
    let previous: string | undefined;
    for (const reading of list) {
      if (reading.period === previous) continue;
      const covered = previous ? periodsAfter(previous, reading.period) : [reading.period];
      const total = dec(reading.consumption);
      // Down, not half-up, for the earlier months: the remainder left for the reading's own month
      // then never goes negative.
      const share = total.dividedBy(covered.length).toDecimalPlaces(3, Dec.ROUND_DOWN);
      covered.forEach((period, i) => {
        periods.set(period, i === covered.length - 1 ? total.minus(share.times(covered.length - 1)) : share);
      });
      previous = reading.period;
    }
    volumes.set(serial, periods);
  }
  return volumes;
}

/** The meter's average over the up to 3 periods before `period` with a known volume. */
export function averageBefore(volumes: MeterVolumes, serial: string, period: string): Dec | undefined {
  const known = volumes.get(serial);
  if (!known) return undefined;
  const values: Dec[] = [];
  for (let back = 1; back <= AVERAGE_PERIODS; back++) {
    const v = known.get(addMonths(period, -back));
    if (v) values.push(v);
  }
  if (values.length === 0) return undefined;
  return roundVolume(values.reduce((a, b) => a.plus(b), dec(0)).dividedBy(values.length));
}

export function actualVolume(volumes: MeterVolumes, serial: string, period: string): Dec | undefined {
  return volumes.get(serial)?.get(period);
}

/**
 * The volume a metered service's meters give for a period. With no meter of the service, or a
 * meter with neither a reading nor a recent history, the norm × residents stands for the whole
 * service. `norm` is the tariff's norm per resident (undefined: no tariff, so no norm either).
 */
export function meteredPart(input: {
  service: ServiceId;
  meters: readonly string[];
  volumes: MeterVolumes;
  period: string;
  norm: string | undefined;
  residents: number;
}): VolumePart | undefined {
  const { service, meters, volumes, period } = input;
  const byNorm = (): VolumePart | undefined =>
    input.norm === undefined
      ? undefined
      : { service, volume: volumeText(dec(input.norm).times(input.residents)), method: 'norm', meters: [...meters] };
  if (meters.length === 0) return byNorm();
  let total = dec(0);
  let estimated = false;
  for (const serial of meters) {
    const actual = actualVolume(volumes, serial, period);
    if (actual) {
      total = total.plus(actual);
      continue;
    }
    const average = averageBefore(volumes, serial, period);
    if (!average) return byNorm();
    total = total.plus(average);
    estimated = true;
  }
  return { service, volume: volumeText(total), method: estimated ? 'average' : 'meter', meters: [...meters] };
}

/**
 * A part as known now: a part billed by estimate whose meters all have their actual volume for the
 * period by now becomes that actual volume; otherwise undefined (nothing to revise).
 */
export function revisedPart(part: VolumePart, volumes: MeterVolumes, period: string): VolumePart | undefined {
  if (part.method === 'meter' || part.meters.length === 0) return undefined;
  let total = dec(0);
  for (const serial of part.meters) {
    const actual = actualVolume(volumes, serial, period);
    if (!actual) return undefined;
    total = total.plus(actual);
  }
  return { ...part, volume: volumeText(total), method: 'meter' };
}

const METHOD_RANK = { meter: 0, average: 1, norm: 2 } as const;

/** The weakest method among parts: a line is as good as its least certain part. */
export function weakestMethod(parts: readonly VolumePart[]): VolumePart['method'] {
  let worst: VolumePart['method'] = 'meter';
  for (const p of parts) if (METHOD_RANK[p.method] > METHOD_RANK[worst]) worst = p.method;
  return worst;
}
