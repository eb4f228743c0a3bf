import { moscowInstant, moscowParts } from '#shared/time';

/**
 * The monthly reading window. By the calendar it is open from `openDay` 00:00 MSK until the next
 * period starts (`closeDay` 00:00 MSK of the next month); the scheduled jobs and the operator
 * store an explicit state that overrides the calendar until the next scheduled change.
 */
export interface WindowDays {
  openDay: number;
  closeDay: number;
}

export interface StoredWindowState {
  open: boolean;
  changedAt: string;
  source: 'schedule' | 'operator';
}

export interface WindowStatus {
  open: boolean;
  /** Next (or current) opening instant, ISO. */
  opensAt: string;
  /** Closing instant of the current or next window, ISO. */
  closesAt: string;
  source: 'calendar' | StoredWindowState['source'];
}

/** The calendar window that contains `at`, or the next one. */
export function calendarWindow(at: Date, days: WindowDays): { open: boolean; opensAt: Date; closesAt: Date } {
  const { year, month } = moscowParts(at);
  // The window opened this month closes at closeDay of the next month.
  const candidates = [-1, 0, 1].map((delta) => {
    const opensAt = moscowInstant(year, month + delta, days.openDay);
    const closesAt = moscowInstant(year, month + delta + 1, days.closeDay);
    return { opensAt, closesAt };
  });
  const current = candidates.find((w) => w.opensAt <= at && at < w.closesAt);
  if (current) return { open: true, ...current };
  const next = candidates.find((w) => w.opensAt > at) as { opensAt: Date; closesAt: Date };
  return { open: false, ...next };
}

/**
 * A stored state holds until the calendar's next change after it was stored: an operator's early
 * close does not keep next month's window shut, even if a scheduled run was missed.
 */
export function storedStateApplies(at: Date, days: WindowDays, stored: StoredWindowState): boolean {
  const changedAt = new Date(stored.changedAt);
  const then = calendarWindow(changedAt, days);
  const nextTransition = then.open ? then.closesAt : then.opensAt;
  return at < nextTransition;
}

/** The window as residents see it: a stored state that still applies wins over the calendar. */
export function windowStatus(at: Date, days: WindowDays, storedState?: StoredWindowState): WindowStatus {
  const calendar = calendarWindow(at, days);
  const stored = storedState && storedStateApplies(at, days, storedState) ? storedState : undefined;
  if (!stored || stored.open === calendar.open) {
    return {
      open: calendar.open,
      opensAt: calendar.opensAt.toISOString(),
      closesAt: calendar.closesAt.toISOString(),
      source: stored ? stored.source : 'calendar',
    };
  }
  // An operator opened the window early (or closed it early): report the real state and the
  // calendar's next change.
  if (stored.open) {
    return {
      open: true,
      opensAt: stored.changedAt,
      closesAt: calendar.closesAt.toISOString(),
      source: stored.source,
    };
  }
  const next = calendarWindow(new Date(calendar.closesAt.getTime() + 1), days);
  return {
    open: false,
    opensAt: next.opensAt.toISOString(),
    closesAt: next.closesAt.toISOString(),
    source: stored.source,
  };
}
