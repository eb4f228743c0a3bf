import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { assertPortFree } from '#local/ports';
import { useRuntimeAndBrowser, watchedPage } from '#test/support/browser';
import { startRuntimeProcess, waitForExit } from '#test/support/localRuntime';

describe('npm start, as a new user runs it', () => {
  const e2e = useRuntimeAndBrowser();

  it('renders the home page in Russian and reaches /api/health through the same origin', async () => {
    const { page, errors } = await watchedPage(e2e.browser);
    await page.goto(`${e2e.runtime.url}/`, { waitUntil: 'networkidle0' });
    expect(await page.$eval('html', (el) => el.lang)).toBe('ru');
    expect(await page.$eval('h1', (el) => el.textContent)).toMatch(/[А-Яа-я]/);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="api-status"]')?.textContent?.includes('Сервис работает'),
      { timeout: 15_000 },
    );
    const health = await page.evaluate(async () => (await fetch('/api/health')).json());
    expect(health).toEqual({ status: 'ok' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('routes client-side pages and shows a 404 page for unknown ones', async () => {
    const page = await e2e.browser.newPage();
    await page.goto(`${e2e.runtime.url}/no-such-page`, { waitUntil: 'networkidle0' });
    expect(await page.$eval('main', (el) => el.textContent)).toContain('Страница не найдена');
    await page.close();
  });

  it('prints where mail goes, and the mail UI answers', async () => {
    expect(e2e.runtime.output()).toContain('/store');
    const store = await fetch(`${e2e.runtime.sesUrl}/store`);
    expect(store.status).toBe(200);
  });
});

describe('npm start failure modes and restarts', () => {
  it('says which port is taken and exits non-zero', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const runtime = await startRuntimeProcess({ env: { PORT: String(port) }, waitForHealth: false });
    const code = await waitForExit(runtime.child, 60_000);
    blocker.close();
    expect(code).not.toBe(0);
    expect(runtime.output()).toContain(`Порт ${port} занят`);
    // Everything it had started (DynamoDB Local, the SES emulator) is stopped again.
    await expect(assertPortFree(runtime.dynamoPort, 'DynamoDB')).resolves.toBeUndefined();
  });

  it('stops every child on Ctrl-C and reuses its data on the next start', async () => {
    const first = await startRuntimeProcess();
    expect(await first.interrupt()).toBe(0);
    await expect(assertPortFree(first.dynamoPort, 'DynamoDB')).resolves.toBeUndefined();
    const second = await startRuntimeProcess({ dataDir: first.dataDir });
    try {
      expect(second.output()).not.toContain('Созданы таблицы');
    } finally {
      await second.interrupt();
    }
    expect(first.output()).toContain('Созданы таблицы');
  });
});
