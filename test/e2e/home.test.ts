import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logIn, useRuntimeAndBrowser, watchedPage } from '#test/support/browser';
import { runCli } from '#test/support/cli';
import { registerResident, runtimeEnv } from '#test/support/localRuntime';

/*
 * The cabinet's first screen in a real browser against `npm start` (test mode): an account the
 * operator has just imported says «Начислений пока нет»; after the operator's billing run it shows
 * the amount and «Оплатить». Pages asked for on 127.0.0.1 go to the one address (localhost); the
 * printed receipt is the receipt alone.
 */

const RESIDENT = {
  account: '200001',
  passport: '1420 200001',
  email: 'novoselov.home@example.ru',
  password: 'первая квитанция придёт потом',
};
/** Pays in the receipt test: its own account, so the first test's «nothing billed» holds in any order. */
const PAYER = {
  account: '200002',
  passport: '1420 200002',
  email: 'platova.home@example.ru',
  password: 'квитанция об оплате на бумаге',
};

describe('the cabinet home', () => {
  const e2e = useRuntimeAndBrowser({
    env: { RAC_TEST_MODE: '1' },
    prepare: async (runtime) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'rac-home-'));
      const file = path.join(dir, 'accounts.csv');
      writeFileSync(
        file,
        'account;owner;passport;address;area;residents\n' +
          `${RESIDENT.account};Новосёлов Пётр Ильич;${RESIDENT.passport};мкр. Жукова, д. 30, кв. 1;42,5;2\n` +
          `${PAYER.account};Платова Нина Олеговна;${PAYER.passport};мкр. Жукова, д. 30, кв. 2;42,5;1\n`,
      );
      const imported = await runCli(['import', 'accounts', file], runtimeEnv(runtime));
      expect(imported.code, imported.output).toBe(0);
      await registerResident(runtime, RESIDENT);
      await registerResident(runtime, PAYER);
    },
  });
  const origin = () => e2e.runtime.url.replace('127.0.0.1', 'localhost');

  /** A new page, logged in as `resident` (whoever the browser was logged in as before), on the cabinet home. */
  async function cabinetOf(resident: { account: string; password: string }, options: { phone?: boolean } = {}) {
    const { page, errors } = await watchedPage(e2e.browser, options);
    await page.goto(`${origin()}/`, { waitUntil: 'networkidle0' });
    await page.evaluate(() =>
      fetch('/api/auth/logout', { method: 'POST', headers: { 'x-requested-with': 'XMLHttpRequest' } }),
    );
    await logIn(page, origin(), resident);
    await page.waitForFunction(
      () => location.pathname === '/account' && document.querySelector('[data-testid=home-due]'),
    );
    return { page, errors, close: () => page.close() };
  }

  it('says «Начислений пока нет» before the first bill, then the amount and «Оплатить» after the billing run', async () => {
    const { page, errors, close } = await cabinetOf(RESIDENT);
    const text = (selector: string) => page.$eval(selector, (el) => el.textContent?.replace(/\s+/g, ' ').trim());
    expect(await text('[data-testid=balance-total]')).toBe('Начислений пока нет');
    expect(await text('[data-testid=home-due]')).toMatch(/Первая квитанция — за [а-я]+ \d{4}, будет сформирована/);
    expect(await text('[data-testid=home-bill]')).toContain('Квитанций пока нет');
    expect(await page.$('[data-testid=pay-button]')).toBeNull();
    expect(await text('[data-testid=home-window]')).toMatch(/Приём показаний (открыт|за [а-я]+ \d{4} откроется)/);

    const billed = await runCli(['billing', 'run'], runtimeEnv(e2e.runtime));
    expect(billed.code, billed.output).toBe(0);
    await page.goto(`${origin()}/account`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('[data-testid=pay-button]');
    expect(await text('[data-testid=balance-total]')).toMatch(/^Задолженность: [\d\s]+,\d{2} ₽$/);
    expect(await text('[data-testid=pay-by]')).toMatch(/^Оплатить до \d+ [а-я]+ \d{4} г\.$/);
    expect(await page.$eval('[data-testid=latest-bill]', (el) => el.getAttribute('href'))).toMatch(
      /^\/api\/epd\/\d{4}-\d{2}$/,
    );
    expect(errors).toEqual([]);
    await close();
  });

  it('sends a page asked for on another host name to the one address, and leaves the API alone', async () => {
    const { page } = await watchedPage(e2e.browser);
    const response = await page.goto(`${e2e.runtime.url}/readings/quick?from=mail`, { waitUntil: 'networkidle0' });
    const chain = response?.request().redirectChain() ?? [];
    expect(chain[0]?.response()?.status()).toBe(308);
    expect(page.url()).toBe(`${origin()}/readings/quick?from=mail`);
    expect((await fetch(`${e2e.runtime.url}/api/health`, { redirect: 'manual' })).status).toBe(200);
    await page.close();
  });

  it('prints a receipt alone: no buttons, no menu, with the payee’s requisites and the period paid', async () => {
    const { page, errors, close } = await cabinetOf(PAYER, { phone: false });
    const created = await page.evaluate(async () => {
      const res = await fetch('/api/payments', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' },
        body: JSON.stringify({ amount: 10_000 }),
      });
      return (await res.json()) as { id: string; paymentUrl: string };
    });
    const paid = await fetch(created.paymentUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'pay' }),
      redirect: 'manual',
    });
    expect(paid.status).toBeLessThan(400);
    await page.waitForFunction(
      async (id) => (await (await fetch(`/api/payments/${id}`)).json()).status === 'succeeded',
      { timeout: 30_000, polling: 500 },
      created.id,
    );

    // Another page's stylesheet first: the print rule must win whatever order they came in.
    await page.goto(`${origin()}/payments`, { waitUntil: 'networkidle0' });
    await page.goto(`${origin()}/payments/receipt?id=${encodeURIComponent(created.id)}`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('[data-testid=receipt]');
    expect(await page.$eval('[data-testid=receipt-payee]', (el) => el.textContent)).toMatch(
      /ИНН\s3128012340, КПП\s312801001.*БИК\s041403999/s,
    );
    expect(await page.$eval('[data-testid=receipt-periods]', (el) => el.textContent)).toMatch(/[а-я]+ \d{4}/);
    const display = (selector: string) => page.$eval(selector, (el) => getComputedStyle(el).display);
    expect(await display('[data-testid=receipt-actions]')).not.toBe('none');

    await page.emulateMediaType('print');
    expect(await display('[data-testid=receipt-actions]')).toBe('none');
    expect(await display('.site-header')).toBe('none');
    expect(await display('.site-footer')).toBe('none');
    expect(await display('[data-testid=receipt]')).not.toBe('none');
    expect(await page.$$eval('button', (els) => els.filter((el) => el.offsetParent !== null).length)).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });
});
