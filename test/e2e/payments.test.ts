import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { fill, logIn, useRuntimeAndBrowser, watchedPage } from '#test/support/browser';
import { registerResident } from '#test/support/localRuntime';

/*
 * Paying the debt in a real browser against `npm start`: a registered resident logs in, pays on
 * the sandbox bank's page, comes back to the portal and sees the payment succeed and the balance
 * drop. The browser uses the public origin (localhost), which the bank's return URL points to.
 */

const RESIDENT = { account: '100005', passport: '1412 778899', email: 'belousova@example.ru' };
const PASSWORD = 'оплата картой в песочнице';

describe('paying by card in the browser', () => {
  const e2e = useRuntimeAndBrowser({
    env: { RAC_TEST_MODE: '1' },
    prepare: (runtime) => registerResident(runtime, { ...RESIDENT, password: PASSWORD }),
  });
  const origin = () => e2e.runtime.url.replace('127.0.0.1', 'localhost');

  const balanceOf = (page: Page) =>
    page.evaluate(
      async () => ((await (await fetch('/api/me')).json()) as { balance: { total: number } }).balance.total,
    );

  it('logs in, pays 1 500 ₽ on the bank page, and sees the payment succeed and the balance drop', async () => {
    const { page, errors } = await watchedPage(e2e.browser, { consoleErrors: true });

    await logIn(page, origin(), { account: RESIDENT.account, password: PASSWORD });
    await page.waitForFunction(() => location.pathname === '/account' && document.querySelector('[data-testid=owner]'));
    // Before the login the session probe answers 401, which the browser logs; from here on, nothing may fail.
    errors.length = 0;
    const before = await balanceOf(page);

    await page.goto(`${origin()}/payments`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('input[name=amount]');
    await fill(page, 'input[name=amount]', '1500,00');
    expect(await page.$eval('[data-testid=payment-total]', (el) => el.textContent)).toMatch(/1\s500,00\s₽/);
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('button[type=submit]')]);

    // The sandbox bank's page: Russian, the amount, Pay and Decline.
    expect(new URL(page.url()).pathname).toBe('/sandbox-bank/payment/merchants/rac/payment_ru.html');
    expect(new URL(page.url()).searchParams.get('mdOrder')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.$eval('h1', (el) => el.textContent)).toBe('Оплата заказа');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('button[value=pay]')]);

    // Back on the portal: the status becomes final when the bank's callback has arrived.
    expect(new URL(page.url()).pathname).toBe('/payments/return');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Оплата прошла', {
      timeout: 30_000,
    });
    expect(await page.$eval('[data-testid=payment-result]', (el) => el.textContent)).toMatch(
      /Оплата\s1\s500,00\s₽\sпрошла/,
    );
    expect(await balanceOf(page)).toBe(before - 150_000);
    await page.waitForSelector('[data-testid=balance-after]');

    // The receipt, and the history with the channel and the status.
    await Promise.all([page.waitForNavigation(), page.click('a[href^="/payments/receipt"]')]);
    await page.waitForSelector('[data-testid=receipt]');
    expect(await page.$eval('[data-testid=receipt-total]', (el) => el.textContent)).toMatch(/1\s500,00\s₽/);
    await page.goto(`${origin()}/payments`, { waitUntil: 'networkidle0' });
    const history = await page.waitForSelector('[data-testid=payment-history]');
    expect(await history?.evaluate((el) => el.textContent)).toMatch(/1\s500,00\s₽Оплачено.*Банковская карта на сайте/);
    expect(errors).toEqual([]);
  });
});
