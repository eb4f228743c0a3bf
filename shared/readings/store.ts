import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { db, queryAll, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import type { READING_SOURCES } from '#shared/readings/schemas';
import type { AccountRecord, MeterItem } from '#shared/registry/repository';
import type { ServiceId } from '#shared/registry/services';

/**
 * Readings in the single table. A reading item is the accepted value of one meter for one period
 * (`pk ACC#<account>`, `sk READING#<serial>#<period>`); billing reads its `consumption`. A
 * resubmission in the same window replaces the item and appends the replaced value to `replaced`.
 * A meter's last reading is its newest reading item (no copy on the meter to keep in step).
 *
 * The optimistic lock is one item per account (keys.readingsLock): its `readingRev` is bumped under
 * a condition by every row of the operator's import and by every submission (a resident's page, a
 * bank's readings) that writes a meter's first value of a month; a replacement of this month's value
 * is guarded by its own put's condition instead (writeSubmission says why that is enough). Whoever
 * judged values on a read of revision r writes only if the account is still at r, so two tabs, a
 * double click, a retried request, or an import row for an earlier month (which would change the
 * basis a resident's consumption counts from) never interleave: the loser reads again and is judged
 * again.
 */

export interface MeterRecord extends MeterItem {
  /** The verification date the warning mail went out for. */
  verificationWarnedFor?: string;
}

/**
 * Where a reading came from: the portal (`web`, `quick`), a bank, the demo seed, or the operator's
 * `import readings` — the previous system's history (`legacy`), a paper form (`paper`), a phone
 * call (`phone`), a controller's round (`controller`).
 */
export type ReadingSource = (typeof READING_SOURCES)[number];

export interface ReplacedReading {
  value: string;
  consumption: string;
  submittedAt: string;
  source: ReadingSource;
}

export interface ReadingRecord {
  account: string;
  serial: string;
  service: ServiceId;
  period: string;
  /** Decimal string, normalised to the service's places. */
  value: string;
  /** Consumption since the previous accepted value (roll-over included), decimal string. */
  consumption: string;
  /** The value the consumption is counted from (absent on seeded history). */
  previous?: string;
  rollover?: boolean;
  source: ReadingSource;
  submittedAt: string;
  /** Earlier values of this period, oldest first, each replaced by a resubmission. */
  replaced?: ReplacedReading[];
}

/**
 * The `replaced` history of a period's new value: the one it replaces (`current`, if any) appended
 * to that one's own history; empty for a first value.
 */
export function replacedHistory(current: ReadingRecord | undefined): ReplacedReading[] {
  if (!current) return [];
  return [
    ...(current.replaced ?? []),
    {
      value: current.value,
      consumption: current.consumption,
      submittedAt: current.submittedAt,
      source: current.source,
    },
  ];
}

/**
 * A period's value may be corrected this many times by each kind of submitter; then the centre
 * corrects it. Counted per kind (shared/readings/submitReadings.ts `correctionsCounted`): values
 * sent without logging in never use up the resident's own corrections.
 */
export const MAX_REPLACEMENTS = 20;

/** The meters of an account, by key (one query). */
export function metersOf(account: string): Promise<MeterRecord[]> {
  return queryAll<MeterRecord>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':prefix': keys.meterPrefix },
  });
}

/** The account's meters, its household and every reading, as one query of its partition read them. */
export interface MeterReadings {
  /** With `throughSession`: that session's item, if it exists (the caller judges it alive). */
  session?: Record<string, unknown> | undefined;
  meters: MeterRecord[];
  /** The registry's record (PROFILE); undefined for an account not in the registry. */
  profile: AccountRecord | undefined;
  /** Residents and area (the registry's record); undefined for an account not in the registry. */
  household: { residents: number; area: string } | undefined;
  /** Each meter's readings by serial, oldest period first. */
  readings: Map<string, ReadingRecord[]>;
  /**
   * The account's readings lock as read (keys.readingsLock; 0: never written). Only a consistent
   * read reaches it: a write must be judged on one.
   */
  readingRev?: number;
}

/** The newest reading of a meter (any period), from its readings oldest first. */
export function lastReadingOf(readings: readonly ReadingRecord[] | undefined): ReadingRecord | undefined {
  return readings?.reduce<ReadingRecord | undefined>(
    (last, r) => (!last || r.period > last.period ? r : last),
    undefined,
  );
}

/**
 * The meters page, the history and a submission in one Query of the account's partition: the
 * range `METER#` … `READING#\uffff` holds exactly the meters, the registry's record (PROFILE) and the
 * readings (keys.ts sorts them so), where a query per meter cost a round trip each. The readings
 * of every period come along (a few kilobytes a year per account; billing reads the same range).
 * `consistent` for a write (a submission, an import row), which must judge against the last
 * accepted values: the range then runs on to the readings lock (`READINGS`, right after them).
 */
export async function meterReadingsOf(
  account: string,
  options: { consistent?: boolean; throughSession?: string } = {},
): Promise<MeterReadings> {
  const pk = keys.account(account).pk;
  // SESSION# sorts right after READING#: stretching the range to a session's own key brings the
  // session check along in the same request (and the account's few sessions sorting before it).
  const sessionKey = options.throughSession === undefined ? undefined : keys.session(account, options.throughSession);
  const consistent = options.consistent === true || sessionKey !== undefined;
  const lock = keys.readingsLock(account);
  const items = await queryAll<Record<string, unknown>>({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
    ExpressionAttributeValues: {
      ':pk': pk,
      ':first': keys.meterPrefix,
      ':last': sessionKey?.sk ?? (consistent ? lock.sk : `${keys.readingPrefix}\uffff`),
    },
    ConsistentRead: consistent,
  });
  const result: MeterReadings = {
    meters: [],
    profile: undefined,
    household: undefined,
    readings: new Map(),
    ...(consistent ? { readingRev: 0 } : {}),
  };
  for (const item of items) {
    const sk = String(item.sk);
    if (sk === sessionKey?.sk) result.session = item;
    else if (sk.startsWith(keys.meterPrefix)) result.meters.push(item as unknown as MeterRecord);
    else if (sk === keys.account(account).sk) {
      result.profile = item as unknown as AccountRecord;
      result.household = { residents: Number(item.residents), area: String(item.area) };
    } else if (sk === lock.sk) {
      result.readingRev = Number(item.readingRev ?? 0);
    } else if (sk.startsWith(keys.readingPrefix)) {
      const reading = item as unknown as ReadingRecord;
      const list = result.readings.get(reading.serial) ?? [];
      list.push(reading);
      result.readings.set(reading.serial, list);
    }
  }
  return result;
}

/** One meter's change in a submission: the new reading and the one of its period it replaces. */
export interface ReadingWrite {
  reading: ReadingRecord;
  /** The reading item this write replaces (same period), if any. */
  current?: ReadingRecord | undefined;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A no-login pass being used: its id (`jti`) and expiry (Unix seconds, the item's TTL). */
export interface PassUse {
  id: string;
  expiresAt: number;
}

/** How a submission's transaction ended: written, lost a race on a meter, or its pass was used. */
export type WriteOutcome = 'written' | 'raced' | 'pass_used';

/** Whether a no-login pass has already carried its submission. */
export async function passUsed(passId: string): Promise<boolean> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.quickPassUse(passId), ConsistentRead: true }),
  );
  return out.Item !== undefined;
}

/**
 * A condition that a reading item is still the one judged. Each replacement appends to `replaced`,
 * so its length is the item's revision; `submittedAt` alone could repeat (a pinned clock, or two
 * writes in one millisecond). Items written without `replaced` (the demo seed) have none yet.
 */
function stillThe(current: ReadingRecord) {
  const n = current.replaced?.length;
  return n === undefined
    ? {
        ConditionExpression: 'submittedAt = :was AND attribute_not_exists(replaced)',
        ExpressionAttributeValues: { ':was': current.submittedAt },
      }
    : {
        ConditionExpression: 'submittedAt = :was AND size(replaced) = :n',
        ExpressionAttributeValues: { ':was': current.submittedAt, ':n': n },
      };
}

export interface WriteOptions {
  /** This period's readings the submission repeated unchanged: checked to be still so. */
  unchanged?: readonly ReadingRecord[];
  /** Move the lock whatever is written: the operator's import, which writes any month. */
  lockAlways?: boolean;
  /** A no-login pass, used up in the same transaction. */
  pass?: PassUse | undefined;
}

/**
 * Writes a submission in one transaction, all or nothing:
 * - each changed meter's reading, conditioned on the item it replaces (`submittedAt`) or on there
 *   being none (`attribute_not_exists`);
 * - each meter the page repeated unchanged: a check that its reading is still the one judged;
 * - the account's readings lock moved on from `readingRev` (the revision the values were judged
 *   on) when a reading is the first of its month for its meter, and always for the import. A first
 *   value counts from the meter's latest earlier reading, which only the import writes (a month in
 *   between, or a correction of that month); the lock makes them exclude each other. A replacement
 *   of this month's value needs no lock: the import refuses a month before an existing reading, and
 *   if it read before this month's value existed, that value's first write moved the lock under it.
 * Nothing to write (the same values again) is no request at all. `'raced'` when a condition failed
 * (another request won the race): the caller reloads and judges again. A pass, when given, is used
 * up in the same transaction (`attribute_not_exists`), so it carries one submission even when two
 * arrive at once, and a refused submission leaves it usable.
 */
export async function writeSubmission(
  account: string,
  readingRev: number,
  writes: readonly ReadingWrite[],
  options: WriteOptions = {},
): Promise<WriteOutcome> {
  const { pass } = options;
  const items: TransactItem[] = writes.map(({ current, reading }) => ({
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.reading(reading.account, reading.serial, reading.period),
        ...keys.readingsOfPeriod(reading.period, reading.account, reading.serial),
        entity: 'reading',
        ...reading,
      },
      ...(current ? stillThe(current) : { ConditionExpression: 'attribute_not_exists(pk)' }),
    },
  }));
  if (items.length > 0) {
    for (const current of options.unchanged ?? []) {
      items.push({
        ConditionCheck: {
          TableName: tableName(),
          Key: keys.reading(current.account, current.serial, current.period),
          ...stillThe(current),
        },
      });
    }
  }
  if (options.lockAlways || writes.some((w) => !w.current)) {
    items.push({
      Update: {
        TableName: tableName(),
        Key: keys.readingsLock(account),
        UpdateExpression: 'SET readingRev = :next, entity = :entity',
        ConditionExpression: readingRev === 0 ? 'attribute_not_exists(readingRev)' : 'readingRev = :rev',
        ExpressionAttributeValues: {
          ':next': readingRev + 1,
          ':entity': 'readingsLock',
          ...(readingRev === 0 ? {} : { ':rev': readingRev }),
        },
      },
    });
  }
  if (pass) {
    items.push({
      Put: {
        TableName: tableName(),
        Item: { ...keys.quickPassUse(pass.id), entity: 'quickPassUse', expiresAt: pass.expiresAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  if (items.length === 0) return 'written';
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items }));
    return 'written';
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const reasons = error.CancellationReasons ?? [];
      if (pass && reasons[items.length - 1]?.Code === 'ConditionalCheckFailed') return 'pass_used';
      const raced = reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
      if (raced) return 'raced';
    }
    // DynamoDB itself reports a conflicting transaction on the same items this way.
    if ((error as { name?: string }).name === 'TransactionConflictException') return 'raced';
    throw error;
  }
}
