import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../web/src/api/client';
import { epdFileName, epdPath, fetchEpd } from '../../web/src/api/epd';
import { defaultBillMonth, isFuture, moscowMonth, periodOf } from '../../web/src/billMonth';

/* The «Печать квитанций» page's pure parts: which month it offers, and how it asks for the PDF. */

const fetchMock = vi.fn<typeof fetch>();

beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the months on offer (Moscow time)', () => {
  it('is already January in Moscow at 23:30 UTC on 31 December, and offers December', () => {
    const at = new Date('2026-12-31T21:30:00Z'); // 00:30 on 1 January in Moscow
    expect(moscowMonth(at)).toEqual({ year: 2027, month: 1 });
    expect(defaultBillMonth(at)).toEqual({ year: 2026, month: 12 });
    expect(periodOf(defaultBillMonth(at))).toBe('2026-12');
  });

  it('offers last month by default and no month that has not begun', () => {
    const now = { year: 2026, month: 11 };
    expect(defaultBillMonth(new Date('2026-11-02T00:00:00Z'))).toEqual({ year: 2026, month: 10 });
    expect(isFuture({ year: 2026, month: 12 }, now)).toBe(true);
    expect(isFuture({ year: 2027, month: 1 }, now)).toBe(true);
    expect(isFuture({ year: 2026, month: 11 }, now)).toBe(false);
    expect(isFuture({ year: 2025, month: 12 }, now)).toBe(false);
  });
});

describe('fetching the PDF', () => {
  it('asks GET /api/epd/{period} with the contract header and hands back the PDF', async () => {
    fetchMock.mockResolvedValue(
      new Response('%PDF-1.7', { status: 200, headers: { 'content-type': 'application/pdf' } }),
    );
    const blob = await fetchEpd('2026-10');
    expect(await blob.text()).toBe('%PDF-1.7');
    const [url, init] = fetchMock.mock.lastCall ?? [];
    expect(url).toBe('/api/epd/2026-10');
    expect(((init?.headers ?? {}) as Record<string, string>)['X-Requested-With']).toBe('XMLHttpRequest');
    expect(epdPath('2026-10')).toBe('/api/epd/2026-10');
    expect(epdFileName('100001', '2026-10')).toBe('EPD-100001-2026-10.pdf');
  });

  it('passes on the Russian message of a month without a bill', async () => {
    const message = 'За этот период квитанция не сформирована: начислений за выбранный месяц нет.';
    fetchMock.mockResolvedValue(
      new Response(JSON.stringify({ error: { code: 'no_bill', message } }), {
        status: 404,
        headers: { 'content-type': 'application/json' },
      }),
    );
    const error = await fetchEpd('2026-09').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: 'no_bill', message });
  });

  it('does not take a page of HTML for a bill', async () => {
    fetchMock.mockResolvedValue(
      new Response('<!doctype html>', { status: 200, headers: { 'content-type': 'text/html' } }),
    );
    await expect(fetchEpd('2026-10')).rejects.toBeInstanceOf(ApiError);
  });

  it('says the network is down in Russian', async () => {
    fetchMock.mockRejectedValue(new TypeError('fetch failed'));
    await expect(fetchEpd('2026-10')).rejects.toMatchObject({
      code: 'network_error',
      message: expect.stringMatching(/^Нет связи/),
    });
  });
});
