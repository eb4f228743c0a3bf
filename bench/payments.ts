import { performance } from 'node:perf_hooks';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Gateway, startGateway } from '#local/gateway';
import { freePort } from '#local/ports';
import { createSandboxAcquirer, SANDBOX_REST, type SandboxAcquirer } from '#local/sandboxAcquirer';
import { openingEntry } from '#shared/billing/ledger';
import { db, tableName } from '#shared/clients/dynamo';
import { LOCAL_SECRET_DEFAULTS, resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { startCardPayment } from '#shared/payments/card';
import { callbackChecksum } from '#shared/payments/sber';
import { importRegistry } from '#shared/registry/importRegistry';
import { record } from './figures.ts';
import { countRoundTrips, ms, percentile } from './support.ts';

/**
 * The acquirer's callback through the local gateway (loopback, HTTP, the real `payments` handler
 * and the sandbox acquirer answering getOrderStatusExtended.do): latency of a callback that
 * settles a payment, and of repeated ones (the bank's retries, replays); callbacks per second at a
 * bounded concurrency; and DynamoDB write capacity per settled payment, as DynamoDB reports it
 * (ReturnConsumedCapacity INDEXES: the table and gsi1).
 */

const ACCOUNTS = 200;
const DUPLICATES = 2_000;
const CONCURRENCY = 16;

interface Capacity {
  table: number;
  indexes: number;
  writes: number;
}

/** Asks DynamoDB for the capacity of every write through the shared client, and sums it. */
function measureWrites(): { reset: () => void; total: () => Capacity } {
  let sum: Capacity = { table: 0, indexes: 0, writes: 0 };
  const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand']);
  db().middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const write = WRITES.has(context.commandName ?? '');
      if (write) input.ReturnConsumedCapacity = 'INDEXES';
      const out = await next(args);
      if (write) {
        sum.writes++;
        const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        for (const c of [consumed].flat() as Array<{
          Table?: { CapacityUnits?: number };
          GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
        }>) {
          if (!c) continue;
          sum.table += c.Table?.CapacityUnits ?? 0;
          for (const index of Object.values(c.GlobalSecondaryIndexes ?? {})) sum.indexes += index.CapacityUnits ?? 0;
        }
      }
      return out;
    },
    { step: 'initialize', name: 'benchWriteCapacity' },
  );
  return { reset: () => (sum = { table: 0, indexes: 0, writes: 0 }), total: () => ({ ...sum }) };
}

async function timedCallbacks(
  url: string,
  queries: readonly string[],
  concurrency: number,
): Promise<{ times: number[]; seconds: number }> {
  const times: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < queries.length) {
      const query = queries[next++] as string;
      const start = performance.now();
      const res = await fetch(`${url}/api/webhooks/sber?${query}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`callback answered ${res.status}`);
      times.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { times, seconds: (performance.now() - t0) / 1000 };
}

export async function benchPayments(): Promise<void> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sandbox: SandboxAcquirer = createSandboxAcquirer({
    publicBase: url,
    callbackUrl: `${url}/api/webhooks/sber`,
    // The bench sends the callbacks itself, to time them.
    sendCallbacks: false,
  });
  const gateway: Gateway = await startGateway({ port, siteDir: 'web/dist', host: '127.0.0.1', mounts: [sandbox] });
  process.env[ENV.sberGatewayUrl] = `${url}${SANDBOX_REST}`;
  process.env[ENV.publicUrl] = url;
  resetConfigForTests();
  try {
    const rows = ['account;owner;passport;address;area;residents'];
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => String(810000 + i));
    for (const a of accounts) rows.push(`${a};Житель ${a};14${a.slice(-2)} ${a};г. Старый Оскол;50;2`);
    const report = await importRegistry('accounts', Buffer.from(rows.join('\n')));
    if (report.errors.length) throw new Error(`bench import failed: ${JSON.stringify(report.errors[0])}`);
    for (const a of accounts) {
      await db().send(
        new PutCommand({
          TableName: tableName(),
          Item: openingEntry(a, '2026-01', 'cold_water', 1, 150_000, new Date().toISOString()),
        }),
      );
      await db().send(
        new PutCommand({
          TableName: tableName(),
          Item: openingEntry(a, '2026-01', 'maintenance', 1, 254_300, new Date().toISOString()),
        }),
      );
    }
    const key = LOCAL_SECRET_DEFAULTS[ENV.sberCallbackSecret];
    const callbacks: string[] = [];
    for (const a of accounts) {
      const payment = await startCardPayment(a, { amount: 404_300 });
      const mdOrder = new URL(payment.paymentUrl).searchParams.get('mdOrder') ?? '';
      sandbox.complete(mdOrder, 'pay', { sendCallback: false });
      const params = { mdOrder, orderNumber: payment.id, operation: 'deposited', status: '1', amount: '404300' };
      callbacks.push(new URLSearchParams({ ...params, checksum: callbackChecksum(params, key) }).toString());
    }

    const writes = measureWrites();
    const trips = countRoundTrips();
    // Half the payments settled one at a time (latency without queueing), half concurrently.
    const half = ACCOUNTS / 2;
    writes.reset();
    trips.reset();
    const serial = await timedCallbacks(url, callbacks.slice(0, half), 1);
    const serialWrites = writes.total();
    const settleTrips = trips.count() / half;
    trips.reset();
    await timedCallbacks(url, callbacks.slice(0, half), 1);
    const repeatTrips = trips.count() / half;
    const parallel = await timedCallbacks(url, callbacks.slice(half), CONCURRENCY);
    writes.reset();
    const repeats = Array.from({ length: DUPLICATES }, (_, i) => callbacks[i % callbacks.length] as string);
    const duplicate = await timedCallbacks(url, repeats, CONCURRENCY);
    const duplicateWrites = writes.total();
    db().middlewareStack.remove('benchWriteCapacity');

    console.log(
      `\nPayments: the acquirer's callback through the local gateway (loopback HTTP → payments handler → ` +
        `getOrderStatusExtended.do at the sandbox → one DynamoDB transaction); ${ACCOUNTS} payments`,
    );
    const row = (what: string, r: { times: number[]; seconds: number }, concurrency: number) => ({
      callbacks: what,
      concurrency,
      n: r.times.length,
      'p50 ms': ms(percentile(r.times, 50)),
      'p95 ms': ms(percentile(r.times, 95)),
      'callbacks/s': (r.times.length / r.seconds).toFixed(0),
    });
    console.table([
      row('settling (first callback)', serial, 1),
      row('settling (first callback)', parallel, CONCURRENCY),
      row('repeated (already settled)', duplicate, CONCURRENCY),
    ]);
    const per = (n: number) => (n / half).toFixed(2);
    console.table([
      {
        'per settled payment': 'first callback',
        'write requests': per(serialWrites.writes),
        'table WCU': per(serialWrites.table),
        'gsi1 WCU': per(serialWrites.indexes),
        'total WCU': per(serialWrites.table + serialWrites.indexes),
      },
      {
        'per settled payment': 'repeated callback',
        'write requests': (duplicateWrites.writes / DUPLICATES).toFixed(2),
        'table WCU': (duplicateWrites.table / DUPLICATES).toFixed(2),
        'gsi1 WCU': (duplicateWrites.indexes / DUPLICATES).toFixed(2),
        'total WCU': ((duplicateWrites.table + duplicateWrites.indexes) / DUPLICATES).toFixed(2),
      },
    ]);
    console.log(
      `DynamoDB requests per callback (all kinds, counted on the wire): ${settleTrips.toFixed(2)} settling, ` +
        `${repeatTrips.toFixed(2)} repeated (goal ≤ 3)`,
    );
    record('payments', 'callback round trips (settling)', settleTrips);
    record('payments', 'callback round trips (repeated)', repeatTrips);
    console.log(
      'WCU as DynamoDB Local reports them (ReturnConsumedCapacity INDEXES); a transactional write costs 2 WCU per KB ' +
        'per item: the payment update and the ledger entry, plus removing the payment from the open-payments index.',
    );
  } finally {
    sandbox.stop();
    await gateway.stop();
  }
}
