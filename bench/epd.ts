import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSession } from '#shared/accounts/sessions';
import { closedPeriod, startBillingRun } from '#shared/billing/run';
import { forEachConcurrently } from '#shared/concurrency';
import { ENV } from '#shared/env';
import { epdPage, epdParts, epdPdf, renderEpd } from '#shared/epd/bill';
import { resetEpdFilesForTests } from '#shared/epd/files';
import { buildEpd, type Epd } from '#shared/epd/model';
import {
  closeBrowser,
  PDF_OPTIONS,
  printDocument,
  RENDER_CONCURRENCY,
  renderSlots,
  sharedBrowser,
} from '#shared/epd/render';
import { importRegistry } from '#shared/registry/importRegistry';
import { addMonths } from '#shared/time';
import { fixtureSource } from '../test/support/epdFixture.ts';
import { httpEvent, lambdaContext } from '../test/support/events.ts';
import { record } from './figures.ts';
import { ms, percentile } from './support.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const COLD_RUNS = 3;
const WARM_RUNS = 60;
const BATCH = 500;
const DOWNLOAD_ACCOUNTS = 20;

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

/** CPU milliseconds so far of a process and its descendants (Linux /proc; clock ticks of 10 ms). */
function treeCpuMs(root: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended while we listed it.
    }
  }
  let ticks = 0;
  for (const [pid, stat] of stats) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = stats.get(p)?.ppid) {
      if (p === root) {
        ticks += stat.ticks;
        break;
      }
    }
  }
  return ticks * 10;
}

/** CPU ms per call of `work`, Chromium's and this process's, over `n` calls in a row. */
async function cpuPerCall(chromiumPid: number, n: number, work: () => Promise<unknown>): Promise<number> {
  const ours = process.cpuUsage();
  const theirs = treeCpuMs(chromiumPid);
  for (let i = 0; i < n; i++) await work();
  const used = process.cpuUsage(ours);
  return (treeCpuMs(chromiumPid) - theirs + (used.user + used.system) / 1000) / n;
}

/** The fixture's bill for another account: a bill of its own, so a file of its own. */
function billOf(i: number): Epd {
  const epd = buildEpd({ ...fixtureSource(), account: String(500000 + i) });
  if (!epd) throw new Error('fixture not billed');
  return epd;
}

/**
 * Downloads through the real `epd` handler, in-process, against DynamoDB Local: accounts billed by
 * the real billing run, each bill asked for twice (the first prints and stores, the second is
 * served from the data folder). Milliseconds of each, per account.
 */
async function downloads(): Promise<{ first: number[]; second: number[] }> {
  const period = closedPeriod();
  const from = addMonths(period, -12);
  const tariffs = [
    'service;unit;price;norm;from',
    `cold_water;м³;35,72;3,8;${from}`,
    `heating;Гкал;2636,9345;0,0186;${from}`,
    `maintenance;м²;27,86;1;${from}`,
    `waste;чел.;145,05;1;${from}`,
  ];
  const accounts = ['account;owner;passport;address;area;residents'];
  for (let i = 0; i < DOWNLOAD_ACCOUNTS; i++) {
    accounts.push(`${690000 + i};Плательщик ${i};15${String(i).padStart(2, '0')} ${200000 + i};г. Старый Оскол;48,5;2`);
  }
  for (const [kind, rows] of [
    ['tariffs', tariffs],
    ['accounts', accounts],
  ] as const) {
    const report = await importRegistry(kind, Buffer.from(rows.join('\n')));
    if (report.errors.length) throw new Error(`bench import failed: ${JSON.stringify(report.errors[0])}`);
  }
  const { startLocalQueues } = await import('#local/queue');
  const queues = startLocalQueues({ concurrency: 2, log: () => undefined });
  try {
    await startBillingRun({ period, source: 'bench' });
    await queues.drain();
  } finally {
    queues.stop();
  }
  const { handler } = await import('#functions/epd/index');
  const get = async (account: string, cookie: string) => {
    // Payload 2.0 carries the Cookie header as `cookies[]`.
    const event = httpEvent('GET', `/api/epd/${period}`, { routePath: '/api/epd/{period}' });
    const out = (await handler({ ...event, cookies: [cookie], pathParameters: { period } }, lambdaContext)) as {
      statusCode: number;
    };
    if (out.statusCode !== 200) throw new Error(`download of ${account} answered ${out.statusCode}`);
  };
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < DOWNLOAD_ACCOUNTS; i++) {
    const account = String(690000 + i);
    const cookie = (await openSession(account)).cookie.split(';')[0] as string;
    // The first two warm up the handler's clients and caches; they are not counted.
    const a = await timed(() => get(account, cookie));
    const b = await timed(() => get(account, cookie));
    if (i < 2) continue;
    first.push(a);
    second.push(b);
  }
  return { first, second };
}

/**
 * The ЕПД (puppeteer-core + @sparticuz/chromium, the same binary as in Lambda), each figure against
 * its floor measured in the same run: warm printing per bill (the bill's HTML to PDF, as
 * printDocument does it; the model and HTML are timed apart) against a bare page.pdf() of a page
 * that already holds the same bill (taken in turns, so both see the same load on the machine), in
 * wall time and in CPU time (which the other work on a shared machine does not inflate); a
 * batch of distinct bills printed and stored at the render concurrency (what issuance does per
 * bill) against bare page.pdf() at the same concurrency; a second download (the stored file)
 * against the first (which prints). The bill is the test fixture's (nine services, four meters, two
 * recalculations). Files go to a temporary data folder.
 */
export async function benchEpd(): Promise<void> {
  console.log('\nЕПД: printing and stored bills (puppeteer-core + @sparticuz/chromium; 2 cores)');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rac-bench-epd-'));
  const previousDataDir = process.env[ENV.dataDir];
  process.env[ENV.dataDir] = dataDir;
  resetEpdFilesForTests();
  const fig = (key: string, value: number) => record('epd', key, Number(value.toFixed(3)));

  const colds = Array.from({ length: COLD_RUNS }, coldStart);
  const median = (pick: (c: (typeof colds)[number]) => number) => percentile(colds.map(pick), 50);

  const epd = billOf(0);
  const modelMs = await timed(async () => {
    for (let i = 0; i < 100; i++) billOf(i);
  });
  const pageMs = await timed(async () => {
    for (let i = 0; i < 100; i++) await epdPage(epd);
  });

  try {
    const browser = await sharedBrowser();
    // The floor: page.pdf() alone, with the options bills are printed with, on a page that holds the bill.
    const bare = await browser.newPage();
    await bare.emulateMediaType('print');
    await bare.setContent(await epdPage(epd), { waitUntil: 'load' });
    const barePdf = () => bare.pdf(PDF_OPTIONS);
    for (let i = 0; i < 5; i++) {
      await renderEpd(epd);
      await barePdf();
    }
    // Printing: the bill's HTML (its parts, built once here) to PDF, as printDocument does it.
    const parts = await epdParts(epd);
    const print = () => printDocument(parts);
    const warm: number[] = [];
    const floor: number[] = [];
    const whole: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      warm.push(await timed(print));
      floor.push(await timed(barePdf));
      whole.push(await timed(() => renderEpd(epd)));
    }
    const warm50 = percentile(warm, 50);
    const bare50 = percentile(floor, 50);
    // The same in CPU time, which other work on the machine does not inflate: blocks in turns.
    const chromiumPid = browser.process()?.pid;
    let warmCpu = Number.NaN;
    let bareCpu = Number.NaN;
    if (chromiumPid && process.platform === 'linux') {
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let round = 0; round < 3; round++) {
        ours.push(await cpuPerCall(chromiumPid, 20, print));
        theirs.push(await cpuPerCall(chromiumPid, 20, barePdf));
      }
      warmCpu = percentile(ours, 50);
      bareCpu = percentile(theirs, 50);
    }

    // Bare page.pdf() two at a time, on two pages holding the bill: the floor of a batch's rate.
    const bare2 = await browser.newPage();
    await bare2.emulateMediaType('print');
    await bare2.setContent(await epdPage(epd), { waitUntil: 'load' });
    const bareRateMs = await timed(() =>
      Promise.all(
        [bare, bare2].map(async (page) => {
          for (let i = 0; i < BATCH / 4; i++) await page.pdf(PDF_OPTIONS);
        }),
      ),
    );
    const bareRate = (BATCH / 2 / bareRateMs) * 1000;
    await bare.close();
    await bare2.close();

    // Issuance's work per bill: the model, the page, printed and stored, distinct bills, 2 at a time.
    const bills = Array.from({ length: BATCH }, (_, i) => billOf(1000 + i));
    renderSlots.limit = RENDER_CONCURRENCY;
    const issueCpuStart = process.cpuUsage();
    const issueChromiumStart = chromiumPid ? treeCpuMs(chromiumPid) : 0;
    const batchMs = await timed(() =>
      forEachConcurrently(bills, 4, async (bill) => {
        if (!(await epdPdf(bill)).printed) throw new Error('a distinct bill was not printed');
      }),
    );
    const batchRate = (BATCH / batchMs) * 1000;
    const issueNodeCpu = process.cpuUsage(issueCpuStart);
    const issueCpu =
      ((chromiumPid ? treeCpuMs(chromiumPid) - issueChromiumStart : Number.NaN) +
        (issueNodeCpu.user + issueNodeCpu.system) / 1000) /
      BATCH;
    const perSecond = async (concurrency: number, offset: number) => {
      renderSlots.limit = concurrency;
      try {
        const some = Array.from({ length: 60 }, (_, i) => billOf(offset + i));
        return (
          (60 /
            (await timed(() =>
              forEachConcurrently(some, concurrency * 2, async (b) => {
                await epdPdf(b);
              }),
            ))) *
          1000
        );
      } finally {
        renderSlots.limit = RENDER_CONCURRENCY;
      }
    };
    const rate1 = await perSecond(1, 3000);
    const rate3 = await perSecond(3, 4000);

    fig(
      'coldUnpackMs',
      median((c) => c.extractMs),
    );
    fig(
      'coldLaunchMs',
      median((c) => c.launchMs),
    );
    fig(
      'coldFirstBillMs',
      median((c) => c.firstRenderMs),
    );
    fig('warmPrintMsP50', warm50);
    fig('warmPrintMsP95', percentile(warm, 95));
    fig('barePdfMsP50', bare50);
    fig('billFromModelMsP50', percentile(whole, 50));
    fig('warmPrintToBarePdf', warm50 / bare50);
    fig('warmPrintCpuMs', warmCpu);
    fig('barePdfCpuMs', bareCpu);
    fig('warmPrintCpuToBarePdf', warmCpu / bareCpu);
    // Two cores' worth of CPU spent on nothing but printing and storing bills.
    fig('issuanceBillsPerSecondBy2CoresCpu', 2000 / issueCpu);
    fig('issuanceCpuMsPerBill', issueCpu);
    fig('modelMsPerBill', modelMs / 100);
    fig('pageMsPerBill', pageMs / 100);
    fig('issuanceBillsPerSecond', batchRate);
    fig('barePdfPerSecondAt2', bareRate);
    fig('issuanceToBarePdfRate', batchRate / bareRate);
    fig('issuanceBillsPerSecondAt1', rate1);
    fig('issuanceBillsPerSecondAt3', rate3);
    console.table([
      {
        measure: `cold start (median of ${COLD_RUNS}, fresh /tmp)`,
        value: `unpack ${ms(median((c) => c.extractMs))} ms + launch ${ms(median((c) => c.launchMs))} ms + first bill ${ms(median((c) => c.firstRenderMs))} ms`,
      },
      {
        measure: `warm printing per bill (${WARM_RUNS}, in turns with the floor)`,
        value: `p50 ${ms(warm50)} ms, p95 ${ms(percentile(warm, 95))} ms = ${(warm50 / bare50).toFixed(2)}× bare (goal ≤ 1.3×)`,
      },
      {
        measure: 'floor: bare page.pdf() of the same page',
        value: `p50 ${ms(bare50)} ms, p95 ${ms(percentile(floor, 95))} ms`,
      },
      {
        measure: 'the same in CPU time (Chromium + Node), 3 × 20 in turns',
        value: `${ms(warmCpu)} ms per bill against ${ms(bareCpu)} ms bare = ${(warmCpu / bareCpu).toFixed(2)}×`,
      },
      {
        measure: 'a bill from its model: QR code + HTML + printing',
        value: `p50 ${ms(percentile(whole, 50))} ms = ${(percentile(whole, 50) / bare50).toFixed(2)}× bare`,
      },
      { measure: 'model + HTML (no browser)', value: `${ms(modelMs / 100)} ms + ${ms(pageMs / 100)} ms per bill` },
      {
        measure: `issuance: ${BATCH} distinct bills printed and stored, concurrency ${RENDER_CONCURRENCY}`,
        value: `${batchRate.toFixed(1)} bills/s (goal ≥ 20) = ${(batchRate / bareRate).toFixed(2)}× bare page.pdf() at 2 (${bareRate.toFixed(1)}/s); at 1: ${rate1.toFixed(1)}/s, at 3: ${rate3.toFixed(1)}/s`,
      },
      {
        measure: 'issuance in CPU time',
        value: `${ms(issueCpu)} ms per bill: ${(2000 / issueCpu).toFixed(1)} bills/s on 2 idle cores (goal ≥ 20)`,
      },
    ]);

    const { first, second } = await downloads();
    const first50 = percentile(first, 50);
    const second50 = percentile(second, 50);
    fig('firstDownloadMsP50', first50);
    fig('secondDownloadMsP50', second50);
    fig('secondToFirstDownload', second50 / first50);
    fig('secondDownloadToWarmPrint', second50 / warm50);
    console.table([
      {
        measure: `download through the handler (${first.length} accounts, DynamoDB Local)`,
        value: `first (prints) p50 ${ms(first50)} ms; second (stored) p50 ${ms(second50)} ms = ${(second50 / first50).toFixed(2)}× the first (goal ≤ 0.5×), ${(second50 / warm50).toFixed(2)}× a warm print`,
      },
    ]);
  } finally {
    await closeBrowser();
    renderSlots.limit = RENDER_CONCURRENCY;
    if (previousDataDir === undefined) delete process.env[ENV.dataDir];
    else process.env[ENV.dataDir] = previousDataDir;
    resetEpdFilesForTests();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
