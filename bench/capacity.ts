/**
 * `npm run capacity -- FILE`: the capacity model of docs/capacity.md, computed from the figures
 * `npm run bench -- --json FILE` recorded (bench/figures.ts). Per-operation costs come from the
 * file (round trips, capacity units, CPU ms per account or request); what the bench does not
 * measure is an assumption, printed as one in the inputs table. The configuration (memory,
 * queue concurrency, batch sizes, shards, send rate) is read from the code itself.
 */
import { readFileSync } from 'node:fs';
import { ACCOUNT_CONCURRENCY, BATCH_SIZE } from '#shared/billing/run';
import { EPD_BATCH_SIZE } from '#shared/epd/issue';
import { FUNCTION_GROUPS, type FunctionGroupName } from '#shared/functions';
import { ACCOUNT_SHARDS, READING_SHARDS } from '#shared/keys';
import { QUEUES } from '#shared/queues';

type Figures = Record<string, Record<string, unknown>>;

const file = process.argv[2];
if (!file) {
  console.error('Usage: npm run capacity -- FILE   (FILE written by `npm run bench -- --json FILE`)');
  process.exit(2);
}
const document = JSON.parse(readFileSync(file, 'utf8')) as {
  measuredAt?: string;
  cpus?: number;
  /** Set by hand when sections of another run were merged into the file: which, and when. */
  merged?: string;
  figures: Figures;
};

// ---------------------------------------------------------------------------------------------
// Inputs: measured where the file has them, otherwise a labelled assumption.

const inputs: Array<{ input: string; value: string; source: string }> = [];

/**
 * The first of `keys` (`section.key`, or with a conversion) the bench recorded, else `assumed`;
 * listed either way.
 */
function input(
  label: string,
  keys: Array<string | [string, (recorded: number) => number, string]>,
  assumed: number,
  unit = '',
): number {
  for (const entry of keys) {
    const [key, convert, how] = typeof entry === 'string' ? [entry, (x: number) => x, ''] : entry;
    const [section, ...rest] = key.split('.');
    const raw = document.figures[section as string]?.[rest.join('.')];
    // Round trips are printed as a range («2..2»): the model takes the upper end.
    const recorded = typeof raw === 'string' && /^\d+(\.\.\d+)?$/.test(raw) ? Number(raw.split('..').pop()) : raw;
    if (typeof recorded === 'number' && Number.isFinite(recorded)) {
      const value = convert(recorded);
      inputs.push({ input: label, value: `${round(value)} ${unit}`.trim(), source: `measured: ${key}${how}` });
      return value;
    }
  }
  inputs.push({ input: label, value: `${round(assumed)} ${unit}`.trim(), source: 'ASSUMED' });
  return assumed;
}

/** A stated assumption about residents or AWS, not a measurement. */
function assume(label: string, value: number, unit = ''): number {
  inputs.push({ input: label, value: `${round(value)} ${unit}`.trim(), source: 'ASSUMED' });
  return value;
}

function round(x: number): string {
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 100) return Math.round(x).toLocaleString('en-US');
  if (abs >= 1) return x.toFixed(2).replace(/\.?0+$/, '');
  return x.toPrecision(2);
}

// Billing (bench/billing.ts): the run's requests, units and CPU per account.
const billing = {
  requests: input('billing: DynamoDB requests per account', ['billing.requestsPerAccount'], 2.03),
  rru: input('billing: read units per account', ['billing.readUnitsPerAccount'], 0.54),
  wru: input('billing: write units per account', ['billing.writeUnitsPerAccount'], 2.02),
  cpuMs: input('billing: handler CPU per account (this machine)', ['billing.runCpuMsPerAccount'], 4.5, 'ms'),
  rateToFloor: input('billing: run rate ÷ its bare requests', ['billing.runRateToFloor'], Number.NaN),
};

// API requests (bench/units.ts; older sections as fallbacks): DynamoDB round trips per request.
const trips = {
  me: input('GET /api/me: DynamoDB round trips', ['units.GET /api/me.roundTrips', 'accounts.meRoundTrips'], 2),
  home: input('GET /api/home: DynamoDB round trips', ['units.GET /api/home.roundTrips'], 2),
  meters: input(
    'GET /api/meters: DynamoDB round trips',
    ['units.GET /api/meters.roundTrips', 'readings.roundTrips GET /api/meters (3 meters with history)'],
    6,
  ),
  submit: input(
    'POST /api/readings (3 meters): round trips',
    ['units.POST /api/readings.roundTrips', 'readings.roundTrips POST /api/readings, 3 meters, first in the window'],
    7,
  ),
  statement: input('GET /api/statement: round trips', ['units.GET /api/statement.roundTrips'], 2),
  login: input(
    'POST /api/auth/login: round trips',
    ['units.POST /api/auth/login.roundTrips', 'accounts.login round trips'],
    4,
  ),
  payStart: input('POST /api/payments (card payment start): round trips', ['units.POST /api/payments.roundTrips'], 3),
  callback: input(
    'payment callback: round trips',
    ['units.payment callback.roundTrips', 'payments.callback round trips (settling)'],
    4,
  ),
  epdStored: input('GET /api/epd/{period} (stored bill): round trips', ['units.GET /api/epd stored.roundTrips'], 3),
};
/**
 * The handler's CPU per request on this machine (bench/units.ts: process.cpuUsage() around the warm
 * handler call, median); login's includes the argon2id verify.
 */
const cpu = (label: string, key: string, assumed: number) =>
  input(`${label}: handler CPU (this machine)`, [`units.${key}.cpuMs`], assumed, 'ms');
const loginArgonMs = 60;

// ЕПД (bench/epd.ts): printing and the stored bill.
const epd = {
  // A bill printed and stored by one renderer: 1 ÷ the issuance rate at concurrency 1.
  renderMs: input(
    'ЕПД: one bill printed and stored, one renderer (this machine)',
    [['epd.issuanceBillsPerSecondAt1', (r) => 1000 / r, ' (1000 ÷ it)'], 'epd.warmPrintMsP50'],
    80,
    'ms',
  ),
  pdfKiB: input(
    'ЕПД: PDF size',
    [
      ['units.epd.pdfBytes', (b) => b / 1024, ' ÷ 1024'],
      ['epd.pdfBytes', (b) => b / 1024, ' ÷ 1024'],
    ],
    60,
    'KiB',
  ),
  // Per bill of an issuance batch whose 50 accounts all subscribe (the batch's own reads and run
  // record update shared by 50); with 30 % subscribers they are shared by fewer, a few hundredths more.
  requests: input('ЕПД: DynamoDB requests per bill (issuance)', ['units.epd.requestsPerBill'], 4),
  rru: input('ЕПД: read units per bill (issuance)', ['units.epd.readUnitsPerBill'], 2),
  wru: input('ЕПД: write units per bill (issuance)', ['units.epd.writeUnitsPerBill'], 2),
};
const siteKiB = input('site: first load, gzipped (JS + CSS + HTML)', ['site.home.jsGzipBytes'], 120 * 1024, 'B') / 1024;

// AWS figures (not measured here).
const ddbMs = assume('DynamoDB latency per round trip in-region (p50)', 6, 'ms');
const vcpuPerMb = 1 / 1769; // Lambda: one full vCPU at 1769 MB, proportionally less below.
const s3PutMs = assume('S3 PutObject of a bill', 30, 'ms');

// Residents' behaviour.
const share = {
  cabinet: assume('accounts with a cabinet (registered residents)', 0.4),
  submitOnline: assume('metered accounts submitting readings online', 0.45),
  lastDay: assume("share of the window's submissions on its last day", 0.3),
  peakHour: assume("share of the last day's submissions in its busiest hour (20–21)", 0.15),
  peakMinute: assume('busiest minute ÷ average minute of that hour', 2),
  visits: assume('cabinet visits per registered account per month', 2),
  mailEpd: assume('accounts subscribed to the ЕПД by mail', 0.3),
  downloads: assume('accounts downloading their ЕПД each month', 0.25),
  payOnline: assume('accounts paying by card in the portal each month', 0.2),
  reminders: assume('accounts subscribed to the window reminder', 0.2),
};
const storage = {
  accountKiB: assume('DynamoDB storage per account (3 years of readings and ledger)', 120, 'KiB'),
  epdMonths: assume('months of printed bills kept in S3', 36),
};

// Prices: eu-central-1 (Frankfurt) list prices, USD, without free tiers or savings plans.
const PRICE = {
  lambdaGbSecondArm: 0.0000133334,
  lambdaGbSecondX86: 0.0000166667,
  lambdaRequest: 0.2 / 1e6,
  apiRequest: 1.2 / 1e6,
  wru: 0.7625 / 1e6,
  rru: 0.1525 / 1e6,
  wcuHour: 0.000793,
  rcuHour: 0.0001586,
  ddbGbMonth: 0.306,
  sesMail: 0.1 / 1000,
  sesAttachmentGb: 0.12,
  s3GbMonth: 0.0245,
  s3Put: 0.0054 / 1000,
  s3Get: 0.00043 / 1000,
  cloudfrontGb: 0.085,
  cloudfrontRequest: 0.012 / 10_000,
  sqsRequest: 0.4 / 1e6,
};

// AWS limits that bind (defaults of a new account and table).
const LIMIT = {
  accountConcurrency: 1000,
  sesRate: 14,
  partitionWcu: 1000,
  partitionRcu: 3000,
  onDemandInitialWru: 4000,
  onDemandInitialRru: 12000,
};

// ---------------------------------------------------------------------------------------------
// Model.

const groupMb = (group: FunctionGroupName) => FUNCTION_GROUPS[group].memoryMb;
/** Wall ms a Lambda of `group` needs for `cpuMs` measured on one core here and `roundTrips` sequential trips. */
function lambdaMs(group: FunctionGroupName, cpuMs: number, roundTrips: number): number {
  const vcpu = Math.min(1, groupMb(group) * vcpuPerMb);
  return cpuMs / vcpu + roundTrips * ddbMs;
}
const gbSeconds = (group: FunctionGroupName, ms: number) => (groupMb(group) / 1024) * (ms / 1000);
const lambdaPrice = (group: FunctionGroupName) =>
  (FUNCTION_GROUPS[group] as { usesChromium?: boolean }).usesChromium
    ? PRICE.lambdaGbSecondX86
    : PRICE.lambdaGbSecondArm;

interface Scale {
  name: string;
  accounts: number;
  meters: number;
}
const SCALES: Scale[] = [
  { name: 'city', accounts: 100_000, meters: 250_000 },
  { name: 'region', accounts: 5_000_000, meters: 12_500_000 },
];

/**
 * One API request's costs (bench/units.ts): read and write units (DynamoDB's ConsumedCapacity, or
 * computed from item sizes for transactions) and the handler's CPU.
 */
const costs = (route: string, key: string, read: number, write: number, cpuMs = 8) => ({
  rru: input(`${route}: read units`, [`units.${key}.readUnits`], read),
  wru: input(`${route}: write units`, [`units.${key}.writeUnits`], write),
  cpuMs: cpu(route, key, cpuMs),
});
const ROUTES = {
  me: { group: 'residents', trips: trips.me, ...costs('GET /api/me', 'GET /api/me', 1.5, 0) },
  home: { group: 'residents', trips: trips.home, ...costs('GET /api/home', 'GET /api/home', 1.5, 0) },
  meters: { group: 'readings', trips: trips.meters, ...costs('GET /api/meters', 'GET /api/meters', 2, 0) },
  submit: { group: 'readings', trips: trips.submit, ...costs('POST /api/readings', 'POST /api/readings', 2, 6) },
  statement: { group: 'statement', trips: trips.statement, ...costs('GET /api/statement', 'GET /api/statement', 4, 0) },
  login: {
    group: 'auth',
    trips: trips.login,
    ...costs('POST /api/auth/login', 'POST /api/auth/login', 1.5, 3, 8 + loginArgonMs),
  },
  payStart: {
    group: 'payments',
    trips: trips.payStart,
    ...costs('POST /api/payments', 'POST /api/payments', 1.5, 2),
  },
  callback: { group: 'payments', trips: trips.callback, ...costs('payment callback', 'payment callback', 2, 6) },
  epdStored: {
    group: 'epd',
    trips: trips.epdStored,
    ...costs('GET /api/epd/{period} (stored bill)', 'GET /api/epd stored', 2, 0),
  },
} as const satisfies Record<
  string,
  { group: FunctionGroupName; trips: number; rru: number; wru: number; cpuMs: number }
>;
const routeMs = (r: keyof typeof ROUTES) => lambdaMs(ROUTES[r].group, ROUTES[r].cpuMs, ROUTES[r].trips);

interface Night {
  scale: string;
  [column: string]: string | number;
}

const fmt = (x: number, digits = 0) =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits }) : '—';
const usd = (x: number) => `$${x < 10 ? x.toFixed(2) : fmt(x)}`;
const duration = (seconds: number) =>
  seconds < 120 ? `${fmt(seconds)} s` : seconds < 7200 ? `${fmt(seconds / 60)} min` : `${fmt(seconds / 3600, 1)} h`;

/** A. The last evening of the reading window: a resident logs in, opens meters, submits. */
function readingEvening(scale: Scale): Night {
  const meteredAccounts = Math.min(scale.accounts, scale.meters / 2.5);
  const submissions = meteredAccounts * share.submitOnline;
  const perSecond = (submissions * share.lastDay * share.peakHour * share.peakMinute) / 3600;
  // The site asks GET /api/me on every load, and the cabinet opens on its home page.
  const visit: Array<keyof typeof ROUTES> = ['login', 'me', 'home', 'meters', 'submit'];
  const lambdaSeconds = visit.reduce((s, r) => s + routeMs(r) / 1000, 0);
  const rru = visit.reduce((s, r) => s + ROUTES[r].rru, 0) * perSecond;
  const wru = visit.reduce((s, r) => s + ROUTES[r].wru, 0) * perSecond;
  const metersPerSubmission = scale.meters / meteredAccounts;
  // Each accepted reading is also written to its period's index shard (keys.readingsOfPeriod).
  const shardWrites = (perSecond * metersPerSubmission) / READING_SHARDS;
  return {
    scale: scale.name,
    'submissions/s (peak minute)': fmt(perSecond, 1),
    'API requests/s': fmt(perSecond * visit.length, 1),
    'Lambda concurrency': fmt(Math.ceil(perSecond * lambdaSeconds + 1)),
    'RRU/s': fmt(rru),
    'WRU/s': fmt(wru),
    'hottest partition WCU/s (reading index shard)': fmt(shardWrites, 1),
    'provisioned RCU/WCU for the peak': `${fmt(Math.ceil(rru))} / ${fmt(Math.ceil(wru))}`,
  };
}

/** B. The billing night: every account billed through the billing queue. */
function billingNight(
  scale: Scale,
): Night & { seconds: number; gbs: number; accountsPerSecond: number; wruPerSecond: number } {
  const queue = QUEUES.billing;
  const perAccountMs = Math.max(
    lambdaMs('billing', billing.cpuMs, 0),
    // The round trips of ACCOUNT_CONCURRENCY accounts overlap.
    (billing.requests * ddbMs) / ACCOUNT_CONCURRENCY,
  );
  const batchSeconds = (BATCH_SIZE * perAccountMs) / 1000 + (2 * ddbMs) / 1000;
  const accountsPerSecond = (queue.maxConcurrency * BATCH_SIZE) / batchSeconds;
  const seconds = scale.accounts / accountsPerSecond;
  const wru = accountsPerSecond * billing.wru;
  const rru = accountsPerSecond * billing.rru;
  const messages = scale.accounts / BATCH_SIZE + ACCOUNT_SHARDS;
  // The run record takes two writes per batch (counters, then the completion check).
  const runRecordWcu = (2 * queue.maxConcurrency) / batchSeconds;
  return {
    scale: scale.name,
    seconds,
    gbs: gbSeconds('billing', seconds * 1000 * queue.maxConcurrency),
    accountsPerSecond,
    wruPerSecond: wru,
    'batch (100 accounts)': `${fmt(batchSeconds, 2)} s`,
    'accounts/s': fmt(accountsPerSecond),
    'run takes': duration(seconds),
    'Lambda concurrency': `${queue.maxConcurrency} (queue maxConcurrency)`,
    'SQS depth at the start': fmt(messages),
    'WRU/s': fmt(wru),
    'RRU/s': fmt(rru),
    'hottest partition WCU/s (run record)': fmt(runRecordWcu),
    'fits a new on-demand table (4000 WRU/s)':
      wru <= LIMIT.onDemandInitialWru ? 'yes' : 'no: pre-warm or lower concurrency',
  };
}

/** C. The ЕПД night by the 5th: bills printed once and stored, mailed to subscribers. */
function epdNight(scale: Scale): Night & { seconds: number; gbs: number } {
  const queue = QUEUES.epd;
  const bills = scale.accounts * share.mailEpd;
  const billMs = lambdaMs('epdIssue', epd.renderMs, epd.requests) + s3PutMs;
  const renderRate = (queue.maxConcurrency * 1000) / billMs;
  const mailRate = Math.min(renderRate, LIMIT.sesRate);
  const seconds = bills / mailRate;
  const messages = bills / EPD_BATCH_SIZE + ACCOUNT_SHARDS;
  return {
    scale: scale.name,
    seconds,
    gbs: gbSeconds('epdIssue', bills * billMs),
    'bills mailed': fmt(bills),
    'printing bills/s': fmt(renderRate, 1),
    'mail bills/s (SES 14/s default)': fmt(mailRate, 1),
    'issuance takes': duration(seconds),
    'by the 4th at 12:00 (57 h)': seconds <= 57 * 3600 ? 'yes' : 'no: raise the SES rate',
    'at a raised rate (500/s) it takes': duration(bills / Math.min(renderRate, 500)),
    'Lambda concurrency': `${queue.maxConcurrency} (queue maxConcurrency)`,
    'SQS depth at the start': fmt(messages),
    'WRU/s': fmt(mailRate * epd.wru),
    'S3 PUT/s': fmt(mailRate, 1),
  };
}

/** The month's bill at one scale, item by item. */
function monthlyCost(scale: Scale): Array<{ item: string; quantity: string; usd: string }> {
  const rows: Array<{ item: string; quantity: string; cost: number }> = [];
  const cabinets = scale.accounts * share.cabinet;
  const visits = cabinets * share.visits;
  const submissions = Math.min(scale.accounts, scale.meters / 2.5) * share.submitOnline;
  const payments = scale.accounts * share.payOnline;
  const downloads = scale.accounts * share.downloads;
  const api: Array<[keyof typeof ROUTES, number]> = [
    ['login', visits * 0.5],
    ['me', visits],
    ['home', visits],
    ['meters', visits],
    ['statement', visits * 0.7],
    ['submit', submissions],
    ['payStart', payments],
    ['callback', payments],
    // The bill printed once (the ЕПД line below); each download is then served from storage.
    ['epdStored', downloads],
  ];
  let apiRequests = 0;
  let apiLambda = 0;
  let apiGbs = 0;
  let apiRru = 0;
  let apiWru = 0;
  for (const [route, count] of api) {
    const r = ROUTES[route];
    apiRequests += count;
    apiGbs += count * gbSeconds(r.group, routeMs(route));
    apiLambda += count * gbSeconds(r.group, routeMs(route)) * lambdaPrice(r.group);
    apiRru += count * r.rru;
    apiWru += count * r.wru;
  }
  rows.push({
    item: 'API Gateway (HTTP API) requests',
    quantity: fmt(apiRequests),
    cost: apiRequests * PRICE.apiRequest,
  });
  rows.push({
    item: 'Lambda: API (requests + GB-s)',
    quantity: `${fmt(apiRequests)} req, ${fmt(apiGbs)} GB-s`,
    cost: apiLambda + apiRequests * PRICE.lambdaRequest,
  });
  const bill = billingNight(scale);
  const billingInvocations = scale.accounts / BATCH_SIZE + ACCOUNT_SHARDS + 1;
  rows.push({
    item: 'Lambda: billing run',
    quantity: `${fmt(billingInvocations)} inv, ${fmt(bill.gbs)} GB-s`,
    cost: bill.gbs * PRICE.lambdaGbSecondArm + billingInvocations * PRICE.lambdaRequest,
  });
  const printed = scale.accounts * (share.mailEpd + share.downloads * (1 - share.mailEpd));
  const printGbs = gbSeconds('epdIssue', printed * (lambdaMs('epdIssue', epd.renderMs, epd.requests) + s3PutMs));
  rows.push({
    item: 'Lambda: ЕПД printed once each (x86, Chromium)',
    quantity: `${fmt(printed)} bills, ${fmt(printGbs)} GB-s`,
    cost: printGbs * PRICE.lambdaGbSecondX86 + (printed / EPD_BATCH_SIZE) * PRICE.lambdaRequest,
  });
  const billingWru = scale.accounts * billing.wru;
  const billingRru = scale.accounts * billing.rru;
  const epdWru = printed * epd.wru;
  const epdRru = printed * epd.rru;
  const totalWru = apiWru + billingWru + epdWru;
  const totalRru = apiRru + billingRru + epdRru;
  rows.push({
    item: 'DynamoDB on-demand writes (WRU)',
    quantity: `${fmt(totalWru)} (billing ${fmt(billingWru)})`,
    cost: totalWru * PRICE.wru,
  });
  rows.push({
    item: 'DynamoDB on-demand reads (RRU)',
    quantity: `${fmt(totalRru)} (billing ${fmt(billingRru)})`,
    cost: totalRru * PRICE.rru,
  });
  const ddbGb = (scale.accounts * storage.accountKiB) / 1024 / 1024;
  rows.push({ item: 'DynamoDB storage', quantity: `${fmt(ddbGb, 1)} GB`, cost: ddbGb * PRICE.ddbGbMonth });
  const mails = scale.accounts * (share.mailEpd + share.reminders * 2) + cabinets * 0.02;
  const attachmentGb = (scale.accounts * share.mailEpd * epd.pdfKiB * 1.37) / 1024 / 1024;
  rows.push({
    item: 'SES mail (ЕПД with PDF, reminders, links)',
    quantity: `${fmt(mails)} mails, ${fmt(attachmentGb, 1)} GB attached`,
    cost: mails * PRICE.sesMail + attachmentGb * PRICE.sesAttachmentGb,
  });
  const s3Gb = (printed * storage.epdMonths * epd.pdfKiB) / 1024 / 1024;
  rows.push({
    item: `S3: bills kept ${storage.epdMonths} months, PUT once, GET per download`,
    quantity: `${fmt(s3Gb, 1)} GB, ${fmt(printed)} PUT, ${fmt(downloads)} GET`,
    cost: s3Gb * PRICE.s3GbMonth + printed * PRICE.s3Put + downloads * PRICE.s3Get,
  });
  const cfGb = (visits * siteKiB + downloads * epd.pdfKiB) / 1024 / 1024;
  const cfRequests = visits * 12 + apiRequests + downloads;
  rows.push({
    item: 'CloudFront: site, API and bills to Europe',
    quantity: `${fmt(cfGb, 1)} GB, ${fmt(cfRequests)} req`,
    cost: cfGb * PRICE.cloudfrontGb + cfRequests * PRICE.cloudfrontRequest,
  });
  const sqsRequests =
    3 * (scale.accounts / BATCH_SIZE + (scale.accounts * share.mailEpd) / EPD_BATCH_SIZE + 2 * ACCOUNT_SHARDS);
  rows.push({ item: 'SQS (send, receive, delete)', quantity: fmt(sqsRequests), cost: sqsRequests * PRICE.sqsRequest });
  const total = rows.reduce((s, r) => s + r.cost, 0);
  return [
    ...rows.map((r) => ({ item: r.item, quantity: r.quantity, usd: usd(r.cost) })),
    { item: 'total a month', quantity: '', usd: usd(total) },
    { item: 'per 1000 accounts a month', quantity: '', usd: usd((total / scale.accounts) * 1000) },
  ];
}

/** Provisioned capacity to carry the billing night instead of on-demand, for comparison. */
function provisionedBilling(scale: Scale): { scale: string; [k: string]: string } {
  const night = billingNight(scale);
  const wcu = (scale.accounts * billing.wru) / night.seconds;
  const rcu = (scale.accounts * billing.rru) / night.seconds;
  // Scaled up for the night's hours only (auto scaling's granularity is minutes; an hour is billed).
  const hours = Math.max(1, Math.ceil(night.seconds / 3600));
  return {
    scale: scale.name,
    'WCU / RCU for the night': `${fmt(Math.ceil(wcu))} / ${fmt(Math.ceil(rcu))}`,
    'provisioned, those hours': usd(hours * (wcu * PRICE.wcuHour + rcu * PRICE.rcuHour)),
    'provisioned at that peak all month': usd(730 * (wcu * PRICE.wcuHour + rcu * PRICE.rcuHour)),
    'on-demand, the same night': usd(scale.accounts * (billing.wru * PRICE.wru + billing.rru * PRICE.rru)),
  };
}

// ---------------------------------------------------------------------------------------------
// Output: markdown tables, quoted by docs/capacity.md.

function table(rows: Array<Record<string, string | number>>): string {
  const hidden = new Set(['seconds', 'gbs', 'accountsPerSecond', 'wruPerSecond']);
  const columns = Object.keys(rows[0] ?? {}).filter((c) => !hidden.has(c));
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(columns), line(columns.map(() => '---')), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))].join(
    '\n',
  );
}

/** Billing batches consumed at once that keep the night under a new on-demand table's 4000 WRU/s. */
const billingWruPerConsumer = billingNight(SCALES[0] as Scale).wruPerSecond / QUEUES.billing.maxConcurrency;
const fitConcurrency = Math.max(1, Math.floor(LIMIT.onDemandInitialWru / billingWruPerConsumer));

const sections: Array<[string, string]> = [];
sections.push(['A. The last evening of the reading window (busiest minute)', table(SCALES.map(readingEvening))]);
sections.push(['B. The billing night (from 00:10 on the 1st; due by 06:00)', table(SCALES.map(billingNight))]);
sections.push(['B′. The billing night on provisioned capacity', table(SCALES.map(provisionedBilling))]);
sections.push(['C. The ЕПД night (from 03:00 on the 2nd; due by the 4th, 12:00)', table(SCALES.map(epdNight))]);
for (const scale of SCALES) {
  sections.push([
    `Monthly cost, ${scale.name} (${fmt(scale.accounts)} accounts, ${fmt(scale.meters)} meters)`,
    table(monthlyCost(scale)),
  ]);
}
const reserved = Object.entries(FUNCTION_GROUPS).reduce(
  (s, [, g]) => s + ((g as { reservedConcurrency?: number }).reservedConcurrency ?? 0),
  0,
);
sections.push([
  'Limits that bind first',
  table([
    {
      limit: 'SES sending rate (14/s until raised)',
      city: duration(((SCALES[0] as Scale).accounts * share.mailEpd) / LIMIT.sesRate),
      region: duration(((SCALES[1] as Scale).accounts * share.mailEpd) / LIMIT.sesRate),
      note: 'time to mail the ЕПД at the default rate; request a raise before the region',
    },
    {
      limit: 'DynamoDB on-demand start: 4000 WRU/s',
      city: billingNight(SCALES[0] as Scale)['WRU/s'] as string,
      region: billingNight(SCALES[1] as Scale)['WRU/s'] as string,
      note: `WRU/s of the billing night at maxConcurrency ${QUEUES.billing.maxConcurrency}; a new table throttles above 4000 until it scales: pre-warm it (warm throughput) or consume at most ${fitConcurrency} batches at once (then the region takes ${duration(((SCALES[1] as Scale).accounts * QUEUES.billing.maxConcurrency) / (fitConcurrency * billingNight(SCALES[1] as Scale).accountsPerSecond))})`,
    },
    {
      limit: `Lambda account concurrency ${LIMIT.accountConcurrency}`,
      city: `${reserved} reserved`,
      region: `${reserved} reserved`,
      note: 'reserved by the queue consumers (shared/functions.ts); the API takes the rest',
    },
    {
      limit: 'partition: 1000 WCU / 3000 RCU',
      city: 'run record, CONFIG',
      region: 'run record, CONFIG',
      note: 'single-item partitions: run records take 2 writes per batch; CONFIG is cached 30 s per container',
    },
  ]),
]);

console.log(
  `Capacity model from ${file} (measured ${document.measuredAt ?? '?'} on ${document.cpus ?? '?'} cores` +
    `${document.merged ? `; merged: ${document.merged}` : ''})`,
);
console.log('Prices: eu-central-1 list prices, USD, no free tier; see docs/capacity.md.\n');
for (const [title, body] of sections) console.log(`### ${title}\n\n${body}\n`);
console.log(`### Inputs\n\n${table(inputs)}\n`);
