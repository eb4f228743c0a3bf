import { createRequire } from 'node:module';
import puppeteer, { type Browser } from 'puppeteer-core';
import { logger } from '#shared/logger';

/**
 * HTML → A4 PDF with puppeteer-core and the Chromium of @sparticuz/chromium.
 *
 * - One browser per container: launched on the first render (the cold start pays for unpacking
 *   Chromium to /tmp and starting it, ~2 s), then reused by every render of the container's life.
 *   The launch is a module-level promise, so concurrent first renders share it; a browser that
 *   died (Chromium runs single-process, so a crashed page takes it down) is launched anew.
 * - A page per render, closed afterwards; at most RENDER_CONCURRENCY pages at once, so a batch of
 *   bills never opens more pages than the function's CPU and memory can print.
 * - @sparticuz/chromium is loaded with `require`, not a static import: it stays out of the bundle
 *   (shared/bundling.ts), resolves from node_modules locally and from the renderer layer in Lambda
 *   (NODE_PATH), and functions that never render never load it.
 */

/**
 * Two pages at a time. Chromium runs single-process here (Lambda requires it), so every page shares
 * one renderer thread and more pages only queue inside it; a second one overlaps our side (reads,
 * the QR code, CDP round trips) with its printing. `npm run bench` measures 1, 2 and 3.
 */
export const RENDER_CONCURRENCY = 2;

/** The bound in force; the benchmark varies it, nothing else should. */
export const renderSlots = { limit: RENDER_CONCURRENCY };

type ChromiumModule = typeof import('@sparticuz/chromium').default;

let chromiumModule: ChromiumModule | undefined;

function chromium(): ChromiumModule {
  if (!chromiumModule) {
    const mod = createRequire(import.meta.url)('@sparticuz/chromium') as { default: ChromiumModule };
    chromiumModule = mod.default;
    // No WebGL for printing: the SwiftShader libraries are then not even unpacked.
    chromiumModule.setGraphicsMode = false;
  }
  return chromiumModule;
}

let browserPromise: Promise<Browser> | undefined;

async function launch(): Promise<Browser> {
  const started = performance.now();
  const c = chromium();
  const executablePath = await c.executablePath();
  const extracted = performance.now();
  const browser = await puppeteer.launch({
    args: await puppeteer.defaultArgs({ args: c.args, headless: 'shell' }),
    executablePath,
    headless: 'shell',
    // The page is print-only: no viewport emulation beyond A4 at 96 dpi.
    defaultViewport: { width: 794, height: 1123 },
    // Puppeteer's own handlers would exit the process on Ctrl-C before the local runtime has
    // stopped DynamoDB Local; whoever owns the process closes the browser (closeBrowser below).
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  logger.info('Chromium launched', {
    extractMs: Math.round(extracted - started),
    launchMs: Math.round(performance.now() - extracted),
  });
  return browser;
}

/** The container's browser: launched once, relaunched only when the previous one has gone. */
export async function sharedBrowser(): Promise<Browser> {
  const current = browserPromise;
  if (current) {
    const browser = await current.catch(() => undefined);
    if (browser?.connected) return browser;
    // Only the first caller to see the dead browser replaces it; the others get that replacement.
    if (browserPromise === current) browserPromise = undefined;
    if (browserPromise) return browserPromise;
  }
  const next = launch();
  browserPromise = next;
  next.catch(() => {
    if (browserPromise === next) browserPromise = undefined;
  });
  return next;
}

/** Closes the container's browser (tests, the benchmark, the local runtime on shutdown). */
export async function closeBrowser(): Promise<void> {
  const current = browserPromise;
  browserPromise = undefined;
  const browser = await current?.catch(() => undefined);
  await browser?.close().catch(() => undefined);
}

let active = 0;
const waiting: Array<() => void> = [];

async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (active >= renderSlots.limit) await new Promise<void>((resolve) => waiting.push(resolve));
  else active++;
  try {
    return await work();
  } finally {
    // The slot passes straight to the next waiter, so `active` never drops and rises again.
    const next = waiting.shift();
    if (next) next();
    else active--;
  }
}

export interface PdfOptions {
  /** Abort a render that takes longer (a stuck page must not hold a batch until its timeout). */
  timeoutMs?: number;
}

/** Prints a self-contained HTML page (no external resources) to an A4 PDF. */
export function htmlToPdf(html: string, options: PdfOptions = {}): Promise<Uint8Array> {
  const timeout = options.timeoutMs ?? 20_000;
  return withSlot(async () => {
    const browser = await sharedBrowser();
    const page = await browser.newPage();
    try {
      // Everything is inline (fonts and the QR code are data: URLs): `load` means laid out.
      await page.setContent(html, { waitUntil: 'load', timeout });
      return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true, timeout });
    } finally {
      await page.close().catch(() => undefined);
    }
  });
}
