import { describe, expect, it } from 'vitest';
import { timesText } from '#shared/format';
import {
  describeBalance,
  formatArea,
  formatDate,
  formatDateTime,
  formatRoubles,
  shortName,
  svgDataUrl,
} from '../../web/src/format';

const NBSP = '\u00a0';

describe('web money formatting', () => {
  it('writes kopecks as roubles with a comma, grouped thousands and the rouble sign', () => {
    expect(formatRoubles(123456)).toBe(`1${NBSP}234,56${NBSP}₽`);
    expect(formatRoubles(123456789)).toBe(`1${NBSP}234${NBSP}567,89${NBSP}₽`);
    expect(formatRoubles(0)).toBe(`0,00${NBSP}₽`);
    expect(formatRoubles(5)).toBe(`0,05${NBSP}₽`);
    expect(formatRoubles(100)).toBe(`1,00${NBSP}₽`);
    expect(formatRoubles(-1250)).toBe(`\u221212,50${NBSP}₽`);
  });

  it('keeps every kopeck of amounts whose decimal value a binary float cannot hold', () => {
    expect(formatRoubles(1015)).toBe(`10,15${NBSP}₽`);
    expect(formatRoubles(29)).toBe(`0,29${NBSP}₽`);
    expect(formatRoubles(100_000_000_001)).toBe(`1${NBSP}000${NBSP}000${NBSP}000,01${NBSP}₽`);
  });

  it('refuses anything that is not a whole number of kopecks', () => {
    expect(() => formatRoubles(1.5)).toThrow(RangeError);
    expect(() => formatRoubles(Number.NaN)).toThrow(RangeError);
  });

  it('says a positive balance is a debt, a negative one an overpayment, and shows the amount without a sign', () => {
    expect(describeBalance(123456)).toEqual({ kind: 'debt', label: 'Задолженность', amount: `1${NBSP}234,56${NBSP}₽` });
    expect(describeBalance(-5000)).toEqual({ kind: 'overpayment', label: 'Переплата', amount: `50,00${NBSP}₽` });
    expect(describeBalance(0)).toEqual({ kind: 'settled', label: 'Нет задолженности', amount: `0,00${NBSP}₽` });
  });
});

describe('web date formatting, in Moscow time', () => {
  it('gives the Moscow date, not the UTC one, around midnight', () => {
    // 22:30 UTC on 15 November is 01:30 on 16 November in Moscow (UTC+3).
    expect(formatDate('2026-11-15T22:30:00Z')).toBe('16 ноября 2026 г.');
    expect(formatDate('2026-11-15T20:59:00Z')).toBe('15 ноября 2026 г.');
  });

  it('gives the Moscow wall-clock time', () => {
    expect(formatDateTime('2026-11-15T22:30:00Z')).toBe('16.11.2026, 01:30');
    expect(formatDateTime('2026-01-01T09:05:00.000Z')).toBe('01.01.2026, 12:05');
  });

  it('shows an unreadable value as it came rather than «Invalid Date»', () => {
    expect(formatDate('not a date')).toBe('not a date');
    expect(formatDateTime('')).toBe('');
  });
});

describe('web names and other values', () => {
  it('shortens a full name to the surname and initials', () => {
    expect(shortName('Иванова Мария Петровна')).toBe(`Иванова${NBSP}М.${NBSP}П.`);
    expect(shortName('  Кузнецов   Алексей ')).toBe(`Кузнецов${NBSP}А.`);
    expect(shortName('Петров')).toBe('Петров');
    expect(shortName('')).toBe('');
  });

  it('writes an area with a decimal comma and m²', () => {
    expect(formatArea('54.3')).toBe(`54,3${NBSP}м²`);
    expect(formatArea('45')).toBe(`45${NBSP}м²`);
  });

  it('turns captcha SVG markup into a data: URL an <img> can show under the site CSP', () => {
    const url = svgDataUrl('<svg xmlns="http://www.w3.org/2000/svg"><text>#1 & "2"</text></svg>');
    expect(url.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true);
    // Nothing that would end the attribute or start a fragment survives unescaped.
    expect(url).not.toMatch(/["<>#&\s]/);
    expect(decodeURIComponent(url.slice(url.indexOf(',') + 1))).toContain('#1 & "2"');
  });
});

describe('how many times more', () => {
  it('agrees «раз» with the number: «в 30 раз», «в 2 раза», «в 21 раз», «в 12 раз», «в 3,5 раза»', () => {
    const t = (times: string) => timesText(times).replaceAll(NBSP, ' ');
    expect(t('30')).toBe('в 30 раз');
    expect(t('2')).toBe('в 2 раза');
    expect(t('24')).toBe('в 24 раза');
    expect(t('21')).toBe('в 21 раз');
    expect(t('12')).toBe('в 12 раз');
    expect(t('114')).toBe('в 114 раз');
    expect(t('3.5')).toBe('в 3,5 раза');
    expect(t('1500')).toBe('в 1 500 раз');
  });

  it('writes a negative amount with the minus sign U+2212, never a hyphen, and keeps it with the number', () => {
    expect(formatRoubles(-50_000)).toBe(`\u2212500,00${NBSP}₽`);
    expect(formatRoubles(-123_456)).not.toContain('-');
  });
});
