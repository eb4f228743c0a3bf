/**
 * The months of the «Печать квитанций» page (their names are MONTHS in shared/format.ts). Periods
 * are Moscow's, whatever the device's zone: a resident abroad at 23:30 on 31 December is already
 * in January in Старый Оскол.
 */

export interface YearMonth {
  year: number;
  /** 1..12 */
  month: number;
}

/** The current month in Moscow. */
export function moscowMonth(at = new Date()): YearMonth {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Moscow',
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month') };
}

/** The bill of the month before: the latest one there is (it is issued by the 5th). */
export function defaultBillMonth(at = new Date()): YearMonth {
  const { year, month } = moscowMonth(at);
  return month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 };
}

/** `YYYY-MM`, the API's period. */
export function periodOf({ year, month }: YearMonth): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** A month that has not begun yet has no bill: the page does not offer it. */
export function isFuture(candidate: YearMonth, now: YearMonth): boolean {
  return candidate.year > now.year || (candidate.year === now.year && candidate.month > now.month);
}
