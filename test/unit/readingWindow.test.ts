import { describe, expect, it } from 'vitest';
import { calendarWindow, windowStatus } from '#shared/window/readingWindow';

const days = { openDay: 25, closeDay: 1 };
const msk = (iso: string) => new Date(`${iso}+03:00`);

describe('the reading window by the calendar (Europe/Moscow)', () => {
  it('is closed on the 24th at 23:59 Moscow time and says when it opens', () => {
    const w = calendarWindow(msk('2026-11-24T23:59:00'), days);
    expect(w.open).toBe(false);
    expect(w.opensAt.toISOString()).toBe('2026-11-24T21:00:00.000Z');
    expect(w.closesAt.toISOString()).toBe('2026-11-30T21:00:00.000Z');
  });

  it('opens on the 25th at 00:00 Moscow time, which is 21:00 UTC the day before', () => {
    expect(calendarWindow(msk('2026-11-25T00:00:00'), days).open).toBe(true);
    expect(calendarWindow(new Date('2026-11-24T20:59:59Z'), days).open).toBe(false);
  });

  it('closes when the new period starts on the 1st at 00:00 Moscow time', () => {
    expect(calendarWindow(msk('2026-11-30T23:59:59'), days).open).toBe(true);
    const after = calendarWindow(msk('2026-12-01T00:00:00'), days);
    expect(after.open).toBe(false);
    expect(after.opensAt.toISOString()).toBe(msk('2026-12-25T00:00:00').toISOString());
  });

  it('spans the new year', () => {
    const w = calendarWindow(msk('2026-12-31T12:00:00'), days);
    expect(w.open).toBe(true);
    expect(w.closesAt.toISOString()).toBe(msk('2027-01-01T00:00:00').toISOString());
  });

  it('follows configured days', () => {
    const custom = { openDay: 20, closeDay: 3 };
    expect(calendarWindow(msk('2026-11-19T12:00:00'), custom).open).toBe(false);
    expect(calendarWindow(msk('2026-12-02T12:00:00'), custom).open).toBe(true);
    expect(calendarWindow(msk('2026-12-03T00:00:00'), custom).open).toBe(false);
  });
});

describe('the window with an operator’s or a schedule’s stored state', () => {
  it('reports an early opening by the operator until the calendar closes it', () => {
    const stored = { open: true, changedAt: msk('2026-11-20T10:00:00').toISOString(), source: 'operator' as const };
    const s = windowStatus(msk('2026-11-21T10:00:00'), days, stored);
    expect(s).toMatchObject({ open: true, source: 'operator' });
    expect(s.closesAt).toBe(msk('2026-12-01T00:00:00').toISOString());
  });

  it('reports an early close and the next opening', () => {
    const stored = { open: false, changedAt: msk('2026-11-27T10:00:00').toISOString(), source: 'operator' as const };
    const s = windowStatus(msk('2026-11-28T10:00:00'), days, stored);
    expect(s.open).toBe(false);
    expect(s.opensAt).toBe(msk('2026-12-25T00:00:00').toISOString());
  });

  it('forgets a stored state once the calendar has changed since, even if a scheduled run was missed', () => {
    const stored = { open: false, changedAt: msk('2026-11-27T10:00:00').toISOString(), source: 'operator' as const };
    expect(windowStatus(msk('2026-12-25T08:00:00'), days, stored)).toMatchObject({ open: true, source: 'calendar' });
  });
});
