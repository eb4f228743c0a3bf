import { performance } from 'node:perf_hooks';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables, localClient } from '#local/dynamo';
import { startLocalQueues } from '#local/queue';
import { type BillingFacts, billAccount } from '#shared/billing/charges';
import { closedPeriod, startBillingRun } from '#shared/billing/run';
import { getRun } from '#shared/billing/store';
import type { Tariff } from '#shared/billing/tariffs';
import { db, resetDbForTests, tableName } from '#shared/clients/dynamo';
import { config, resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { keys } from '#shared/keys';
import { logger } from '#shared/logger';
import type { ServiceId } from '#shared/registry/services';
import { MAIN_TABLE } from '#shared/tables';
import { addMonths } from '#shared/time';

/**
 * The monthly billing run over a generated town against DynamoDB Local (in memory): throughput in
 * accounts/s of the whole run (coordinator, shard planning, batches through the local queue, one
 * query and one conditional write per account), the pure computation alone over the same data,
 * and the capacity units DynamoDB reports (ReturnConsumedCapacity TOTAL on every request).
 * BENCH_BILLING_ACCOUNTS sets the size (default 10 000).
 */

const SERVICES: ServiceId[] = [
  'cold_water',
  'hot_water',
  'wastewater',
  'electricity',
  'heating',
  'maintenance',
  'waste',
];
const METERED: Array<[ServiceId, string]> = [
  ['cold_water', 'C'],
  ['hot_water', 'H'],
  ['electricity', 'E'],
];

function tariffs(period: string): Tariff[] {
  const from = addMonths(period, -12);
  return [
    { service: 'cold_water', unit: 'м³', price: '35.72', norm: '3.8', from, coefficient: '1.5' },
    { service: 'hot_water', unit: 'м³', price: '218.21', norm: '3.01', from, coefficient: '1.5' },
    { service: 'wastewater', unit: 'м³', price: '31', norm: '6.81', from },
    { service: 'electricity', unit: 'кВт·ч', price: '6.72', norm: '88', from },
    { service: 'heating', unit: 'Гкал', price: '2636.9345', norm: '0.0186', from },
    { service: 'maintenance', unit: 'м²', price: '27.86', norm: '1', from },
    { service: 'waste', unit: 'чел.', price: '145.05', norm: '1', from },
  ];
}

/** Account i: 4 in 5 have three meters with two months of history; 3 in 4 of those read this month. */
function town(n: number, period: string): { facts: BillingFacts[]; items: Record<string, unknown>[] } {
  const t = tariffs(period);
  const facts: BillingFacts[] = [];
  const items: Record<string, unknown>[] = t.map((tariff) => ({
    ...keys.tariff(tariff.service, tariff.from),
    entity: 'tariff',
    ...tariff,
  }));
  for (let i = 0; i < n; i++) {
    const account = String(800000 + i);
    const area = (30 + (i % 70) + 0.5).toFixed(1);
    const residents = 1 + (i % 4);
    items.push({
      ...keys.account(account),
      ...keys.accountIndex(account),
      entity: 'account',
      account,
      owner: `Житель ${i}`,
      passportHash: 'bench',
      address: `г. Старый Оскол, д. ${i}`,
      area,
      residents,
      services: SERVICES,
    });
    const meters: BillingFacts['meters'][number][] = [];
    const readings: BillingFacts['readings'][number][] = [];
    if (i % 5 !== 0) {
      for (const [service, prefix] of METERED) {
        const serial = `${prefix}${i}`;
        meters.push({ serial, service });
        items.push({
          ...keys.meter(account, serial),
          entity: 'meter',
          account,
          serial,
          service,
          initialReading: '0',
          digits: 5,
        });
        const periods =
          i % 4 === 0
            ? [addMonths(period, -2), addMonths(period, -1)]
            : [addMonths(period, -2), addMonths(period, -1), period];
        for (const p of periods) {
          const consumption = ((i % 7) + 1.125 + (service === 'electricity' ? 90 : 0)).toFixed(3);
          readings.push({ serial, service, period: p, consumption });
          items.push({
            ...keys.reading(account, serial, p),
            entity: 'reading',
            account,
            serial,
            service,
            period: p,
            value: '0',
            consumption,
          });
        }
      }
    }
    facts.push({ account: { account, area, residents, services: SERVICES }, meters, readings, tariffs: t });
  }
  return { facts, items };
}

async function writeAll(items: Record<string, unknown>[], concurrency = 8): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const chunk = items.slice(next, next + 25);
      next += 25;
      let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const out = await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: pending } }));
        pending = (out.UnprocessedItems?.[tableName()] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

interface Capacity {
  reads: number;
  writes: number;
  requests: number;
}

/** Asks for ConsumedCapacity on every request through the shared client and sums it. */
function meterCapacity(): { reset: () => void; read: () => Capacity } {
  let c: Capacity = { reads: 0, writes: 0, requests: 0 };
  const WRITES = /^(Put|Update|Delete|TransactWrite|BatchWrite)/;
  db().middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const units = [consumed]
        .flat()
        .reduce((sum: number, x) => sum + ((x as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0), 0);
      const name = (context as { commandName?: string }).commandName ?? '';
      if (WRITES.test(name)) c.writes += units;
      else c.reads += units;
      c.requests++;
      return result;
    },
    { step: 'initialize', name: 'benchCapacityMeter' },
  );
  return { reset: () => (c = { reads: 0, writes: 0, requests: 0 }), read: () => c };
}

export async function benchBilling(): Promise<void> {
  const n = Number(process.env.BENCH_BILLING_ACCOUNTS ?? 10_000);
  const previousTable = process.env[ENV.table];
  // A table of its own: the run bills every account of the index, and the other sections' accounts
  // would blur the figures.
  process.env[ENV.table] = `bench-billing-${Date.now()}`;
  resetConfigForTests();
  resetDbForTests();
  const client = localClient(config().dynamoEndpoint as string);
  await ensureTables(client, [MAIN_TABLE], () => process.env[ENV.table] as string);
  client.destroy();

  const period = closedPeriod();
  const generated = town(n, period);
  let t0 = performance.now();
  await writeAll(generated.items);
  const seedMs = performance.now() - t0;

  // Pure computation: the same accounts, billed in memory (no I/O), three times, the best kept.
  let pureMs = Number.POSITIVE_INFINITY;
  let linesPerAccount = 0;
  for (let round = 0; round < 3; round++) {
    t0 = performance.now();
    let lines = 0;
    for (const facts of generated.facts) {
      const bill = billAccount(facts, [], period, '2026-11-01T00:10:00.000Z');
      if (bill.status !== 'already_billed') lines += bill.charge?.lines.length ?? 0;
    }
    pureMs = Math.min(pureMs, performance.now() - t0);
    linesPerAccount = lines / n;
  }

  // The run's own log lines (JSON, one per run) would interleave with the tables.
  const logLevel = logger.getLevelName();
  logger.setLogLevel('SILENT');
  const capacity = meterCapacity();
  const queues = startLocalQueues({ concurrency: 4, log: () => undefined });
  try {
    capacity.reset();
    t0 = performance.now();
    const started = await startBillingRun({ period, source: 'bench' });
    await queues.drain();
    const runMs = performance.now() - t0;
    const used = capacity.read();
    const run = await getRun(period, started.runId);
    if (!run || run.billed !== n) throw new Error(`bench run billed ${run?.billed} of ${n}`);

    capacity.reset();
    t0 = performance.now();
    const again = await startBillingRun({ period, source: 'bench' });
    await queues.drain();
    const rerunMs = performance.now() - t0;
    const rerunUsed = capacity.read();
    const rerun = await getRun(period, again.runId);

    const perSecond = (ms: number) => Math.round(n / (ms / 1000));
    console.log(
      `\nBilling run (${n} generated accounts, 7 services, 4 in 5 with 3 meters; DynamoDB Local in memory; ` +
        `${run.batchesPlanned} batches of ≤100 through the local queue, 4 at a time; seeding took ${(seedMs / 1000).toFixed(1)} s)`,
    );
    console.table([
      {
        part: 'pure computation (in memory, best of 3)',
        'total s': (pureMs / 1000).toFixed(2),
        'accounts/s': perSecond(pureMs),
        'ms/account': (pureMs / n).toFixed(3),
      },
      {
        part: 'whole run (storage + orchestration + computation)',
        'total s': (runMs / 1000).toFixed(2),
        'accounts/s': perSecond(runMs),
        'ms/account': (runMs / n).toFixed(3),
      },
      {
        part: '  of which storage and orchestration (whole − pure)',
        'total s': ((runMs - pureMs) / 1000).toFixed(2),
        'accounts/s': '',
        'ms/account': ((runMs - pureMs) / n).toFixed(3),
      },
      {
        part: 'second run of the period (nothing to write)',
        'total s': (rerunMs / 1000).toFixed(2),
        'accounts/s': perSecond(rerunMs),
        'ms/account': (rerunMs / n).toFixed(3),
      },
    ]);
    console.table([
      {
        run: 'first',
        'write units/account': (used.writes / n).toFixed(2),
        'read units/account': (used.reads / n).toFixed(2),
        'requests/account': (used.requests / n).toFixed(2),
        'charge lines/account': linesPerAccount.toFixed(1),
        billed: run.billed,
      },
      {
        run: 'second',
        'write units/account': (rerunUsed.writes / n).toFixed(2),
        'read units/account': (rerunUsed.reads / n).toFixed(2),
        'requests/account': (rerunUsed.requests / n).toFixed(2),
        'charge lines/account': '0',
        billed: rerun?.billed ?? 0,
      },
    ]);
  } finally {
    queues.stop();
    logger.setLogLevel(logLevel);
    db().middlewareStack.remove('benchCapacityMeter');
    process.env[ENV.table] = previousTable;
    resetConfigForTests();
    resetDbForTests();
  }
}
