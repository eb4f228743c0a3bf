import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'puppeteer-core';
import { freePort } from '#local/ports';
import { SITE_DIR } from '#local/runtime';
import { serveStatic } from '#local/static';
import { printedUrls, registerResident, type StartedRuntime, startRuntimeProcess } from '#test/support/localRuntime';
import { record } from './figures.ts';
import { percentile } from './support.ts';

// Lighthouse, Vite and the browser are imported when this section runs, not by every bench run.

/**
 * Issue 13, goal 4 (a light site): the JS and CSS each page loads first, raw and gzipped, and
 * Lighthouse 12.2.3's mobile performance (its default: a mid-range phone on slow 4G, simulated)
 * with the project's Chromium. The site runs as `npm start` serves it (the local gateway,
 * compressed as CloudFront does), with demo resident 100001 registered for the cabinet. The floor
 * is a bare Preact + preact-iso page (one heading), built by the same Vite, served by the same
 * server and measured the same way in the same run.
 */

const RESIDENT = {
  account: '100001',
  passport: '1405 123456',
  email: 'bench-site@example.ru',
  password: 'длинная фраза для замера сайта',
};

/** Lighthouse's score moves by a few points between runs: each page is measured this many times. */
const RUNS = Number(process.env.BENCH_SITE_RUNS ?? 3);

const JS_GOAL_KIB = 50;
const PERFORMANCE_GOAL = 95;

const FLOOR_DIR = path.join(SITE_DIR, '..', '..', 'node_modules', '.cache', 'rac-bench-site-floor');

const FLOOR_HTML = `<!doctype html>
<html lang="ru">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>РАЦ</title>
  </head>
  <body>
    <div id="app"></div>
    <script type="module" src="/main.tsx"></script>
  </body>
</html>
`;

const FLOOR_MAIN = `import { render } from 'preact';
import { LocationProvider, Route, Router } from 'preact-iso';

function Page() {
  return <main><h1>Личный кабинет жителя</h1><p>Передавайте показания счётчиков и оплачивайте услуги онлайн.</p></main>;
}

render(
  <LocationProvider><Router><Route default component={Page} /></Router></LocationProvider>,
  document.getElementById('app') as HTMLElement,
);
`;

/** Builds the floor page (under node_modules, so Vite resolves preact from the project). */
async function buildFloor(): Promise<string> {
  mkdirSync(FLOOR_DIR, { recursive: true });
  writeFileSync(path.join(FLOOR_DIR, 'index.html'), FLOOR_HTML);
  writeFileSync(path.join(FLOOR_DIR, 'main.tsx'), FLOOR_MAIN);
  const outDir = path.join(FLOOR_DIR, 'dist');
  const { build } = await import('vite');
  const { default: preact } = await import('@preact/preset-vite');
  await build({
    configFile: false,
    root: FLOOR_DIR,
    logLevel: 'warn',
    plugins: [preact()],
    build: { outDir, emptyOutDir: true, modulePreload: { polyfill: false } },
  });
  return outDir;
}

async function serveDir(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const port = await freePort();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    serveStatic(req, res, dir, url.pathname).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function sessionCookie(runtime: StartedRuntime): Promise<string> {
  await registerResident(runtime, RESIDENT);
  const res = await fetch(`${runtime.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' },
    body: JSON.stringify({ account: RESIDENT.account, password: RESIDENT.password }),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}`);
  return res.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

interface Loaded {
  files: number;
  raw: number;
  gzip: number;
  /** As the server sent them (brotli: Lighthouse's Chromium accepts it). */
  sent: number;
}

interface PageRun {
  score: number;
  fcp: number;
  lcp: number;
  tbt: number;
  cls: number;
  js: Loaded;
  css: Loaded;
  finalUrl: string;
}

type NetworkItem = { url: string; resourceType?: string; transferSize?: number; statusCode?: number };

/** The JS or CSS a page loaded from its own origin, sized from the built files it names. */
function loaded(items: NetworkItem[], origin: string, dir: string, type: 'Script' | 'Stylesheet'): Loaded {
  const result = { files: 0, raw: 0, gzip: 0, sent: 0 };
  for (const item of items) {
    if (item.resourceType !== type || !item.url.startsWith(origin)) continue;
    const content = readFileSync(path.join(dir, new URL(item.url).pathname));
    result.files++;
    result.raw += content.length;
    result.gzip += gzipSync(content, { level: 9 }).length;
    result.sent += item.transferSize ?? 0;
  }
  return result;
}

async function measure(port: number, url: string, dir: string, cookie?: string): Promise<PageRun> {
  const { default: lighthouse } = await import('lighthouse');
  const result = await lighthouse(url, {
    port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance'],
    ...(cookie ? { extraHeaders: { Cookie: cookie } } : {}),
  });
  const lhr = result?.lhr;
  if (!lhr) throw new Error(`Lighthouse returned nothing for ${url}`);
  if (lhr.runtimeError) throw new Error(`Lighthouse failed on ${url}: ${lhr.runtimeError.message}`);
  const audit = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;
  const details = lhr.audits['network-requests']?.details as { items?: NetworkItem[] } | undefined;
  const items = details?.items ?? [];
  const origin = new URL(url).origin;
  return {
    score: Math.round((lhr.categories.performance?.score ?? 0) * 100),
    fcp: audit('first-contentful-paint'),
    lcp: audit('largest-contentful-paint'),
    tbt: audit('total-blocking-time'),
    cls: audit('cumulative-layout-shift'),
    js: loaded(items, origin, dir, 'Script'),
    css: loaded(items, origin, dir, 'Stylesheet'),
    finalUrl: lhr.finalDisplayedUrl,
  };
}

/** The run with the median score of several (Lighthouse's advice for its variance). */
async function medianRun(port: number, url: string, dir: string, cookie?: string): Promise<PageRun> {
  const runs: PageRun[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measure(port, url, dir, cookie));
  const median = percentile(
    runs.map((r) => r.score),
    50,
  );
  return runs.find((r) => r.score === median) as PageRun;
}

/**
 * `npm start` on free ports with its own data folder: it builds web/dist when older than web/src,
 * then loads the demo data, a year of bills included — minutes on two busy cores, longer than the
 * harness waits for a test, so this waits for the «запущен» line itself.
 */
async function startSite(): Promise<StartedRuntime> {
  const runtime = await startRuntimeProcess({ env: { RAC_TEST_MODE: '1' }, waitForHealth: false });
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline) {
    if (runtime.child.exitCode !== null) throw new Error(`npm start exited:\n${runtime.output()}`);
    const printed = runtime.output().includes('Личный кабинет РАЦ запущен') && printedUrls(runtime.output());
    if (printed) return Object.assign(runtime, printed);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await runtime.interrupt();
  throw new Error(`npm start did not come up:\n${runtime.output()}`);
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

export async function benchSite(): Promise<void> {
  console.log(`\nSite: first-load JS/CSS per page and Lighthouse 12.2.3 mobile performance (median of ${RUNS})`);
  const floorDir = await buildFloor();
  const floor = await serveDir(floorDir);
  let runtime: StartedRuntime | undefined;
  let browser: Browser | undefined;
  try {
    runtime = await startSite();
    // The e2e tier's launch: the project's @sparticuz Chromium with its flags.
    const { launchBrowser } = await import('#test/support/browser');
    browser = await launchBrowser();
    const cookie = await sessionCookie(runtime);
    const port = Number(new URL(browser.wsEndpoint()).port);
    // Pages at the site's one address (RAC_PUBLIC_URL, localhost on PORT): another host name is
    // answered by a redirect, which would be measured instead of the page.
    const site = runtime.url.replace('//127.0.0.1:', '//localhost:');
    const pages = [
      { page: 'floor (bare Preact page)', key: 'floor', url: `${floor.url}/`, dir: floorDir },
      { page: 'home /', key: 'home', url: `${site}/`, dir: SITE_DIR },
      { page: 'login /login', key: 'login', url: `${site}/login`, dir: SITE_DIR },
      { page: 'cabinet /account', key: 'cabinet', url: `${site}/account`, dir: SITE_DIR, cookie },
    ];
    const results: Array<{ key: string; page: string; run: PageRun }> = [];
    for (const target of pages) {
      const run = await medianRun(port, target.url, target.dir, target.cookie);
      // A cabinet measured on the login page it was sent to would flatter the figures.
      if (new URL(run.finalUrl).pathname !== new URL(target.url).pathname) {
        throw new Error(`${target.url} ended on ${run.finalUrl}`);
      }
      results.push({ key: target.key, page: target.page, run });
    }
    const floorRun = (results[0] as (typeof results)[number]).run;
    console.table(
      results.map(({ page, run }) => ({
        page,
        'JS files': run.js.files,
        'JS KiB': kib(run.js.raw),
        'JS gzip KiB': kib(run.js.gzip),
        'JS sent KiB (br)': kib(run.js.sent),
        '× floor (gzip)': (run.js.gzip / floorRun.js.gzip).toFixed(2),
        'CSS KiB': kib(run.css.raw),
        'CSS gzip KiB': kib(run.css.gzip),
        performance: run.score,
        '× floor': (run.score / floorRun.score).toFixed(2),
        'FCP ms': Math.round(run.fcp),
        'LCP ms': Math.round(run.lcp),
        'TBT ms': Math.round(run.tbt),
        CLS: run.cls.toFixed(3),
      })),
    );
    for (const { key, run } of results) {
      record('site', `${key}.jsFiles`, run.js.files);
      record('site', `${key}.jsRawBytes`, run.js.raw);
      record('site', `${key}.jsGzipBytes`, run.js.gzip);
      record('site', `${key}.jsSentBytes`, run.js.sent);
      record('site', `${key}.jsGzipRatioToFloor`, run.js.gzip / floorRun.js.gzip);
      record('site', `${key}.cssRawBytes`, run.css.raw);
      record('site', `${key}.cssGzipBytes`, run.css.gzip);
      record('site', `${key}.performance`, run.score);
      record('site', `${key}.performanceRatioToFloor`, run.score / floorRun.score);
      record('site', `${key}.fcpMs`, run.fcp);
      record('site', `${key}.lcpMs`, run.lcp);
      record('site', `${key}.tbtMs`, run.tbt);
      record('site', `${key}.cls`, run.cls);
    }
    const ours = results.slice(1);
    const heaviest = Math.max(...ours.map((r) => r.run.js.gzip));
    const weakest = Math.min(...ours.filter((r) => r.key !== 'login').map((r) => r.run.score));
    console.log(
      `Goal: first-load JS ≤ ${JS_GOAL_KIB} KiB gzipped (heaviest: ${kib(heaviest)} KiB) — ` +
        `${heaviest <= JS_GOAL_KIB * 1024 ? 'met' : 'NOT met'}; ` +
        `performance ≥ ${PERFORMANCE_GOAL} on home and cabinet (lowest: ${weakest}) — ` +
        `${weakest >= PERFORMANCE_GOAL ? 'met' : 'NOT met'}`,
    );
  } catch (error) {
    // What the runtime logged says why a request it served failed.
    if (runtime) console.error(runtime.output().split('\n').slice(-40).join('\n'));
    throw error;
  } finally {
    await browser?.close();
    await floor.close();
    await runtime?.interrupt();
  }
}
