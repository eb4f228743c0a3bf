import { config } from '#shared/config';

/** Moscow has been UTC+3 all year since 2014: no DST, so a fixed offset is exact. */
export const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;
export const MOSCOW_TZ = 'Europe/Moscow';

/** The current instant; `RAC_NOW` pins it for demos and tests. */
export function now(): Date {
  const pinned = config().now;
  return pinned ? new Date(pinned) : new Date();
}

export interface MoscowParts {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
}

export function moscowParts(at: Date): MoscowParts {
  const m = new Date(at.getTime() + MOSCOW_OFFSET_MS);
  return {
    year: m.getUTCFullYear(),
    month: m.getUTCMonth() + 1,
    day: m.getUTCDate(),
    hour: m.getUTCHours(),
    minute: m.getUTCMinutes(),
  };
}

/** The instant of a Moscow wall-clock time. */
export function moscowInstant(year: number, month: number, day = 1, hour = 0, minute = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute) - MOSCOW_OFFSET_MS);
}

/** Billing period id `YYYY-MM` of an instant, in Moscow time. */
export function periodOf(at: Date): string {
  const { year, month } = moscowParts(at);
  return `${year}-${String(month).padStart(2, '0')}`;
}

export const PERIOD_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function parsePeriod(period: string): { year: number; month: number } {
  const m = PERIOD_RE.exec(period);
  if (!m) throw new RangeError(`Not a period: ${period}`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

export function addMonths(period: string, delta: number): string {
  const { year, month } = parsePeriod(period);
  const index = year * 12 + (month - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Moscow calendar date `YYYY-MM-DD` of an instant. */
export function moscowDate(at: Date): string {
  const { year, month, day } = moscowParts(at);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
