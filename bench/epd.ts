import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSession } from '#shared/accounts/sessions';
import { closedPeriod } from '#shared/billing/run';
import { forEachConcurrently } from '#shared/concurrency';
import { ENV } from '#shared/env';
import { epdPage, epdParts, epdPdf, renderEpd } from '#shared/epd/bill';
import { resetEpdFilesForTests } from '#shared/epd/files';
import { buildEpd, type Epd } from '#shared/epd/model';
import {
  closeBrowser,
  PDF_OPTIONS,
  PRINT_TO_PDF,
  printDocument,
  RENDER_CONCURRENCY,
  renderSlots,
  sharedBrowser,
} from '#shared/epd/render';
import { addMonths } from '#shared/time';
import { fixtureSource } from '../test/support/epdFixture.ts';
import { httpEvent, lambdaContext } from '../test/support/events.ts';
import { billedByRun, imported, putCabinet } from '../test/support/fixtures.ts';
import { record } from './figures.ts';
import { ms, percentile } from './support.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const COLD_RUNS = 3;
const WARM_RUNS = 60;
const BATCH = 500;
const DOWNLOAD_ACCOUNTS = 20;
/** Subscribers mailed by the end-to-end issuance: two queue batches of 50 (EPD_BATCH_SIZE). */
const ISSUE_ACCOUNTS = 100;

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

/** CPU milliseconds so far of each thread of a process (Linux /proc), by thread id. */
function threadCpuMs(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads.set(task, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // The thread ended while we listed it.
    }
  }
  return threads;
}

/** The CPU ms of the busiest thread between two `threadCpuMs` samples. */
function busiestThreadMs(before: Map<string, number>, after: Map<string, number>): number {
  let most = 0;
  for (const [task, ms] of after) most = Math.max(most, ms - (before.get(task) ?? 0));
  return most;
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
async function downloads(): Promise<{ first: number[]; second: number[]; period: string }> {
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
  for (let i = 0; i < ISSUE_ACCOUNTS; i++) {
    accounts.push(
      `${691000 + i};Подписчик Пётр ${i};16${String(i % 100).padStart(2, '0')} ${300000 + i};г. Старый Оскол, ул. Ленина, д. ${i + 1};52,1;3`,
    );
  }
  await imported('tariffs', tariffs);
  await imported('accounts', accounts);
  await billedByRun(period);
  // The issuance's subscribers: a cabinet with an address and «Присылать квитанцию на почту».
  for (let i = 0; i < ISSUE_ACCOUNTS; i++) {
    const account = String(691000 + i);
    await putCabinet(account, { email: `bench-${account}@example.ru`, billByEmail: true });
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
  return { first, second, period };
}

/** The DynamoDB Local this process talks to (bench/support.ts starts it): its Java process. */
function dynamoLocalPid(): number | undefined {
  const port = new URL(process.env[ENV.dynamoEndpoint] ?? 'http://127.0.0.1:0').port;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (args.some((a) => a.endsWith('DynamoDBLocal.jar')) && args[args.indexOf('-port') + 1] === port) {
        return Number(name);
      }
    } catch {
      // The process ended while we listed it.
    }
  }
  return undefined;
}

/**
 * The monthly issuance end to end, as the schedule runs it: the job, the queue's shard and batch
 * messages (two batches at once, as the local runtime runs them), each subscriber's reads, the
 * bill printed and stored, the mail built and sent to the SES emulator, the markers. Wall time
 * (DynamoDB Local competes for the same two cores here, as it does not in AWS) and CPU time of this
 * process (the SES emulator runs in it: counted, though SES is not ours in AWS) and Chromium.
 */
async function issuanceEndToEnd(
  period: string,
): Promise<{ wallMs: number; cpuMs: number; dynamoCpuMs: number; sent: number }> {
  const { startEpdIssue } = await import('#shared/epd/issue');
  const { getIssueRun } = await import('#shared/epd/store');
  const chromiumPid = (await sharedBrowser()).process()?.pid;
  const { startLocalQueues } = await import('#local/queue');
  const queues = startLocalQueues({ concurrency: 2, log: () => undefined });
  try {
    const dynamoPid = dynamoLocalPid();
    const dynamoBefore = dynamoPid ? treeCpuMs(dynamoPid) : Number.NaN;
    const ours = process.cpuUsage();
    const theirs = chromiumPid ? treeCpuMs(chromiumPid) : Number.NaN;
    const started = performance.now();
    const run = await startEpdIssue({ period, source: 'bench' });
    await queues.drain();
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(ours);
    const cpuMs = (chromiumPid ? treeCpuMs(chromiumPid) - theirs : Number.NaN) + (used.user + used.system) / 1000;
    const dynamoCpuMs = dynamoPid ? treeCpuMs(dynamoPid) - dynamoBefore : Number.NaN;
    if (queues.deadLetters.length > 0) throw new Error(`issuance failed: ${queues.deadLetters[0]?.error}`);
    const record = await getIssueRun(period, run.runId);
    return { wallMs, cpuMs, dynamoCpuMs, sent: record?.sent ?? 0 };
  } finally {
    queues.stop();
  }
}

/**
 * The ЕПД (puppeteer-core + @sparticuz/chromium, the same binary as in Lambda), each figure against
 * its floor measured in the same run: warm printing per bill (distinct bills' HTML to PDF, as
 * printDocument does it; the model and HTML are timed apart) against a bare page.pdf() of a page
 * that already holds a bill (taken in turns, so both see the same load on the machine), in
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
    // The floor: page.pdf() alone, with the options bills are printed with, on a plain page that
    // holds the bill (nothing of ours: no head kept, nothing hidden from the screen).
    const bare = await browser.newPage();
    await bare.setContent(await epdPage(epd), { waitUntil: 'load' });
    const barePdf = () => bare.pdf(PDF_OPTIONS);
    // A stricter floor: the one-round-trip print printDocument itself uses, on the same plain page.
    const bareSession = await bare.createCDPSession();
    const barePrint = async () => Buffer.from((await bareSession.send('Page.printToPDF', PRINT_TO_PDF)).data, 'base64');
    for (let i = 0; i < 5; i++) {
      await renderEpd(epd);
      await barePdf();
    }
    // Printing: bills' HTML (their parts, built beforehand) to PDF, as printDocument does it. Each
    // print is another account's bill, as in issuance (a stored bill is never printed again):
    // printing the same parts over and over would let Chromium reuse what it parsed and decoded
    // for the last one, which no real print can.
    const distinct = await Promise.all(Array.from({ length: 40 }, (_, i) => epdParts(billOf(100 + i))));
    let next = 0;
    const print = () => printDocument(distinct[next++ % distinct.length] as (typeof distinct)[number]);
    const warm: number[] = [];
    const floor: number[] = [];
    const strictFloor: number[] = [];
    const whole: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      warm.push(await timed(print));
      floor.push(await timed(barePdf));
      strictFloor.push(await timed(barePrint));
      whole.push(await timed(() => renderEpd(epd)));
    }
    const pdfBytes = (await print()).byteLength;
    const warm50 = percentile(warm, 50);
    const bare50 = percentile(floor, 50);
    const strict50 = percentile(strictFloor, 50);
    // The same in CPU time, which other work on the machine does not inflate: blocks in turns.
    const chromiumPid = browser.process()?.pid;
    let warmCpu = Number.NaN;
    let bareCpu = Number.NaN;
    let strictCpu = Number.NaN;
    if (chromiumPid && process.platform === 'linux') {
      const ours: number[] = [];
      const theirs: number[] = [];
      const strict: number[] = [];
      for (let round = 0; round < 3; round++) {
        ours.push(await cpuPerCall(chromiumPid, 20, print));
        theirs.push(await cpuPerCall(chromiumPid, 20, barePdf));
        strict.push(await cpuPerCall(chromiumPid, 20, barePrint));
      }
      warmCpu = percentile(ours, 50);
      bareCpu = percentile(theirs, 50);
      strictCpu = percentile(strict, 50);
    }

    // Bare page.pdf() two at a time, on two pages holding the bill: the floor of a batch's rate.
    const bare2 = await browser.newPage();
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
    const threadsStart = chromiumPid ? threadCpuMs(chromiumPid) : new Map<string, number>();
    const ourThreadsStart = threadCpuMs(process.pid);
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
    // Two cores do not make one thread faster: Chromium runs single-process (one renderer thread
    // lays out and prints every page) and our JavaScript runs on one thread too. So the rate two
    // idle cores allow is bounded by the CPU in total over two, and by the busiest thread alone.
    const rendererThreadMs = chromiumPid ? busiestThreadMs(threadsStart, threadCpuMs(chromiumPid)) / BATCH : Number.NaN;
    const nodeThreadMs = busiestThreadMs(ourThreadsStart, threadCpuMs(process.pid)) / BATCH;
    const byCpu = Math.min(2000 / issueCpu, 1000 / rendererThreadMs, 1000 / nodeThreadMs);
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
    fig('pdfBytes', pdfBytes);
    fig('warmPrintMsP50', warm50);
    fig('warmPrintMsP95', percentile(warm, 95));
    fig('barePdfMsP50', bare50);
    fig('billFromModelMsP50', percentile(whole, 50));
    fig('warmPrintToBarePdf', warm50 / bare50);
    fig('warmPrintCpuMs', warmCpu);
    fig('barePdfCpuMs', bareCpu);
    fig('warmPrintCpuToBarePdf', warmCpu / bareCpu);
    fig('barePrintToPdfMsP50', strict50);
    fig('warmPrintToBarePrintToPdf', warm50 / strict50);
    fig('barePrintToPdfCpuMs', strictCpu);
    fig('warmPrintCpuToBarePrintToPdf', warmCpu / strictCpu);
    // Two cores' worth of CPU spent on nothing but printing and storing bills (see byCpu).
    fig('issuanceBillsPerSecondBy2CoresCpu', byCpu);
    fig('issuanceCpuMsPerBill', issueCpu);
    fig('issuanceRendererThreadMsPerBill', rendererThreadMs);
    fig('issuanceNodeThreadMsPerBill', nodeThreadMs);
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
        measure: 'stricter floor: bare Page.printToPDF in one round trip (what printDocument sends)',
        value: `p50 ${ms(strict50)} ms: warm printing = ${(warm50 / strict50).toFixed(2)}× it`,
      },
      {
        measure: 'the same in CPU time (Chromium + Node), 3 × 20 in turns',
        value: `${ms(warmCpu)} ms per bill against ${ms(bareCpu)} ms bare page.pdf() = ${(warmCpu / bareCpu).toFixed(2)}×, ${ms(strictCpu)} ms bare printToPDF = ${(warmCpu / strictCpu).toFixed(2)}×`,
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
        value: `${ms(issueCpu)} ms per bill (busiest threads: Chromium's renderer ${ms(rendererThreadMs)} ms, ours ${ms(nodeThreadMs)} ms): ${byCpu.toFixed(1)} bills/s on 2 idle cores (goal ≥ 20)`,
      },
    ]);

    const { first, second, period } = await downloads();
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

    const issued = await issuanceEndToEnd(period);
    if (issued.sent !== ISSUE_ACCOUNTS) throw new Error(`issuance mailed ${issued.sent} of ${ISSUE_ACCOUNTS}`);
    const issuedRate = (issued.sent / issued.wallMs) * 1000;
    const issuedCpu = issued.cpuMs / issued.sent;
    fig('issueEndToEndBillsPerSecond', issuedRate);
    fig('issueEndToEndCpuMsPerBill', issuedCpu);
    fig('issueEndToEndBillsPerSecondBy2CoresCpu', 2000 / issuedCpu);
    fig('issueEndToEndToBarePdfRate', issuedRate / bareRate);
    fig('issueEndToEndDynamoLocalCpuMsPerBill', issued.dynamoCpuMs / issued.sent);
    console.table([
      {
        measure: `issuance end to end: ${ISSUE_ACCOUNTS} subscribers, reads + print + store + mail (SES emulator)`,
        value: `${issuedRate.toFixed(1)} bills/s = ${(issuedRate / bareRate).toFixed(2)}× bare page.pdf() at 2; CPU ${ms(issuedCpu)} ms per bill (ours + Chromium): ${(2000 / issuedCpu).toFixed(1)} bills/s by 2 cores' CPU; DynamoDB Local (a service in AWS) ${ms(issued.dynamoCpuMs / issued.sent)} ms per bill more`,
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
