import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { localClient } from '#local/dynamo';
import { startGateway } from '#local/gateway';
import { freePort } from '#local/ports';
import { createSandboxAcquirer, SANDBOX_REST } from '#local/sandboxAcquirer';
import { hashPassword } from '#shared/accounts/passwords';
import { openSession } from '#shared/accounts/sessions';
import { closedPeriod } from '#shared/billing/run';
import { db, tableName } from '#shared/clients/dynamo';
import { LOCAL_SECRET_DEFAULTS, resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { resetEpdFilesForTests } from '#shared/epd/files';
import { issueBatch } from '#shared/epd/issue';
import { closeBrowser } from '#shared/epd/render';
import { createIssueRun } from '#shared/epd/store';
import { ACCOUNT_SHARDS } from '#shared/keys';
import { startCardPayment } from '#shared/payments/card';
import { callbackChecksum } from '#shared/payments/sber';
import { meterIdOf } from '#shared/readings/meterId';
import { submissionPeriod } from '#shared/readings/period';
import { addMonths } from '#shared/time';
import { setWindow } from '#shared/window/windowStore';
import { httpEvent, lambdaContext } from '../test/support/events.ts';
import { billedByRun, imported, putCabinet, putReadingHistory } from '../test/support/fixtures.ts';
import { record } from './figures.ts';
import { percentile } from './support.ts';

/**
 * Per-operation costs for the capacity model (docs/capacity.md, bench/capacity.ts): for each API
 * request a resident's month makes, through the real handler in-process against DynamoDB Local,
 * on a warm container: DynamoDB round trips, read and write units, and the handler's CPU; per ЕПД
 * bill of the issuance, its requests, units and PDF bytes.
 *
 * Units are what DynamoDB Local reports (`ReturnConsumedCapacity: 'INDEXES'`, added by a middleware
 * on the document client here only), except for TransactWriteItems: Local reports a transaction's
 * units wrongly (three small Puts in one transaction report 2 units, AWS bills 6), so a
 * transaction's units are computed from its items' sizes, read before and after it with a client
 * of its own: 2 write units per KB of each written item (the larger of before and after), 2 read
 * units per 4 KB of each ConditionCheck item, and 1 write unit per KB of each gsi1 entry written
 * (index propagation is not transactional). A conditional write whose condition fails is billed by
 * AWS too; it carries no ConsumedCapacity, so its units are computed from the item's size.
 * The CPU is measured in a second pass over other accounts with no middleware: this process's
 * `process.cpuUsage()` around the handler's call (the SDK, zod, the session's HMAC, argon2id's
 * threads), DynamoDB Local's JVM and Chromium excluded; median of the accounts.
 */

const PER_PASS = 12;
const WARM = 4;
const API_ACCOUNTS = WARM + 2 * PER_PASS;
const ISSUE_ACCOUNTS = 50;
const FIRST_API = 880000;
const FIRST_ISSUE = 881000;
const PASSWORD = 'длинная фраза для замеров';
const SERIALS = ['COLD', 'HOT', 'EL'] as const;
const SERVICES = { COLD: 'cold_water', HOT: 'hot_water', EL: 'electricity' } as const;

type Result = { statusCode: number; body?: string; isBase64Encoded?: boolean };
type AttributeValue = Record<string, unknown>;

/** An item's size as DynamoDB bills it (attribute names and values; numbers by significant digits). */
function itemBytes(item: Record<string, AttributeValue> | undefined): number {
  if (!item) return 0;
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  const [type, v] = Object.entries(value)[0] as [string, unknown];
  switch (type) {
    case 'S':
      return Buffer.byteLength(v as string);
    case 'N':
      return numberBytes(v as string);
    case 'B':
      return (v as Uint8Array).byteLength;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (v as string[]).reduce((s, x) => s + Buffer.byteLength(x), 0);
    case 'NS':
      return (v as string[]).reduce((s, x) => s + numberBytes(x), 0);
    case 'BS':
      return (v as Uint8Array[]).reduce((s, x) => s + x.byteLength, 0);
    case 'L':
      return 3 + (v as AttributeValue[]).reduce((s, x) => s + 1 + valueBytes(x), 0);
    case 'M':
      return (
        3 +
        Object.entries(v as Record<string, AttributeValue>).reduce(
          (s, [k, x]) => s + 1 + Buffer.byteLength(k) + valueBytes(x),
          0,
        )
      );
    default:
      return 0;
  }
}

function numberBytes(n: string): number {
  const digits = n.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

interface Tally {
  requests: number;
  rru: number;
  wru: number;
  /** Transactions and failed conditional writes whose units were computed from item sizes. */
  computed: number;
  byCommand: Record<string, number>;
  /** Each transaction item: its action, key prefix, bytes and units («Put READING 412 B: 2 + gsi1 1»). */
  transactItems: string[];
}
const zero = (): Tally => ({ requests: 0, rru: 0, wru: 0, computed: 0, byCommand: {}, transactItems: [] });

const READS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
const MIDDLEWARE = 'benchUnits';

/**
 * Asks DynamoDB for the capacity of every request of the shared document client and sums it into
 * the current tally (see the module comment for transactions and failed conditions).
 */
function meterUnits(): { start: () => void; take: () => Tally; stop: () => void } {
  let tally = zero();
  // A client of its own for the size reads, so they are neither counted nor metered.
  const sizes = localClient(process.env[ENV.dynamoEndpoint] as string);
  const sizeOf = async (key: { pk: unknown; sk: unknown }): Promise<Record<string, AttributeValue> | undefined> =>
    (
      await sizes.send(
        new GetItemCommand({
          TableName: tableName(),
          Key: { pk: { S: String(key.pk) }, sk: { S: String(key.sk) } },
          ConsistentRead: true,
        }),
      )
    ).Item as Record<string, AttributeValue> | undefined;
  const keyOf = (item: Record<string, unknown>) => ({ pk: item.pk, sk: item.sk });
  db().middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      const input = args.input as Record<string, unknown>;
      tally.requests++;
      tally.byCommand[name] = (tally.byCommand[name] ?? 0) + 1;
      if (name === 'TransactWriteItemsCommand') {
        const items = input.TransactItems as Array<Record<string, Record<string, unknown>>>;
        const targets = items.map((t) => {
          const [kind, body] = Object.entries(t)[0] as [string, Record<string, unknown>];
          return { kind, key: keyOf((body.Key ?? body.Item) as Record<string, unknown>) };
        });
        const before = await Promise.all(targets.map((t) => sizeOf(t.key)));
        const out = await next(args);
        const after = await Promise.all(targets.map((t) => (t.kind === 'ConditionCheck' ? undefined : sizeOf(t.key))));
        tally.computed++;
        targets.forEach((t, i) => {
          const old = before[i];
          const now = after[i];
          const prefix = String(t.key.pk).split('#')[0];
          if (t.kind === 'ConditionCheck') {
            const rru = 2 * Math.max(1, Math.ceil(itemBytes(old) / 4096));
            tally.rru += rru;
            tally.transactItems.push(`ConditionCheck ${prefix} ${itemBytes(old)} B: ${rru} RRU`);
            return;
          }
          const bytes = Math.max(itemBytes(old), itemBytes(now));
          const wru = 2 * Math.max(1, Math.ceil(bytes / 1024));
          // gsi1 projects all attributes: an entry is the item plus 100 bytes of index overhead.
          // An entry whose index key stays is rewritten once; a moved one is deleted and put.
          const entry = (item: Record<string, AttributeValue> | undefined) =>
            item?.gsi1pk ? Math.max(1, Math.ceil((itemBytes(item) + 100) / 1024)) : 0;
          const gsiKey = (item: Record<string, AttributeValue> | undefined) =>
            item?.gsi1pk ? JSON.stringify([item.gsi1pk, item.gsi1sk]) : undefined;
          const index =
            gsiKey(old) && gsiKey(old) === gsiKey(now) ? Math.max(entry(old), entry(now)) : entry(old) + entry(now);
          tally.wru += wru + index;
          tally.transactItems.push(`${t.kind} ${prefix} ${bytes} B: ${wru}${index ? ` + gsi1 ${index}` : ''} WRU`);
        });
        return out;
      }
      const metered = READS.has(name) || WRITES.has(name);
      if (metered) input.ReturnConsumedCapacity = 'INDEXES';
      try {
        const out = await next(args);
        if (metered) {
          const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
          for (const c of [consumed].flat() as Array<{ CapacityUnits?: number } | undefined>) {
            if (!c) continue;
            if (READS.has(name)) tally.rru += c.CapacityUnits ?? 0;
            else tally.wru += c.CapacityUnits ?? 0;
          }
        }
        return out;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException' && WRITES.has(name) && input.Key) {
          tally.computed++;
          const existing = await sizeOf(input.Key as { pk: unknown; sk: unknown });
          tally.wru += Math.max(1, Math.ceil(itemBytes(existing) / 1024));
        } else if ((error as Error).name === 'ConditionalCheckFailedException' && input.Item) {
          // The larger of the existing and the new item: the existing one stands for both here.
          tally.computed++;
          const existing = await sizeOf(keyOf(input.Item as Record<string, unknown>));
          tally.wru += Math.max(1, Math.ceil(itemBytes(existing) / 1024));
        }
        throw error;
      }
    },
    { step: 'initialize', name: MIDDLEWARE },
  );
  return {
    start: () => {
      tally = zero();
    },
    take: () => tally,
    stop: () => {
      db().middlewareStack.remove(MIDDLEWARE);
      sizes.destroy();
    },
  };
}

interface Row {
  what: string;
  key: string;
  requests: number;
  rru: number;
  wru: number;
  cpuMs: number;
  computed: number;
  commands: string;
  transaction: string;
}

const median = (values: number[]) => percentile(values, 50);

/** A distinct viewer address per call: the per-address limits (login) count each one apart. */
let viewer = 0;
function event(
  method: string,
  path: string,
  options: {
    body?: unknown;
    cookie?: string;
    query?: Record<string, string>;
    routePath?: string;
    pathParameters?: Record<string, string>;
  } = {},
): APIGatewayProxyEventV2 {
  const base = httpEvent(method, path, {
    headers: { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.query ? { query: options.query } : {}),
    ...(options.routePath ? { routePath: options.routePath } : {}),
  });
  viewer++;
  base.requestContext.http.sourceIp = `10.13.${(viewer >> 8) & 255}.${viewer & 255}`;
  return {
    ...base,
    ...(options.cookie ? { cookies: [options.cookie] } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
  };
}

export async function benchUnits(): Promise<void> {
  console.log('\nUnits: per-operation costs for the capacity model (in-process handlers, DynamoDB Local, warm)');
  const api = Array.from({ length: API_ACCOUNTS }, (_, i) => String(FIRST_API + i));
  const issue = Array.from({ length: ISSUE_ACCOUNTS }, (_, i) => String(FIRST_ISSUE + i));
  const period = closedPeriod();
  const from = addMonths(period, -12);
  const imports = {
    tariffs: [
      'service;unit;price;norm;from',
      `cold_water;м³;35,12;3,8;${from}`,
      `hot_water;м³;214,56;3,01;${from}`,
      `electricity;кВт·ч;6,61;88;${from}`,
      `heating;Гкал;2636,9345;0,0186;${from}`,
      `maintenance;м²;27,86;1;${from}`,
      `waste;чел.;145,05;1;${from}`,
    ],
    accounts: ['account;owner;passport;address;area;residents'],
    meters: ['account;meter;service;reading;verified_until'],
  };
  for (const [i, account] of [...api, ...issue].entries()) {
    imports.accounts.push(
      `${account};Житель ${i};16${String(i % 100).padStart(2, '0')} ${300000 + i};г. Старый Оскол, ул. Ленина, д. ${i + 1}, кв. 12;52,4;2`,
    );
    for (const s of SERIALS) imports.meters.push(`${account};${account}-${s};${SERVICES[s]};100;2035-12-31`);
  }
  for (const kind of ['tariffs', 'accounts', 'meters'] as const) await imported(kind, imports[kind]);
  const window = await setWindow(true, 'operator');
  const current = submissionPeriod(window);
  // Three months of readings before the window's month (the closed month among them, so the
  // billing run bills by them), and a cabinet for every account: the usual resident.
  const passwordHash = await hashPassword(PASSWORD);
  for (const [i, account] of [...api, ...issue].entries()) {
    await putReadingHistory(
      account,
      SERIALS.map((s) => ({ serial: `${account}-${s}`, service: SERVICES[s] })),
      current,
    );
    await putCabinet(account, {
      passwordHash,
      email: `units${i}@example.ru`,
      remindersOptIn: true,
      billByEmail: i >= API_ACCOUNTS,
    });
  }
  // The closed month billed by the real run, through the local billing queue.
  await billedByRun(period);

  // The acquirer: the sandbox bank on a local gateway (payment start and the callback ask it).
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sandbox = createSandboxAcquirer({
    publicBase: url,
    callbackUrl: `${url}/api/webhooks/sber`,
    sendCallbacks: false,
  });
  const gateway = await startGateway({ port, siteDir: 'web/dist', host: '127.0.0.1', mounts: [sandbox] });
  const saved = {
    gateway: process.env[ENV.sberGatewayUrl],
    publicUrl: process.env[ENV.publicUrl],
    dataDir: process.env[ENV.dataDir],
  };
  process.env[ENV.sberGatewayUrl] = `${url}${SANDBOX_REST}`;
  process.env[ENV.publicUrl] = url;
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dataDir = mkdtempSync(`${tmpdir()}/rac-bench-units-`);
  process.env[ENV.dataDir] = dataDir;
  resetConfigForTests();
  resetEpdFilesForTests();

  const handlers = {
    residents: (await import('#functions/residents/index')).handler,
    readings: (await import('#functions/readings/index')).handler,
    statement: (await import('#functions/statement/index')).handler,
    auth: (await import('#functions/auth/index')).handler,
    payments: (await import('#functions/payments/index')).handler,
    epd: (await import('#functions/epd/index')).handler,
  };
  const cookies = new Map<string, string>();
  for (const account of api) cookies.set(account, (await openSession(account)).cookie.split(';')[0] as string);
  const page = (account: string, value: string) => ({
    readings: SERIALS.map((s) => ({ meterId: meterIdOf(`${account}-${s}`), value })),
  });
  const callbackKey = LOCAL_SECRET_DEFAULTS[ENV.sberCallbackSecret];
  /** A card payment started and paid at the sandbox, its callback's query not sent yet. */
  const paidOrders = new Map<string, Record<string, string>>();
  const paid = async (account: string) => {
    const payment = await startCardPayment(account, { amount: 50_000 });
    const mdOrder = new URL(payment.paymentUrl).searchParams.get('mdOrder') ?? '';
    sandbox.complete(mdOrder, 'pay', { sendCallback: false });
    const params = { mdOrder, orderNumber: payment.id, operation: 'deposited', status: '1', amount: '50000' };
    return { ...params, checksum: callbackChecksum(params, callbackKey) };
  };

  type Call = (account: string) => { group: keyof typeof handlers; event: APIGatewayProxyEventV2; status: number };
  const epdEvent = (account: string) =>
    event('GET', `/api/epd/${period}`, {
      cookie: cookies.get(account) as string,
      routePath: '/api/epd/{period}',
      pathParameters: { period },
    });
  /** The logged-in resident's request, answered `status`. */
  const asResident =
    (
      group: keyof typeof handlers,
      method: string,
      path: string,
      status: number,
      body?: (account: string) => unknown,
    ): Call =>
    (a) => ({
      group,
      event: event(method, path, { cookie: cookies.get(a) as string, ...(body ? { body: body(a) } : {}) }),
      status,
    });
  const ops: Array<{ what: string; key: string; call: Call; prepare?: (account: string) => Promise<void> }> = [
    { what: 'GET /api/me', key: 'GET /api/me', call: asResident('residents', 'GET', '/api/me', 200) },
    { what: 'GET /api/home', key: 'GET /api/home', call: asResident('residents', 'GET', '/api/home', 200) },
    {
      what: 'GET /api/meters (3 meters with history)',
      key: 'GET /api/meters',
      call: asResident('readings', 'GET', '/api/meters', 200),
    },
    {
      what: 'POST /api/readings (3 meters, first in the window)',
      key: 'POST /api/readings',
      call: asResident('readings', 'POST', '/api/readings', 201, (a) => page(a, '113,5')),
    },
    {
      what: 'POST /api/readings (3 meters, a correction)',
      key: 'POST /api/readings correction',
      call: asResident('readings', 'POST', '/api/readings', 201, (a) => page(a, '114')),
    },
    {
      what: 'GET /api/statement',
      key: 'GET /api/statement',
      call: asResident('statement', 'GET', '/api/statement', 200),
    },
    {
      what: 'POST /api/auth/login (argon2id verify included)',
      key: 'POST /api/auth/login',
      call: (a) => ({
        group: 'auth',
        event: event('POST', '/api/auth/login', { body: { account: a, password: PASSWORD } }),
        status: 200,
      }),
    },
    {
      what: 'POST /api/payments (card payment start, the bank asked)',
      key: 'POST /api/payments',
      call: asResident('payments', 'POST', '/api/payments', 201, () => ({ amount: 40_000 })),
    },
    {
      what: 'GET /api/webhooks/sber (callback that settles, the bank asked)',
      key: 'payment callback',
      prepare: async (a) => {
        paidOrders.set(a, await paid(a));
      },
      call: (a) => ({
        group: 'payments',
        event: event('GET', '/api/webhooks/sber', { query: paidOrders.get(a) as Record<string, string> }),
        status: 200,
      }),
    },
    {
      what: 'GET /api/epd/{period} (first: prints and stores; Chromium not in the CPU)',
      key: 'GET /api/epd first',
      call: (a) => ({ group: 'epd', event: epdEvent(a), status: 200 }),
    },
    {
      what: 'GET /api/epd/{period} (again: the stored bill)',
      key: 'GET /api/epd stored',
      call: (a) => ({ group: 'epd', event: epdEvent(a), status: 200 }),
    },
  ];

  const warm = api.slice(0, WARM);
  const unitAccounts = api.slice(WARM, WARM + PER_PASS);
  const cpuAccounts = api.slice(WARM + PER_PASS);
  const pdfBytes: number[] = [];
  const invoke = async (call: ReturnType<Call>, what: string) => {
    const out = (await handlers[call.group](call.event, lambdaContext)) as Result;
    if (out.statusCode !== call.status)
      throw new Error(`${what} answered ${out.statusCode}: ${out.body?.slice(0, 300)}`);
    return out;
  };
  const rows: Row[] = [];
  try {
    for (const op of ops) {
      for (const account of [...warm, ...unitAccounts, ...cpuAccounts]) await op.prepare?.(account);
      // Warm: the container's clients, caches (window, tariffs, CONFIG) and the JIT.
      for (const account of warm) await invoke(op.call(account), op.what);
      const meter = meterUnits();
      const tallies: Tally[] = [];
      try {
        for (const account of unitAccounts) {
          const call = op.call(account);
          meter.start();
          const out = await invoke(call, op.what);
          tallies.push(meter.take());
          if (call.group === 'epd' && out.isBase64Encoded && out.body)
            pdfBytes.push(Buffer.from(out.body, 'base64').byteLength);
        }
      } finally {
        meter.stop();
      }
      const cpu: number[] = [];
      for (const account of cpuAccounts) {
        const call = op.call(account);
        const before = process.cpuUsage();
        await invoke(call, op.what);
        const used = process.cpuUsage(before);
        cpu.push((used.user + used.system) / 1000);
      }
      const commands = new Map<string, number>();
      for (const t of tallies)
        for (const [c, n] of Object.entries(t.byCommand)) commands.set(c, (commands.get(c) ?? 0) + n);
      rows.push({
        what: op.what,
        key: op.key,
        requests: median(tallies.map((t) => t.requests)),
        rru: median(tallies.map((t) => t.rru)),
        wru: median(tallies.map((t) => t.wru)),
        cpuMs: median(cpu),
        computed: median(tallies.map((t) => t.computed)),
        transaction: tallies[0]?.transactItems.join('; ') ?? '',
        commands: [...commands]
          .map(([c, n]) => `${c.replace(/Command$/, '')} ${+(n / tallies.length).toFixed(2)}`)
          .join(', '),
      });
    }

    // The ЕПД issuance: one batch of 50 subscribers, as a batch message of the epd queue carries.
    const runId = `${new Date().toISOString()}#units`;
    await createIssueRun({
      period,
      runId,
      shards: ACCOUNT_SHARDS,
      startedAt: new Date().toISOString(),
      source: 'bench',
    });
    const meter = meterUnits();
    let batch: Tally;
    let counters: Awaited<ReturnType<typeof issueBatch>>;
    let batchCpu: number;
    try {
      meter.start();
      const before = process.cpuUsage();
      counters = await issueBatch({ type: 'batch', period, runId, accounts: issue });
      const used = process.cpuUsage(before);
      batchCpu = (used.user + used.system) / 1000;
      batch = meter.take();
    } finally {
      meter.stop();
    }
    if (counters.sent !== ISSUE_ACCOUNTS) throw new Error(`issuance mailed ${counters.sent} of ${ISSUE_ACCOUNTS}`);
    const perBill = (n: number) => n / counters.sent;

    console.table(
      rows.map((r) => ({
        request: r.what,
        'DynamoDB requests': r.requests,
        RRU: r.rru,
        WRU: r.wru,
        'handler CPU ms (p50)': r.cpuMs.toFixed(1),
        'requests by kind (mean)': r.commands,
      })),
    );
    for (const r of rows) {
      if (r.transaction) console.log(`${r.what}: its transaction, item by item: ${r.transaction}`);
    }
    console.log(
      `ЕПД issuance, one batch of ${counters.sent} subscribers (printed, stored, mailed): per bill ${perBill(batch.requests).toFixed(2)} DynamoDB requests, ` +
        `${perBill(batch.rru).toFixed(2)} RRU, ${perBill(batch.wru).toFixed(2)} WRU, ${(counters.pdfBytes / counters.sent / 1024).toFixed(1)} KiB of PDF; ` +
        `requests by kind: ${Object.entries(batch.byCommand)
          .map(([c, n]) => `${c.replace(/Command$/, '')} ${n}`)
          .join(', ')}; this process's CPU ${perBill(batchCpu).toFixed(1)} ms per bill (Chromium not included)`,
    );
    console.log(
      `Downloaded ЕПД: ${(median(pdfBytes) / 1024).toFixed(1)} KiB (median). Units: DynamoDB Local's ConsumedCapacity, ` +
        'transactions and failed conditions computed from item sizes (bench/units.ts). CPU: median over ' +
        `${PER_PASS} accounts of a second pass, this process only.`,
    );
    for (const r of rows) {
      record('units', `${r.key}.roundTrips`, r.requests);
      record('units', `${r.key}.readUnits`, Number(r.rru.toFixed(2)));
      record('units', `${r.key}.writeUnits`, Number(r.wru.toFixed(2)));
      record('units', `${r.key}.cpuMs`, Number(r.cpuMs.toFixed(2)));
      record('units', `${r.key}.requestsByKind`, r.commands);
      if (r.transaction) record('units', `${r.key}.transactionItems`, r.transaction);
      // Requests whose units were computed from item sizes (transactions, failed conditions).
      record('units', `${r.key}.unitsComputedFromSizes`, r.computed);
    }
    record('units', 'epd.requestsPerBill', Number(perBill(batch.requests).toFixed(3)));
    record('units', 'epd.readUnitsPerBill', Number(perBill(batch.rru).toFixed(3)));
    record('units', 'epd.writeUnitsPerBill', Number(perBill(batch.wru).toFixed(3)));
    record('units', 'epd.batchSubscribers', counters.sent);
    record(
      'units',
      'epd.requestsByKindPerBatch',
      Object.entries(batch.byCommand)
        .map(([c, n]) => `${c.replace(/Command$/, '')} ${n}`)
        .join(', '),
    );
    record('units', 'epd.pdfBytes', Math.round(counters.pdfBytes / counters.sent));
    record('units', 'epd.downloadPdfBytes', median(pdfBytes));
    record('units', 'epd.issueNodeCpuMsPerBill', Number(perBill(batchCpu).toFixed(2)));
  } finally {
    await closeBrowser();
    sandbox.stop();
    await gateway.stop();
    for (const [name, value] of [
      [ENV.sberGatewayUrl, saved.gateway],
      [ENV.publicUrl, saved.publicUrl],
      [ENV.dataDir, saved.dataDir],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetConfigForTests();
    resetEpdFilesForTests();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
