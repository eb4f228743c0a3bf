import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxePuppeteer } from '@axe-core/puppeteer';
import type { Browser, Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { fill, useRuntimeAndBrowser } from '#test/support/browser';
import { ROOT } from '#test/support/cli';
import { registerResident, type StartedRuntime } from '#test/support/localRuntime';
import { PAGES, type PageId } from '../../web/src/routes';

/**
 * Every page of the site through axe-core (WCAG 2.1 A and AA) in a real browser against
 * `npm start`, logged out and logged in, on a phone (390 px) and a desktop (1280 px): no
 * violation is allowed. A full-page screenshot of each is written to reports/screenshots/ (git
 * ignored) for a reviewer to look at; the folder is printed at the end.
 *
 * The clock is pinned inside the reading window (26 November 2026), so /readings shows its form.
 * One runtime, one browser, the pages in sequence: the whole walk takes a couple of minutes.
 */
const NOW = '2026-11-26T12:00:00+03:00';
const RESIDENT = { account: '100003', passport: '1410 246810', email: 'sidorenko-a11y@example.ru' };
const PASSWORD = 'доступность для всех жителей';
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const WIDTHS = [390, 1280] as const;
const SCREENSHOTS = path.join(ROOT, 'reports', 'screenshots');

const HEADERS = { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' };

/** A payment without login opened at the sandbox bank (not paid): /pay/result shows it pending. */
async function guestPayment(runtime: StartedRuntime): Promise<string> {
  const captcha = (await (await fetch(`${runtime.url}/api/captcha`)).json()) as { id: string; answer: string };
  const res = await fetch(`${runtime.url}/api/pay`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ account: '100002', amount: 50_000, captchaId: captcha.id, captchaAnswer: captcha.answer }),
  });
  if (res.status !== 201) throw new Error(`POST /api/pay answered ${res.status}`);
  return ((await res.json()) as { id: string }).id;
}

interface Visit {
  /** Screenshot name and the label in a failure. */
  name: string;
  path: string;
  /** Shown as printed (the receipt and the bill the resident prints). */
  print?: boolean;
}

/** The pages of web/src/routes.ts a visitor without a session can open, plus the 404 page. */
function loggedOutVisits(guestPaymentId: string): Visit[] {
  const query: Partial<Record<PageId, string>> = { 'pay-result': `?id=${guestPaymentId}` };
  return [
    ...PAGES.filter((page) => !('requiresLogin' in page)).map((page) => ({
      name: page.id,
      path: `${page.path}${query[page.id] ?? ''}`,
    })),
    { name: 'not-found', path: '/no-such-page' },
  ];
}

/** Every page again with a session: the cabinet's own pages and the public ones as a resident sees them. */
function loggedInVisits(paymentId: string): Visit[] {
  const query: Partial<Record<PageId, string>> = {
    'payment-return': `?id=${paymentId}`,
    'payment-receipt': `?id=${paymentId}`,
  };
  const shown: PageId[] = ['home', 'support', 'news', 'tariffs'];
  return [
    ...PAGES.filter((page) => 'requiresLogin' in page || shown.includes(page.id)).map((page) => ({
      name: page.id,
      path: `${page.path}${query[page.id] ?? ''}`,
    })),
    { name: 'payment-receipt-print', path: `/payments/receipt?id=${paymentId}`, print: true },
  ];
}

/** The page has drawn its data: a heading, no «Загрузка…», a robot check that has done its work. */
async function settled(page: Page, name: string): Promise<void> {
  await page.waitForSelector('h1');
  await page.waitForFunction(
    () =>
      !/Загрузка|Загружаем/.test(document.querySelector('main')?.textContent ?? '') &&
      [...document.querySelectorAll('.captcha')].every((el) =>
        ['verified', 'error', 'code', 'expired'].includes(el.getAttribute('data-state') ?? ''),
      ),
    { timeout: 30_000 },
  );
  const captchas = await page.$$eval('.captcha', (els) => els.map((el) => el.textContent ?? ''));
  for (const text of captchas) {
    if (!text.includes('Проверка пройдена')) throw new Error(`${name}: the robot check did not pass: ${text}`);
  }
}

async function check(context: Browser, origin: string, visit: Visit, width: number, folder: string): Promise<string[]> {
  const page = await context.newPage();
  try {
    await page.setViewport({ width, height: width < 600 ? 844 : 900 });
    if (visit.print) await page.emulateMediaType('print');
    await page.goto(`${origin}${visit.path}`, { waitUntil: 'networkidle0' });
    await settled(page, visit.name);
    await page.screenshot({ path: path.join(folder, `${visit.name}.png`), fullPage: true });
    const results = await new AxePuppeteer(page).withTags(TAGS).analyze();
    return results.violations.map(
      (v) =>
        `${path.basename(path.dirname(folder))}/${visit.name} @ ${width}px: ${v.id} (${v.impact}) — ${v.help}: ` +
        v.nodes
          .map((n) => `${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, ' ')}]` : ''}`)
          .join('; '),
    );
  } finally {
    await page.close();
  }
}

/** Logs in through the login page, so every later page of the browser has the session. */
async function logInBrowser(context: Browser, origin: string): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${origin}/login`, { waitUntil: 'networkidle0' });
  await fill(page, 'input[name=account]', RESIDENT.account);
  await fill(page, 'input[name=password]', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await page.close();
}

/** A card payment of 1 000 ₽ through the sandbox bank, as the resident makes it: its id. */
async function payByCard(context: Browser, origin: string): Promise<string> {
  const page = await context.newPage();
  const created = (await page.goto(`${origin}/payments`, { waitUntil: 'networkidle0' }).then(() =>
    page.evaluate(async (headers) => {
      const res = await fetch('/api/payments', { method: 'POST', headers, body: JSON.stringify({ amount: 100_000 }) });
      return (await res.json()) as { id: string; paymentUrl: string };
    }, HEADERS),
  )) as { id: string; paymentUrl: string };
  await page.goto(created.paymentUrl, { waitUntil: 'networkidle0' });
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('button[value=pay]')]);
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Оплата прошла', { timeout: 30_000 });
  await page.close();
  return created.id;
}

describe('accessibility of every page (axe-core, WCAG 2.1 AA)', () => {
  const e2e = useRuntimeAndBrowser({
    env: { RAC_TEST_MODE: '1', RAC_NOW: NOW },
    prepare: (runtime) => registerResident(runtime, { ...RESIDENT, password: PASSWORD }),
  });
  // The public address: the bank returns the resident there, and the session cookie lives there.
  const origin = () => e2e.runtime.url.replace('127.0.0.1', 'localhost');

  /*
   * The browser's default context for both walks: @sparticuz/chromium runs single-process, where a
   * second browser context crashes it. Each walk sets its own cookies first (none, or a login).
   */
  async function walk(who: 'visitor' | 'resident', visits: () => Promise<Visit[]>): Promise<string[]> {
    const cookies = await e2e.browser.cookies();
    if (cookies.length > 0) await e2e.browser.deleteCookie(...cookies);
    const list = await visits();
    const found: string[] = [];
    for (const width of WIDTHS) {
      const folder = path.join(SCREENSHOTS, who, `${width}`);
      mkdirSync(folder, { recursive: true });
      for (const visit of list) found.push(...(await check(e2e.browser, origin(), visit, width, folder)));
    }
    return found;
  }

  it('finds no violation on any page a visitor opens without logging in, at 390 and 1280 px', async () => {
    const id = await guestPayment(e2e.runtime);
    const violations = await walk('visitor', async () => loggedOutVisits(id));
    expect(violations).toEqual([]);
    console.info(`Screenshots of the pages without login: ${path.join(SCREENSHOTS, 'visitor')}`);
  }, 240_000);

  it('finds no violation on any page of the cabinet, at 390 and 1280 px', async () => {
    const violations = await walk('resident', async () => {
      await logInBrowser(e2e.browser, origin());
      return loggedInVisits(await payByCard(e2e.browser, origin()));
    });
    expect(violations).toEqual([]);
    console.info(`Screenshots of the cabinet's pages: ${path.join(SCREENSHOTS, 'resident')}`);
  }, 240_000);
});
