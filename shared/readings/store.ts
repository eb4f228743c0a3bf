import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { db, queryAll, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import type { READING_SOURCES } from '#shared/readings/schemas';
import type { MeterItem } from '#shared/registry/repository';
import type { ServiceId } from '#shared/registry/services';

/**
 * Readings in the single table. A reading item is the accepted value of one meter for one period
 * (`pk ACC#<account>`, `sk READING#<serial>#<period>`); billing reads its `consumption`. A
 * resubmission in the same window replaces the item and appends the replaced value to `replaced`.
 * The meter item carries the last accepted reading and `readingRev`, a counter every accepted
 * submission bumps under a condition: that is the optimistic lock that keeps two tabs, a double
 * click or a retried request from interleaving.
 */

export interface LastReading {
  value: string;
  period: string;
  /** When it was submitted, ISO. */
  date: string;
}

export interface MeterRecord extends MeterItem {
  lastReading?: LastReading;
  readingRev?: number;
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

/**
 * A meter's readings for periods `from..to`, newest first; `limit` caps the count. Serials never
 * contain `#` (the importer refuses it), so `READING#<serial>#` bounds one meter.
 */
export function readingsOf(
  account: string,
  serial: string,
  range: { from?: string; to: string; limit?: number },
): Promise<ReadingRecord[]> {
  return queryAll<ReadingRecord>(
    {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': keys.account(account).pk,
        ':from': keys.reading(account, serial, range.from ?? '0000-00').sk,
        ':to': keys.reading(account, serial, range.to).sk,
      },
      ScanIndexForward: false,
      ...(range.limit ? { Limit: range.limit } : {}),
    },
    range.limit,
  );
}

/** The account's meters, its household and every reading, as one query of its partition read them. */
export interface MeterReadings {
  /** With `throughSession`: that session's item, if it exists (the caller judges it alive). */
  session?: Record<string, unknown> | undefined;
  meters: MeterRecord[];
  /** Residents and area (the registry's record); undefined for an account not in the registry. */
  household: { residents: number; area: string } | undefined;
  /** Each meter's readings by serial, oldest period first. */
  readings: Map<string, ReadingRecord[]>;
}

/**
 * The meters page, the history and a submission in one Query of the account's partition: the
 * range `METER#` … `READING#\uffff` holds exactly the meters, the registry's record (PROFILE) and the
 * readings (keys.ts sorts them so), where a query per meter cost a round trip each. The readings
 * of every period come along (a few kilobytes a year per account; billing reads the same range).
 * `consistent` for a submission, which must judge against the last accepted values.
 */
export async function meterReadingsOf(
  account: string,
  options: { consistent?: boolean; throughSession?: string } = {},
): Promise<MeterReadings> {
  const pk = keys.account(account).pk;
  // SESSION# sorts right after READING#: stretching the range to a session's own key brings the
  // session check along in the same request (and the account's few sessions sorting before it).
  const sessionKey = options.throughSession === undefined ? undefined : keys.session(account, options.throughSession);
  const items = await queryAll<Record<string, unknown>>({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
    ExpressionAttributeValues: {
      ':pk': pk,
      ':first': keys.meterPrefix,
      ':last': sessionKey?.sk ?? `${keys.readingPrefix}\uffff`,
    },
    ConsistentRead: options.consistent === true || sessionKey !== undefined,
  });
  const result: MeterReadings = { meters: [], household: undefined, readings: new Map() };
  for (const item of items) {
    const sk = String(item.sk);
    if (sk === sessionKey?.sk) result.session = item;
    else if (sk.startsWith(keys.meterPrefix)) result.meters.push(item as unknown as MeterRecord);
    else if (sk === keys.account(account).sk) {
      result.household = { residents: Number(item.residents), area: String(item.area) };
    } else if (sk.startsWith(keys.readingPrefix)) {
      const reading = item as unknown as ReadingRecord;
      const list = result.readings.get(reading.serial) ?? [];
      list.push(reading);
      result.readings.set(reading.serial, list);
    }
  }
  return result;
}

/** One meter's change in a submission: the new reading item and the meter's new state. */
export interface MeterWrite {
  meter: MeterRecord;
  /** The reading item this write replaces (same period), if any. */
  current?: ReadingRecord | undefined;
  reading?: ReadingRecord;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const revCondition = (meter: MeterRecord) =>
  meter.readingRev === undefined
    ? { expression: 'attribute_exists(pk) AND attribute_not_exists(readingRev)', values: {} }
    : { expression: 'attribute_exists(pk) AND readingRev = :rev', values: { ':rev': meter.readingRev } };

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
 * Writes a submission in one transaction: per changed meter the reading item and the meter's last
 * reading, and for unchanged meters a check that nobody changed them meanwhile. `'raced'` when a
 * meter's condition failed (another request won the race): the caller reloads and judges again.
 * A pass, when given, is used up in the same transaction (`attribute_not_exists`), so it carries
 * one submission even when two arrive at once, and a refused submission leaves it usable.
 */
export async function writeSubmission(writes: readonly MeterWrite[], pass?: PassUse): Promise<WriteOutcome> {
  const items = writes.flatMap(({ meter, current, reading }): TransactItem[] => {
    const rev = revCondition(meter);
    if (!reading) {
      return [
        {
          ConditionCheck: {
            TableName: tableName(),
            Key: keys.meter(meter.account, meter.serial),
            ConditionExpression: rev.expression,
            ...(Object.keys(rev.values).length ? { ExpressionAttributeValues: rev.values } : {}),
          },
        },
      ];
    }
    const laterExists = meter.lastReading !== undefined && meter.lastReading.period > reading.period;
    const last: LastReading = { value: reading.value, period: reading.period, date: reading.submittedAt };
    return [
      {
        Put: {
          TableName: tableName(),
          Item: {
            ...keys.reading(reading.account, reading.serial, reading.period),
            ...keys.readingsOfPeriod(reading.period, reading.account, reading.serial),
            entity: 'reading',
            ...reading,
          },
          ...(current
            ? {
                ConditionExpression: 'submittedAt = :was',
                ExpressionAttributeValues: { ':was': current.submittedAt },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        },
      },
      {
        Update: {
          TableName: tableName(),
          Key: keys.meter(meter.account, meter.serial),
          UpdateExpression: laterExists ? 'SET readingRev = :next' : 'SET readingRev = :next, lastReading = :last',
          ConditionExpression: rev.expression,
          ExpressionAttributeValues: {
            ...rev.values,
            ':next': (meter.readingRev ?? 0) + 1,
            ...(laterExists ? {} : { ':last': last }),
          },
        },
      },
    ];
  });
  if (pass) {
    items.push({
      Put: {
        TableName: tableName(),
        Item: { ...keys.quickPassUse(pass.id), entity: 'quickPassUse', expiresAt: pass.expiresAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  if (!items.some((i) => i.Put)) return 'written';
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
