import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#shared/clients/dynamo';
import { DomainError } from '#shared/errors';
import { keys } from '#shared/keys';
import { ACCOUNT_LIMITS, type AccountLimitName, type AttemptLimit } from '#shared/limits/policy';
import { now } from '#shared/time';

/**
 * Attempts reserved atomically before the work they limit (a password check, a passport check, a
 * mail): one conditional UpdateItem adds 1 only while the window is open and the count is under
 * the limit, so thirty parallel requests against a limit of ten get exactly ten slots and twenty
 * refusals — never a read followed by a write that parallel requests could all pass.
 *
 * One item per limited subject (`{count, windowEnd, expiresAt}`, epoch seconds, keys from
 * shared/keys.ts): a fixed window that starts with the first attempt. When the attempt holding the
 * last slot is refused, the window's end moves to `lockSeconds` from then (the lock). A slot can be given back
 * (`release`) when the attempt turned out not to count. Expired items are left for DynamoDB's TTL
 * (`expiresAt`); DynamoDB Local never deletes them, and the window check ignores them anyway.
 *
 * rate-limiter-flexible's DynamoDB store was the maintained alternative, but it needs its own
 * table keyed by a single `key` attribute and reads the machine's clock: it fits neither the
 * single table (pk/sk from shared/keys.ts) nor `RAC_NOW`.
 */
export interface Attempt {
  /** Which slot of the window this attempt holds, from 1. */
  number: number;
  /** Gives the slot back: the attempt did not count (it succeeded, or was not evaluated). */
  release: () => Promise<void>;
  /**
   * The same as an `Update` of a TransactWriteItems, to give the slot back in one request with the
   * write the attempt allowed. Its condition fails, cancelling the transaction, only when the window
   * has meanwhile ended; the caller then writes without it (a new window owes nothing).
   */
  releaseOperation: () => ReturnType<typeof releaseOperation>;
  /**
   * The attempt was evaluated and refused: if it held the last slot, the subject is locked for
   * `lockSeconds` from now. Only a refusal locks, so requests that never got evaluated (a missing
   * captcha) cannot lock a resident out.
   */
  fail: () => Promise<void>;
}

type Key = { pk: string; sk: string };

const nowSeconds = () => Math.floor(now().getTime() / 1000);

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

/** The 429 of a limit, with the seconds until a new attempt may succeed (`Retry-After`). */
export function tooManyAttempts(retryAfter: number, subject: 'login' | 'other' = 'other'): DomainError {
  return DomainError.of('too_many_attempts', { retryAfter: Math.max(1, Math.ceil(retryAfter)), subject });
}

/**
 * Takes one slot of `limit` for the item at `key`, or throws 429 `too_many_attempts` with the
 * seconds until the window (or lock) ends.
 */
export async function reserveAttempt(
  key: Key,
  limit: AttemptLimit,
  subject: 'login' | 'other' = 'other',
): Promise<Attempt> {
  // Three rounds cover a window that ends between our writes; more would mean a broken clock.
  for (let round = 0; round < 3; round++) {
    const at = nowSeconds();
    const expiresAt = at + Math.max(limit.windowSeconds, limit.lockSeconds ?? 0) + 3600;
    const windowEnd = at + limit.windowSeconds;
    let taken: { number: number; windowEnd: number } | undefined;
    let held: { count: number; windowEnd: number } | undefined;
    try {
      // One request for the usual cases: no item yet (a new window starts with slot 1) or an open
      // window with a free slot. Only a window that has ended needs a second request to restart.
      const out = await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: key,
          UpdateExpression: 'SET expiresAt = :expires, windowEnd = if_not_exists(windowEnd, :end) ADD #count :one',
          ConditionExpression: 'attribute_not_exists(windowEnd) OR (windowEnd > :now AND #count < :max)',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':now': at,
            ':max': limit.max,
            ':expires': expiresAt,
            ':end': windowEnd,
          },
          ReturnValues: 'ALL_NEW',
          // A refusal brings the item along: no read to tell a full window from an ended one.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      taken = { number: Number(out.Attributes?.count), windowEnd: Number(out.Attributes?.windowEnd) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The document client leaves this item in DynamoDB's attribute-value form.
      const item = (error as ConditionalCheckFailedException).Item;
      if (item) held = { count: Number(item.count?.N ?? 0), windowEnd: Number(item.windowEnd?.N ?? 0) };
    }
    if (!taken && held && held.windowEnd > at) {
      if (held.count >= limit.max) throw tooManyAttempts(held.windowEnd - at, subject);
      continue;
    }
    if (!taken) {
      // The last window has ended: start one, unless a parallel request just did.
      try {
        await db().send(
          new UpdateCommand({
            TableName: tableName(),
            Key: key,
            UpdateExpression: 'SET #count = :one, windowEnd = :end, expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(windowEnd) OR windowEnd <= :now',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':one': 1, ':end': windowEnd, ':now': at, ':expires': expiresAt },
          }),
        );
        taken = { number: 1, windowEnd };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    if (taken) {
      const { number, windowEnd } = taken;
      return {
        number,
        release: () => releaseAttempt(key, windowEnd),
        releaseOperation: () => releaseOperation(key, windowEnd),
        fail: async () => {
          if (number >= limit.max && limit.lockSeconds !== undefined) {
            await lockWindow(key, windowEnd, nowSeconds() + limit.lockSeconds);
          }
        },
      };
    }
    // A parallel request restarted the window between our two writes: another round.
  }
  throw tooManyAttempts(1, subject);
}

/** The refused last slot locks the subject: the window now ends `lockSeconds` after it. */
async function lockWindow(key: Key, windowEnd: number, lockEnd: number): Promise<void> {
  await db()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET windowEnd = :lockEnd',
        ConditionExpression: 'windowEnd = :windowEnd',
        ExpressionAttributeValues: { ':lockEnd': lockEnd, ':windowEnd': windowEnd },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

/** The update that gives a slot back, only in the window it was taken in (a new window owes nothing). */
function releaseOperation(key: Key, windowEnd: number) {
  return {
    TableName: tableName(),
    Key: key,
    UpdateExpression: 'ADD #count :minusOne',
    ConditionExpression: 'windowEnd = :windowEnd AND #count > :zero',
    ExpressionAttributeNames: { '#count': 'count' },
    ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0, ':windowEnd': windowEnd },
  };
}

async function releaseAttempt(key: Key, windowEnd: number): Promise<void> {
  await db()
    .send(new UpdateCommand(releaseOperation(key, windowEnd)))
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

/** Forgets the subject's attempts (a successful login, a password reset). */
export async function clearAttempts(key: Key): Promise<void> {
  await db().send(new DeleteCommand(clearOperation(key)));
}

/** The delete that forgets the subject's attempts, for a transaction with the write it allows. */
export function clearOperation(key: Key) {
  return { TableName: tableName(), Key: key };
}

/** Takes a slot of a per-account limit (shared/limits/policy.ts). */
export function reserveAccountAttempt(name: AccountLimitName, account: string): Promise<Attempt> {
  return reserveAttempt(keys.accountLimit(name, account), ACCOUNT_LIMITS[name]);
}
