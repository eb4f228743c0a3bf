import { decimalComma, formatRoubles, NBSP } from '#shared/format';

/**
 * How the cabinet writes money, dates and names. Money, numbers and periods are written by
 * shared/format.ts, the same module the API, the ЕПД and the statement CSV use. Amounts arrive as
 * integer kopecks (the API never sends floats for money); dates are shown in Moscow time, whatever
 * the resident's device says, because periods, deadlines and the centre's hours are all Moscow's.
 */

export { formatRoubles };

const MOSCOW_TZ = 'Europe/Moscow';

export type BalanceKind = 'debt' | 'overpayment' | 'settled';

export interface BalanceView {
  kind: BalanceKind;
  /** «Задолженность», «Переплата», «Нет задолженности». */
  label: string;
  /** The amount without a sign: the label says which way it goes. */
  amount: string;
}

/** A balance is positive when the resident owes, negative when overpaid (the contract's sign). */
export function describeBalance(kopecks: number): BalanceView {
  if (kopecks > 0) return { kind: 'debt', label: 'Задолженность', amount: formatRoubles(kopecks) };
  if (kopecks < 0) return { kind: 'overpayment', label: 'Переплата', amount: formatRoubles(-kopecks) };
  return { kind: 'settled', label: 'Нет задолженности', amount: formatRoubles(0) };
}

const DATE = new Intl.DateTimeFormat('ru-RU', { timeZone: MOSCOW_TZ, day: 'numeric', month: 'long', year: 'numeric' });
const DATE_TIME = new Intl.DateTimeFormat('ru-RU', {
  timeZone: MOSCOW_TZ,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

function parseInstant(iso: string): Date | undefined {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** «2026-11-15T22:30:00Z» → «16 ноября 2026 г.» (the Moscow date). An unreadable value is shown as is. */
export function formatDate(iso: string): string {
  const date = parseInstant(iso);
  return date ? DATE.format(date) : iso;
}

/** «2026-11-15T22:30:00Z» → «16.11.2026, 01:30» (Moscow time). */
export function formatDateTime(iso: string): string {
  const date = parseInstant(iso);
  return date ? DATE_TIME.format(date) : iso;
}

/** «2026-11-15» → «15 ноября 2026 г.»: a Moscow calendar day, read at its noon so no zone moves it. */
export function dayText(day: string): string {
  return formatDate(`${day}T12:00:00+03:00`);
}

/** 1 день, 2 дня, 5 дней, 11 дней, 21 день (a non-breaking space keeps the number with its word). */
export function daysText(n: number): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  const word =
    mod10 === 1 && mod100 !== 11 ? 'день' : mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14) ? 'дня' : 'дней';
  return `${n}${NBSP}${word}`;
}

/** The area as the API sends it («54.3», a decimal string) → «54,3 м²». */
export function formatArea(area: string): string {
  return `${decimalComma(area.trim())}${NBSP}м²`;
}

/** «Иванова Мария Петровна» → «Иванова М. П.»: the surname and initials, as a header has room for. */
export function shortName(fullName: string): string {
  const [surname, ...given] = fullName.trim().split(/\s+/).filter(Boolean);
  if (!surname) return '';
  const initials = given.map((name) => `${name.charAt(0).toUpperCase()}.`).join(NBSP);
  return initials ? `${surname}${NBSP}${initials}` : surname;
}

/** A captcha's SVG markup as an <img> source: the CSP allows data: images, and no markup is injected. */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
