import { describe, expect, it } from 'vitest';
import { addMonths, moscowDate, moscowInstant, periodOf } from '#shared/time';

describe('periods in Europe/Moscow', () => {
  it('puts 22:30 UTC on the last day of a month into the next Moscow period', () => {
    expect(periodOf(new Date('2026-10-31T22:30:00Z'))).toBe('2026-11');
    expect(periodOf(new Date('2026-10-31T20:59:59Z'))).toBe('2026-10');
  });

  it('adds months across years in both directions', () => {
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-03', -15)).toBe('2024-12');
  });

  it('converts Moscow wall-clock times to instants', () => {
    expect(moscowInstant(2026, 12, 1).toISOString()).toBe('2026-11-30T21:00:00.000Z');
    expect(moscowDate(new Date('2026-11-30T21:00:00Z'))).toBe('2026-12-01');
  });
});
