import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { logIn, recordCspViolations, useRuntimeAndBrowser, watchedPage } from '#test/support/browser';
import { registerResident } from '#test/support/localRuntime';

/**
 * A demo resident submits readings in a real browser against `npm start`, under the site's CSP.
 * The clock is pinned inside the window (26 November 2026), so the page is open for input.
 */
const ACCOUNT = '100001';
const PASSWORD = 'показания через браузер';
const EMAIL = 'ivanova-e2e@example.ru';

describe('meter readings in the browser', () => {
  const e2e = useRuntimeAndBrowser({
    env: { RAC_TEST_MODE: '1', RAC_NOW: '2026-11-26T12:00:00+03:00' },
    prepare: (runtime) =>
      registerResident(runtime, { account: ACCOUNT, passport: '1405 123456', email: EMAIL, password: PASSWORD }),
  });

  it('logs in, submits on /readings, sees the success message and the chart on the history page', async () => {
    const { page, errors } = await watchedPage(e2e.browser);
    const cspViolations = await recordCspViolations(page);

    await logIn(page, e2e.runtime.url, { account: ACCOUNT, password: PASSWORD }, '/readings');
    await page.waitForSelector('[data-testid="reading-window"]', { timeout: 20_000 });
    expect(await page.$eval('[data-testid="reading-window"]', (el) => el.textContent)).toContain(
      'Приём показаний открыт до 30 ноября 2026',
    );

    const meters = (await page.evaluate(async () => (await fetch('/api/meters')).json())) as {
      meters: Array<{
        id: string;
        basis: string;
        expectedConsumption: string | null;
        decimals: number;
        expired: boolean;
      }>;
    };
    const open = meters.meters.filter((m) => !m.expired);
    expect(open.length).toBeGreaterThan(0);
    for (const meter of open) {
      const value = new Decimal(meter.basis).plus(meter.expectedConsumption ?? '1').toFixed(meter.decimals);
      // Typed the Russian way, with a decimal comma.
      await page.type(`input[name="reading-${meter.id}"]`, value.replace('.', ','));
    }
    const live = await page.$$eval('.reading-meter__live', (els) => els.map((el) => el.textContent ?? ''));
    expect(live.filter((text) => text.includes('Расход:'))).toHaveLength(open.length);

    await page.click('button[type="submit"]');
    await page.waitForFunction(() => document.body.textContent?.includes('Показания успешно переданы'), {
      timeout: 20_000,
    });

    await page.goto(`${e2e.runtime.url}/readings/history`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('[data-testid="consumption-chart"] canvas', { timeout: 20_000 });
    const canvases = await page.$$eval('[data-testid="consumption-chart"] canvas', (els) =>
      els.map((el) => ({ width: (el as HTMLCanvasElement).width, label: el.getAttribute('aria-label') ?? '' })),
    );
    expect(canvases.length).toBeGreaterThan(0);
    expect(canvases[0]?.width).toBeGreaterThan(0);
    expect(canvases[0]?.label).toMatch(/расход по месяцам/);
    expect(await page.$eval('main', (el) => el.textContent)).toContain('ноябрь 2026');

    expect(await cspViolations()).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
