import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { fill, logIn, useRuntimeAndBrowser, watchedPage } from '#test/support/browser';
import { mailsTo } from '#test/support/mail';

/*
 * A resident's first visit, in a real browser against `npm start` in test mode: registration (the
 * robot check solved by the ALTCHA widget in the page), the mailed link, the
 * account page, logout and login, and the login detour of a protected page.
 */

interface Resident {
  account: string;
  passport: string;
  email: string;
  password: string;
  owner: string;
}

describe('registration and login in the browser', () => {
  const e2e = useRuntimeAndBrowser({ env: { RAC_TEST_MODE: '1' } });

  /**
   * A phone-sized page. Its robot check is the real ALTCHA widget under the site's CSP: the test
   * waits for the browser to finish the proof of work, as a resident's page would.
   */
  async function phonePage(): Promise<{ page: Page; robotCheckDone: () => Promise<void>; errors: string[] }> {
    const { page, errors } = await watchedPage(e2e.browser);
    const robotCheckDone = async () => {
      await page.waitForSelector('.captcha[data-state=verified]', { timeout: 60_000 });
    };
    return { page, robotCheckDone, errors };
  }

  /** The newest mailed link to `path` for the address, on this runtime's origin. */
  async function mailedLink(address: string, path: string): Promise<string> {
    const pattern = new RegExp(`https?://\\S+?(${path}\\?token=[A-Za-z0-9_-]+)`);
    for (let attempt = 0; attempt < 40; attempt++) {
      const mails = (await mailsTo(address, e2e.runtime.sesUrl)).reverse();
      for (const mail of mails) {
        const match = pattern.exec(mail.body.text ?? '');
        if (match?.[1]) return `${e2e.runtime.url}${match[1]}`;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`no ${path} link mailed to ${address}`);
  }

  async function register(session: Awaited<ReturnType<typeof phonePage>>, who: Resident) {
    const { page, robotCheckDone } = session;
    await page.goto(`${e2e.runtime.url}/register`, { waitUntil: 'networkidle0' });
    await fill(page, 'input[name=account]', who.account);
    await fill(page, 'input[name=passport]', who.passport);
    await fill(page, 'input[name=email]', who.email);
    await page.click('input[name=consent]');
    await robotCheckDone();
    await page.click('button[type=submit]');
    const sent = await page.waitForSelector('[data-testid=register-sent]');
    expect(await sent?.evaluate((el) => el.textContent)).toContain(who.email);

    await page.goto(await mailedLink(who.email, '/confirm'), { waitUntil: 'networkidle0' });
    await fill(page, 'input[name=password]', who.password);
    await fill(page, 'input[name=repeat]', who.password);
    await page.click('button[type=submit]');
    await page.waitForFunction(() => location.pathname === '/account' && document.querySelector('[data-testid=owner]'));
  }

  const text = (page: Page, selector: string) => page.$eval(selector, (el) => el.textContent ?? '');

  it('registers by the mailed link, shows the account, logs out and logs in again', async () => {
    const petrov: Resident = {
      account: '100002',
      passport: '1407 654321',
      email: 'petrov@example.ru',
      password: 'тёплый дом на Олимпийском',
      owner: 'Петров Сергей Николаевич',
    };
    const session = await phonePage();
    const { page } = session;
    await register(session, petrov);

    expect(await text(page, 'h1')).toContain(petrov.account);
    expect(await text(page, '[data-testid=owner]')).toBe(petrov.owner);
    // The home's money card loads after the page (GET /api/home); a new account has no bill yet.
    await page.waitForSelector('[data-testid=balance-total]');
    expect(await text(page, '[data-testid=balance-total]')).toMatch(/Начислений пока нет|₽/);
    expect(await text(page, '[data-testid=session-account]')).toContain('Петров');

    await page.click('.site-header__session button');
    await page.waitForFunction(() => location.pathname === '/' && document.querySelector('.site-header__login'));
    expect(await page.evaluate(async () => (await fetch('/api/me')).status)).toBe(401);

    await logIn(page, e2e.runtime.url, petrov);
    await page.waitForFunction(() => location.pathname === '/account' && document.querySelector('[data-testid=owner]'));
    expect(await text(page, '[data-testid=owner]')).toBe(petrov.owner);
    expect(session.errors).toEqual([]);
    await page.close();
  });

  it('sends a guest from a protected page to the login, says what went wrong, and comes back after login', async () => {
    const sidorenko: Resident = {
      account: '100003',
      passport: '1410 246810',
      email: 'sidorenko@example.ru',
      password: 'сирень у третьего дома',
      owner: 'Сидоренко Анна Викторовна',
    };
    const session = await phonePage();
    const { page } = session;
    await register(session, sidorenko);
    // «Выйти» from a private page leads home and stays there: no login form once the session ends.
    await page.click('.site-header__session button');
    await page.waitForFunction(() => location.pathname === '/' && document.querySelector('.site-header__login'));
    await page.waitForNetworkIdle();
    expect(new URL(page.url()).pathname).toBe('/');

    await page.goto(`${e2e.runtime.url}/profile`, { waitUntil: 'networkidle0' });
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/profile');

    await fill(page, 'input[name=account]', sidorenko.account);
    await fill(page, 'input[name=password]', 'не тот пароль');
    await page.click('button[type=submit]');
    await page.waitForSelector('.form-alert .alert--error');
    expect(await text(page, '.form-alert')).toContain('Неверный номер лицевого счёта или пароль');

    await fill(page, 'input[name=password]', sidorenko.password);
    await page.click('button[type=submit]');
    await page.waitForFunction(
      () => location.pathname === '/profile' && document.querySelector('[data-testid=profile-email]'),
    );
    expect(await text(page, '[data-testid=profile-email]')).toBe(sidorenko.email);
    expect(await text(page, '[data-testid=consent-version]')).toMatch(/^\d{4}-\d{2}$/);
    expect(session.errors).toEqual([]);
    await page.close();
  });
});
