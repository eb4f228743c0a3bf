import { performance } from 'node:perf_hooks';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ensureTables, localClient } from '#local/dynamo';
import { startLocalQueues } from '#local/queue';
import { type BillingFacts, billAccount } from '#shared/billing/charges';
import type { LedgerEntry } from '#shared/billing/ledger';
import { ACCOUNT_CONCURRENCY, BATCH_SIZE, closedPeriod, paymentsAtBilling, startBillingRun } from '#shared/billing/run';
import { getRun } from '#shared/billing/store';
import type { Tariff } from '#shared/billing/tariffs';
import { db, resetDbForTests, tableName } from '#shared/clients/dynamo';
import { forEachConcurrently } from '#shared/concurrency';
import { config, resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { ACCOUNT_SHARDS, keys } from '#shared/keys';
import { logger } from '#shared/logger';
import type { ServiceId } from '#shared/registry/services';
import { GSI1, MAIN_TABLE } from '#shared/tables';
import { addMonths } from '#shared/time';
import { record } from './figures.ts';

/**
 * The monthly billing run over a generated town against DynamoDB Local (in memory): throughput in
 * accounts/s of the whole run (coordinator, shard planning, batches through the local queue, one
 * query and one conditional write per account), the pure computation alone over the same data,
 * and the capacity units DynamoDB reports (ReturnConsumedCapacity TOTAL on every request).
 * BENCH_BILLING_ACCOUNTS sets the size (default 10 000).
 */

/** Batch messages delivered at once by the local queue (the stack allows 20: shared/queues.ts). */
const QUEUE_CONCURRENCY = 4;

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

/**
 * The floor: the run's own DynamoDB requests issued bare with a plain document client against the
 * same DynamoDB Local — each shard's index pages, then per account the same range Query and the
 * same conditional write (the entries the run writes, put under a shadow partition `FLR#<acc>` of
 * the same length so the run still finds its accounts unbilled), and per batch the run record's
 * counter update and completion check — at the run's concurrency (queue deliveries × accounts per
 * batch). No queue, handler, validation, computation or logging: what is left of the run's time
 * above this is ours. `writes` false issues a re-run's requests (the query alone).
 */
async function bareFloor(options: {
  endpoint: string;
  period: string;
  entries: ReadonlyMap<string, LedgerEntry[]>;
  queueConcurrency: number;
  writes: boolean;
  /** The shadow partition's prefix, as long as `ACC#`: each floor writes its own. */
  shadow?: string;
}): Promise<{ ms: number } & Capacity> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: options.endpoint,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const table = tableName();
  const c: Capacity = { reads: 0, writes: 0, requests: 0 };
  const count = (out: { ConsumedCapacity?: unknown }, write: boolean) => {
    const units = [out.ConsumedCapacity]
      .flat()
      .reduce((sum: number, x) => sum + ((x as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0), 0);
    if (write) c.writes += units;
    else c.reads += units;
    c.requests++;
  };
  const TOTAL = 'TOTAL' as const;
  const runKey = { pk: `BILLING_RUN#${options.period}`, sk: `floor#${Date.now()}` };
  const t0 = performance.now();
  try {
    // Shard messages: each pages its shard of the accounts index in pages of one batch.
    const batches: string[][] = [];
    await forEachConcurrently(
      Array.from({ length: ACCOUNT_SHARDS }, (_, shard) => shard),
      options.queueConcurrency,
      async (shard) => {
        let after: string | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: table,
              IndexName: GSI1,
              KeyConditionExpression: after ? 'gsi1pk = :pk AND gsi1sk > :after' : 'gsi1pk = :pk',
              ExpressionAttributeValues: { ':pk': keys.accountShardKey(shard), ...(after ? { ':after': after } : {}) },
              ProjectionExpression: 'gsi1sk',
              Limit: BATCH_SIZE,
              ReturnConsumedCapacity: TOTAL,
            }),
          );
          count(page, false);
          const accounts = (page.Items ?? []).map((i) => String(i.gsi1sk));
          if (accounts.length > 0) batches.push(accounts);
          after = page.LastEvaluatedKey ? accounts.at(-1) : undefined;
        } while (after);
      },
    );
    // Batch messages: accounts at the run's concurrency, then the run record's two updates.
    await forEachConcurrently(batches, options.queueConcurrency, async (batch) => {
      await forEachConcurrently(batch, ACCOUNT_CONCURRENCY, async (account) => {
        let start: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: table,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              ExpressionAttributeValues: {
                ':pk': keys.account(account).pk,
                ':from': keys.ledgerFrom(''),
                ':to': `${keys.readingPrefix}\uffff`,
              },
              ExclusiveStartKey: start,
              ReturnConsumedCapacity: TOTAL,
            }),
          );
          count(page, false);
          start = page.LastEvaluatedKey;
        } while (start);
        if (!options.writes) return;
        const items = (options.entries.get(account) ?? []).map((e) => ({
          ...e,
          pk: `${options.shadow ?? 'FLR#'}${account}`,
        }));
        if (items.length === 1) {
          count(
            await client.send(
              new PutCommand({
                TableName: table,
                Item: items[0],
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnConsumedCapacity: TOTAL,
              }),
            ),
            true,
          );
        } else if (items.length > 1) {
          count(
            await client.send(
              new TransactWriteCommand({
                TransactItems: items.map((Item) => ({
                  Put: { TableName: table, Item, ConditionExpression: 'attribute_not_exists(pk)' },
                })),
                ReturnConsumedCapacity: TOTAL,
              }),
            ),
            true,
          );
        }
      });
      count(
        await client.send(
          new UpdateCommand({
            TableName: table,
            Key: runKey,
            UpdateExpression: 'ADD #a :one, #b :n, #c :n, #d :n',
            ExpressionAttributeNames: { '#a': 'batchesDone', '#b': 'accounts', '#c': 'billed', '#d': 'charged' },
            ExpressionAttributeValues: { ':one': 1, ':n': batch.length },
            ReturnConsumedCapacity: TOTAL,
          }),
        ),
        true,
      );
      try {
        await client.send(
          new UpdateCommand({
            TableName: table,
            Key: runKey,
            UpdateExpression: 'SET completedAt = :at',
            ConditionExpression: 'attribute_exists(completedAt)',
            ExpressionAttributeValues: { ':at': 'never' },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      c.requests++;
    });
  } finally {
    client.destroy();
  }
  return { ms: performance.now() - t0, ...c };
}

/** This process's CPU time (user + system) since `from`, in ms. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
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
  // The entries kept are what the run writes per account, for the floor to write the same.
  let pureMs = Number.POSITIVE_INFINITY;
  let linesPerAccount = 0;
  const entries = new Map<string, LedgerEntry[]>();
  for (let round = 0; round < 3; round++) {
    t0 = performance.now();
    let lines = 0;
    for (const facts of generated.facts) {
      const createdAt = '2026-11-01T00:10:00.000Z';
      const bill = billAccount(facts, [], period, createdAt);
      if (bill.status === 'already_billed') continue;
      const settled = paymentsAtBilling([], [bill.charge, bill.recalc], period, [], createdAt);
      const written = [bill.charge, bill.recalc, settled.penalty, settled.offset].filter((e) => e !== undefined);
      entries.set(facts.account.account, written);
      lines += bill.charge?.lines.length ?? 0;
    }
    pureMs = Math.min(pureMs, performance.now() - t0);
    linesPerAccount = lines / n;
  }
  const endpoint = config().dynamoEndpoint as string;

  // The run's own log lines (JSON, one per run) would interleave with the tables.
  const logLevel = logger.getLevelName();
  logger.setLogLevel('SILENT');
  const capacity = meterCapacity();
  const queues = startLocalQueues({ concurrency: QUEUE_CONCURRENCY, log: () => undefined });
  try {
    // The floor before the run, on the same unbilled town the run then bills, and again after it
    // (DynamoDB Local's JVM warms up meanwhile): the faster of the two is the floor.
    let cpu = process.cpuUsage();
    const floorBefore = await bareFloor({
      endpoint,
      period,
      entries,
      queueConcurrency: QUEUE_CONCURRENCY,
      writes: true,
    });
    const floorBeforeCpu = cpuMs(cpu);

    capacity.reset();
    cpu = process.cpuUsage();
    t0 = performance.now();
    const started = await startBillingRun({ period, source: 'bench' });
    await queues.drain();
    const runMs = performance.now() - t0;
    const runCpu = cpuMs(cpu);
    const used = capacity.read();
    const run = await getRun(period, started.runId);
    if (!run || run.billed !== n) throw new Error(`bench run billed ${run?.billed} of ${n}`);
    cpu = process.cpuUsage();
    const floorAfter = await bareFloor({
      endpoint,
      period,
      entries,
      queueConcurrency: QUEUE_CONCURRENCY,
      writes: true,
      shadow: 'FLS#',
    });
    const floorAfterCpu = cpuMs(cpu);
    const floor = floorAfter.ms < floorBefore.ms ? floorAfter : floorBefore;
    const floorCpu = floorAfter.ms < floorBefore.ms ? floorAfterCpu : floorBeforeCpu;

    capacity.reset();
    cpu = process.cpuUsage();
    t0 = performance.now();
    const again = await startBillingRun({ period, source: 'bench' });
    await queues.drain();
    const rerunMs = performance.now() - t0;
    const rerunCpu = cpuMs(cpu);
    const rerunUsed = capacity.read();
    const rerun = await getRun(period, again.runId);
    if (!rerun || rerun.alreadyBilled !== n)
      throw new Error(`bench re-run found ${rerun?.alreadyBilled} of ${n} billed`);
    // The re-run's floor: the same queries of the now billed partitions, nothing to write.
    cpu = process.cpuUsage();
    const rerunFloor = await bareFloor({
      endpoint,
      period,
      entries,
      queueConcurrency: QUEUE_CONCURRENCY,
      writes: false,
    });
    const rerunFloorCpu = cpuMs(cpu);

    const perSecond = (ms: number) => Math.round(n / (ms / 1000));
    const ratio = floor.ms / runMs;
    const rerunRatio = rerunFloor.ms / rerunMs;
    console.log(
      `\nBilling run (${n} generated accounts, 7 services, 4 in 5 with 3 meters; DynamoDB Local in memory; ` +
        `${run.batchesPlanned} batches of ≤${BATCH_SIZE} through the local queue, ${QUEUE_CONCURRENCY} at a time, ` +
        `${ACCOUNT_CONCURRENCY} accounts at a time in each; seeding took ${(seedMs / 1000).toFixed(1)} s)`,
    );
    console.table([
      {
        part: 'pure computation (in memory, best of 3)',
        'total s': (pureMs / 1000).toFixed(2),
        'accounts/s': perSecond(pureMs),
        'ms/account': (pureMs / n).toFixed(3),
        'rate ÷ floor': '',
        'Node CPU ms/account': (pureMs / n).toFixed(3),
      },
      {
        part: `floor: the run's requests issued bare (best of ${(floorBefore.ms / 1000).toFixed(1)} s before the run, ${(floorAfter.ms / 1000).toFixed(1)} s after)`,
        'total s': (floor.ms / 1000).toFixed(2),
        'accounts/s': perSecond(floor.ms),
        'ms/account': (floor.ms / n).toFixed(3),
        'rate ÷ floor': '1',
        'Node CPU ms/account': (floorCpu / n).toFixed(3),
      },
      {
        part: 'whole run (storage + orchestration + computation)',
        'total s': (runMs / 1000).toFixed(2),
        'accounts/s': perSecond(runMs),
        'ms/account': (runMs / n).toFixed(3),
        'rate ÷ floor': `${ratio.toFixed(2)}× (goal ≥ 0.5×)`,
        'Node CPU ms/account': (runCpu / n).toFixed(3),
      },
      {
        part: 'floor of a second run: its queries issued bare',
        'total s': (rerunFloor.ms / 1000).toFixed(2),
        'accounts/s': perSecond(rerunFloor.ms),
        'ms/account': (rerunFloor.ms / n).toFixed(3),
        'rate ÷ floor': '1',
        'Node CPU ms/account': (rerunFloorCpu / n).toFixed(3),
      },
      {
        part: 'second run of the period (nothing to write)',
        'total s': (rerunMs / 1000).toFixed(2),
        'accounts/s': perSecond(rerunMs),
        'ms/account': (rerunMs / n).toFixed(3),
        'rate ÷ floor': `${rerunRatio.toFixed(2)}×`,
        'Node CPU ms/account': (rerunCpu / n).toFixed(3),
      },
    ]);
    const perAccount = (x: number) => (x / n).toFixed(2);
    console.table([
      {
        requests: 'first run',
        'write units/account': perAccount(used.writes),
        'read units/account': perAccount(used.reads),
        'requests/account': perAccount(used.requests),
        'charge lines/account': linesPerAccount.toFixed(1),
        billed: run.billed,
      },
      {
        requests: 'its floor',
        'write units/account': perAccount(floor.writes),
        'read units/account': perAccount(floor.reads),
        'requests/account': perAccount(floor.requests),
        'charge lines/account': linesPerAccount.toFixed(1),
        billed: '',
      },
      {
        requests: 'second run',
        'write units/account': perAccount(rerunUsed.writes),
        'read units/account': perAccount(rerunUsed.reads),
        'requests/account': perAccount(rerunUsed.requests),
        'charge lines/account': '0',
        billed: rerun.billed,
      },
    ]);

    const fig = (key: string, value: number) => record('billing', key, Number(value.toFixed(4)));
    fig('accounts', n);
    fig('batchSize', BATCH_SIZE);
    fig('queueConcurrency', QUEUE_CONCURRENCY);
    fig('accountConcurrency', ACCOUNT_CONCURRENCY);
    fig('pureMsPerAccount', pureMs / n);
    fig('runSeconds', runMs / 1000);
    fig('runAccountsPerSecond', n / (runMs / 1000));
    fig('floorSeconds', floor.ms / 1000);
    fig('floorBeforeSeconds', floorBefore.ms / 1000);
    fig('floorAfterSeconds', floorAfter.ms / 1000);
    fig('floorAccountsPerSecond', n / (floor.ms / 1000));
    fig('runRateToFloor', ratio);
    fig('rerunSeconds', rerunMs / 1000);
    fig('rerunFloorSeconds', rerunFloor.ms / 1000);
    fig('rerunRateToFloor', rerunRatio);
    fig('requestsPerAccount', used.requests / n);
    fig('readUnitsPerAccount', used.reads / n);
    fig('writeUnitsPerAccount', used.writes / n);
    fig('floorRequestsPerAccount', floor.requests / n);
    fig('rerunRequestsPerAccount', rerunUsed.requests / n);
    fig('rerunReadUnitsPerAccount', rerunUsed.reads / n);
    fig('rerunWriteUnitsPerAccount', rerunUsed.writes / n);
    // The handler's busy time per account: every delivery slot is busy for the whole run.
    fig('handlerMsPerAccount', (runMs * QUEUE_CONCURRENCY) / n);
    fig('chargeLinesPerAccount', linesPerAccount);
    // This process's CPU (the handler's share, without DynamoDB Local's): what a Lambda computes.
    fig('runCpuMsPerAccount', runCpu / n);
    fig('floorCpuMsPerAccount', floorCpu / n);
    fig('rerunCpuMsPerAccount', rerunCpu / n);
    fig('rerunFloorCpuMsPerAccount', rerunFloorCpu / n);
  } finally {
    queues.stop();
    logger.setLogLevel(logLevel);
    db().middlewareStack.remove('benchCapacityMeter');
    process.env[ENV.table] = previousTable;
    resetConfigForTests();
    resetDbForTests();
  }
}
