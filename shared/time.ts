import { config } from '#shared/config';
import { dateText } from '#shared/format';

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

/** `YYYY-MM-DD` plus whole days (UTC date arithmetic on a calendar date). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` one calendar month later (31 January → 28/29 February). */
export function oneMonthLater(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const next = new Date(Date.UTC(y, m, Math.min(d, lastDay)));
  return next.toISOString().slice(0, 10);
}

/** «25.11.2026 в 00:00 (МСК)»: residents read Moscow time, whatever their device says. */
export function moscowDateTimeText(iso: string): string {
  const at = new Date(iso);
  return `${dateText(moscowDate(at))} в ${moscowClock(at)} (МСК)`;
}

/** "09:05": the Moscow wall-clock time of an instant. */
export function moscowClock(at: Date): string {
  const { hour, minute } = moscowParts(at);
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}
