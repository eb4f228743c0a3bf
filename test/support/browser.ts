import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
import { type StartedRuntime, startRuntimeProcess } from '#test/support/localRuntime';

/**
 * The e2e set-up: `npm start` as a user runs it, and a headless Chromium (the same @sparticuz
 * build the ЕПД renderer uses, so no second browser download) pointed at it.
 */
export interface BrowserRun {
  runtime: StartedRuntime;
  browser: Browser;
}

/**
 * Starts the runtime and the browser before the describe block's tests and stops both after them.
 * `prepare` runs between the two (registering a resident, an operator's billing run). The fields
 * of the returned object are set once the block's beforeAll has run.
 */
export function useRuntimeAndBrowser(
  options: { env?: Record<string, string>; prepare?: (runtime: StartedRuntime) => Promise<void> } = {},
): BrowserRun {
  const run = {} as BrowserRun;
  beforeAll(async () => {
    run.runtime = await startRuntimeProcess(options.env ? { env: options.env } : {});
    await options.prepare?.(run.runtime);
    run.browser = await launchBrowser();
  });
  afterAll(async () => {
    await run.browser?.close();
    await run.runtime?.interrupt();
  });
  return run;
}

/** Headless and quiet: no background traffic to Google that could slow or flake a test. */
export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    args: [...chromium.args, '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    executablePath: await chromium.executablePath(),
    headless: true,
  });
}

/**
 * A new page that records what went wrong in it, for a test to assert empty at the end: uncaught
 * errors, and with `consoleErrors` also what the page logged as an error. Phone-sized by default,
 * as residents mostly visit.
 */
export async function watchedPage(
  browser: Browser,
  options: { phone?: boolean; consoleErrors?: boolean } = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  if (options.phone !== false) await page.setViewport({ width: 390, height: 844 });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  if (options.consoleErrors) {
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
  }
  return { page, errors };
}

/**
 * Makes the page record every Content-Security-Policy violation (an inline style or script) from
 * its next navigation on; the returned function reads them.
 */
export async function recordCspViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluateOnNewDocument(() => {
    (globalThis as unknown as { cspViolations: string[] }).cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      (globalThis as unknown as { cspViolations: string[] }).cspViolations.push(
        `${event.violatedDirective} ${event.blockedURI}`,
      );
    });
  });
  return () => page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations);
}

/** Replaces a field's value as a person does: select all, delete, type. */
export async function fill(page: Page, selector: string, text: string): Promise<void> {
  await page.click(selector, { count: 3 });
  await page.keyboard.press('Backspace');
  await page.type(selector, text);
}

/** Logs in on the site's login page, as a resident types it; `next` is where the site goes afterwards. */
export async function logIn(
  page: Page,
  origin: string,
  resident: { account: string; password: string },
  next?: string,
): Promise<void> {
  await page.goto(`${origin}/login${next ? `?next=${next}` : ''}`, { waitUntil: 'networkidle0' });
  await fill(page, 'input[name=account]', resident.account);
  await fill(page, 'input[name=password]', resident.password);
  await page.click('button[type=submit]');
}
