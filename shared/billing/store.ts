import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AccountFacts } from '#shared/billing/charges';
import type { LedgerEntry } from '#shared/billing/ledger';
import type { Tariff } from '#shared/billing/tariffs';
import type { MeterFact, ReadingFact } from '#shared/billing/volumes';
import { addRunCounters, db, queryAll, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import type { ServiceId } from '#shared/registry/services';
import { GSI1 } from '#shared/tables';

/** Billing's reads and writes of the single table. Every read is by key; none scans. */

export async function loadTariffs(): Promise<Tariff[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.tariffs },
  });
  return items.map((i) => ({
    service: i.service as ServiceId,
    unit: String(i.unit),
    price: String(i.price),
    norm: String(i.norm),
    from: String(i.from),
    ...(i.coefficient ? { coefficient: String(i.coefficient) } : {}),
  }));
}

/**
 * How long a container keeps billing's reference data (tariffs, key rates) after reading it. Kept
 * short on purpose: an operator's import reaches every container within this, so a billing run
 * started after an import and this delay sees it (the importing process itself forgets at once).
 */
export const REFERENCE_CACHE_MS = 5 * 60_000;

/**
 * One read shared for REFERENCE_CACHE_MS per container and table; a failed read is not cached.
 * `forget` drops it (called by the process that imported new data).
 */
export function shortCache<T>(load: () => Promise<T>): { get: () => Promise<T>; forget: () => void } {
  let cache: { at: number; table: string; value: Promise<T> } | undefined;
  return {
    get() {
      const table = tableName();
      if (!cache || cache.table !== table || Date.now() - cache.at > REFERENCE_CACHE_MS) {
        const loading = load();
        const entry = { at: Date.now(), table, value: loading };
        cache = entry;
        loading.catch(() => {
          if (cache === entry) cache = undefined;
        });
      }
      return cache.value;
    },
    forget() {
      cache = undefined;
    },
  };
}

const tariffCache = shortCache(loadTariffs);

/**
 * The tariffs, read at most every REFERENCE_CACHE_MS per container: they change twice a year, and
 * a batch of bills or a page of meters needs them on every account.
 */
export function cachedTariffs(): Promise<Tariff[]> {
  return tariffCache.get();
}

/** Drops the cached tariffs: the tariffs import calls it, so its own process sees the new ones. */
export function forgetCachedTariffs(): void {
  tariffCache.forget();
}

export interface AccountRecords {
  account: AccountFacts;
  meters: MeterFact[];
  readings: ReadingFact[];
  ledger: LedgerEntry[];
}

/**
 * Everything billing needs of one account, in one query of its partition: the sort keys LEDGER#
 * (from `ledgerFrom`), METER#, PROFILE and READING# are contiguous, so one BETWEEN range holds
 * them all (with the few other items that sort in between, skipped here).
 */
export async function loadAccountRecords(account: string, ledgerFrom: string): Promise<AccountRecords | undefined> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': keys.account(account).pk,
      ':from': keys.ledgerFrom(ledgerFrom),
      ':to': `${keys.readingPrefix}\uffff`,
    },
  });
  let profile: AccountFacts | undefined;
  const meters: MeterFact[] = [];
  const readings: ReadingFact[] = [];
  const ledger: LedgerEntry[] = [];
  for (const item of items) {
    const sk = String(item.sk);
    if (sk === 'PROFILE') {
      profile = {
        account,
        area: String(item.area),
        residents: Number(item.residents),
        ...(item.owners ? { owners: Number(item.owners) } : {}),
        ...(Array.isArray(item.services) ? { services: item.services as ServiceId[] } : {}),
        ...(Array.isArray(item.noMeterPossible) ? { noMeterPossible: item.noMeterPossible as ServiceId[] } : {}),
      };
    } else if (sk.startsWith(keys.meterPrefix)) {
      meters.push({
        serial: String(item.serial),
        service: item.service as ServiceId,
        ...(item.installed ? { installed: String(item.installed) } : {}),
        ...(item.verifiedUntil ? { verifiedUntil: String(item.verifiedUntil) } : {}),
      });
    } else if (sk.startsWith(keys.readingPrefix)) {
      readings.push({
        serial: String(item.serial),
        service: item.service as ServiceId,
        period: String(item.period),
        consumption: String(item.consumption),
      });
    } else if (sk.startsWith(keys.ledgerPrefix)) {
      ledger.push(item as unknown as LedgerEntry);
    }
  }
  if (!profile) return undefined;
  // Readings of a meter no longer in the registry (replaced, removed) bill nothing.
  const serials = new Set(meters.map((m) => `${m.serial}#${m.service}`));
  return {
    account: profile,
    meters,
    readings: readings.filter((r) => serials.has(`${r.serial}#${r.service}`)),
    ledger,
  };
}

/** The whole ledger of an account, for the statement, the history and the balance. */
export async function accountLedger(account: string): Promise<LedgerEntry[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':prefix': keys.ledgerPrefix },
  });
  return items as unknown as LedgerEntry[];
}

const notThere = { ConditionExpression: 'attribute_not_exists(pk)' };

/**
 * Writes a run's entries for one account. The charge entry's key is the account and period, and it
 * is put only if absent, so a second run (or a redelivered message, or two workers at once) writes
 * nothing; with recalculations, пени or an advance applied, all go in one transaction (each put only
 * if absent). False: the period was billed already.
 */
export async function writeBill(...written: Array<LedgerEntry | undefined>): Promise<boolean> {
  const entries = written.filter((e): e is LedgerEntry => e !== undefined);
  try {
    if (entries.length === 1) {
      await db().send(new PutCommand({ TableName: tableName(), Item: entries[0], ...notThere }));
    } else if (entries.length > 1) {
      await db().send(
        new TransactWriteCommand({
          TransactItems: entries.map((Item) => ({ Put: { TableName: tableName(), Item, ...notThere } })),
        }),
      );
    }
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')
    ) {
      return false;
    }
    throw error;
  }
}

/** One page of a shard of the accounts index: account numbers in order, and where to go on. */
export async function accountsOfShard(
  shard: number,
  startAfter: string | undefined,
  limit: number,
): Promise<{ accounts: string[]; next: string | undefined }> {
  const page = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: GSI1,
      KeyConditionExpression: startAfter ? 'gsi1pk = :pk AND gsi1sk > :after' : 'gsi1pk = :pk',
      ExpressionAttributeValues: {
        ':pk': keys.accountShardKey(shard),
        ...(startAfter ? { ':after': startAfter } : {}),
      },
      ProjectionExpression: 'gsi1sk',
      Limit: limit,
    }),
  );
  const accounts = (page.Items ?? []).map((i) => String(i.gsi1sk));
  return { accounts, next: page.LastEvaluatedKey ? accounts.at(-1) : undefined };
}

/** What a billing run did, summed over its batches. */
export interface RunCounters {
  shardsDone: number;
  batchesPlanned: number;
  batchesDone: number;
  accounts: number;
  billed: number;
  alreadyBilled: number;
  nothingToBill: number;
  notFound: number;
  failed: number;
  recalculated: number;
  charged: number;
  recalcAmount: number;
  withoutTariff: number;
  /** Accounts charged пени, and their sum (kopecks; negative when rates fell). */
  penalized: number;
  penaltyAmount: number;
  /** Advances applied to debts (ПП РФ № 354 п. 118): accounts and kopecks. */
  advanceApplied: number;
  advanceAmount: number;
  /** Accounts whose пени could not be computed: a day without an imported key rate. */
  withoutKeyRate: number;
}

export interface BillingRun extends RunCounters {
  period: string;
  runId: string;
  shards: number;
  startedAt: string;
  source: string;
  /** Accounts whose data could not be billed (bad registry values), for the operator; at most 100. */
  failedAccounts?: string[];
}

export const ZERO_COUNTERS: RunCounters = {
  shardsDone: 0,
  batchesPlanned: 0,
  batchesDone: 0,
  accounts: 0,
  billed: 0,
  alreadyBilled: 0,
  nothingToBill: 0,
  notFound: 0,
  failed: 0,
  recalculated: 0,
  charged: 0,
  recalcAmount: 0,
  withoutTariff: 0,
  penalized: 0,
  penaltyAmount: 0,
  advanceApplied: 0,
  advanceAmount: 0,
  withoutKeyRate: 0,
};

export async function createRun(run: Omit<BillingRun, keyof RunCounters>): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.billingRun(run.period, run.runId), entity: 'billingRun', ...run, ...ZERO_COUNTERS },
      ...notThere,
    }),
  );
}

/** Adds a batch's counters to its run: one atomic ADD per batch, not per account. */
export function addToRun(
  period: string,
  runId: string,
  counters: Partial<RunCounters>,
  failedAccounts: readonly string[] = [],
): Promise<void> {
  return addRunCounters(keys.billingRun(period, runId), counters, {
    attribute: 'failedAccounts',
    values: failedAccounts,
  });
}

export async function getRun(period: string, runId: string): Promise<BillingRun | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.billingRun(period, runId), ConsistentRead: true }),
  );
  return out.Item as BillingRun | undefined;
}

/** The runs of a period, latest first. */
export async function runsOf(period: string): Promise<BillingRun[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.billingRunsOf(period) },
    ScanIndexForward: false,
  });
  return items as unknown as BillingRun[];
}
