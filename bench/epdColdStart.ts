/**
 * One cold start of the ЕПД renderer, run by bench/epd.ts in a fresh process whose TMPDIR is an
 * empty folder: Chromium is unpacked from its Brotli files as in a new Lambda container, then
 * launched, then the first bill printed. Prints its figures as JSON.
 */
import { createRequire } from 'node:module';
import { renderEpd } from '#shared/epd/bill';
import { buildEpd } from '#shared/epd/model';
import { closeBrowser, sharedBrowser } from '#shared/epd/render';
import { fixtureSource } from '../test/support/epdFixture.ts';

const t0 = performance.now();
const chromium = (
  createRequire(import.meta.url)('@sparticuz/chromium') as { default: { executablePath(): Promise<string> } }
).default;
await chromium.executablePath();
const t1 = performance.now();
await sharedBrowser();
const t2 = performance.now();
const epd = buildEpd(fixtureSource());
if (!epd) throw new Error('fixture not billed');
await renderEpd(epd);
const t3 = performance.now();
await closeBrowser();
console.log(JSON.stringify({ extractMs: t1 - t0, launchMs: t2 - t1, firstRenderMs: t3 - t2 }));
