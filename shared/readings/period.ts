import { addMonths, parsePeriod, periodOf } from '#shared/time';

/**
 * The billing period a reading belongs to: the month in which the window (the current one, or the
 * next when closed) opened by the calendar. The window opening on the 25th of November closes on
 * the 1st of December (or a configured later day): its readings are November's. The calendar
 * window always closes in the month after it opens, so the period is the closing month minus one,
 * whatever the configured days; an operator's early opening keeps the calendar's closing time.
 */
export function submissionPeriod(window: { closesAt: string }): string {
  return addMonths(periodOf(new Date(window.closesAt)), -1);
}

/** Whole months from one period to a later one (`2026-09` → `2026-11` is 2). */
export function monthsBetween(from: string, to: string): number {
  const a = parsePeriod(from);
  const b = parsePeriod(to);
  return (b.year - a.year) * 12 + (b.month - a.month);
}
