import { describe, expect, it } from 'vitest';
import { logIn, recordCspViolations, useRuntimeAndBrowser, watchedPage } from '#test/support/browser';
import { runCli } from '#test/support/cli';
import { registerResident, runtimeEnv } from '#test/support/localRuntime';

/**
 * After the operator's billing run, a demo resident opens «Начисления и платежи» in a real browser
 * against `npm start`: the months' rows, one month's breakdown by service, and the CSV of exactly
 * those rows. The clock is pinned to early November 2026, so October is the closed month.
 */
const NOW = '2026-11-05T12:00:00+03:00';
const ACCOUNT = '100001';
const PASSWORD = 'начисления через браузер';
const EMAIL = 'ivanova-statement@example.ru';

/** A money cell or CSV value as plain digits: «−1 234,56 ₽» and «-1234,56» both become «-1234,56». */
const plain = (text: string) => text.replace(/[\s\u00a0\u202f₽]/g, '').replace('\u2212', '-');

describe('the statement in the browser', () => {
  const e2e = useRuntimeAndBrowser({
    env: { RAC_TEST_MODE: '1', RAC_NOW: NOW },
    prepare: async (runtime) => {
      await registerResident(runtime, { account: ACCOUNT, passport: '1405 123456', email: EMAIL, password: PASSWORD });
      const run = await runCli(['billing', 'run'], runtimeEnv(runtime, { RAC_NOW: NOW }));
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain('Начисления за Октябрь 2026 (2026-10)');
    },
  });

  it('shows the months after a billing run, opens a month’s detail and downloads the same rows as CSV', async () => {
    const { page, errors } = await watchedPage(e2e.browser);
    const cspViolations = await recordCspViolations(page);

    await logIn(page, e2e.runtime.url, { account: ACCOUNT, password: PASSWORD }, '/statement');
    await page.waitForSelector('[data-testid="statement-row"][data-period="2026-10"]', { timeout: 20_000 });
    expect(await page.$eval('[data-testid="account-facts"]', (el) => el.textContent)).toContain('54,3');

    const rows = await page.$$eval('[data-testid="statement-row"]', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent?.trim() ?? '')),
    );
    expect(rows.map((r) => r[0])).toContain('Октябрь 2026');
    const october = rows.find((r) => r[0] === 'Октябрь 2026') as string[];
    expect(plain(october[2] ?? '')).not.toBe('0,00'); // charged
    expect(october[4]).toMatch(/₽$/);

    await page.click('[data-period="2026-10"] button[aria-expanded="false"]');
    const detail = await page.waitForSelector('#statement-detail-2026-10:not([hidden]) table');
    const detailText = (await detail?.evaluate((el) => el.textContent)) ?? '';
    expect(detailText).toContain('Холодное водоснабжение');
    expect(detailText).toMatch(/по счётчику|по среднему|по нормативу/);

    const link = await page.$eval('[data-testid="statement-csv"]', (a) => ({
      href: (a as HTMLAnchorElement).href,
      download: a.getAttribute('download'),
    }));
    expect(link.download).toMatch(/\.csv$/);
    const csv = await page.evaluate(async (href) => {
      const res = await fetch(href);
      return { type: res.headers.get('content-type'), bytes: [...new Uint8Array(await res.arrayBuffer())] };
    }, link.href);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.bytes.slice(0, 3)).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder()
      .decode(new Uint8Array(csv.bytes))
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('Период;Входящее сальдо;Начислено;Оплачено;Исходящее сальдо;В т.ч. пени');
    // Exactly what is on screen: the same months, the same amounts.
    // (The last column, пени, is in the month's detail on screen.)
    expect(lines.slice(1).map((line) => line.split(';').slice(0, 5).map(plain))).toEqual(rows.map((r) => r.map(plain)));

    expect(await cspViolations()).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the public tariffs without a login', async () => {
    const page = await e2e.browser.newPage();
    await page.goto(`${e2e.runtime.url}/tariffs`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('[data-testid="tariffs-current"]');
    const text = await page.$eval('[data-testid="tariffs-current"]', (el) => el.textContent ?? '');
    expect(text).toContain('Холодное водоснабжение');
    expect(text).toContain('с января 2026');
    await page.close();
  });
});
