import type { VolumePart } from '#shared/billing/ledger';
import { Dec, dec, roundVolume, volumeText } from '#shared/billing/money';
import type { ServiceId } from '#shared/registry/services';
import { addDays, addMonths } from '#shared/time';

/**
 * Volumes of metered services, ПП РФ № 354 (Правила предоставления коммунальных услуг):
 * - п. 42: by the individual meter's readings; without a meter, by the norm;
 * - п. 59: while a meter gives no reading (п. 59 б: not submitted; п. 59 а: out of order or its
 *   verification interval expired, from the date of that event), the average monthly volume of
 *   the meter over at least 6 months (the meter's actual working period when shorter, but not
 *   under 3 months), for at most 3 billing periods in a row;
 * - п. 60: after those periods, the norm (п. 42) — with the increasing coefficient when the meter
 *   is out of order or out of verification (п. 59 а), without it when readings are merely missing;
 * - п. 61: a reading that comes later makes the months billed by estimate known: they are
 *   recalculated (shared/billing/charges.ts `recalculations`).
 *
 * A reading's consumption runs from the meter's previous reading (the readings feature computes it
 * as the difference of the values); a meter's first reading runs from the value it was installed
 * with (the meters import's `reading`, taken on `installed`). When months were skipped, the
 * consumption covers them too, so it is spread evenly over them (3 decimal places, the remainder on
 * the reading's own month).
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
  /**
   * When the meter was put in service, `YYYY-MM-DD` (the meters import's `installed`, by default
   * the import date). Absent on meters imported before the column existed: then in service since
   * its first reading, and its first reading covers its own month only.
   */
  installed?: string;
  /** Last day of the verification interval (поверка), `YYYY-MM-DD`; absent: not known to lapse. */
  verifiedUntil?: string;
}

/** Per meter: the actual volume of each period its readings cover. */
export type MeterVolumes = Map<string, Map<string, Dec>>;

/** п. 59: the average is taken over at least this many months of readings… */
export const AVERAGE_BASIS_PERIODS = 6;
/** …or the meter's actual working period when shorter, but not under this many months… */
export const AVERAGE_MIN_PERIODS = 3;
/** …and billed for at most this many periods in a row; then the norm (п. 60). */
export const AVERAGE_MAX_PERIODS = 3;

const periodOfDate = (date: string): string => date.slice(0, 7);

/** Periods from `from` up to and including `to`. */
function periodsFrom(from: string, to: string): string[] {
  const out: string[] = [];
  for (let p = from; p <= to; p = addMonths(p, 1)) out.push(p);
  return out;
}

/** Months from `from` to `to` (0 when the same). */
function monthsFrom(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm);
}

/**
 * The period in which the meter's verification lapses: the one holding the day after
 * `verifiedUntil`. From then the meter counts as out of order (п. 81(12) д) and no reading of it is
 * accepted (shared/readings/rules.ts).
 */
export function expiryPeriod(verifiedUntil: string): string {
  return periodOfDate(addDays(verifiedUntil, 1));
}

/**
 * The actual volume per meter and period, from the readings. A meter's first reading covers the
 * months since its installation (its `installed` month included); without an installation date, its
 * own month only.
 */
export function meterVolumes(readings: readonly ReadingFact[], meters: readonly MeterFact[] = []): MeterVolumes {
  const installedIn = new Map<string, string>();
  for (const m of meters) if (m.installed) installedIn.set(m.serial, periodOfDate(m.installed));
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
      const installed = installedIn.get(serial);
      const covered = previous
        ? periodsFrom(addMonths(previous, 1), reading.period)
        : installed && installed < reading.period
          ? periodsFrom(installed, reading.period)
          : [reading.period];
      const total = dec(reading.consumption);
      // Down, not half-up, for the earlier months: the remainder left for the reading's own month
      // then never goes negative, and the shares always add up to the consumption exactly.
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

export function actualVolume(volumes: MeterVolumes, serial: string, period: string): Dec | undefined {
  return volumes.get(serial)?.get(period);
}

function firstKnown(known: Map<string, Dec> | undefined): string | undefined {
  let first: string | undefined;
  for (const p of known?.keys() ?? []) if (!first || p < first) first = p;
  return first;
}

/** The last period before `period` with a known volume. */
function lastKnownBefore(known: Map<string, Dec> | undefined, period: string): string | undefined {
  let last: string | undefined;
  for (const p of known?.keys() ?? []) if (p < period && (!last || p > last)) last = p;
  return last;
}

/** The first month of the meter's working period: its installation, or its first reading if earlier. */
export function workingFrom(meter: MeterFact, volumes: MeterVolumes): string | undefined {
  const first = firstKnown(volumes.get(meter.serial));
  const installed = meter.installed ? periodOfDate(meter.installed) : undefined;
  // Periods are strings: the earlier of the two.
  if (installed && first && first < installed) return first;
  return installed ?? first;
}

/**
 * The meters of one service that count for the period: installed by then (a meter without an
 * installation date always counts), and not replaced — a meter whose verification lapsed is
 * replaced by a meter of the same service installed after that, from the new meter's month on.
 */
export function metersInService(
  meters: readonly MeterFact[],
  service: ServiceId,
  period: string,
  volumes: MeterVolumes,
): MeterFact[] {
  const ofService = meters.filter((m) => m.service === service);
  const installedBy = (m: MeterFact) => {
    if (!m.installed) return true;
    const from = workingFrom(m, volumes);
    return from !== undefined && from <= period;
  };
  const present = ofService.filter(installedBy);
  return present
    .filter(
      (old) =>
        !old.verifiedUntil ||
        !present.some((m) => m !== old && m.installed !== undefined && m.installed > (old.verifiedUntil as string)),
    )
    .sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
}

/**
 * п. 59: the average monthly volume of the meter over the 6 months before `silentFrom` (the first
 * month without a volume), or over its working period when that is shorter; undefined when fewer
 * than 3 months are known. Rounded half-up to 3 places.
 */
export function averageBasis(meter: MeterFact, volumes: MeterVolumes, silentFrom: string): Dec | undefined {
  const known = volumes.get(meter.serial);
  if (!known) return undefined;
  const start = workingFrom(meter, volumes);
  const values: Dec[] = [];
  for (let back = 1; back <= AVERAGE_BASIS_PERIODS; back++) {
    const p = addMonths(silentFrom, -back);
    if (start && p < start) break;
    const v = known.get(p);
    if (v) values.push(v);
  }
  if (values.length < AVERAGE_MIN_PERIODS) return undefined;
  return roundVolume(values.reduce((a, b) => a.plus(b), dec(0)).dividedBy(values.length));
}

/** How a meter without a volume for the period is billed. */
export type MeterEstimate =
  | { kind: 'average'; volume: Dec }
  /** `expired`: the meter is out of verification (п. 59 а), so the norm carries the coefficient (п. 60). */
  | { kind: 'norm'; expired: boolean };

/**
 * The estimate for a meter that has no volume for `period` (п. 59, п. 60): the same average for
 * each of at most 3 periods from the first month without a reading — or from the month the
 * verification lapsed, if earlier —, then the norm.
 */
export function estimateFor(meter: MeterFact, volumes: MeterVolumes, period: string): MeterEstimate {
  const expiry = meter.verifiedUntil ? expiryPeriod(meter.verifiedUntil) : undefined;
  const expired = expiry !== undefined && expiry <= period;
  const last = lastKnownBefore(volumes.get(meter.serial), period);
  if (!last) return { kind: 'norm', expired };
  const silentFrom = addMonths(last, 1);
  const limitFrom = expired && (expiry as string) < silentFrom ? (expiry as string) : silentFrom;
  if (monthsFrom(limitFrom, period) >= AVERAGE_MAX_PERIODS) return { kind: 'norm', expired };
  const average = averageBasis(meter, volumes, silentFrom);
  return average ? { kind: 'average', volume: average } : { kind: 'norm', expired };
}

/** A metered service's volume for a period, and whether the norm stands for a missing or failed meter. */
export interface MeteredVolume {
  part: VolumePart;
  /**
   * The volume is the norm because the service has no working meter: none installed, or one out of
   * verification past its average months (п. 42, п. 60) — when the increasing coefficient is due.
   */
  withoutWorkingMeter: boolean;
}

/**
 * The volume a metered service's meters give for a period. With no meter of the service in
 * service, or a meter with neither a reading nor an average due, the norm × `basis` (residents, or
 * owners when nobody lives there) stands for the whole service.
 */
export function meteredVolume(input: {
  service: ServiceId;
  meters: readonly MeterFact[];
  volumes: MeterVolumes;
  period: string;
  norm: string;
  basis: number;
}): MeteredVolume {
  const { service, volumes, period } = input;
  const meters = metersInService(input.meters, service, period, volumes);
  const serials = meters.map((m) => m.serial);
  const byNorm = (withoutWorkingMeter: boolean): MeteredVolume => ({
    part: { service, volume: volumeText(dec(input.norm).times(input.basis)), method: 'norm', meters: serials },
    withoutWorkingMeter,
  });
  if (meters.length === 0) return byNorm(true);
  let total = dec(0);
  let estimated = false;
  for (const meter of meters) {
    const actual = actualVolume(volumes, meter.serial, period);
    if (actual) {
      total = total.plus(actual);
      continue;
    }
    const estimate = estimateFor(meter, volumes, period);
    if (estimate.kind === 'norm') return byNorm(estimate.expired);
    total = total.plus(estimate.volume);
    estimated = true;
  }
  return {
    part: { service, volume: volumeText(total), method: estimated ? 'average' : 'meter', meters: serials },
    withoutWorkingMeter: false,
  };
}

/**
 * A part as known now: a part billed by estimate (or by the norm before its meter was known) whose
 * service's meters in service that month all have their actual volume by now becomes that actual
 * volume; otherwise undefined (nothing to revise). A month whose meter had lapsed never gets a
 * volume (no reading is accepted after the expiry), so it stays as billed.
 */
export function revisedPart(
  part: VolumePart,
  meters: readonly MeterFact[],
  volumes: MeterVolumes,
  period: string,
): VolumePart | undefined {
  if (part.method === 'meter') return undefined;
  const inService = metersInService(meters, part.service, period, volumes);
  if (inService.length === 0) return undefined;
  let total = dec(0);
  for (const meter of inService) {
    const actual = actualVolume(volumes, meter.serial, period);
    if (!actual) return undefined;
    total = total.plus(actual);
  }
  return { ...part, volume: volumeText(total), method: 'meter', meters: inService.map((m) => m.serial) };
}

const METHOD_RANK = { meter: 0, average: 1, norm: 2 } as const;

/** The weakest method among parts: a line is as good as its least certain part. */
export function weakestMethod(parts: readonly VolumePart[]): VolumePart['method'] {
  let worst: VolumePart['method'] = 'meter';
  for (const p of parts) if (METHOD_RANK[p.method] > METHOD_RANK[worst]) worst = p.method;
  return worst;
}
