import { describe, expect, it } from 'vitest';
import { periodText } from '#shared/format';
import { moscowTimestamp, readingsCsv } from '#shared/readings/export';
import { reminderMail, verificationMail } from '#shared/readings/mails';
import type { ReadingRecord } from '#shared/readings/store';
import { oneMonthLater } from '#shared/time';

describe('readings mail texts', () => {
  it('names the period in Russian and the last day to submit', () => {
    expect(periodText('2026-11')).toBe('ноябрь 2026');
    const mail = reminderMail('r@example.ru', '100001', { period: '2026-11', closesAt: '2026-11-30T21:00:00.000Z' });
    expect(mail.subject).toBe('Открыт приём показаний счётчиков');
    expect(mail.text).toContain('до 30.11.2026 включительно');
    expect(mail.text).toMatch(/\/readings$/m);
    expect(mail.html).toContain('<a href="http://localhost:3000/readings">');
  });

  it('lists an account’s meters in one verification warning', () => {
    const mail = verificationMail('r@example.ru', '100001', [
      { serial: '21034567', service: 'cold_water', verifiedUntil: '2026-12-15' },
      { serial: '21034568', service: 'hot_water', verifiedUntil: '2026-12-15' },
    ]);
    expect(mail.subject).toBe('Заканчивается срок поверки счётчиков');
    expect(mail.text).toContain('Холодное водоснабжение, счётчик №\u00a021034567 — до 15.12.2026');
    expect(mail.text).toContain('Горячее водоснабжение, счётчик №\u00a021034568');
    expect(mail.html).toContain('<br>');
  });

  it('counts a month ahead by the calendar, clamping to the month’s end', () => {
    expect(oneMonthLater('2026-11-26')).toBe('2026-12-26');
    expect(oneMonthLater('2027-01-31')).toBe('2027-02-28');
    expect(oneMonthLater('2026-12-31')).toBe('2027-01-31');
  });
});

describe('the export file', () => {
  const row: ReadingRecord = {
    account: '100001',
    serial: 'СГК "4";1',
    service: 'gas',
    period: '2026-11',
    value: '2345.678',
    consumption: '9.5',
    source: 'web',
    submittedAt: '2026-11-26T16:30:00.000Z',
  };

  it('writes Moscow time with its offset', () => {
    expect(moscowTimestamp('2026-11-30T21:00:00.000Z')).toBe('2026-12-01T00:00:00+03:00');
  });

  it('quotes a cell that holds the delimiter or quotes, and writes CRLF lines', () => {
    const text = readingsCsv([row], 'utf8').toString('utf8');
    expect(text).toBe(
      '\ufeffaccount;meter;service;period;value;consumption;submitted_at;source\r\n' +
        '100001;"СГК ""4"";1";gas;2026-11;2345,678;9,5;2026-11-26T19:30:00+03:00;web\r\n',
    );
  });
});
