import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { endCabinetAccess } from '#shared/accounts/store';
import type { TariffItem } from '#shared/billing/tariffs';
import { db, tableName } from '#shared/clients/dynamo';
import { forEachConcurrently } from '#shared/concurrency';
import { keys } from '#shared/keys';
import type { ServiceId } from '#shared/registry/services';
import { moscowDate } from '#shared/time';

/**
 * The registry's items in the single table. Accounts and meters are updated attribute by
 * attribute, never replaced: other features keep their own attributes on the same items (the
 * last reading, a registration), and a re-import must not wipe them. Tariffs belong to the
 * registry alone and are replaced whole.
 */

/**
 * The registry's account record, `pk ACC#<account>`, `sk PROFILE`: written by the import, read by
 * every capability that needs the owner, the address or the billed services (getAccount in
 * shared/accounts/store.ts).
 */
export interface AccountRecord {
  pk: string;
  sk: string;
  entity: 'account';
  account: string;
  owner: string;
  /** HMAC-SHA256 hex of the normalised passport (shared/passport.ts); never the plain value. */
  passportHash: string;
  address: string;
  /** m², decimal string ("54.3"). */
  area: string;
  residents: number;
  /** Owners of the flat (≥ 1): the norm basis when nobody lives there (ПП РФ № 354, п. 56(2)). */
  owners: number;
  /** Services billed to the account; absent: every service that has a tariff. */
  services?: ServiceId[];
  /** Services an inspection (акт обследования) found no meter can be installed for: no increasing coefficient. */
  noMeterPossible?: ServiceId[];
  /** ГИС ЖКХ identifiers from the accounts import (optional): ЕЛС and ИЖКУ, printed on the ЕПД. */
  els?: string;
  izhku?: string;
  createdAt: string;
  updatedAt: string;
  /**
   * Set when a re-import changed the owner or the passport of an existing account: the flat has a
   * new owner, and sessions and registrations older than this belong to the previous one.
   */
  ownerChangedAt?: string;
  /** The accounts index (keys.accountIndex): `ACCOUNTS#<shard>` and the account number. */
  gsi1pk?: string;
  gsi1sk?: string;
}

/** `pk ACC#<account>`, `sk METER#<serial>`. */
export interface MeterItem {
  pk: string;
  sk: string;
  entity: 'meter';
  account: string;
  serial: string;
  service: ServiceId;
  /** The reading when the meter was installed or registered, decimal string. */
  initialReading: string;
  /** Last day of the verification interval (поверка), `YYYY-MM-DD`. */
  verifiedUntil: string;
  /** Digit capacity of the counter: readings roll over at 10^digits. */
  digits: number;
  /**
   * When the meter was put in service, `YYYY-MM-DD` (the `initialReading` is its value then): by
   * default the date of the first import, never moved by a re-import without the column. Readings
   * dated before it are refused; its first reading's consumption is spread over the months since.
   * Absent on meters imported before the column existed.
   */
  installed?: string;
  createdAt: string;
  updatedAt: string;
}

export type AccountFields = Omit<
  AccountRecord,
  'pk' | 'sk' | 'entity' | 'createdAt' | 'updatedAt' | 'ownerChangedAt' | 'gsi1pk' | 'gsi1sk'
>;
export type MeterFields = Omit<MeterItem, 'pk' | 'sk' | 'entity' | 'createdAt' | 'updatedAt'>;
export type TariffFields = Omit<TariffItem, 'pk' | 'sk' | 'entity' | 'updatedAt'>;

/** Parallel single-item writes: DynamoDB has no batch update, and one at a time is too slow. */
const WRITE_CONCURRENCY = 32;
/** DynamoDB's limits per BatchWriteItem and BatchGetItem request. */
const BATCH_WRITE_SIZE = 25;
const BATCH_GET_SIZE = 100;
const MAX_BATCH_ATTEMPTS = 8;

/**
 * Creates or updates accounts. A changed owner or passport on an existing account also sets
 * `ownerChangedAt`; the common case (new or unchanged) costs one conditional write.
 */
export async function upsertAccounts(accounts: readonly AccountFields[], at: Date): Promise<void> {
  const now = at.toISOString();
  await forEachConcurrently(accounts, WRITE_CONCURRENCY, async (account) => {
    const { services, noMeterPossible, ...fields } = account;
    const billed = services && services.length > 0 ? services : undefined;
    const impossible = noMeterPossible && noMeterPossible.length > 0 ? noMeterPossible : undefined;
    const set = {
      entity: 'account',
      ...fields,
      ...(billed ? { services: billed } : {}),
      ...(impossible ? { noMeterPossible: impossible } : {}),
      // The accounts index (keys.accountIndex): the billing run pages accounts by shard, never a scan.
      ...keys.accountIndex(account.account),
      updatedAt: now,
    };
    const remove = [...(billed ? [] : ['services']), ...(impossible ? [] : ['noMeterPossible'])];
    const key = keys.account(account.account);
    try {
      await db().send(
        new UpdateCommand(
          withCondition(
            updateInput(key, set, remove, now),
            'attribute_not_exists(pk) OR (#owner = :owner AND #passportHash = :passportHash)',
            {
              names: { '#owner': 'owner', '#passportHash': 'passportHash' },
              values: { ':owner': account.owner, ':passportHash': account.passportHash },
            },
          ),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      await db().send(new UpdateCommand(updateInput(key, { ...set, ownerChangedAt: now }, remove, now)));
      // A new owner: the previous owner's cabinet (password, sessions) ends; the new one registers.
      // Other cabinets that linked the account lose it (accounts/linksStore dropLinksTo).
      await endCabinetAccess(account.account, { ownerChanged: true });
    }
  });
}

export async function upsertMeters(meters: readonly MeterFields[], at: Date): Promise<void> {
  const now = at.toISOString();
  const importDate = moscowDate(at);
  await forEachConcurrently(meters, WRITE_CONCURRENCY, async (meter) => {
    const { installed, ...fields } = meter;
    await db().send(
      new UpdateCommand(
        updateInput(
          keys.meter(meter.account, meter.serial),
          {
            entity: 'meter',
            ...fields,
            ...(installed ? { installed } : {}),
            // The verification-warning job finds meters by this index (shared/readings/verificationWarnings.ts).
            ...keys.meterVerification(meter.verifiedUntil, meter.account, meter.serial),
            updatedAt: now,
          },
          [],
          now,
          // Without the column, the first import's date stands: a re-import must not move it.
          installed ? {} : { installed: importDate },
        ),
      ),
    );
  });
}

export async function putTariffs(tariffs: readonly TariffFields[], at: Date): Promise<void> {
  const now = at.toISOString();
  const items: TariffItem[] = tariffs.map((t) => ({
    ...keys.tariff(t.service, t.from),
    entity: 'tariff',
    ...t,
    updatedAt: now,
  }));
  await batchWrite(items.map((Item) => ({ PutRequest: { Item } })));
}

export interface ExistingAccount {
  account: string;
  services?: ServiceId[];
}

/** The accounts among `accounts` that exist, by number, read by key in batches of 100. */
export async function findAccounts(accounts: readonly string[]): Promise<Map<string, ExistingAccount>> {
  const found = new Map<string, ExistingAccount>();
  const unique = [...new Set(accounts)];
  for (let i = 0; i < unique.length; i += BATCH_GET_SIZE) {
    let request: Record<string, unknown>[] | undefined = unique.slice(i, i + BATCH_GET_SIZE).map(keys.account);
    for (let attempt = 0; request && request.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error('DynamoDB left keys unprocessed after retries');
      if (attempt > 0) await backoff(attempt);
      const out: BatchGetCommandOutput = await db().send(
        new BatchGetCommand({
          RequestItems: {
            [tableName()]: {
              Keys: request,
              ProjectionExpression: '#account, #services',
              ExpressionAttributeNames: { '#account': 'account', '#services': 'services' },
            },
          },
        }),
      );
      for (const item of out.Responses?.[tableName()] ?? []) {
        const { account, services } = item as ExistingAccount;
        found.set(account, services ? { account, services } : { account });
      }
      request = out.UnprocessedKeys?.[tableName()]?.Keys;
    }
  }
  return found;
}

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/** BatchWriteItem in chunks of 25, retrying what DynamoDB leaves unprocessed (under throttling). */
async function batchWrite(requests: readonly WriteRequest[]): Promise<void> {
  for (let i = 0; i < requests.length; i += BATCH_WRITE_SIZE) {
    let pending: WriteRequest[] | undefined = requests.slice(i, i + BATCH_WRITE_SIZE);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error('DynamoDB left items unprocessed after retries');
      if (attempt > 0) await backoff(attempt);
      const out: BatchWriteCommandOutput = await db().send(
        new BatchWriteCommand({ RequestItems: { [tableName()]: pending } }),
      );
      pending = out.UnprocessedItems?.[tableName()];
    }
  }
}

/** Exponential backoff with full jitter, as AWS recommends for unprocessed batch items. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(50 * 2 ** attempt, 2_000);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/**
 * An UpdateItem that sets `set` (and `createdAt` and `setIfAbsent` only where absent) and removes
 * `remove`; names are aliased.
 */
export function updateInput(
  key: Record<string, string>,
  set: Record<string, unknown>,
  remove: readonly string[],
  createdAt: string,
  setIfAbsent: Record<string, unknown> = {},
): UpdateCommandInput {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const assignments: string[] = [];
  Object.entries(set).forEach(([name, value], i) => {
    if (name in key || value === undefined) return;
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    assignments.push(`#s${i} = :s${i}`);
  });
  Object.entries(setIfAbsent).forEach(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    assignments.push(`#a${i} = if_not_exists(#a${i}, :a${i})`);
  });
  names['#createdAt'] = 'createdAt';
  values[':createdAt'] = createdAt;
  assignments.push('#createdAt = if_not_exists(#createdAt, :createdAt)');
  const removals = remove.map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  return {
    TableName: tableName(),
    Key: key,
    UpdateExpression: `SET ${assignments.join(', ')}${removals.length > 0 ? ` REMOVE ${removals.join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function withCondition(
  input: UpdateCommandInput,
  condition: string,
  extra: { names: Record<string, string>; values: Record<string, unknown> },
): UpdateCommandInput {
  return {
    ...input,
    ConditionExpression: condition,
    ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...extra.names },
    ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ...extra.values },
  };
}
