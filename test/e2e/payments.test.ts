import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedRuntime, startRuntimeProcess } from '#test/support/localRuntime';

/*
 * Paying the debt in a real browser against `npm start`: a registered resident logs in, pays on
 * the sandbox bank's page, comes back to the portal and sees the payment succeed and the balance
 * drop. The browser uses the public origin (localhost), which the bank's return URL points to.
 */

const RESIDENT = { account: '100005', passport: '1412 778899', email: 'belousova@example.ru' };
const PASSWORD = 'оплата картой в песочнице';

interface StoredMail {
  destination: { to: string[] };
  body: { text?: string };
}

describe('paying by card in the browser', () => {
  let runtime: StartedRuntime;
  let browser: Browser;
  let origin: string;

  /** Registers through the API as the register page would, and sets the password from the mailed link. */
  async function registerResident(): Promise<void> {
    const api = (path: string, body?: unknown) =>
      fetch(`${runtime.url}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const captcha = (await (await api('/api/captcha')).json()) as { id: string; answer: string };
    const registered = await api('/api/auth/register', {
      ...RESIDENT,
      consent: true,
      captchaId: captcha.id,
      captchaAnswer: captcha.answer,
    });
    expect(registered.status).toBe(202);
    let token: string | undefined;
    for (let attempt = 0; attempt < 40 && !token; attempt++) {
      const store = (await (await fetch(`${runtime.sesUrl}/store`)).json()) as { emails: StoredMail[] };
      const mail = store.emails.find((m) => m.destination.to.includes(RESIDENT.email));
      token = /\/confirm\?token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
      if (!token) await new Promise((r) => setTimeout(r, 250));
    }
    expect((await api('/api/auth/confirm', { token, password: PASSWORD })).status).toBe(200);
  }

  async function fill(page: Page, selector: string, text: string) {
    await page.click(selector, { count: 3 });
    await page.keyboard.press('Backspace');
    await page.type(selector, text);
  }

  const balanceOf = (page: Page) =>
    page.evaluate(
      async () => ((await (await fetch('/api/me')).json()) as { balance: { total: number } }).balance.total,
    );

  beforeAll(async () => {
    runtime = await startRuntimeProcess({ env: { RAC_TEST_MODE: '1' } });
    origin = runtime.url.replace('127.0.0.1', 'localhost');
    await registerResident();
    browser = await puppeteer.launch({
      args: [...chromium.args, '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      executablePath: await chromium.executablePath(),
      headless: true,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.interrupt();
  });

  it('logs in, pays 1 500 ₽ on the bank page, and sees the payment succeed and the balance drop', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 390, height: 844 });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    await page.goto(`${origin}/login`, { waitUntil: 'networkidle0' });
    await fill(page, 'input[name=account]', RESIDENT.account);
    await fill(page, 'input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForFunction(() => location.pathname === '/account' && document.querySelector('[data-testid=owner]'));
    // Before the login the session probe answers 401, which the browser logs; from here on, nothing may fail.
    errors.length = 0;
    const before = await balanceOf(page);

    await page.goto(`${origin}/payments`, { waitUntil: 'networkidle0' });
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
    expect(await page.$eval('[data-testid=payment-result]', (el) => el.textContent)).toMatch(/зачислено\s1\s500,00\s₽/);
    expect(await balanceOf(page)).toBe(before - 150_000);
    await page.waitForSelector('[data-testid=balance-after]');

    // The receipt, and the history with the channel and the status.
    await Promise.all([page.waitForNavigation(), page.click('a[href^="/payments/receipt"]')]);
    await page.waitForSelector('[data-testid=receipt]');
    expect(await page.$eval('[data-testid=receipt-total]', (el) => el.textContent)).toMatch(/1\s500,00\s₽/);
    await page.goto(`${origin}/payments`, { waitUntil: 'networkidle0' });
    const history = await page.waitForSelector('[data-testid=payment-history]');
    expect(await history?.evaluate((el) => el.textContent)).toMatch(/1\s500,00\s₽Оплачено.*Банковская карта на сайте/);
    expect(errors).toEqual([]);
  });
});
