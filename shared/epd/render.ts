import { createRequire } from 'node:module';
import type { Browser, CDPSession, Page, PDFOptions, Protocol, PuppeteerNode } from 'puppeteer-core';
import { logger } from '#shared/logger';

/**
 * HTML → A4 PDF with puppeteer-core and the Chromium of @sparticuz/chromium.
 *
 * - One browser per container: launched on the first render (the cold start pays for unpacking
 *   Chromium to /tmp and starting it, ~2 s), then reused by every render of the container's life.
 *   The launch is a module-level promise, so concurrent first renders share it; a browser that
 *   died (Chromium runs single-process, so a crashed page takes it down) is launched anew.
 * - A page per render slot, kept open and reused: at most RENDER_CONCURRENCY pages, so a batch of
 *   bills never opens more pages than the function's CPU and memory can print. Opening a page,
 *   loading a new document and decoding the embedded fonts again cost more than the printing
 *   itself (`npm run bench`); so a page loads a document's <head> (styles, fonts) once, and each
 *   bill then only replaces the <body> and the title (`printDocument`).
 * - The page shows nothing on screen (`SCREEN_HIDDEN`): printToPDF lays the document out anew at
 *   the paper's width with print media whatever the screen showed, so a screen layout, paint and
 *   raster of each new body (and the screen layout restored after every print) were pure waste —
 *   a fifth of a print's CPU (`npm run bench`). The fonts are therefore loaded up front, once per
 *   page: with nothing laid out on screen, no text would ask for them before the print.
 * - @sparticuz/chromium and puppeteer-core are loaded with `require`, not a static import: they
 *   stay out of the bundle (shared/bundling.ts), resolve from node_modules locally and from the
 *   renderer layer in Lambda (NODE_PATH, which an ES module `import` would not search), and a cold
 *   start that renders nothing never loads them (puppeteer-core alone is ~0.9 MB of bundle).
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

let puppeteerModule: PuppeteerNode | undefined;

function puppeteer(): PuppeteerNode {
  puppeteerModule ??= (createRequire(import.meta.url)('puppeteer-core') as { default: PuppeteerNode }).default;
  return puppeteerModule;
}

let browserPromise: Promise<Browser> | undefined;

async function launch(): Promise<Browser> {
  const started = performance.now();
  const c = chromium();
  const executablePath = await c.executablePath();
  const extracted = performance.now();
  const browser = await puppeteer().launch({
    args: await puppeteer().defaultArgs({ args: c.args, headless: 'shell' }),
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
  idle.length = 0;
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

/**
 * What every bill is printed with, as page.pdf() options (printDocument sends the same as
 * PRINT_TO_PDF below); the benchmark's bare page.pdf() floor uses them.
 */
export const PDF_OPTIONS = {
  format: 'A4',
  printBackground: true,
  preferCSSPageSize: true,
  // The page's fonts are awaited before printing already: no second round trip for it.
  waitForFonts: false,
} as const satisfies PDFOptions;

/**
 * printDocument's print, the same as `page.pdf(PDF_OPTIONS)` (A4 is 8.27 × 11.7 in to puppeteer;
 * tagged, as puppeteer prints by default: the bill stays readable to screen readers) but in one
 * round trip: page.pdf() asks for a stream and reads it back in three more (`IO.read` twice,
 * `IO.close`), which cost more wall time than the bytes (a 150 KB bill). An integration test
 * checks that both print the same.
 */
export const PRINT_TO_PDF: Protocol.Page.PrintToPDFRequest = {
  paperWidth: 8.27,
  paperHeight: 11.7,
  marginTop: 0,
  marginBottom: 0,
  marginLeft: 0,
  marginRight: 0,
  printBackground: true,
  preferCSSPageSize: true,
  generateTaggedPDF: true,
  generateDocumentOutline: false,
  transferMode: 'ReturnAsBase64',
};

interface PrintPage {
  page: Page;
  browser: Browser;
  /** The page's own DevTools session, for printToPDF in one round trip. */
  session: CDPSession;
  /** The <head> the page's document holds, when it is one of printDocument's. */
  head: string | undefined;
}

/** Pages free for the next render, at most one per slot. */
const idle: PrintPage[] = [];

async function acquirePage(): Promise<PrintPage> {
  const browser = await sharedBrowser();
  for (let held = idle.pop(); held; held = idle.pop()) {
    if (held.browser === browser && !held.page.isClosed()) return held;
    await held.page.close().catch(() => undefined);
  }
  const page = await browser.newPage();
  return { page, browser, session: await page.createCDPSession(), head: undefined };
}

/** A page that failed (a timeout, a crash) may be in any state: it is closed, not reused. */
function releasePage(held: PrintPage, healthy: boolean): void {
  if (healthy && idle.length < renderSlots.limit && held.browser.connected) idle.push(held);
  else void held.page.close().catch(() => undefined);
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export interface PdfOptions {
  /** Abort a render that takes longer (a stuck page must not hold a batch until its timeout). */
  timeoutMs?: number;
}

/** A page to print as its parts: the <head> (shared by many documents), the title and the body. */
export interface PrintDocument {
  head: string;
  title: string;
  body: string;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * Appended to a printDocument head: the screen shows nothing, so a new body costs no screen
 * layout, paint or raster; printing uses print media, where it does not apply.
 */
const SCREEN_HIDDEN = '<style>@media screen{body{display:none}}</style>';

/**
 * Prints a document whose head loads nothing from outside (inline styles, data: fonts and
 * images) to an A4 PDF. A page that already holds the same head only gets the new body.
 */
export function printDocument(doc: PrintDocument, options: PdfOptions = {}): Promise<Uint8Array> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return withSlot(async () => {
    const held = await acquirePage();
    let healthy = false;
    try {
      if (held.head !== doc.head) {
        held.head = undefined;
        await held.page.setContent(
          `<!doctype html><html lang="ru"><head>${doc.head}${SCREEN_HIDDEN}</head><body></body></html>`,
          { waitUntil: 'load', timeout },
        );
        // Every face of the head, whichever characters a bill has: nothing on screen asks for them.
        await withTimeout(
          held.page.evaluate(() =>
            Promise.all(Array.from(document.fonts, (face) => face.load())).then(() => undefined),
          ),
          timeout,
          'Loading the fonts',
        );
        held.head = doc.head;
      }
      await withTimeout(
        held.page.evaluate(
          async (title: string, body: string) => {
            document.title = title;
            document.body.innerHTML = body;
            // A data: image, if a document has one, decoded, not merely loaded, before it is printed.
            await Promise.all(Array.from(document.images, (image) => image.decode()));
            await document.fonts.ready;
          },
          doc.title,
          doc.body,
        ),
        timeout,
        'Laying out the document',
      );
      const { data } = await withTimeout(held.session.send('Page.printToPDF', PRINT_TO_PDF), timeout, 'Printing');
      healthy = true;
      return new Uint8Array(Buffer.from(data, 'base64'));
    } finally {
      releasePage(held, healthy);
    }
  });
}

/** Prints a self-contained HTML page (no external resources) to an A4 PDF. */
export function htmlToPdf(html: string, options: PdfOptions = {}): Promise<Uint8Array> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return withSlot(async () => {
    const held = await acquirePage();
    let healthy = false;
    try {
      held.head = undefined;
      // Everything is inline (fonts and images are data: URLs): `load` means laid out.
      await held.page.setContent(html, { waitUntil: 'load', timeout });
      const pdf = await held.page.pdf({ ...PDF_OPTIONS, waitForFonts: true, timeout });
      healthy = true;
      return pdf;
    } finally {
      releasePage(held, healthy);
    }
  });
}
