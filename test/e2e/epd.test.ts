import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertPortFree } from '#local/ports';
import { useRuntimeAndBrowser, watchedPage } from '#test/support/browser';
import { runCli } from '#test/support/cli';
import { runtimeEnv } from '#test/support/localRuntime';
import { mailedToken } from '#test/support/mail';

/*
 * A resident prints last month's ЕПД in a real browser against `npm start` (test mode): the demo
 * data billed by the operator's `billing run`, then /epd, the list of billed months, «Скачать PDF», the PDF saved.
 */

describe('Печать квитанций', () => {
  const e2e = useRuntimeAndBrowser({
    env: { RAC_TEST_MODE: '1' },
    prepare: async (runtime) => {
      const billed = await runCli(['billing', 'run'], runtimeEnv(runtime));
      expect(billed.code, billed.output).toBe(0);
    },
  });

  it('a logged-in resident picks a billed month from the list, downloads its PDF, and learns when the next comes', async () => {
    const { page, errors } = await watchedPage(e2e.browser, { phone: false });
    await page.goto(`${e2e.runtime.url}/`, { waitUntil: 'networkidle0' });

    // Registration through the API from the page itself (the auth e2e covers its screens).
    const email = 'ivanova.epd@example.ru';
    const registered = await page.evaluate(async (address) => {
      const headers = { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' };
      const captcha = await (await fetch('/api/captcha')).json();
      const res = await fetch('/api/auth/register', {
        method: 'POST',
        headers,
        body: JSON.stringify({
          account: '100001',
          passport: '1405 123456',
          email: address,
          consent: true,
          captchaId: captcha.id,
          captchaAnswer: captcha.answer,
        }),
      });
      return res.status;
    }, email);
    expect(registered).toBe(202);
    const token = await mailedToken(email, '/confirm', e2e.runtime.sesUrl);
    expect(token).toBeDefined();
    const confirmed = await page.evaluate(async (t) => {
      const res = await fetch('/api/auth/confirm', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' },
        body: JSON.stringify({ token: t, password: 'квитанция за прошлый месяц' }),
      });
      return res.status;
    }, token);
    expect(confirmed).toBe(200);

    const downloads = mkdtempSync(path.join(tmpdir(), 'rac-epd-'));
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });

    await page.goto(`${e2e.runtime.url}/epd`, { waitUntil: 'networkidle0' });
    expect(await page.$eval('h1', (el) => el.textContent)).toBe('Печать квитанций');
    expect(await page.$eval('.notice a[href="/profile"]', (el) => el.textContent)).toBe('профиле');

    // The months that have a bill, newest first: the first row is last month's.
    await page.waitForSelector('[data-testid=epd-list] button');
    const periods = await page.$$eval('[data-testid=epd-list] button', (els) => els.map((el) => el.dataset.period));
    expect(periods.length).toBeGreaterThan(1);
    expect([...periods].sort().reverse()).toEqual(periods);
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/epd/'));
    await page.click('[data-testid=epd-list] button');
    const response = await answered;
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('application/pdf');
    await page.waitForSelector('[data-testid=epd-download]');
    const name = await page.$eval('[data-testid=epd-download]', (el) => el.getAttribute('download'));
    expect(name).toMatch(/^EPD-100001-\d{4}-\d{2}\.pdf$/);

    let saved: string | undefined;
    for (let i = 0; i < 40 && !saved; i++) {
      saved = readdirSync(downloads).find((f) => f === name);
      if (!saved) await new Promise((r) => setTimeout(r, 250));
    }
    expect(saved).toBe(name);
    expect(
      readFileSync(path.join(downloads, saved as string))
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');

    expect(name).toBe(`EPD-100001-${periods[0]}.pdf`);
    // The month not billed yet is not offered: the page says why and when it comes.
    expect(await page.$eval('[data-testid=epd-next]', (el) => el.textContent)).toMatch(
      /пока нет: начисления за месяц делаются после его окончания\. Она будет сформирована \d+ [а-я]+ \d{4}/,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('stops everything on Ctrl-C after a bill was rendered, DynamoDB Local included', async () => {
    expect(await e2e.runtime.interrupt()).toBe(0);
    await expect(assertPortFree(e2e.runtime.dynamoPort, 'DynamoDB')).resolves.toBeUndefined();
  });
});
