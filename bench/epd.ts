import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { epdPage, renderEpd } from '#shared/epd/bill';
import { buildEpd, type Epd } from '#shared/epd/model';
import { closeBrowser, RENDER_CONCURRENCY, renderSlots, sharedBrowser } from '#shared/epd/render';
import { fixtureSource } from '../test/support/epdFixture.ts';
import { ms, percentile } from './support.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const COLD_RUNS = 3;
const WARM_RUNS = 60;
const BATCH = 500;

/** A cold start in a fresh process with an empty TMPDIR: unpack, launch, first bill. */
function coldStart(): { extractMs: number; launchMs: number; firstRenderMs: number } {
  const tmp = mkdtempSync(path.join(tmpdir(), 'rac-epd-cold-'));
  try {
    const run = spawnSync(process.execPath, [TSX, path.join(ROOT, 'bench', 'epdColdStart.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    if (run.status !== 0) throw new Error(`cold start failed: ${run.stderr}`);
    return JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await work();
  return performance.now() - t;
}

/** Bills a second, `count` bills at a time bound of `concurrency`. */
async function batch(epd: Epd, count: number, concurrency: number): Promise<number> {
  renderSlots.limit = concurrency;
  try {
    const took = await timed(() => Promise.all(Array.from({ length: count }, () => renderEpd(epd))));
    return count / (took / 1000);
  } finally {
    renderSlots.limit = RENDER_CONCURRENCY;
  }
}

/**
 * The ЕПД renderer (puppeteer-core + @sparticuz/chromium, the same binary as in Lambda): cold start,
 * warm render per bill against a bare page.pdf() of the same page, throughput of a batch, PDF size.
 * The bill is the test fixture's (nine services, four meters, two recalculations).
 */
export async function benchEpd(): Promise<void> {
  console.log('\nЕПД: PDF rendering (puppeteer-core + @sparticuz/chromium; 2 cores)');
  const colds = Array.from({ length: COLD_RUNS }, coldStart);
  const median = (pick: (c: (typeof colds)[number]) => number) => percentile(colds.map(pick), 50);

  const epd = buildEpd(fixtureSource());
  if (!epd) throw new Error('fixture not billed');
  const modelMs = await timed(async () => {
    for (let i = 0; i < 100; i++) buildEpd(fixtureSource());
  });
  const pageMs = await timed(async () => {
    for (let i = 0; i < 100; i++) await epdPage(epd);
  });

  try {
    await sharedBrowser();
    const pdf = await renderEpd(epd);
    for (let i = 0; i < 5; i++) await renderEpd(epd);
    const warm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) warm.push(await timed(() => renderEpd(epd)));

    // The floor: page.pdf() alone, on a page that already holds the bill.
    const html = await epdPage(epd);
    const page = await (await sharedBrowser()).newPage();
    await page.setContent(html, { waitUntil: 'load' });
    for (let i = 0; i < 5; i++) await page.pdf({ format: 'A4', printBackground: true });
    const bare: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) bare.push(await timed(() => page.pdf({ format: 'A4', printBackground: true })));
    await page.close();

    const perSecond1 = await batch(epd, 100, 1);
    const perSecond2 = await batch(epd, BATCH, 2);
    const perSecond3 = await batch(epd, 100, 3);

    const warm50 = percentile(warm, 50);
    const bare50 = percentile(bare, 50);
    console.table([
      {
        measure: `cold start (median of ${COLD_RUNS}, fresh /tmp)`,
        value: `unpack ${ms(median((c) => c.extractMs))} ms + launch ${ms(median((c) => c.launchMs))} ms + first bill ${ms(median((c) => c.firstRenderMs))} ms`,
      },
      {
        measure: `warm render per bill (${WARM_RUNS} in a row)`,
        value: `p50 ${ms(warm50)} ms, p95 ${ms(percentile(warm, 95))} ms`,
      },
      {
        measure: 'bare page.pdf() of the same page',
        value: `p50 ${ms(bare50)} ms, p95 ${ms(percentile(bare, 95))} ms; warm render = ${(warm50 / bare50).toFixed(2)}× bare`,
      },
      { measure: 'model + HTML (no browser)', value: `${ms(modelMs / 100)} ms + ${ms(pageMs / 100)} ms per bill` },
      {
        measure: `batch of ${BATCH}, concurrency 2`,
        value: `${perSecond2.toFixed(1)} bills/s (100 at concurrency 1: ${perSecond1.toFixed(1)}/s, at 3: ${perSecond3.toFixed(1)}/s)`,
      },
      { measure: 'PDF size', value: `${(pdf.byteLength / 1024).toFixed(1)} KiB (1 page, fonts subset)` },
    ]);
  } finally {
    await closeBrowser();
  }
}
