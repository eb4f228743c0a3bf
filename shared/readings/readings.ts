import Decimal from 'decimal.js';
import { DomainError } from '#shared/errors';
import { meterIdOf } from '#shared/readings/meterId';
import { monthsBetween, submissionPeriod } from '#shared/readings/period';
import { averageConsumption, decimalsOf, type MeterFacts, verificationExpired } from '#shared/readings/rules';
import {
  householdOf,
  MAX_REPLACEMENTS,
  type MeterRecord,
  type MeterWrite,
  metersOf,
  normOf,
  type ReadingRecord,
  type ReadingSource,
  readingsOf,
  writeSubmission,
} from '#shared/readings/store';
import { evaluateSubmission, type SubmittedReading } from '#shared/readings/submission';
import { serviceById } from '#shared/registry/services';
import { addMonths, moscowDate, moscowParts, now, periodOf } from '#shared/time';
import type { WindowStatus } from '#shared/window/readingWindow';
import { cachedWindow } from '#shared/window/windowStore';

/** Submission, the meters page and the history: the use cases behind the readings routes. */

export const SUCCESS_MESSAGE = 'Показания успешно переданы';

/** Warn on the meters page this many days before the verification date. */
const VERIFICATION_SOON_DAYS = 31;

interface MeterState {
  id: string;
  meter: MeterRecord;
  /** The newest accepted reading up to the period (this period's, if any). */
  latest?: ReadingRecord | undefined;
  current?: ReadingRecord | undefined;
  usual?: Decimal | undefined;
  facts: MeterFacts;
}

/** "25.11.2026 в 00:00 (МСК)": residents read Moscow time, whatever their device says. */
export function moscowDateTimeText(iso: string): string {
  const { year, month, day, hour, minute } = moscowParts(new Date(iso));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(day)}.${two(month)}.${year} в ${two(hour)}:${two(minute)} (МСК)`;
}

export const windowClosed = (window: WindowStatus) =>
  DomainError.of('window_closed', {
    opensAt: moscowDateTimeText(window.opensAt),
    closesAt: moscowDateTimeText(window.closesAt),
  });

/**
 * The usual monthly consumption: the average of up to three recent periods (ПП РФ № 354 bills by
 * that average too); without such history (or when it is zero), the norm per resident — per m²
 * for heating — of the tariff in force, as billing would use it.
 */
async function usualConsumption(
  meter: MeterRecord,
  recent: readonly ReadingRecord[],
  period: string,
  household: () => Promise<{ residents: number; area: string } | undefined>,
): Promise<Decimal | undefined> {
  const average = averageConsumption(recent.map((r) => r.consumption));
  if (average?.gt(0)) return average;
  const norm = await normOf(meter.service, period);
  if (!norm) return undefined;
  const home = await household();
  if (!home) return undefined;
  const basis = serviceById(meter.service).basis;
  const quantity = basis === 'area' ? new Decimal(home.area) : new Decimal(Math.max(1, home.residents));
  const guess = new Decimal(norm).times(quantity);
  return guess.gt(0) ? guess : undefined;
}

async function meterStates(account: string, period: string, meters: readonly MeterRecord[]): Promise<MeterState[]> {
  let household: Promise<{ residents: number; area: string } | undefined> | undefined;
  const lazyHousehold = () => {
    household ??= householdOf(account);
    return household;
  };
  return Promise.all(
    meters.map(async (meter) => {
      const readings = await readingsOf(account, meter.serial, { to: period, limit: 4 });
      const current = readings[0]?.period === period ? readings[0] : undefined;
      const recent = readings.filter((r) => r.period < period).slice(0, 3);
      const usual = await usualConsumption(meter, recent, period, lazyHousehold);
      const months = recent[0] ? Math.max(1, monthsBetween(recent[0].period, period)) : 1;
      return {
        id: meterIdOf(meter.serial),
        meter,
        latest: readings[0],
        current,
        usual,
        facts: {
          service: meter.service,
          digits: meter.digits,
          verifiedUntil: meter.verifiedUntil,
          basis: recent[0]?.value ?? meter.initialReading,
          current: current?.value,
          expected: usual?.times(months).toFixed(),
        },
      };
    }),
  );
}

/** `YYYY-MM-DD` plus whole days (UTC date arithmetic on a calendar date). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function meterView(state: MeterState, today: string) {
  const { meter, facts } = state;
  const service = serviceById(meter.service);
  const places = decimalsOf(meter.service);
  return {
    id: state.id,
    service: meter.service,
    title: service.title,
    unit: service.unit,
    serial: meter.serial,
    digits: meter.digits,
    decimals: places,
    verifiedUntil: meter.verifiedUntil,
    expired: verificationExpired(meter.verifiedUntil, today),
    verificationEndsSoon:
      !verificationExpired(meter.verifiedUntil, today) && meter.verifiedUntil <= addDays(today, VERIFICATION_SOON_DAYS),
    lastReading: state.latest
      ? { value: state.latest.value, date: state.latest.submittedAt, period: state.latest.period }
      : null,
    basis: facts.basis,
    submitted: state.current
      ? {
          value: state.current.value,
          consumption: state.current.consumption,
          submittedAt: state.current.submittedAt,
        }
      : null,
    usualConsumption: state.usual ? state.usual.toDecimalPlaces(places).toFixed() : null,
    expectedConsumption: facts.expected ? new Decimal(facts.expected).toDecimalPlaces(places).toFixed() : null,
  };
}

export type MeterView = ReturnType<typeof meterView>;

function windowView(window: WindowStatus) {
  return { open: window.open, opensAt: window.opensAt, closesAt: window.closesAt, period: submissionPeriod(window) };
}

/** The meters page: the window, and every meter with what the page needs to check as one types. */
export async function metersPage(account: string) {
  const window = await cachedWindow();
  const period = submissionPeriod(window);
  const states = await meterStates(account, period, await metersOf(account));
  const today = moscowDate(now());
  const meters = states
    .map((s) => meterView(s, today))
    .sort((a, b) => a.service.localeCompare(b.service) || a.serial.localeCompare(b.serial));
  return { window: windowView(window), meters };
}

export interface SubmissionResult {
  message: string;
  period: string;
  items: Array<{ meterId: string; period: string; value: string; consumption: string }>;
}

const MAX_ATTEMPTS = 4;

/**
 * Accepts a page of readings all or nothing. Conditional writes make it safe to repeat: the same
 * values again are a no-op with the same answer; a race with another tab is re-judged on fresh
 * data, and the later value replaces the earlier one (which is kept in `replaced`).
 */
export async function submitReadings(
  account: string,
  readings: readonly SubmittedReading[],
  source: ReadingSource,
): Promise<SubmissionResult> {
  const window = await cachedWindow();
  if (!window.open) throw windowClosed(window);
  const period = submissionPeriod(window);
  const today = moscowDate(now());
  const wanted = new Set(readings.map((r) => r.meterId));
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const meters = (await metersOf(account)).filter((m) => wanted.has(meterIdOf(m.serial)));
    const states = new Map((await meterStates(account, period, meters)).map((s) => [s.id, s]));
    const accepted = evaluateSubmission(readings, new Map([...states].map(([id, s]) => [id, s.facts])), today);
    const submittedAt = now().toISOString();
    const full = accepted.filter((a) => {
      const current = states.get(a.meterId)?.current;
      return !a.reading.unchanged && (current?.replaced?.length ?? 0) >= MAX_REPLACEMENTS;
    });
    if (full.length > 0) {
      throw DomainError.of('too_many_changes', {
        max: MAX_REPLACEMENTS,
        fields: Object.fromEntries(full.map((a) => [a.meterId, 'Слишком много исправлений за месяц.'])),
      });
    }
    const writes: MeterWrite[] = accepted.map(({ meterId, reading }) => {
      const { meter, current, facts } = states.get(meterId) as MeterState;
      if (reading.unchanged) return { meter };
      return {
        meter,
        current,
        reading: {
          account,
          serial: meter.serial,
          service: meter.service,
          period,
          value: reading.value,
          consumption: reading.consumption,
          previous: facts.basis,
          ...(reading.rollover ? { rollover: true } : {}),
          source,
          submittedAt,
          replaced: current
            ? [
                ...(current.replaced ?? []),
                {
                  value: current.value,
                  consumption: current.consumption,
                  submittedAt: current.submittedAt,
                  source: current.source,
                },
              ]
            : [],
        },
      };
    });
    if (await writeSubmission(writes)) {
      return {
        message: SUCCESS_MESSAGE,
        period,
        items: accepted.map(({ meterId, reading }) => ({
          meterId,
          period,
          value: reading.value,
          consumption: reading.consumption,
        })),
      };
    }
  }
  throw DomainError.of('concurrent_change');
}

/** History of every meter of the account for periods `from..to` (default: the last 12 months). */
export async function readingHistory(account: string, range: { from?: string | undefined; to?: string | undefined }) {
  const to = range.to ?? periodOf(now());
  const from = range.from ?? addMonths(to, -11);
  if (from > to) {
    throw DomainError.of('invalid_input', { fields: { from: 'Начало периода позже его конца' } });
  }
  if (monthsBetween(from, to) >= 120) {
    throw DomainError.of('invalid_input', { fields: { from: 'Не больше 10 лет за один запрос' } });
  }
  const meters = await metersOf(account);
  const perMeter = await Promise.all(meters.map((m) => readingsOf(account, m.serial, { from, to })));
  const items = perMeter.flat().map((r) => ({
    meterId: meterIdOf(r.serial),
    serial: r.serial,
    service: r.service,
    period: r.period,
    value: r.value,
    consumption: r.consumption,
    submittedAt: r.submittedAt,
    source: r.source,
    rollover: r.rollover === true,
    replaced: (r.replaced ?? []).map(({ value, consumption, submittedAt }) => ({ value, consumption, submittedAt })),
  }));
  items.sort((a, b) => b.period.localeCompare(a.period) || a.service.localeCompare(b.service));
  return {
    from,
    to,
    meters: meters.map((m) => ({
      id: meterIdOf(m.serial),
      serial: m.serial,
      service: m.service,
      title: serviceById(m.service).title,
      unit: serviceById(m.service).unit,
      decimals: decimalsOf(m.service),
    })),
    items,
  };
}
